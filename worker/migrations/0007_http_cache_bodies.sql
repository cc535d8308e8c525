-- The cheapest unchanged path (issue 14, the fan-out's CPU budget): per upstream URL, the SHA-256
-- of the last body accepted from it and, as a JSON object by feed id, the snapshot hash each feed
-- got from that body. A later body with the same hash is hashed, not parsed, while every feed of
-- the URL still has that snapshot (shared/src/feeds/sync.ts, sameBodies).
-- The refusals that body earned by the body alone (JSON, by feed id), so that a 304 or the same
-- body repeats them instead of hiding them behind the previous snapshot.
ALTER TABLE http_cache ADD COLUMN body_sha256 TEXT;
ALTER TABLE http_cache ADD COLUMN body_snapshots TEXT;
ALTER TABLE http_cache ADD COLUMN refused TEXT;
