/**
 * @module The sync: fetch each upstream URL once, parse every feed read from it, guard, and
 * turn the result into snapshots and changes against the previous snapshots.
 */
import type { FeedDefinition, SyncOptions, SyncResult } from './types.ts'

/**
 * Syncs `feeds`: each distinct upstream URL is fetched once (the 13 GitHub feeds share one
 * request), conditionally when validators are cached and every feed from it has a previous
 * snapshot. Never throws for upstream trouble: each feed gets a `changed`, `unchanged` or
 * `refused` outcome. Throws only for a bad `mirror` (TypeError, `ERR_MIRROR`).
 */
export function syncFeeds(
  feeds: readonly FeedDefinition[],
  options: SyncOptions,
): Promise<SyncResult> {
  void feeds
  void options
  return Promise.reject(new Error('not implemented'))
}
