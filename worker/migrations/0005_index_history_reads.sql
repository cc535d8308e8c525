-- Indexes that keep every page and API query independent of history length
-- (test/worker/db/query-plans.test.ts checks each query's plan).
-- GET /v1/feeds/:id/changes?since=<time>
CREATE INDEX changes_feed_at ON changes (feed, at);
-- Delivery health on the status page (pending now, failed and dead recently) and the sync's
-- search for stranded pending deliveries.
CREATE INDEX deliveries_status_updated ON deliveries (status, updated_at);
