/** @module D1 access for cron_runs (migration 0004): one row per cron invocation. */

/** A cron run as the status page shows it. */
export interface CronRun {
  readonly id: number
  readonly cron: string
  readonly startedAt: string
  /** Undefined while running, or when the invocation was killed before it finished. */
  readonly finishedAt: string | undefined
  readonly outcome: 'ok' | 'failed' | undefined
  /** Parsed `summary` JSON. */
  readonly summary: Readonly<Record<string, unknown>>
}

/** Records the start of a run; returns its id. */
export async function startCronRun(db: D1Database, cron: string, at: string): Promise<number> {
  const row = await db
    .prepare('INSERT INTO cron_runs (cron, started_at) VALUES (?, ?) RETURNING id')
    .bind(cron, at)
    .first<{ id: number }>()
  return row!.id
}

/** Records how a run ended. */
export async function finishCronRun(
  db: D1Database,
  id: number,
  at: string,
  outcome: 'ok' | 'failed',
  summary: Readonly<Record<string, unknown>>,
): Promise<void> {
  await db
    .prepare('UPDATE cron_runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?')
    .bind(at, outcome, JSON.stringify(summary), id)
    .run()
}

/** The latest run, and the latest one that finished ok (may be the same), by primary key. */
export async function getLastCronRuns(
  db: D1Database,
): Promise<{ last: CronRun | undefined; lastOk: CronRun | undefined }> {
  type Row = {
    id: number
    cron: string
    started_at: string
    finished_at: string | null
    outcome: 'ok' | 'failed' | null
    summary: string | null
  }
  const [last, lastOk] = await db.batch<Row>([
    db.prepare('SELECT * FROM cron_runs WHERE id = (SELECT MAX(id) FROM cron_runs)'),
    // Most runs are ok: walking back from the newest stops at the first one.
    db.prepare(
      "SELECT * FROM cron_runs WHERE id <= (SELECT MAX(id) FROM cron_runs) AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
    ),
  ])
  const toRun = (r: Row | undefined): CronRun | undefined =>
    r === undefined
      ? undefined
      : {
          id: r.id,
          cron: r.cron,
          startedAt: r.started_at,
          finishedAt: r.finished_at ?? undefined,
          outcome: r.outcome ?? undefined,
          summary: r.summary === null ? {} : (JSON.parse(r.summary) as Record<string, unknown>),
        }
  return { last: toRun(last?.results[0]), lastOk: toRun(lastOk?.results[0]) }
}
