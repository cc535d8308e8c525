/**
 * @module What a sync remembers per upstream URL (CacheEntry): the validators, the body's hash and
 * the snapshot and entries hashes each feed got from it, and the refusals the body earned alone.
 */
import {
  GUARD_NAMES,
  type CacheEntry,
  type FeedDefinition,
  type FeedOutcome,
  type GuardName,
} from './types.ts'
import type { FetchSourceResult } from './fetcher.ts'

/** Guards whose verdict depends on the body alone, so a 304 may repeat it. */
const BODY_GUARDS = new Set<GuardName>(
  // in guard order: after the fetch's own (network to oversized), before the holds
  GUARD_NAMES.slice(GUARD_NAMES.indexOf('wrong-content'), GUARD_NAMES.indexOf('too-broad') + 1),
)

/** What a cache entry needs of a feed's outcome. */
export type OutcomeSummary =
  | {
      readonly feed: string
      readonly kind: 'refused'
      readonly guard: GuardName
      readonly reason: string
    }
  | { readonly feed: string; readonly kind: 'held' }
  | { readonly feed: string; readonly kind: 'changed' | 'unchanged'; readonly sha256: string }

/** The summary of an outcome (plain JSON: a sliced sync carries it between invocations). */
export function summarise(o: FeedOutcome): OutcomeSummary {
  if (o.kind === 'refused') return { feed: o.feed, kind: o.kind, guard: o.guard, reason: o.reason }
  if (o.kind === 'held') return { feed: o.feed, kind: o.kind }
  return { feed: o.feed, kind: o.kind, sha256: o.snapshot.sha256 }
}

/** What a URL answered, as its cache entry needs it. */
export type CachedAnswer =
  | { readonly kind: 'refused' }
  | Pick<Extract<FetchSourceResult, { kind: 'not-modified' }>, 'kind' | 'validators'>
  | Pick<Extract<FetchSourceResult, { kind: 'body' }>, 'kind' | 'validators' | 'sha256'>

/**
 * The cache entry a URL leaves for the next sync: the validators it answered with, the refusals
 * its body earned by the body alone, and the body's hash with the snapshot hash each feed got
 * from it (kept from `before` on a 304). None after a hold or a refusal that depends on more than
 * the body, so the next sync fetches and judges the body again. A 304 always has validators (it
 * answers a conditional request) and a body always has a hash, so every other URL gets one.
 */
export function cacheEntryAfter(
  result: CachedAnswer,
  feeds: readonly FeedDefinition[],
  outcomes: readonly OutcomeSummary[],
  before: CacheEntry | undefined,
  read: ReadonlyMap<string, string>,
): CacheEntry | undefined {
  if (result.kind === 'refused') return undefined
  const refused: Record<string, { guard: GuardName; reason: string }> = {}
  const snapshots: Record<string, string> = {}
  const entries: Record<string, string> = {}
  for (const o of outcomes) {
    if (!feeds.some((f) => f.id === o.feed)) continue
    // A hold is not repeated on a 304: the held candidate must be fetched (and counted) again.
    if (o.kind === 'held') return undefined
    if (o.kind === 'refused') {
      if (!BODY_GUARDS.has(o.guard)) return undefined
      refused[o.feed] = { guard: o.guard, reason: o.reason }
    } else {
      snapshots[o.feed] = o.sha256
      // read this sync, or (the same body, not read again) as recorded for it
      const hash = read.get(o.feed) ?? before?.body?.entries?.[o.feed]
      if (hash !== undefined) entries[o.feed] = hash
    }
  }
  const body =
    result.kind === 'body'
      ? {
          sha256: result.sha256,
          snapshots,
          ...(Object.keys(entries).length > 0 ? { entries } : {}),
        }
      : before?.body
  const { etag, lastModified } = result.validators
  return {
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
    ...(Object.keys(refused).length > 0 ? { refused } : {}),
    ...(body === undefined ? {} : { body }),
  }
}
