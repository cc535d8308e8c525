/**
 * @module D1 access for what a sync remembers per upstream URL (shared/feeds' CacheEntry):
 * conditional-request validators (ETag, Last-Modified), the refusals its body earned, and the
 * SHA-256 of the last accepted body with the snapshot hash each feed got from it and the hash of
 * the entries each feed read (migration 0008).
 */
import type { CacheEntry } from '../../../shared/src/index.ts'

interface Row {
  url: string
  etag: string | null
  last_modified: string | null
  body_sha256: string | null
  body_snapshots: string | null
  body_entries: string | null
  refused: string | null
}

/** A JSON object column, or undefined when absent or not an object (then the entry is weaker). */
function objectColumn<T>(text: string | null): T | undefined {
  if (text === null) return undefined
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as T)
      : undefined
  } catch {
    return undefined
  }
}

function entryOf(r: Row): CacheEntry {
  const snapshots = objectColumn<Record<string, string>>(r.body_snapshots)
  const entries = objectColumn<Record<string, string>>(r.body_entries)
  const refused = objectColumn<NonNullable<CacheEntry['refused']>>(r.refused)
  return {
    ...(r.etag === null ? {} : { etag: r.etag }),
    ...(r.last_modified === null ? {} : { lastModified: r.last_modified }),
    ...(refused === undefined ? {} : { refused }),
    ...(r.body_sha256 === null || snapshots === undefined
      ? {}
      : {
          body: { sha256: r.body_sha256, snapshots, ...(entries === undefined ? {} : { entries }) },
        }),
  }
}

/** The stored entries of `urls`, by URL (a sync message reads its own source's only). */
export async function getHttpCache(
  db: D1Database,
  urls: readonly string[],
): Promise<Record<string, CacheEntry>> {
  const { results } = await db
    .prepare(
      `SELECT url, etag, last_modified, body_sha256, body_snapshots, body_entries, refused
       FROM json_each(?1) u JOIN http_cache ON url = u.value`,
    )
    .bind(JSON.stringify(urls))
    .all<Row>()
  return Object.fromEntries(results.map((r) => [r.url, entryOf(r)]))
}

/**
 * Stores the entries a sync returned, replacing older ones; a URL whose body some feed refused
 * without validators, so a refusal is never hidden behind a 304. A URL the sync left no entry for (a
 * hold, a refusal that depends on more than the body) keeps its old one: its validators then
 * name a body upstream no longer serves, and its body hash confirms only snapshots still current
 * (sync.ts compares them), so it can never stand for the body that was not accepted.
 */
export async function putHttpCache(
  db: D1Database,
  cache: Readonly<Record<string, CacheEntry>>,
  now: string,
): Promise<void> {
  const entries = Object.entries(cache)
  if (entries.length === 0) return
  const upsert = db.prepare(
    `INSERT INTO http_cache (url, etag, last_modified, body_sha256, body_snapshots, body_entries, refused, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
       body_sha256 = excluded.body_sha256, body_snapshots = excluded.body_snapshots,
       body_entries = excluded.body_entries, refused = excluded.refused, updated_at = excluded.updated_at`,
  )
  await db.batch(
    entries.map(([url, e]) =>
      upsert.bind(
        url,
        // A body some feed refused keeps no validators: the next run reads it in full again
        // and repeats the refusal from its hash (shared/feeds: sameBodies), never a 304.
        e.refused === undefined ? (e.etag ?? null) : null,
        e.refused === undefined ? (e.lastModified ?? null) : null,
        e.body?.sha256 ?? null,
        e.body === undefined ? null : JSON.stringify(e.body.snapshots),
        e.body?.entries === undefined ? null : JSON.stringify(e.body.entries),
        e.refused === undefined ? null : JSON.stringify(e.refused),
        now,
      ),
    ),
  )
}
