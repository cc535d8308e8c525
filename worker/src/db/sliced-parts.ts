/**
 * @module D1 access for the parts of a body read in slices (migration 0009, jobs/sliced-sync.ts):
 * each slice's part of every feed and its top-level values, kept until the feeds are judged.
 */
import type { FeedSlice, SliceOfFeeds } from '../../../shared/src/index.ts'

/** The top-level values and arrays one slice read (stored under feed ''). */
export interface SliceTop {
  readonly values: SliceOfFeeds['values']
  readonly arrays: SliceOfFeeds['arrays']
}

/** Stores what slice `slice` of `body` read (replacing it: a step may run twice). */
export async function putSlice(
  db: D1Database,
  body: string,
  slice: number,
  read: SliceOfFeeds,
  now: string,
): Promise<void> {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO sliced_parts (body, feed, slice, data, created_at) VALUES (?, ?, ?, ?, ?)',
  )
  const top: SliceTop = { values: read.values, arrays: read.arrays }
  await db.batch([
    insert.bind(body, '', slice, JSON.stringify(top), now),
    ...Object.entries(read.feeds).map(([feed, part]) =>
      insert.bind(body, feed, slice, JSON.stringify(part), now),
    ),
  ])
}

/** The top-level reads of every slice of `body` stored, in order. */
export async function getSliceTops(db: D1Database, body: string): Promise<SliceTop[]> {
  return (await getData(db, body, '')).map((data) => JSON.parse(data) as SliceTop)
}

/** `feed`'s parts of `body`, in slice order. */
export async function getFeedSlices(
  db: D1Database,
  body: string,
  feed: string,
): Promise<FeedSlice[]> {
  return (await getData(db, body, feed)).map((data) => JSON.parse(data) as FeedSlice)
}

async function getData(db: D1Database, body: string, feed: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT data FROM sliced_parts WHERE body = ? AND feed = ? ORDER BY slice')
    .bind(body, feed)
    .all<{ data: string }>()
  return results.map((r) => r.data)
}

/** Deletes `body`'s rows (its feeds are judged), or every body's stored before `before`. */
export async function deleteSlices(
  db: D1Database,
  which: { readonly body: string } | { readonly before: string },
): Promise<number> {
  const statement =
    'body' in which
      ? db.prepare('DELETE FROM sliced_parts WHERE body = ?').bind(which.body)
      : db.prepare('DELETE FROM sliced_parts WHERE created_at < ?').bind(which.before)
  return (await statement.run()).meta.changes
}
