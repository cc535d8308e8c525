/**
 * @module Retention: the cron deletes checks older than CHECK_RETENTION_DAYS except the last
 * {@link KEEP_CHECKS_PER_FEED} of each feed, and cron runs older than the same cutoff. Each run
 * deletes at most {@link PRUNE_BATCH} rows per feed, so a long backlog (a year of checks is
 * ~876,000 rows) drains over several runs without hitting D1's limits. feed_status keeps "since
 * when" and the last refusal, so nothing the pages show is lost.
 */

/** Checks of each feed that stay whatever their age. */
export const KEEP_CHECKS_PER_FEED = 100
/** Most rows of one feed (or of cron_runs) deleted by one run. */
export const PRUNE_BATCH = 5000

/** What one prune deleted. */
export interface PruneResult {
  readonly checks: number
  readonly cronRuns: number
}

/** Deletes history older than `before` (ISO time), keeping the last checks of every feed. */
export async function pruneHistory(db: D1Database, before: string): Promise<PruneResult> {
  const { results: feeds } = await db
    .prepare('SELECT feed FROM feed_status')
    .all<{ feed: string }>()
  const perFeed = db.prepare(
    `DELETE FROM checks WHERE id IN (
       SELECT id FROM checks
       WHERE feed = ?1 AND at < ?2
         AND id < COALESCE(
           (SELECT id FROM checks WHERE feed = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?3), 0)
       ORDER BY id LIMIT ?4)`,
  )
  const results = await db.batch([
    ...feeds.map((f) => perFeed.bind(f.feed, before, KEEP_CHECKS_PER_FEED - 1, PRUNE_BATCH)),
    db
      .prepare(
        `DELETE FROM cron_runs WHERE id IN (
           SELECT id FROM cron_runs
           WHERE started_at < ?1
             AND id < COALESCE((SELECT id FROM cron_runs ORDER BY id DESC LIMIT 1 OFFSET ?2), 0)
           ORDER BY id LIMIT ?3)`,
      )
      .bind(before, KEEP_CHECKS_PER_FEED - 1, PRUNE_BATCH),
  ])
  const deleted = results.map((r) => r.meta.changes)
  return {
    checks: deleted.slice(0, -1).reduce((a, b) => a + b, 0),
    cronRuns: deleted.at(-1) ?? 0,
  }
}
