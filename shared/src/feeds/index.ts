/**
 * @module The public surface of shared/src/feeds: the catalogue, the sync (fetch once per URL,
 * parse, guard, snapshot, diff) and the types the worker and the action store and publish.
 *
 * Typical use (worker cron or `allowlist-sync fetch`):
 * ```ts
 * const feeds = ids.map((id) => findFeed(id) ?? fail(id))
 * const { outcomes, cache } = await syncFeeds(feeds, { fetch, now: Date.now, previous, cache, mirror })
 * for (const o of outcomes) if (o.kind === 'changed') store(o.snapshot, o.change)
 * ```
 */
export type * from './types.ts'
export { DEFAULT_GUARD_OPTIONS, GUARD_NAMES } from './types.ts'
export { BUILTIN_FEEDS, defineUserFeed, findFeed, type UserFeedInput } from './catalogue.ts'
export { syncFeeds } from './sync.ts'
export { diffSnapshots, sha256Lists } from './snapshot.ts'
export { mirrorUrl, USER_AGENT } from './fetcher.ts'
export { parseJsonPath, type JsonPathSegment } from './json-path.ts'
