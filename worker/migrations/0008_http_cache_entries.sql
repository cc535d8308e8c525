-- Per upstream URL, as a JSON object by feed id, the SHA-256 of the entries each feed read from
-- the last accepted body (shared/src/feeds/sync.ts, entriesHash): a new body that gives a feed the
-- same entries, while the feed still has the snapshot recorded beside them, leaves it unchanged
-- without guarding, canonicalising and diffing its list again (issue 14, the CPU budget: one
-- changed key of GitHub's meta no longer re-guards the other twelve feeds).
ALTER TABLE http_cache ADD COLUMN body_entries TEXT;
