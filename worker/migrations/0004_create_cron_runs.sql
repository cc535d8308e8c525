-- One row per cron invocation, written by worker/src/jobs/cron.ts: the status page's "last cron
-- run", including runs that failed before any feed was checked. Pruned with the checks.
CREATE TABLE cron_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cron TEXT NOT NULL,           -- the schedule that fired, e.g. '*/15 * * * *'
  started_at TEXT NOT NULL,
  finished_at TEXT,             -- NULL while running, or when the invocation was killed
  outcome TEXT CHECK (outcome IN ('ok', 'failed')),
  summary TEXT                  -- JSON: outcomes by kind, checks pruned, secrets re-encrypted, error
);
