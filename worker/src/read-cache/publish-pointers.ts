/**
 * @module Publishing D1's current heads. After a sync stores outcomes (or an admin decides), the
 * read cache's pointers are overwritten, so the next read in this isolate and data center sees a
 * change at once, and new versions go on the head board (head-board.ts) for every other isolate
 * (within READ_CACHE_TTL_SECONDS plus KV's propagation). Anything that makes a new version current
 * calls {@link publishFeedPointers}; the cron calls {@link publishEveryHead} once a run.
 */
import { getFeedStates, getHeldTags } from '../db/snapshots.ts'
import { publishHeadBoard, type BoardHead } from './head-board.ts'
import type { ReadCache } from './read-cache.ts'

/** Where the pointers go: this isolate's cache, and the board when FEED_HEADS is bound. */
export interface PointerTargets {
  readonly db: D1Database
  readonly cache: ReadCache
  readonly board: KVNamespace | undefined
}

/** D1's head of every feed in `feeds` (null: no snapshot yet) and of every feed ever checked. */
async function currentHeads(
  db: D1Database,
  feeds: readonly string[],
): Promise<Map<string, BoardHead>> {
  const [states, held] = await Promise.all([getFeedStates(db, feeds), getHeldTags(db)])
  const heads = new Map<string, BoardHead>(feeds.map((f) => [f, null]))
  for (const s of states.values()) {
    heads.set(s.feed, {
      version: s.version,
      sha256: s.sha256,
      fetchedAt: s.fetchedAt,
      held: held.get(s.feed) ?? null,
    })
  }
  return heads
}

/**
 * Publishes the current heads of `feeds` (and of every feed ever checked) to this isolate's
 * cache, and their new versions on the board. Returns the number of heads.
 */
export async function publishFeedPointers(
  { db, cache, board }: PointerTargets,
  feeds: readonly string[],
  now: number,
  ttlMs: number,
): Promise<number> {
  const heads = await currentHeads(db, feeds)
  await Promise.all(
    [...heads].map(([feed, head]) =>
      cache.putPointer(
        {
          feed,
          version: head?.version ?? null,
          sha256: head?.sha256 ?? null,
          fetchedAt: head?.fetchedAt ?? null,
          held: head?.held ?? null,
          expiresAt: now + ttlMs,
        },
        ttlMs,
      ),
    ),
  )
  if (board !== undefined) {
    await publishHeadBoard(board, heads, { changes: feeds })
    cache.forgetBoard()
  }
  return heads.size
}

/**
 * Writes every head that differs on the board (`fetchedAt` included; an entry lost to a race is
 * mended). Returns the number of heads and whether the board was written.
 */
export async function publishEveryHead(
  db: D1Database,
  board: KVNamespace,
): Promise<{ readonly heads: number; readonly written: boolean }> {
  const heads = await currentHeads(db, [])
  return { heads: heads.size, written: await publishHeadBoard(board, heads, 'everything') }
}
