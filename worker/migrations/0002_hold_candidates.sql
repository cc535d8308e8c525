-- Issue 11: held candidates, large bodies, 'held' checks and changes confirmed after a hold.
-- Forward-only: never edit once merged.

-- Bodies too large for one D1 value (2 MB; a 500,000-entry feed's lists are ~8 MB of JSON):
-- the JSON, gzip-compressed, cut into parts of at most 1,000,000 bytes. Content-addressed by
-- the SHA-256 of the uncompressed JSON, so a body shared by rows is stored once.
CREATE TABLE bodies (
  sha256 TEXT NOT NULL,
  part INTEGER NOT NULL CHECK (part >= 0),
  parts INTEGER NOT NULL CHECK (parts >= 1),   -- how many parts the whole body has
  data BLOB NOT NULL,
  PRIMARY KEY (sha256, part)
) WITHOUT ROWID;

-- Set when the lists are in `bodies` ({"ipv4": [...], "ipv6": [...]}); ipv4/ipv6 are then ''.
ALTER TABLE snapshot_contents ADD COLUMN body TEXT;
-- Set when added/removed are in `bodies` ({"added": {...}, "removed": {...}}); both are then ''.
ALTER TABLE changes ADD COLUMN body TEXT;
-- 1 when this version was held (mass-removal / mass-addition) and confirmed before it became current.
ALTER TABLE changes ADD COLUMN confirmed_after_hold INTEGER NOT NULL DEFAULT 0
  CHECK (confirmed_after_hold IN (0, 1));

-- At most one held candidate per feed: a well-formed list that tripped a hold guard. Its lists are
-- a snapshot_contents row; it becomes the next version once fetched identically
-- GUARD_CONFIRM_FETCHES times in a row and GUARD_CONFIRM_MINUTES after first_seen_at, or when an
-- admin confirms it. A rejected one stays (status 'rejected') so the same answer is not held and
-- confirmed again; it goes once upstream serves anything else.
CREATE TABLE held_candidates (
  feed TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  guard TEXT NOT NULL CHECK (guard IN ('mass-removal', 'mass-addition')),
  reason TEXT NOT NULL,
  base_version INTEGER NOT NULL,   -- the current version it was compared with
  source TEXT NOT NULL,
  added TEXT NOT NULL,             -- JSON {ipv4, ipv6} against base_version ('' when in body)
  removed TEXT NOT NULL,
  body TEXT,                       -- bodies.sha256 of {"added", "removed"} when too large
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  seen_count INTEGER NOT NULL CHECK (seen_count >= 1),
  status TEXT NOT NULL CHECK (status IN ('held', 'rejected')),
  rejected_at TEXT,
  FOREIGN KEY (feed, sha256) REFERENCES snapshot_contents (feed, sha256)
) WITHOUT ROWID;

-- checks.outcome gains 'held'. SQLite cannot alter a CHECK constraint: rebuild the table.
CREATE TABLE checks_next (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  feed TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'refused', 'held', 'error')),
  guard TEXT,                  -- the refusing or holding guard, e.g. 'empty', 'mass-removal'
  reason TEXT,
  version INTEGER,             -- the version current after this check
  sha256 TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0
);
INSERT INTO checks_next (id, run_id, feed, at, outcome, guard, reason, version, sha256, duration_ms)
  SELECT id, run_id, feed, at, outcome, guard, reason, version, sha256, duration_ms FROM checks;
DROP TABLE checks;
ALTER TABLE checks_next RENAME TO checks;
CREATE INDEX checks_feed_id ON checks (feed, id);
