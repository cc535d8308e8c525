/**
 * @module How the status page sums up a feed: healthy, held, refused, failing, not checked (no
 * sync of it has finished for a while), withdrawn (an optional list its publisher no longer
 * serves), waiting for its first sync, or not synced; and since when. Pure: the held candidates
 * and the time arrive as parameters.
 */
import type { HoldGuardName } from '../../../shared/src/index.ts'
import type { FeedSummary } from '../routes/feed-catalogue.ts'

/** A held candidate as the status page shows it: waiting to become current. */
export interface HeldInfo {
  /** When the candidate was first seen. */
  readonly firstSeenAt: string
  /** How many fetches have seen it unchanged. */
  readonly seenCount: number
  readonly guard: HoldGuardName
  /** Why it is held (the guard's reason), when known. */
  readonly reason?: string
  /** What confirms it: this many identical fetches, not before this time. */
  readonly confirms?: { readonly fetches: number; readonly notBefore: string }
}

/** Held candidates by feed id. */
export type HeldMap = ReadonlyMap<string, HeldInfo>

/** A feed's health, worst first in {@link HEALTH_ORDER}. */
export type HealthKind =
  'refused' | 'error' | 'stuck' | 'held' | 'waiting' | 'withdrawn' | 'healthy' | 'disabled'

/** Display order of the summary: what needs attention first. */
export const HEALTH_ORDER: readonly HealthKind[] = [
  'refused',
  'error',
  'stuck',
  'held',
  'waiting',
  'withdrawn',
  'healthy',
  'disabled',
]

/** Labels of each kind, as the page writes them. */
export const HEALTH_LABEL: Readonly<Record<HealthKind, string>> = {
  refused: 'refused',
  error: 'failing',
  stuck: 'not checked',
  held: 'held',
  waiting: 'waiting for a first sync',
  withdrawn: 'withdrawn upstream',
  healthy: 'healthy',
  disabled: 'not synced',
}

/** A feed's health and what the summary says about it. */
export interface FeedHealth {
  readonly kind: HealthKind
  /** Since when (ISO), when known. */
  readonly since: string | undefined
  /** One line: the guard and reason, the hold, or nothing for a healthy feed. */
  readonly detail: string | undefined
}

/**
 * A feed enabled and not checked for this long has missed two cron runs (every 15 minutes) and
 * their retries: its sync invocation dies before it records anything (over its CPU or memory
 * limit, or a crash), and its message ends in the dead-letter queue.
 */
export const FEED_STALE_MS = 45 * 60 * 1000

/** Guards by which an optional list's absence shows: no key (empty) or another shape. */
const ABSENT_GUARDS = new Set(['empty', 'schema-drift'])

/**
 * Sums up one feed at `nowMs`. A feed not checked for FEED_STALE_MS is `stuck` whatever its last
 * check said (its lists, held candidate or refusal are that old): nothing else would show it.
 */
export function classifyFeed(f: FeedSummary, held: HeldMap, nowMs: number): FeedHealth {
  const checked = f.lastCheckedAt === null ? NaN : Date.parse(f.lastCheckedAt)
  if (f.enabled && nowMs - checked > FEED_STALE_MS) {
    return {
      kind: 'stuck',
      since: f.lastCheckedAt!,
      detail: `no sync of it has finished since (an invocation over its CPU or memory limit, or a crash; a message that gave up is logged as sync-dead-letter). Last check: ${f.lastOutcome === null ? 'none' : outcomeText(f.lastOutcome)}`,
    }
  }
  const h = held.get(f.id)
  if (h !== undefined) {
    return {
      kind: 'held',
      since: h.firstSeenAt,
      detail: `${h.guard}: a candidate seen ${h.seenCount}${h.confirms === undefined ? '' : ` of ${h.confirms.fetches}`} time${h.seenCount === 1 && h.confirms === undefined ? '' : 's'} waits for confirmation${h.confirms === undefined ? '' : ` (not before ${h.confirms.notBefore})`}; version ${f.version ?? '—'} stays current${h.reason === undefined ? '' : `. ${h.reason}`}`,
    }
  }
  const last = f.lastOutcome
  if (last === null) {
    return f.enabled
      ? { kind: 'waiting', since: undefined, detail: undefined }
      : { kind: 'disabled', since: undefined, detail: 'not in ENABLED_FEEDS' }
  }
  const since = f.lastOutcomeSince ?? last.at
  const why = outcomeText(last)
  if (!f.enabled) return { kind: 'disabled', since: undefined, detail: 'not in ENABLED_FEEDS' }
  if (last.outcome === 'refused') {
    return f.optional && ABSENT_GUARDS.has(last.guard ?? '')
      ? {
          kind: 'withdrawn',
          since,
          detail: `an optional list its publisher no longer serves (${why})`,
        }
      : { kind: 'refused', since, detail: why }
  }
  if (last.outcome === 'error') return { kind: 'error', since, detail: why }
  return { kind: 'healthy', since, detail: undefined }
}

/** An outcome as one line: its guard (or outcome) and reason. */
function outcomeText(o: NonNullable<FeedSummary['lastOutcome']>): string {
  return `${o.guard ?? o.outcome}${o.reason === undefined ? '' : `: ${o.reason}`}`
}
