/** @module D1 access for the status page's per-feed history: the last versions of each feed. */

/** One version of a feed with its size and the change that made it. */
export interface HistoryPoint {
  readonly feed: string
  readonly version: number
  readonly changedAt: string
  readonly ipv4Count: number
  readonly ipv6Count: number
  readonly ipv4Addresses: number
  /** CIDRs the change to this version added and removed (0 and 0 for a version without one). */
  readonly added: number
  readonly removed: number
}

/**
 * The last `perFeed` versions of each of `feeds`, oldest first per feed: one primary-key range
 * per feed, so the page costs the same after years of history.
 */
export async function getRecentHistory(
  db: D1Database,
  feeds: readonly string[],
  perFeed: number,
): Promise<Map<string, HistoryPoint[]>> {
  const { results } = await db
    .prepare(
      `SELECT v.feed, v.version, v.changed_at, s.ipv4_count, s.ipv6_count, s.ipv4_addresses,
              COALESCE(ch.added_count, 0) AS added, COALESCE(ch.removed_count, 0) AS removed
       FROM json_each(?1) f
       JOIN versions v ON v.feed = f.value
        AND v.version > (SELECT MAX(version) FROM versions WHERE feed = f.value) - ?2
       JOIN snapshot_contents s ON s.feed = v.feed AND s.sha256 = v.sha256
       LEFT JOIN changes ch ON ch.feed = v.feed AND ch.version = v.version
       ORDER BY v.feed, v.version`,
    )
    .bind(JSON.stringify([...new Set(feeds)]), perFeed)
    .all<{
      feed: string
      version: number
      changed_at: string
      ipv4_count: number
      ipv6_count: number
      ipv4_addresses: number
      added: number
      removed: number
    }>()
  const byFeed = new Map<string, HistoryPoint[]>()
  for (const r of results) {
    const list = byFeed.get(r.feed) ?? []
    list.push({
      feed: r.feed,
      version: r.version,
      changedAt: r.changed_at,
      ipv4Count: r.ipv4_count,
      ipv6Count: r.ipv6_count,
      ipv4Addresses: r.ipv4_addresses,
      added: r.added,
      removed: r.removed,
    })
    byFeed.set(r.feed, list)
  }
  return byFeed
}
