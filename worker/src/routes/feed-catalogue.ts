/**
 * @module The feed listing the API and the status page share: the catalogue joined with what D1
 * knows about each feed (current version, counts, last check and since when its outcome holds,
 * last change, last refusal, held candidate). Three queries, one row per feed each, whatever the
 * history length.
 */
import { BUILTIN_FEEDS, findFeed } from '../../../shared/src/index.ts'
import type { FeedDefinition } from '../../../shared/src/index.ts'
import { readConfig } from '../config.ts'
import { getFeedStatuses } from '../db/feed-status.ts'
import type { FeedCheckState } from '../db/feed-status.ts'
import { getHeldCandidates } from '../db/held.ts'
import { getFeedStates } from '../db/snapshots.ts'
import type { FeedState } from '../db/snapshots.ts'
import { toHeldSummary } from './held-view.ts'
import type { HeldSummary } from './held-view.ts'
import { resolveFeeds } from '../jobs/scheduled.ts'

/** One feed as `GET /v1/feeds` lists it. */
export interface FeedSummary {
  readonly id: string
  readonly title: string
  readonly docsUrl: string | null
  readonly sources: readonly string[]
  /** Whether the cron syncs it (ENABLED_FEEDS). */
  readonly enabled: boolean
  /**
   * The publisher may leave it out (github/dependabot, withdrawn by GitHub in 2025): an absent
   * list is expected, shown as withdrawn rather than as a failure.
   */
  readonly optional: boolean
  readonly version: number | null
  readonly sha256: string | null
  /** The publisher's own version or date of the current lists (`syncToken`, ETag, ...), or null. */
  readonly upstreamVersion: { readonly field: string; readonly value: string } | null
  readonly counts: {
    readonly ipv4: number
    readonly ipv6: number
    readonly ipv4Addresses: number
  } | null
  readonly fetchedAt: string | null
  readonly lastCheckedAt: string | null
  readonly lastChangedAt: string | null
  readonly lastOutcome: FeedCheckState['lastOutcome'] | null
  /** Since when checks have ended like the last one (ok, refused or error): "refused since". */
  readonly lastOutcomeSince: string | null
  readonly lastRefusal: NonNullable<FeedCheckState['lastRefusal']> | null
  /** A candidate waiting for confirmation (or rejected), without its lists, or null. */
  readonly held: HeldSummary | null
}

/** Whether every source of a feed is a key its publisher may leave out. */
export function isOptionalFeed(def: FeedDefinition | undefined): boolean {
  return (
    def !== undefined &&
    def.sources.every((s) => s.parser.kind === 'github-meta' && !s.parser.required)
  )
}

/** Every built-in or enabled feed, plus any feed with stored history, in catalogue order. */
export async function listFeeds(db: D1Database, env: Env): Promise<FeedSummary[]> {
  const config = readConfig(env)
  const enabled = resolveFeeds(config.enabledFeeds).feeds
  const enabledIds = new Set(enabled.map((f) => f.id))
  const known = [...new Set([...BUILTIN_FEEDS.map((f) => f.id), ...enabled.map((f) => f.id)])]
  const [states, checks, held] = await Promise.all([
    getFeedStates(db, known),
    getFeedStatuses(db),
    getHeldCandidates(db),
  ])
  const ids = [...new Set([...known, ...states.keys(), ...checks.keys()])]
  return ids.map((id) => {
    const h = held.get(id)
    return {
      ...summarize(id, enabledIds.has(id), states.get(id), checks.get(id)),
      held: h === undefined ? null : toHeldSummary(h, config),
    }
  })
}

function summarize(
  id: string,
  enabled: boolean,
  state: FeedState | undefined,
  check: FeedCheckState | undefined,
): Omit<FeedSummary, 'held'> {
  const def = findFeed(id)
  return {
    id,
    title: def?.title ?? id,
    docsUrl: def?.docsUrl ?? null,
    sources:
      def === undefined
        ? (state?.source.split(' ') ?? [])
        : [...new Set(def.sources.map((s) => s.url))],
    enabled,
    optional: isOptionalFeed(def),
    version: state?.version ?? null,
    sha256: state?.sha256 ?? null,
    upstreamVersion: state?.upstreamVersion ?? null,
    counts:
      state === undefined
        ? null
        : { ipv4: state.ipv4Count, ipv6: state.ipv6Count, ipv4Addresses: state.ipv4Addresses },
    fetchedAt: state?.fetchedAt ?? null,
    lastCheckedAt: check?.lastCheckedAt ?? null,
    lastChangedAt: state?.changedAt ?? null,
    lastOutcome: check?.lastOutcome ?? null,
    lastOutcomeSince: check?.stateSince ?? null,
    lastRefusal: check?.lastRefusal ?? null,
  }
}
