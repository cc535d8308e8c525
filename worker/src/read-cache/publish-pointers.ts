/**
 * @module After a sync stores outcomes, overwrite the read cache's pointers with D1's current
 * heads, so the next read in this isolate and data center sees a change at once (elsewhere
 * within READ_CACHE_TTL_SECONDS). Anything that makes a new version current calls this.
 */
import { getFeedStates, getHeldTags } from '../db/snapshots.ts'
import type { ReadCache } from './read-cache.ts'

/** Publishes the current head of every feed in `feeds` (and of every feed ever checked). */
export async function publishFeedPointers(
  db: D1Database,
  cache: ReadCache,
  feeds: readonly string[],
  now: number,
  ttlMs: number,
): Promise<number> {
  const [heads, held] = await Promise.all([getFeedStates(db, feeds), getHeldTags(db)])
  await Promise.all(
    [...heads.values()].map((h) =>
      cache.putPointer(
        {
          feed: h.feed,
          version: h.version,
          sha256: h.sha256,
          fetchedAt: h.fetchedAt,
          held: held.get(h.feed) ?? null,
          expiresAt: now + ttlMs,
        },
        ttlMs,
      ),
    ),
  )
  return heads.size
}
