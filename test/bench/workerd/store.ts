/**
 * @module What a sync invocation's own JavaScript does around D1, for the steps measured in
 * workerd (worker-cpu-steps.ts's Invocation): the feeds' current snapshots read through the
 * worker's getCurrentSnapshots from their rows (their lists parsed from the JSON strings D1
 * gives), the sync, and each outcome stored through recordUnchanged, recordChanged or
 * putHeldCandidate (lists and change encoded for their columns, as runSync stores them).
 *
 * D1 is a stand-in that answers at once ({@link d1Giving}): on Cloudflare its queries run outside
 * the isolate. The binding's own JavaScript (binding values, turning result rows into objects)
 * is not in the figures; nor are the check rows, the HTTP cache and the read pointers, whose
 * values are a few hundred bytes per feed.
 */
import { syncFeeds } from '../../../shared/src/feeds/index.ts'
import { putHeldCandidate } from '../../../worker/src/db/held.ts'
import {
  getCurrentSnapshots,
  recordChanged,
  recordUnchanged,
} from '../../../worker/src/db/snapshots.ts'
import type { Invocation } from '../worker-cpu-steps.ts'

/**
 * D1 as the worker's store functions see it, answering at once: every statement binds, a run or
 * a batch changes one row per statement, and every query answers `rows`.
 */
function d1Giving(rows: readonly object[]): D1Database {
  const statement = {
    bind: () => statement,
    all: () => Promise.resolve({ results: rows }),
    first: () => Promise.resolve(null),
    run: () => Promise.resolve({ meta: { changes: 1 } }),
  }
  return {
    prepare: () => statement,
    batch: (statements: readonly unknown[]) =>
      Promise.resolve(statements.map(() => ({ meta: { changes: 1 } }))),
  } as unknown as D1Database
}

/** One invocation's sync as runSync does it: snapshots read from their rows, outcomes stored. */
export const syncAndStore: Invocation = async (feeds, options, rows) => {
  const db = d1Giving(rows)
  const previous = await getCurrentSnapshots(
    db,
    feeds.map((f) => f.id),
  )
  const result = await syncFeeds(feeds, { ...options, previous })
  for (const o of result.outcomes)
    if (o.kind === 'unchanged') await recordUnchanged(db, o.snapshot)
    else if (o.kind === 'changed') await recordChanged(db, o.snapshot, o.change, 'bench', 'now')
    else if (o.kind === 'held')
      await putHeldCandidate(
        db,
        o.candidate,
        { ...o, baseVersion: o.previous.version, ...o.change },
        'now',
      )
}
