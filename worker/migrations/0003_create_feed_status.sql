-- One row per feed ever checked: its last outcome, since when it has been in its current state,
-- and its last refusal. The trigger below keeps it on every insert into checks, whoever writes
-- them, so pages read one row per feed instead of the checks history, and pruning old checks
-- loses neither "refused since" nor the last refusal. Forward-only: never edit once merged.
CREATE TABLE feed_status (
  feed TEXT PRIMARY KEY,
  last_check_id INTEGER NOT NULL,
  last_checked_at TEXT NOT NULL,
  last_outcome TEXT NOT NULL,
  last_guard TEXT,
  last_reason TEXT,
  state TEXT NOT NULL,          -- 'ok' (changed or unchanged), else the outcome ('refused', 'error', ...)
  state_since TEXT NOT NULL,    -- when the current run of `state` began
  last_refusal_at TEXT,
  last_refusal_guard TEXT,
  last_refusal_reason TEXT
) WITHOUT ROWID;

-- Existing history: the last check of each feed, the first check of its current state, and its
-- last refusal.
WITH last AS (
  SELECT c.id, c.feed, c.at, c.outcome, c.guard, c.reason,
         CASE WHEN c.outcome IN ('changed', 'unchanged') THEN 'ok' ELSE c.outcome END AS state
  FROM checks c
  WHERE c.id IN (SELECT MAX(id) FROM checks GROUP BY feed)
)
INSERT INTO feed_status
  (feed, last_check_id, last_checked_at, last_outcome, last_guard, last_reason, state, state_since,
   last_refusal_at, last_refusal_guard, last_refusal_reason)
SELECT l.feed, l.id, l.at, l.outcome, l.guard, l.reason, l.state,
       (SELECT MIN(s.at) FROM checks s
        WHERE s.feed = l.feed
          AND s.id > COALESCE((SELECT MAX(o.id) FROM checks o
                               WHERE o.feed = l.feed
                                 AND CASE WHEN o.outcome IN ('changed', 'unchanged') THEN 'ok'
                                          ELSE o.outcome END <> l.state), 0)),
       r.at, COALESCE(r.guard, r.outcome), COALESCE(r.reason, '')
FROM last l
LEFT JOIN checks r
  ON r.id = (SELECT MAX(id) FROM checks WHERE feed = l.feed AND outcome IN ('refused', 'error'));

CREATE TRIGGER checks_feed_status AFTER INSERT ON checks
BEGIN
  INSERT INTO feed_status
    (feed, last_check_id, last_checked_at, last_outcome, last_guard, last_reason, state,
     state_since, last_refusal_at, last_refusal_guard, last_refusal_reason)
  VALUES (
    new.feed, new.id, new.at, new.outcome, new.guard, new.reason,
    CASE WHEN new.outcome IN ('changed', 'unchanged') THEN 'ok' ELSE new.outcome END,
    new.at,
    CASE WHEN new.outcome IN ('refused', 'error') THEN new.at END,
    CASE WHEN new.outcome IN ('refused', 'error') THEN COALESCE(new.guard, new.outcome) END,
    CASE WHEN new.outcome IN ('refused', 'error') THEN COALESCE(new.reason, '') END
  )
  ON CONFLICT (feed) DO UPDATE SET
    last_check_id = excluded.last_check_id,
    last_checked_at = excluded.last_checked_at,
    last_outcome = excluded.last_outcome,
    last_guard = excluded.last_guard,
    last_reason = excluded.last_reason,
    state_since = CASE WHEN feed_status.state = excluded.state THEN feed_status.state_since
                       ELSE excluded.state_since END,
    state = excluded.state,
    last_refusal_at = COALESCE(excluded.last_refusal_at, feed_status.last_refusal_at),
    last_refusal_guard = COALESCE(excluded.last_refusal_guard, feed_status.last_refusal_guard),
    last_refusal_reason = COALESCE(excluded.last_refusal_reason, feed_status.last_refusal_reason)
  WHERE excluded.last_check_id > feed_status.last_check_id;
END;
