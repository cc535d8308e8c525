/**
 * @module What a sync invocation's own JavaScript does around D1, for the steps measured in
 * workerd (worker-cpu-steps.ts's Storage): the feeds' current snapshots read through the
 * worker's getCurrentSnapshots from their rows (lists inline, as the JSON strings D1 gives), and
 * each outcome of a sync or a judge stored through recordUnchanged, recordChanged or
 * putHeldCandidate (lists and change encoded for their columns).
 *
 * D1 is a stand-in that answers at once ({@link d1Giving}): on Cloudflare its queries run outside
 * the isolate. The binding's own JavaScript (binding values, turning result rows into objects)
 * is not in the figures; nor are the check rows, the HTTP cache and the read pointers, whose
 * values are a few hundred bytes per feed.
 */
import { putHeldCandidate } from '../../../worker/src/db/held.ts'
import {
  getCurrentSnapshots,
  recordChanged,
  recordUnchanged,
} from '../../../worker/src/db/snapshots.ts'
import type { Storage } from '../worker-cpu-steps.ts'

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

/**
 * The worker's own functions around D1 (runSync, sliced-sync.ts): snapshots read from their rows,
 * outcomes stored.
 */
export const WORKER_STORAGE: Storage = {
  read: (feeds, rows) =>
    getCurrentSnapshots(
      d1Giving(rows),
      feeds.map((f) => f.id),
    ),
  store: async (outcomes) => {
    const db = d1Giving([])
    for (const o of outcomes)
      if (o.kind === 'unchanged') await recordUnchanged(db, o.snapshot)
      else if (o.kind === 'changed') await recordChanged(db, o.snapshot, o.change, 'bench', 'now')
      else if (o.kind === 'held')
        await putHeldCandidate(
          db,
          o.candidate,
          { ...o, baseVersion: o.previous.version, ...o.change },
          'now',
        )
  },
}
