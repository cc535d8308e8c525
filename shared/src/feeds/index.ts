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
 *
 * Contract in short:
 * - Each distinct upstream URL is fetched once per sync (13 github/* feeds: one request).
 * - `changed`: store `snapshot` (version + 1) and publish `change`. `unchanged`: the previous
 *   snapshot with a new `fetchedAt` (store it or not). `refused`: publish nothing; `guard` and
 *   `reason` say why; `previous` is the snapshot that stays current. `held`: a well-formed list
 *   that removes or adds too much (`mass-removal`, `mass-addition`): `previous` stays current and
 *   `candidate` waits for confirmation (the worker counts identical fetches; the Action opens a
 *   draft PR). Every source, a worker's snapshot included ({@link guardServedSnapshot}), goes
 *   through the same guards (shared/src/feeds/README.md).
 * - Persist `SyncResult.cache` as opaque JSON and pass it back: it drives conditional requests
 *   (a 304 costs no parsing) and repeats body-level refusals on a 304.
 * - CPU (test/bench/feeds.bench.ts): github meta ~10 ms, ip-ranges.json ~30 ms, the rest ~1 ms
 *   each; a free Workers invocation has 10 ms, so sync one upstream URL per invocation, and read
 *   a body too large for one (`SyncOptions.sliceOver`) in slices: sliced.ts.
 */
export type * from './types.ts'
export {
  DEFAULT_BROADEST_PREFIX,
  DEFAULT_GUARD_OPTIONS,
  GUARD_NAMES,
  MASS_ADDITION_MIN_GROWTH,
} from './types.ts'
export { BUILTIN_FEEDS, CATALOGUE_PROVIDERS, findFeed, type ProviderListing } from './catalogue.ts'
export { defineUserFeed, type UserFeedInput } from './user-feed.ts'
export { AZURE_SERVICE_TAGS_PAGE } from './providers/azure.ts'
export { syncFeeds } from './sync.ts'
export {
  canSlice,
  judgeSlicedFeed,
  readFeedsSlice,
  slicedAnswer,
  topLevel,
  type FeedSlice,
  type SliceOfFeeds,
  type SlicedBody,
} from './sliced.ts'
export { FIRST_SLICE, type SliceState } from './json-slices.ts'
export { cacheEntryAfter, summarise, type OutcomeSummary } from './cache-entry.ts'
export { guardServedSnapshot, type ServedSnapshotOptions } from './guard-served.ts'
export { snapshotJsonSchema, snapshotSchema } from './snapshot-schema.ts'
export { RESERVED_IPV4, RESERVED_IPV6, type ReservedBlock } from './reserved-space.ts'
export { diffSnapshots, sha256Lists, withListsJson } from './snapshot.ts'
export { mirrorUrl, USER_AGENT } from './fetcher.ts'
export { parseJsonPath, type JsonPathSegment } from './json-path.ts'
