/**
 * @module D1 access for snapshots, versions and changes (checks: checks.ts). Versions are written only by
 * {@link recordChanged}, whose guarded INSERT makes overlapping sync runs safe: version N+1 is
 * inserted only while N is the latest and only when its content differs, inside one D1 batch
 * (a transaction), so two runs never create duplicate or out-of-order versions.
 */
import { prefixLength, withListsJson } from '../../../shared/src/index.ts'
import type { Change, FamilyLists, Snapshot, UpstreamVersion } from '../../../shared/src/index.ts'
import type { FeedHead } from '../read-cache/read-cache.ts'
import { preparePair, readJson, type PreparedPair } from './bodies.ts'
import { selectOne } from './select-one.ts'

/** A version's row (snapshot_versions), without its lists. */
interface VersionRow {
  feed: string
  version: number
  sha256: string
  fetched_at: string
  changed_at: string
  source: string
  upstream_version: string | null
}

interface SnapshotRow extends VersionRow {
  ipv4: string
  ipv6: string
  body: string | null
}

const SNAPSHOT_COLUMNS = `v.feed, v.version, v.sha256, v.fetched_at, v.changed_at, v.source, v.upstream_version, c.ipv4, c.ipv6, c.body`

/** The stored form of Snapshot.upstreamVersion (migration 0006): JSON, or NULL. */
function storedUpstreamVersion(snapshot: Snapshot): string | null {
  const up = snapshot.upstreamVersion
  return up === undefined ? null : JSON.stringify({ field: up.field, value: up.value })
}

/** Snapshot.upstreamVersion spread from a stored column (nothing when NULL). */
function upstreamVersionOf(stored: string | null): { upstreamVersion?: UpstreamVersion } {
  return stored === null ? {} : { upstreamVersion: JSON.parse(stored) as UpstreamVersion }
}

/** The lists of a snapshot_contents row: inline JSON, or a body (migration 0002). */
export async function readLists(
  db: D1Database,
  row: { ipv4: string; ipv6: string; body: string | null },
): Promise<FamilyLists> {
  if (row.body !== null) return readJson<FamilyLists>(db, '', row.body)
  return { ipv4: JSON.parse(row.ipv4) as string[], ipv6: JSON.parse(row.ipv6) as string[] }
}

/** A version row's fields as a Snapshot names them. */
function versionFields(row: VersionRow) {
  return {
    feed: row.feed,
    version: row.version,
    sha256: row.sha256,
    fetchedAt: row.fetched_at,
    changedAt: row.changed_at,
    source: row.source,
    ...upstreamVersionOf(row.upstream_version),
  }
}

/**
 * A snapshot from its row. Inline lists are parsed when first read: a sync that finds its body
 * unchanged confirms the snapshot without them (shared's confirmedSnapshot keeps them unread),
 * and Azure's feeds alone hold tens of thousands of CIDRs. A sync that diffs against them reads
 * their sets from the JSON text itself (withListsJson), not from a string per CIDR.
 */
async function toSnapshot(db: D1Database, row: SnapshotRow): Promise<Snapshot> {
  if (row.body !== null) return { ...versionFields(row), ...(await readLists(db, row)) }
  let lists: FamilyLists | undefined
  const parsed = () =>
    (lists ??= { ipv4: JSON.parse(row.ipv4) as string[], ipv6: JSON.parse(row.ipv6) as string[] })
  const snapshot = Object.defineProperties(versionFields(row), {
    ipv4: { get: () => parsed().ipv4, enumerable: true, configurable: true },
    ipv6: { get: () => parsed().ipv6, enumerable: true, configurable: true },
  }) as Snapshot
  return withListsJson(snapshot, row)
}

/**
 * The latest snapshot of each of `feeds` that has one, by feed id: a sync message reads its own
 * feeds' lists (a primary-key lookup each), not the whole catalogue's.
 */
export async function getCurrentSnapshots(
  db: D1Database,
  feeds: readonly string[],
): Promise<Record<string, Snapshot>> {
  const { results } = await db
    .prepare(
      `SELECT ${SNAPSHOT_COLUMNS} FROM json_each(?1) f
       JOIN versions v ON v.feed = f.value
         AND v.version = (SELECT MAX(version) FROM versions WHERE feed = f.value)
       JOIN snapshot_contents c ON c.feed = v.feed AND c.sha256 = v.sha256`,
    )
    .bind(JSON.stringify(feeds))
    .all<SnapshotRow>()
  const snapshots = await Promise.all(results.map((row) => toSnapshot(db, row)))
  return Object.fromEntries(snapshots.map((s) => [s.feed, s]))
}

/** One snapshot: the given version, or the latest when `version` is undefined. */
export async function getSnapshot(
  db: D1Database,
  feed: string,
  version?: number,
): Promise<Snapshot | undefined> {
  const row = await db
    .prepare(
      `SELECT ${SNAPSHOT_COLUMNS} FROM versions v
       JOIN snapshot_contents c ON c.feed = v.feed AND c.sha256 = v.sha256
       WHERE v.feed = ?1 AND v.version = COALESCE(?2, (SELECT MAX(version) FROM versions WHERE feed = ?1))`,
    )
    .bind(feed, version ?? null)
    .first<SnapshotRow>()
  return row === null ? undefined : toSnapshot(db, row)
}

/** The held tag of a held_candidates row `h` (see FeedPointer.held). */
const HELD_TAG = `substr(h.sha256, 1, 16) || '.' || h.seen_count || '.' || h.status`

/** A feed's latest version, sha256, fetchedAt and held tag (indexed rows, no lists), or null. */
export async function getFeedHead(db: D1Database, feed: string): Promise<FeedHead> {
  const row = await db
    .prepare(
      `SELECT version, sha256, fetched_at, (SELECT ${HELD_TAG} FROM held_candidates h WHERE h.feed = ?1) AS held
       FROM versions WHERE feed = ?1 ORDER BY version DESC LIMIT 1`,
    )
    .bind(feed)
    .first<{ version: number; sha256: string; fetched_at: string; held: string | null }>()
  return row === null
    ? null
    : { version: row.version, sha256: row.sha256, fetchedAt: row.fetched_at, held: row.held }
}

/** The held tags of every feed with a held (or rejected) candidate. */
export async function getHeldTags(db: D1Database): Promise<Map<string, string>> {
  const { results } = await db
    .prepare(`SELECT h.feed, ${HELD_TAG} AS tag FROM held_candidates h`)
    .all<{ feed: string; tag: string }>()
  return new Map(results.map((r) => [r.feed, r.tag]))
}

/** What the catalogue listing shows per feed: the snapshot without its lists, and counts. */
export interface FeedState extends Omit<Snapshot, 'ipv4' | 'ipv6'> {
  readonly ipv4Count: number
  readonly ipv6Count: number
  readonly ipv4Addresses: number
}

/**
 * The latest version, with counts, of every feed that was ever checked or is in `known` (the
 * catalogue and enabled ids), by feed id. Driven by feed_status, one indexed lookup per feed:
 * independent of how many versions and checks there are.
 */
export async function getFeedStates(
  db: D1Database,
  known: readonly string[],
): Promise<Map<string, FeedState>> {
  const { results } = await db
    .prepare(
      `SELECT v.feed, v.version, v.sha256, v.fetched_at, v.changed_at, v.source, v.upstream_version,
              c.ipv4_count, c.ipv6_count, c.ipv4_addresses
       FROM (SELECT feed FROM feed_status UNION SELECT value FROM json_each(?1)) f
       JOIN versions v
         ON v.feed = f.feed AND v.version = (SELECT MAX(version) FROM versions WHERE feed = f.feed)
       JOIN snapshot_contents c ON c.feed = v.feed AND c.sha256 = v.sha256`,
    )
    .bind(JSON.stringify(known))
    .all<
      VersionRow & {
        ipv4_count: number
        ipv6_count: number
        ipv4_addresses: number
      }
    >()
  return new Map(
    results.map((r) => [
      r.feed,
      {
        ...versionFields(r),
        ipv4Count: r.ipv4_count,
        ipv6Count: r.ipv6_count,
        ipv4Addresses: r.ipv4_addresses,
      },
    ]),
  )
}

/** Number of IPv4 addresses covered by canonical, merged CIDRs (fits a double exactly). */
export function countIpv4Addresses(cidrs: readonly string[]): number {
  let total = 0
  // An index, not for...of: this runs cold (once per stored version), where each iteration's
  // result object is garbage.
  for (let c = 0; c < cidrs.length; c++) total += 2 ** (32 - prefixLength(cidrs[c]!))
  return total
}

/** Whether a change was stored, and the change id deliveries refer to. */
export interface RecordChangedResult {
  /** False when another run stored this or a later version first (nothing was written). */
  readonly stored: boolean
  readonly changeId: string
}

/** The id of a change: `<feed>@<version>`, stable, the idempotency key of its deliveries. */
export function changeIdOf(feed: string, version: number): string {
  return `${feed}@${version}`
}

/**
 * Stores a changed snapshot as the next version, its change, and one pending delivery per
 * matching subscription, all in one transaction, or nothing when the snapshot's version is
 * no longer the next one (a concurrent run got there first) or its content is already current.
 */
export async function recordChanged(
  db: D1Database,
  snapshot: Snapshot,
  change: Change,
  runId: string,
  now: string,
): Promise<RecordChangedResult> {
  const changeId = changeIdOf(snapshot.feed, snapshot.version)
  const mine = `EXISTS (SELECT 1 FROM versions WHERE feed = ?1 AND version = ?2 AND run_id = ?3)`
  const [lists, diff] = await Promise.all([
    preparePair(db, ['ipv4', 'ipv6'], [snapshot.ipv4, snapshot.ipv6]),
    preparePair(db, ['added', 'removed'], [change.added, change.removed]),
  ])
  const results = await db.batch([
    ...lists.statements,
    ...diff.statements,
    insertContents(db, snapshot, lists),
    db
      .prepare(
        `INSERT INTO versions (feed, version, sha256, fetched_at, changed_at, source, run_id, upstream_version)
         SELECT ?1, ?2, ?4, ?5, ?6, ?7, ?3, ?8
         WHERE COALESCE((SELECT MAX(version) FROM versions WHERE feed = ?1), 0) = ?2 - 1
           AND COALESCE((SELECT sha256 FROM versions WHERE feed = ?1 ORDER BY version DESC LIMIT 1), '') <> ?4`,
      )
      .bind(
        snapshot.feed,
        snapshot.version,
        runId,
        snapshot.sha256,
        snapshot.fetchedAt,
        snapshot.changedAt,
        snapshot.source,
        storedUpstreamVersion(snapshot),
      ),
    db
      .prepare(
        `INSERT INTO changes
           (id, feed, version, previous_version, at, added, removed, added_count, removed_count,
            body, confirmed_after_hold)
         SELECT ?4, ?1, ?2, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE ${mine}`,
      )
      .bind(
        snapshot.feed,
        snapshot.version,
        runId,
        changeId,
        change.previousVersion,
        change.at,
        ...diff.columns,
        change.added.ipv4.length + change.added.ipv6.length,
        change.removed.ipv4.length + change.removed.ipv6.length,
        diff.body,
        change.confirmedAfterHold === true ? 1 : 0,
      ),
    db
      .prepare(
        `INSERT OR IGNORE INTO deliveries
           (id, subscription_id, change_id, status, attempts, next_attempt_at, created_at, updated_at)
         SELECT 'msg_' || lower(hex(randomblob(16))), s.id, ?4, 'pending', 0, ?5, ?5, ?5
         FROM subscriptions s
         WHERE ${mine}
           AND EXISTS (SELECT 1 FROM json_each(s.feeds) WHERE value IN (?1, '*'))`,
      )
      .bind(snapshot.feed, snapshot.version, runId, changeId, now),
  ])
  const versionInsert = lists.statements.length + diff.statements.length + 1
  return { stored: (results[versionInsert]?.meta.changes ?? 0) === 1, changeId }
}

/**
 * The INSERT OR IGNORE of a snapshot's content row (lists inline, or '' and the body's key);
 * run it in the same batch as `lists.statements`.
 */
export function insertContents(
  db: D1Database,
  snapshot: Snapshot,
  lists: PreparedPair,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO snapshot_contents
         (feed, sha256, ipv4, ipv6, ipv4_count, ipv6_count, ipv4_addresses, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      snapshot.feed,
      snapshot.sha256,
      ...lists.columns,
      snapshot.ipv4.length,
      snapshot.ipv6.length,
      countIpv4Addresses(snapshot.ipv4),
      lists.body,
    )
}

/**
 * Marks the current version as confirmed at `fetchedAt` (an unchanged fetch or a 304), with the
 * publisher's version that fetch read (a new syncToken over the same addresses).
 */
export async function recordUnchanged(db: D1Database, snapshot: Snapshot): Promise<void> {
  await db
    .prepare(
      `UPDATE versions SET fetched_at = ?3, upstream_version = ?4
       WHERE feed = ?1 AND version = ?2 AND fetched_at < ?3`,
    )
    .bind(snapshot.feed, snapshot.version, snapshot.fetchedAt, storedUpstreamVersion(snapshot))
    .run()
}

/** A stored change with its position in the global order (the cursor of /v1/changes). */
export interface StoredChange extends Change {
  readonly id: string
  readonly seq: number
}

interface ChangeRow {
  seq: number
  id: string
  feed: string
  version: number
  previous_version: number | null
  at: string
  added: string
  removed: string
  body: string | null
  confirmed_after_hold: number
}

const CHANGE_COLUMNS =
  'c.seq, c.id, c.feed, c.version, c.previous_version, c.at, c.added, c.removed, c.body, c.confirmed_after_hold'

/** The added and removed lists of a changes (or held_candidates) row: inline, or a body. */
export async function readDiff(
  db: D1Database,
  row: { added: string; removed: string; body: string | null },
): Promise<{ added: FamilyLists; removed: FamilyLists }> {
  if (row.body !== null) return readJson(db, '', row.body)
  return {
    added: JSON.parse(row.added) as FamilyLists,
    removed: JSON.parse(row.removed) as FamilyLists,
  }
}

async function toChange(db: D1Database, row: ChangeRow): Promise<StoredChange> {
  const { added, removed } = await readDiff(db, row)
  return {
    id: row.id,
    seq: row.seq,
    feed: row.feed,
    version: row.version,
    previousVersion: row.previous_version ?? 0,
    at: row.at,
    added,
    removed,
    ...(row.confirmed_after_hold === 1 ? { confirmedAfterHold: true as const } : {}),
  }
}

/**
 * Selects changes: after a version or a time of one feed, or after (before, newest first) a
 * cursor `seq` across some feeds (all when absent or empty).
 */
export interface ChangeQuery {
  readonly feeds?: readonly string[]
  readonly afterSeq?: number
  readonly afterVersion?: number
  readonly afterTime?: string
  readonly limit: number
  /** Newest first (Atom); default oldest first. */
  readonly newestFirst?: boolean
}

/** Larger than any seq: the cursor of a newest-first read from the top. */
const TOP_SEQ = Number.MAX_SAFE_INTEGER

/**
 * Changes matching the query. Every shape reads through an index and at most `limit` rows per
 * feed (test/worker/db/query-plans.test.ts), whatever the length of the history.
 */
export async function getChanges(db: D1Database, q: ChangeQuery): Promise<StoredChange[]> {
  const feeds = [...new Set(q.feeds ?? [])]
  let statement: D1PreparedStatement
  if (q.afterVersion !== undefined || q.afterTime !== undefined) {
    // One feed's changes: within a feed, version, time and seq order agree.
    statement =
      q.afterTime === undefined
        ? db
            .prepare(
              `SELECT ${CHANGE_COLUMNS} FROM changes c
               WHERE c.feed = ?1 AND c.version > ?2 ORDER BY c.version LIMIT ?3`,
            )
            .bind(feeds[0] ?? '', q.afterVersion, q.limit)
        : db
            .prepare(
              `SELECT ${CHANGE_COLUMNS} FROM changes c
               WHERE c.feed = ?1 AND c.at > ?2 ORDER BY c.at, c.version LIMIT ?3`,
            )
            .bind(feeds[0] ?? '', q.afterTime, q.limit)
  } else {
    const desc = q.newestFirst === true
    const cursor = q.afterSeq ?? (desc ? TOP_SEQ : 0)
    const [cmp, dir] = desc ? ['<', 'DESC'] : ['>', 'ASC']
    statement =
      feeds.length === 0
        ? db
            .prepare(
              `SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.seq ${cmp} ?1 ORDER BY c.seq ${dir} LIMIT ?2`,
            )
            .bind(cursor, q.limit)
        : // At most `limit` rows of each feed through its (feed, seq) index, then the first
          // `limit` of those in seq order.
          db
            .prepare(
              `SELECT ${CHANGE_COLUMNS} FROM json_each(?1) f
               JOIN changes c ON c.seq IN (
                 SELECT x.seq FROM changes x WHERE x.feed = f.value AND x.seq ${cmp} ?2
                 ORDER BY x.seq ${dir} LIMIT ?3)
               ORDER BY c.seq ${dir} LIMIT ?3`,
            )
            .bind(JSON.stringify(feeds), cursor, q.limit)
  }
  const { results } = await statement.all<ChangeRow>()
  return Promise.all(results.map((row) => toChange(db, row)))
}

/** One change by id. */
export async function getChange(db: D1Database, id: string): Promise<StoredChange | undefined> {
  return selectOne(
    db,
    `SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.id = ?`,
    [id],
    (row: ChangeRow) => toChange(db, row),
  )
}

/** The largest change seq, 0 when there is none. */
export async function getLatestSeq(db: D1Database): Promise<number> {
  const row = await db
    .prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes')
    .first<{ seq: number }>()
  return row?.seq ?? 0
}
