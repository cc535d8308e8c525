-- The publisher's own version or date of what a version was built from (Snapshot.upstreamVersion,
-- issue 15): a JSON object {"field": "syncToken", "value": "1755763389952"}, or NULL where the
-- publisher gives none. An unchanged fetch updates it with fetched_at: a new syncToken with the
-- same addresses is no new version, but the API and the status page show the newest token seen.
ALTER TABLE versions ADD COLUMN upstream_version TEXT;
