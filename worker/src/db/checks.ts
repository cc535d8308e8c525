/**
 * @module D1 access for checks: the log of every outcome of every feed, refusals and holds
 * included (feed-status.ts reads the per-feed summary a trigger keeps from it).
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
