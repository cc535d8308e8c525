-- allowlist-sync history. Forward-only: never edit once merged; add 0002_*.sql instead.

-- The canonical content of a snapshot, stored once per (feed, sha256): a feed that goes
-- A -> B -> A stores A once and has three versions.
CREATE TABLE snapshot_contents (
  feed TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  ipv4 TEXT NOT NULL,          -- JSON array of canonical CIDRs, sorted, merged
  ipv6 TEXT NOT NULL,
  ipv4_count INTEGER NOT NULL, -- number of CIDRs
  ipv6_count INTEGER NOT NULL,
  ipv4_addresses INTEGER NOT NULL, -- number of IPv4 addresses covered
  PRIMARY KEY (feed, sha256)
) WITHOUT ROWID;

-- One row per version of a feed. version is 1, 2, 3... per feed; a writer inserts version
-- N+1 only while N is still the latest (see worker/src/db/snapshots.ts), so two overlapping
-- runs can never create two versions with the same number or the same content in a row.
CREATE TABLE versions (
  feed TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  sha256 TEXT NOT NULL,
  fetched_at TEXT NOT NULL,    -- when the content of this version was last confirmed
  changed_at TEXT NOT NULL,    -- when this version became current
  source TEXT NOT NULL,        -- JSON array of source URLs
  run_id TEXT NOT NULL,        -- the sync run that created it
  PRIMARY KEY (feed, version),
  FOREIGN KEY (feed, sha256) REFERENCES snapshot_contents (feed, sha256)
) WITHOUT ROWID;

-- The change that each version > 1 made against its predecessor. seq orders all changes
-- across feeds and is the cursor of GET /v1/changes.
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,     -- "<feed>@<version>": the idempotency key of deliveries
  feed TEXT NOT NULL,
  version INTEGER NOT NULL,
  previous_version INTEGER,
  at TEXT NOT NULL,
  added TEXT NOT NULL,         -- JSON {ipv4: [], ipv6: []}
  removed TEXT NOT NULL,
  added_count INTEGER NOT NULL,
  removed_count INTEGER NOT NULL,
  UNIQUE (feed, version)
);
CREATE INDEX changes_feed_seq ON changes (feed, seq);

-- Every check of every feed, refusals included.
CREATE TABLE checks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  feed TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'refused', 'error')),
  guard TEXT,                  -- the refusing guard, e.g. 'empty-result'
  reason TEXT,
  version INTEGER,             -- the version current after this check
  sha256 TEXT,
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX checks_feed_id ON checks (feed, id);

-- Conditional-request validators per upstream URL (ETag, Last-Modified).
CREATE TABLE http_cache (
  url TEXT PRIMARY KEY,
  etag TEXT,
  last_modified TEXT,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('webhook', 'github-dispatch')),
  feeds TEXT NOT NULL,         -- JSON array of feed ids; ["*"] is every feed
  url TEXT,                    -- webhook target
  secret TEXT,                 -- webhook signing secret, whsec_...
  previous_secret TEXT,        -- still signed with until previous_secret_expires_at
  previous_secret_expires_at TEXT,
  repository TEXT,             -- github-dispatch: owner/name
  token TEXT,                  -- github-dispatch: a token allowed to dispatch to repository
  created_at TEXT NOT NULL,
  CHECK ((kind = 'webhook' AND url IS NOT NULL AND secret IS NOT NULL)
      OR (kind = 'github-dispatch' AND repository IS NOT NULL AND token IS NOT NULL))
) WITHOUT ROWID;

-- One delivery per (subscription, change): the idempotency key; attempts below.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,         -- also the webhook-id header: stable across retries
  subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  change_id TEXT NOT NULL REFERENCES changes (id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (subscription_id, change_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, created_at);

CREATE TABLE delivery_attempts (
  delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'dead')),
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
