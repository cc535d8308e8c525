/**
 * @module D1 access for feed_status (migration 0003): one row per checked feed, kept by a
 * trigger on every insert into checks, so the last outcome, since when a feed has been in its
 * state, and its last refusal are read without touching the checks history.
 */
import type { CheckRecord } from './checks.ts'

/** A feed's state as its checks left it. */
export interface FeedCheckState {
  readonly lastCheckedAt: string
  readonly lastOutcome: {
    readonly outcome: CheckRecord['outcome']
    readonly at: string
    readonly guard?: string
    readonly reason?: string
  }
  /** 'ok' (changed or unchanged) or the last outcome when it is another one. */
  readonly state: string
  /** When the current run of `state` began. */
  readonly stateSince: string
  readonly lastRefusal?: { readonly at: string; readonly guard: string; readonly reason: string }
}

interface StatusRow {
  feed: string
  last_checked_at: string
  last_outcome: CheckRecord['outcome']
  last_guard: string | null
  last_reason: string | null
  state: string
  state_since: string
  last_refusal_at: string | null
  last_refusal_guard: string | null
  last_refusal_reason: string | null
}

/** The state of every feed that was ever checked, by feed id. */
export async function getFeedStatuses(db: D1Database): Promise<Map<string, FeedCheckState>> {
  const { results } = await db.prepare('SELECT * FROM feed_status').all<StatusRow>()
  return new Map(
    results.map((r) => [
      r.feed,
      {
        lastCheckedAt: r.last_checked_at,
        lastOutcome: {
          outcome: r.last_outcome,
          at: r.last_checked_at,
          ...(r.last_guard === null ? {} : { guard: r.last_guard }),
          ...(r.last_reason === null ? {} : { reason: r.last_reason }),
        },
        state: r.state,
        stateSince: r.state_since,
        ...(r.last_refusal_at === null
          ? {}
          : {
              lastRefusal: {
                at: r.last_refusal_at,
                guard: r.last_refusal_guard ?? '',
                reason: r.last_refusal_reason ?? '',
              },
            }),
      },
    ]),
  )
}
