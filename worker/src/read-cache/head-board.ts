/**
 * @module The head board: every feed's current head (version, sha256, fetchedAt, held tag) in one
 * Workers KV value (binding FEED_HEADS), so a read whose cached pointer has expired refreshes it
 * from KV, not D1: a read that finds its body cached queries D1 never. One value rather than a
 * key per feed, because KV counts a read per key: an isolate refreshes every feed's pointer with
 * one read per READ_CACHE_TTL_SECONDS.
 *
 * Whoever makes a new version current (the sync, an admin's confirm or reject) publishes it here
 * at once; the cron publishes every head once a run, so `fetchedAt` (refreshed by every unchanged
 * fetch) follows within one cron interval. Writes happen only when something differs: about 100
 * a day plus one per real change, inside the Free plan's 1,000. Two publishers at the same moment
 * can each read the board before the other's write, so one feed's entry can be lost; the next
 * cron run mends it. KV itself carries a write to every location within about 60 seconds.
 */
import { z } from 'zod'
import { logEvent } from '../log-event.ts'

/** The KV key of the board; a new shape gets a new key. */
export const HEAD_BOARD_KEY = 'heads/v1'

const headSchema = z
  .object({
    version: z.number().int().positive(),
    sha256: z.string(),
    fetchedAt: z.string(),
    held: z.string().nullable(),
  })
  .nullable()

const boardSchema = z.record(z.string(), headSchema)

/** A feed's entry: its head, or null when it has no good snapshot yet. */
export type BoardHead = z.infer<typeof headSchema>

/** Every published feed's head, by feed id; a feed absent from it has never been published. */
export type HeadBoard = Readonly<Record<string, BoardHead>>

/**
 * The board, or undefined when there is none yet (a first deploy before its first sync), when
 * what is stored is not a board or KV fails (both logged): then D1 answers, and the next publish
 * writes a new board.
 */
export async function readHeadBoard(kv: KVNamespace): Promise<HeadBoard | undefined> {
  let text: string | null
  try {
    text = await kv.get(HEAD_BOARD_KEY, 'text')
  } catch (error) {
    logBad(`reading ${HEAD_BOARD_KEY}: ${String(error)}`)
    return undefined
  }
  if (text === null) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    logBad(`${HEAD_BOARD_KEY} is not JSON: ${String(error)}`)
    return undefined
  }
  const parsed = boardSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    logBad(`${HEAD_BOARD_KEY} at ${issue.path.join('.')}: ${issue.message}`)
    return undefined
  }
  return parsed.data
}

/**
 * Which entries a publish writes. `changes` (a sync, an admin's decision): the publisher's own
 * feeds whose version, sha256 or held tag differ (a held candidate is counted at each fetch
 * while it waits: a few writes, then it is confirmed or dropped), and any feed the board lacks;
 * not a new `fetchedAt` alone, which every unchanged fetch brings (a write per sync would pass
 * the Free plan's 1,000 a day, and KV takes one write a second per key). `everything` (the cron,
 * once a run): every head that differs at all, so `fetchedAt` follows within one cron interval
 * and any entry lost to two publishers racing is mended.
 */
export type BoardScope = { readonly changes: readonly string[] } | 'everything'

/**
 * Publishes `heads` (D1's current heads) on the board as `scope` says; entries of other feeds
 * stay as the board has them. Writes only when the board changes. Returns whether it wrote.
 */
export async function publishHeadBoard(
  kv: KVNamespace,
  heads: ReadonlyMap<string, BoardHead>,
  scope: BoardScope,
): Promise<boolean> {
  const board = new Map(Object.entries((await readHeadBoard(kv)) ?? {}))
  const own = scope === 'everything' ? undefined : new Set(scope.changes)
  let changed = false
  for (const [feed, head] of heads) {
    if (board.has(feed)) {
      const stored = board.get(feed)!
      if (
        own === undefined ? sameHead(stored, head) : !own.has(feed) || sameVersion(stored, head)
      ) {
        continue
      }
    }
    board.set(feed, head)
    changed = true
  }
  if (changed) await kv.put(HEAD_BOARD_KEY, JSON.stringify(Object.fromEntries(board)))
  return changed
}

/** The same version and held candidate (its count and status too), whatever the last fetch. */
function sameVersion(a: BoardHead, b: BoardHead): boolean {
  return a === null || b === null
    ? a === b
    : a.version === b.version && a.sha256 === b.sha256 && a.held === b.held
}

function sameHead(a: BoardHead, b: BoardHead): boolean {
  return sameVersion(a, b) && a?.fetchedAt === b?.fetchedAt
}

function logBad(problem: string): void {
  logEvent('error', { event: 'head-board', problem })
}

/** The head of `feed` on `board`: null when the board has none (never published). */
export function boardHead(board: HeadBoard, feed: string): BoardHead {
  return Object.hasOwn(board, feed) ? board[feed]! : null
}
