/**
 * @module One read step's bytes (jobs/sliced-sync.ts): a body stored in KV as pieces of
 * PIECE_BYTES, so a step loads the piece its slice starts in, and the next when less than a slice
 * is left in it, not the whole body (4 MB for Azure's file, in each of 15 steps); and more pieces
 * only while a value runs past them. Pure: the worker-cpu bench runs the same function.
 */
import type { ExtractRefusal } from '../../../shared/src/feeds/entries.ts'
import {
  readFeedsSlice,
  type BodyMemory,
  type FeedDefinition,
  type SliceOfFeeds,
  type SliceState,
} from '../../../shared/src/index.ts'
import { PIECE_BYTES, SLICE_BYTES } from './slice-sizes.ts'

/** How many pieces a body of `size` bytes is stored in. */
export function pieceCount(size: number): number {
  return Math.max(1, Math.ceil(size / PIECE_BYTES))
}

/**
 * Reads the slice from `state` of a body of `size` bytes whose pieces `piece` loads (null: not
 * there). Returns null when a piece it needs is not there. Pieces loaded together are joined in
 * `memory` (a slice's read keeps no view of them).
 */
export async function readPieces(
  feeds: readonly FeedDefinition[],
  state: SliceState,
  size: number,
  piece: (index: number) => Promise<Uint8Array | null>,
  memory: BodyMemory,
): Promise<SliceOfFeeds | ExtractRefusal | null> {
  const count = pieceCount(size)
  const first = Math.min(Math.floor(state.offset / PIECE_BYTES), count - 1)
  const loaded: Uint8Array[] = []
  let next = first
  const load = async () => {
    const bytes = await piece(next++)
    if (bytes !== null) loaded.push(bytes)
    return bytes !== null
  }
  if (!(await load())) return null
  if (next < count && next * PIECE_BYTES - state.offset < SLICE_BYTES && !(await load()))
    return null
  for (;;) {
    const read = readFeedsSlice(
      feeds,
      concat(loaded, memory),
      first * PIECE_BYTES,
      state,
      SLICE_BYTES,
      next === count,
    )
    if (!('more' in read)) return read
    // A value runs past the pieces loaded (the last piece is final: never more after it).
    if (!(await load())) return null
  }
}

function concat(pieces: readonly Uint8Array[], memory: BodyMemory): Uint8Array {
  if (pieces.length === 1) return pieces[0]!
  const size = pieces.reduce((n, p) => n + p.length, 0)
  const buffer = memory.take(size)
  memory.keep(buffer)
  const out = new Uint8Array(buffer, 0, size)
  let at = 0
  for (const p of pieces) {
    out.set(p, at)
    at += p.length
  }
  return out
}
