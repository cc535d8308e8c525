/**
 * @module D1 access for held candidates (migration 0002): at most one per feed, its lists in
 * snapshot_contents, its change against the version it was compared with, how often and since
 * when it was fetched, and whether an admin rejected it.
 */
import type { FamilyLists, HoldGuardName, Snapshot } from '../../../shared/src/index.ts'
import { preparePair } from './bodies.ts'
import { selectOne } from './select-one.ts'
import { insertContents, readDiff, readLists } from './snapshots.ts'

/** A held candidate as stored. */
export interface HeldCandidate {
  readonly feed: string
  readonly sha256: string
  readonly guard: HoldGuardName
  readonly reason: string
  /** The current version it was compared with; a different current version makes it stale. */
  readonly baseVersion: number
  readonly source: string
  readonly added: FamilyLists
  readonly removed: FamilyLists
  readonly firstSeenAt: string
  readonly lastSeenAt: string
  /** Consecutive identical fetches, this one included. */
  readonly seenCount: number
  readonly status: 'held' | 'rejected'
  readonly rejectedAt: string | null
}

/** A held_candidates row, its columns named as the model's (HELD_COLUMNS), its diff unread. */
type HeldRow = Omit<HeldCandidate, 'added' | 'removed'> & {
  added: string
  removed: string
  body: string | null
}

const HELD_COLUMNS = `feed, sha256, guard, reason, base_version AS baseVersion, source, added, removed,
  body, first_seen_at AS firstSeenAt, last_seen_at AS lastSeenAt, seen_count AS seenCount, status,
  rejected_at AS rejectedAt`

async function toHeld(db: D1Database, row: HeldRow): Promise<HeldCandidate> {
  const { added, removed, body, ...held } = row
  return { ...held, ...(await readDiff(db, { added, removed, body })) }
}

/** Every held (or rejected) candidate, by feed id. */
export async function getHeldCandidates(db: D1Database): Promise<Map<string, HeldCandidate>> {
  const { results } = await db.prepare(`SELECT ${HELD_COLUMNS} FROM held_candidates`).all<HeldRow>()
  const held = await Promise.all(results.map((row) => toHeld(db, row)))
  return new Map(held.map((h) => [h.feed, h]))
}

/** One feed's held (or rejected) candidate, or undefined. */
export function getHeldCandidate(db: D1Database, feed: string): Promise<HeldCandidate | undefined> {
  return selectOne(
    db,
    `SELECT ${HELD_COLUMNS} FROM held_candidates WHERE feed = ?`,
    [feed],
    (row: HeldRow) => toHeld(db, row),
  )
}

/** The lists of a feed's held candidate (its snapshot_contents row). */
export async function getHeldLists(db: D1Database, held: HeldCandidate): Promise<FamilyLists> {
  const row = await db
    .prepare('SELECT ipv4, ipv6, body FROM snapshot_contents WHERE feed = ? AND sha256 = ?')
    .bind(held.feed, held.sha256)
    .first<{ ipv4: string; ipv6: string; body: string | null }>()
  return readLists(db, row!)
}

/**
 * Stores `candidate` as the feed's held candidate, first seen at `at` (seen once), replacing
 * whatever was held before; its lists go to snapshot_contents in the same batch.
 */
export async function putHeldCandidate(
  db: D1Database,
  candidate: Snapshot,
  held: Pick<HeldCandidate, 'guard' | 'reason' | 'baseVersion' | 'added' | 'removed'>,
  at: string,
): Promise<void> {
  const [lists, diff] = await Promise.all([
    preparePair(db, ['ipv4', 'ipv6'], [candidate.ipv4, candidate.ipv6]),
    preparePair(db, ['added', 'removed'], [held.added, held.removed]),
  ])
  await db.batch([
    ...lists.statements,
    ...diff.statements,
    insertContents(db, candidate, lists),
    db
      .prepare(
        `INSERT OR REPLACE INTO held_candidates
           (feed, sha256, guard, reason, base_version, source, added, removed, body,
            first_seen_at, last_seen_at, seen_count, status, rejected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'held', NULL)`,
      )
      .bind(
        candidate.feed,
        candidate.sha256,
        held.guard,
        held.reason,
        held.baseVersion,
        candidate.source,
        ...diff.columns,
        diff.body,
        at,
        at,
      ),
  ])
}

/**
 * A short tag of a feed's held candidate for entity tags (`<sha256 prefix>.<count>.<status>`),
 * or undefined when none: the current snapshot's JSON carries `held`, so its ETag must change
 * with it.
 */
export async function getHeldTag(db: D1Database, feed: string): Promise<string | undefined> {
  const row = await db
    .prepare('SELECT sha256, seen_count, status FROM held_candidates WHERE feed = ?')
    .bind(feed)
    .first<{ sha256: string; seen_count: number; status: string }>()
  return row === null ? undefined : `${row.sha256.slice(0, 16)}.${row.seen_count}.${row.status}`
}

/** The ids of the feeds that have a held (or rejected) candidate: one small query per run. */
export async function getHeldFeeds(db: D1Database): Promise<Set<string>> {
  const { results } = await db.prepare('SELECT feed FROM held_candidates').all<{ feed: string }>()
  return new Set(results.map((r) => r.feed))
}

/**
 * Counts one more identical fetch of a held (not rejected) candidate compared with
 * `baseVersion`; returns the new count and when it was first seen, or undefined when no such
 * candidate is held.
 */
export async function countHeldFetch(
  db: D1Database,
  candidate: Snapshot,
  baseVersion: number,
  at: string,
): Promise<{ seenCount: number; firstSeenAt: string } | undefined> {
  const row = await db
    .prepare(
      `UPDATE held_candidates SET seen_count = seen_count + 1, last_seen_at = ?4
       WHERE feed = ?1 AND sha256 = ?2 AND base_version = ?3 AND status = 'held'
       RETURNING seen_count, first_seen_at`,
    )
    .bind(candidate.feed, candidate.sha256, baseVersion, at)
    .first<{ seen_count: number; first_seen_at: string }>()
  return row === null ? undefined : { seenCount: row.seen_count, firstSeenAt: row.first_seen_at }
}

/** Marks a feed's candidate rejected (an admin said no); false when none is held. */
export async function rejectHeldCandidate(
  db: D1Database,
  feed: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE held_candidates SET status = 'rejected', rejected_at = ?2 WHERE feed = ?1 AND status = 'held'`,
    )
    .bind(feed, at)
    .run()
  return result.meta.changes === 1
}

/**
 * Forgets a feed's candidate: any (`'any'`, when it became current or upstream moved on), or only
 * a held one (`'held'`: a refused answer restarts the count; a rejection stays).
 */
export async function deleteHeldCandidate(
  db: D1Database,
  feed: string,
  which: 'any' | 'held',
): Promise<void> {
  await db
    .prepare(`DELETE FROM held_candidates WHERE feed = ?1 AND (?2 = 'any' OR status = 'held')`)
    .bind(feed, which)
    .run()
}
