-- A body too large to read within one invocation (AWS's ip-ranges.json, Azure's service tags) is
-- read in slices, one queue invocation each (worker/src/jobs/sliced-sync.ts). What each slice read
-- waits here for the steps that judge the feeds: per feed, its entries (or its drift), and under
-- feed '' the slice's top-level values. The last step deletes a body's rows; the cron deletes
-- rows a chain of steps left behind (older than a day).
CREATE TABLE sliced_parts (
  body TEXT NOT NULL,        -- the body: its URL and SHA-256
  feed TEXT NOT NULL,        -- a feed id, or '' for the slice's top-level values
  slice INTEGER NOT NULL,
  data TEXT NOT NULL,        -- JSON: the feed's part (FeedSlice), or { values, arrays }
  created_at TEXT NOT NULL,
  PRIMARY KEY (body, feed, slice)
) WITHOUT ROWID;
CREATE INDEX sliced_parts_created ON sliced_parts (created_at);
