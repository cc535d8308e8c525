/**
 * @module How the status page sums up a feed: healthy, held, refused, failing, withdrawn (an
 * optional list its publisher no longer serves), waiting for its first sync, or not synced; and
 * since when. Pure: the held candidates arrive as a parameter (the guards' held table).
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
  'refused' | 'error' | 'held' | 'waiting' | 'withdrawn' | 'healthy' | 'disabled'

/** Display order of the summary: what needs attention first. */
export const HEALTH_ORDER: readonly HealthKind[] = [
  'refused',
  'error',
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

/** Guards by which an optional list's absence shows: no key (empty) or another shape. */
const ABSENT_GUARDS = new Set(['empty', 'schema-drift'])

/** Sums up one feed. */
export function classifyFeed(f: FeedSummary, held: HeldMap): FeedHealth {
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
  const why = `${last.guard ?? last.outcome}${last.reason === undefined ? '' : `: ${last.reason}`}`
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
