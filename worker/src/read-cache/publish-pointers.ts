/**
 * @module After a sync stores outcomes, overwrite the read cache's pointers with D1's current
 * heads, so the next read in this isolate and data center sees a change at once, and publish them
 * on the head board (head-board.ts) for every other isolate (within READ_CACHE_TTL_SECONDS plus
 * KV's propagation). Anything that makes a new version current calls this.
 */
import { getFeedStates, getHeldTags } from '../db/snapshots.ts'
import { publishHeadBoard, type BoardHead, type BoardScope } from './head-board.ts'
import type { ReadCache } from './read-cache.ts'

/** Where the pointers go: this isolate's cache, and the board when FEED_HEADS is bound. */
export interface PointerTargets {
  readonly db: D1Database
  readonly cache: ReadCache
  readonly board: KVNamespace | undefined
}

/**
 * Publishes the current heads to this isolate's cache (of the feeds `scope` names, and of every
 * feed ever checked) and on the board as `scope` says: a sync's or an admin's new versions, or
 * every head that differs (the cron). Returns the number of heads.
 */
export async function publishFeedPointers(
  { db, cache, board }: PointerTargets,
  scope: BoardScope,
  now: number,
  ttlMs: number,
): Promise<number> {
  const feeds = scope === 'everything' ? [] : scope.changes
  const [heads, held] = await Promise.all([getFeedStates(db, feeds), getHeldTags(db)])
  const published = new Map<string, BoardHead>(feeds.map((f) => [f, null]))
  for (const h of heads.values()) {
    published.set(h.feed, {
      version: h.version,
      sha256: h.sha256,
      fetchedAt: h.fetchedAt,
      held: held.get(h.feed) ?? null,
    })
  }
  await Promise.all(
    [...published].map(([feed, head]) =>
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
    await publishHeadBoard(board, published, scope)
    cache.forgetBoard()
  }
  return heads.size
}
