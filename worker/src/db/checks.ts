/**
 * @module D1 access for checks: the log of every outcome of every feed, refusals and holds
 * included, and the last check and last refusal of each feed derived from it.
 */
import type { GuardName } from '../../../shared/src/index.ts'

/** The outcome of one check of one feed, as logged. */
export interface CheckRecord {
  readonly runId: string
  readonly feed: string
  readonly at: string
  readonly outcome: 'changed' | 'unchanged' | 'refused' | 'held' | 'error'
  readonly guard?: GuardName | undefined
  readonly reason?: string | undefined
  readonly version?: number | undefined
  readonly sha256?: string | undefined
  readonly durationMs: number
}

/** Appends checks to the log. */
export async function recordChecks(db: D1Database, checks: readonly CheckRecord[]): Promise<void> {
  if (checks.length === 0) return
  const insert = db.prepare(
    `INSERT INTO checks (run_id, feed, at, outcome, guard, reason, version, sha256, duration_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  await db.batch(
    checks.map((c) =>
      insert.bind(
        c.runId,
        c.feed,
        c.at,
        c.outcome,
        c.guard ?? null,
        c.reason ?? null,
        c.version ?? null,
        c.sha256 ?? null,
        c.durationMs,
      ),
    ),
  )
}

/** The last outcome of a feed's checks, and its last refusal. */
export interface FeedCheckState {
  readonly lastCheckedAt: string
  readonly lastOutcome: {
    readonly outcome: CheckRecord['outcome']
    readonly at: string
    readonly guard?: string
    readonly reason?: string
  }
  readonly lastRefusal?: { readonly at: string; readonly guard: string; readonly reason: string }
}

interface CheckRow {
  feed: string
  at: string
  outcome: CheckRecord['outcome']
  guard: string | null
  reason: string | null
}

/** The last check and the last refusal of every feed that was checked, by feed id. */
export async function getCheckStates(db: D1Database): Promise<Map<string, FeedCheckState>> {
  const [last, refusals] = await db.batch<CheckRow>([
    db.prepare(
      `SELECT feed, at, outcome, guard, reason FROM checks
       WHERE id IN (SELECT MAX(id) FROM checks GROUP BY feed)`,
    ),
    db.prepare(
      `SELECT feed, at, outcome, guard, reason FROM checks
       WHERE id IN (SELECT MAX(id) FROM checks WHERE outcome IN ('refused', 'error') GROUP BY feed)`,
    ),
  ])
  const refusalByFeed = new Map((refusals?.results ?? []).map((r) => [r.feed, r]))
  const states = new Map<string, FeedCheckState>()
  for (const row of last?.results ?? []) {
    const refusal = refusalByFeed.get(row.feed)
    states.set(row.feed, {
      lastCheckedAt: row.at,
      lastOutcome: {
        outcome: row.outcome,
        at: row.at,
        ...(row.guard === null ? {} : { guard: row.guard }),
        ...(row.reason === null ? {} : { reason: row.reason }),
      },
      ...(refusal === undefined
        ? {}
        : {
            lastRefusal: {
              at: refusal.at,
              guard: refusal.guard ?? refusal.outcome,
              reason: refusal.reason ?? '',
            },
          }),
    })
  }
  return states
}
