/** @module D1 access for conditional-request validators (ETag, Last-Modified) per upstream URL. */
import type { CacheEntry } from '../../../shared/src/index.ts'

/** Every stored validator, by URL. */
export async function getHttpCache(db: D1Database): Promise<Record<string, CacheEntry>> {
  const { results } = await db
    .prepare('SELECT url, etag, last_modified FROM http_cache')
    .all<{ url: string; etag: string | null; last_modified: string | null }>()
  return Object.fromEntries(
    results.map((r) => [
      r.url,
      {
        ...(r.etag === null ? {} : { etag: r.etag }),
        ...(r.last_modified === null ? {} : { lastModified: r.last_modified }),
      },
    ]),
  )
}

/**
 * Stores the validators a sync returned (replacing older ones). A URL whose body some feed
 * refused is stored without validators: the table keeps no refusals to repeat on a 304, so the
 * next run reads that body again and refuses it again, instead of calling it unchanged while
 * upstream still serves, say, a notice in place of its list.
 */
export async function putHttpCache(
  db: D1Database,
  cache: Readonly<Record<string, CacheEntry>>,
  now: string,
): Promise<void> {
  const entries = Object.entries(cache)
  if (entries.length === 0) return
  const upsert = db.prepare(
    `INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
       updated_at = excluded.updated_at`,
  )
  await db.batch(
    entries.map(([url, e]) =>
      e.refused === undefined
        ? upsert.bind(url, e.etag ?? null, e.lastModified ?? null, now)
        : upsert.bind(url, null, null, now),
    ),
  )
}
