/**
 * @module The current sets of the feeds a config uses: from a worker (`/v1/feeds/:id`, ETag =
 * sha256) or fetched upstream directly, both through the same shared/feeds guards against the
 * last accepted snapshots kept in the lock file. Refused feeds keep their locked snapshot; held
 * ones (a mass removal or addition) are applied and listed in `held`, for a draft pull request.
 */
import {
  errorMessage,
  DEFAULT_GUARD_OPTIONS,
  findFeed,
  guardServedSnapshot,
  IpSet,
  syncFeeds,
  type Change,
  type FeedDefinition,
  type FeedOutcome,
  type GuardName,
  type GuardOptions,
  type HeldOutcome,
  type HoldGuardName,
  type Snapshot,
} from '../../shared/src/index.ts'
import { workerFreshness } from './worker-freshness.ts'

/** A feed the guards (or the worker) refused this run. */
export interface Refusal {
  readonly feed: string
  readonly guard: GuardName | 'worker'
  readonly reason: string
}

/** What the sync knows about its feeds after fetching. */
export interface FeedState {
  /** The accepted snapshot of each feed: the new one, or the locked one when refused/unchanged. */
  readonly snapshots: ReadonlyMap<string, Snapshot>
  /** Feeds whose lists differ from the lock. */
  readonly changes: ReadonlyMap<string, Change>
  readonly refusals: readonly Refusal[]
  /**
   * Feeds whose new lists tripped a hold guard (mass removal or addition) and were applied
   * anyway, as the Action has no fetch history to wait on: their candidates are in `snapshots`
   * and `changes`, and the pull request must be a draft that a reviewer confirms by marking it
   * ready. Empty when `allowMassRemoval` is set.
   */
  readonly held: readonly HeldOutcome[]
  /** The worker's change-log cursor to keep in the lock (worker sources only). */
  readonly cursor?: LockCursor
  /** Where the sets came from: `upstream` or the worker's URL. */
  readonly origin: string
  /** ISO time of this fetch. */
  readonly fetchedAt: string
  /** Feeds whose data from the worker is not fresh (worker-freshness.ts); empty upstream. */
  readonly warnings: readonly string[]
}

/** Options of {@link getFeedState}. */
export interface FeedStateOptions {
  readonly userFeeds: readonly FeedDefinition[]
  /**
   * A worker's base URL; empty or undefined fetches upstream. Must be https:// (http:// only for
   * a loopback host: 127.0.0.0/8, [::1], localhost), else getFeedState throws.
   */
  readonly source?: string
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly mirror?: string
  readonly githubToken?: string
  /** 0..100; default 50. */
  readonly maxRemovalPercent: number
  readonly allowMassRemoval: boolean
  /** The lock's snapshots by feed id. */
  readonly previous: Readonly<Record<string, Snapshot>>
  /** The lock's worker cursor. */
  readonly cursor?: LockCursor
}

/**
 * How a held candidate became this snapshot in the Action: a reviewer marked the draft pull
 * request `pullRequest` ready for review. Kept in the lock while the snapshot stays current.
 */
export interface HoldConfirmation {
  readonly guard: HoldGuardName
  readonly pullRequest: number
}

/** A snapshot that may carry how its hold was confirmed (parseLock keeps it, formatLock writes it). */
export type ConfirmableSnapshot = Snapshot & { readonly confirmedAfterHold?: HoldConfirmation }

/** A feed in the lock: its snapshot without times, so re-running gives identical bytes. */
export type LockedFeed = Omit<ConfirmableSnapshot, 'fetchedAt' | 'changedAt'>

/**
 * Where a worker's change log was read up to (its `nextCursor`), for one worker URL: the next run
 * asks `/v1/changes?since=` it and fetches only the snapshots of feeds that changed.
 */
export interface LockCursor {
  readonly source: string
  readonly value: string
}

/** The lock file: the last accepted snapshot of each feed. */
export interface LockFile {
  readonly version: 1
  readonly cursor?: LockCursor
  readonly feeds: Readonly<Record<string, LockedFeed>>
}

/** The worker cursor a lock file holds, if any (undefined for unreadable text). */
export function lockCursor(text: string | undefined): LockCursor | undefined {
  if (text === undefined) return undefined
  try {
    const c = (JSON.parse(text) as Partial<LockFile>).cursor
    return c &&
      typeof c.source === 'string' &&
      typeof c.value === 'string' &&
      /^\d{1,16}$/.test(c.value)
      ? { source: c.source, value: c.value }
      : undefined
  } catch {
    return undefined
  }
}

/** Reads a lock file; undefined or unreadable content is an empty lock (a warning is the caller's). */
export function parseLock(
  text: string | undefined,
  now: string = new Date(0).toISOString(),
): Record<string, Snapshot> {
  if (text === undefined) return {}
  const data = JSON.parse(text) as Partial<LockFile>
  if (data.version !== 1 || typeof data.feeds !== 'object' || data.feeds === null)
    throw new TypeError('not an allowlist-sync lock file (version 1)')
  const out: Record<string, Snapshot> = {}
  for (const [id, s] of Object.entries(data.feeds)) {
    if (!/^[0-9a-f]{64}$/.test(String(s.sha256)) || !Number.isInteger(s.version))
      throw new TypeError(`feed '${id}': bad sha256 or version`)
    const up = s.upstreamVersion
    if (up !== undefined && (typeof up?.field !== 'string' || typeof up.value !== 'string'))
      throw new TypeError(`feed '${id}': bad upstreamVersion (needs string field and value)`)
    const ipv4 = IpSet.fromCidrs(4, s.ipv4).toCidrs()
    const ipv6 = IpSet.fromCidrs(6, s.ipv6).toCidrs()
    out[id] = { ...s, feed: id, ipv4, ipv6, fetchedAt: now, changedAt: now }
  }
  return out
}

/** The lock file's text for these snapshots: sorted keys, two-space JSON, trailing newline. */
export function formatLock(snapshots: ReadonlyMap<string, Snapshot>, cursor?: LockCursor): string {
  const feeds: Record<string, LockedFeed> = {}
  for (const id of [...snapshots.keys()].sort()) {
    const s: ConfirmableSnapshot = snapshots.get(id)!
    feeds[id] = {
      feed: s.feed,
      version: s.version,
      sha256: s.sha256,
      source: s.source,
      ...(s.confirmedAfterHold ? { confirmedAfterHold: s.confirmedAfterHold } : {}),
      // The publisher's version the rendered headers name: a refused feed re-renders the same bytes.
      ...(s.upstreamVersion ? { upstreamVersion: s.upstreamVersion } : {}),
      ipv4: s.ipv4,
      ipv6: s.ipv6,
    }
  }
  const lock: LockFile = { version: 1, ...(cursor ? { cursor } : {}), feeds }
  return `${JSON.stringify(lock, null, 2)}\n`
}

/** Thrown for a worker `source` that is neither https:// nor http:// on a loopback host. */
export class SourceUrlError extends TypeError {
  readonly code = 'ERR_SOURCE_URL'
}

/**
 * Whether a worker `source` may be used: https://, or http:// to a loopback host (tests, a
 * worker on the same machine). Anything else could be read or rewritten on the way.
 */
export function isAllowedSource(source: string): boolean {
  let url: URL
  try {
    url = new URL(source)
  } catch {
    return false
  }
  if (url.protocol === 'https:') return true
  return (
    url.protocol === 'http:' &&
    (url.hostname === 'localhost' ||
      url.hostname === '[::1]' ||
      /^127\.\d+\.\d+\.\d+$/.test(url.hostname))
  )
}

/**
 * The outcomes of the feeds read from a worker: only those its change log shows changed since the
 * lock's cursor (the others keep their locked snapshot, set into `snapshots`); the new cursor; and
 * the warnings about feeds whose data there is not fresh (its catalogue: worker-freshness.ts).
 */
async function workerOutcomes(
  viaWorker: readonly FeedDefinition[],
  guards: GuardOptions,
  snapshots: Map<string, Snapshot>,
  o: FeedStateOptions,
): Promise<{ outcomes: FeedOutcome[]; cursor: LockCursor | undefined; warnings: string[] }> {
  if (viaWorker.length === 0) return { outcomes: [], cursor: undefined, warnings: [] }
  const freshness = workerFreshness(
    o.source!,
    viaWorker.map((d) => d.id),
    o.fetch,
    o.now(),
  )
  let cursor: LockCursor | undefined
  let toFetch = viaWorker
  const log = await readChangeLog(
    o.source!,
    viaWorker.map((d) => d.id),
    o,
  )
  if (log) {
    cursor = { source: o.source!, value: log.nextCursor }
    // With a cursor from the last run, only feeds with changes since need their snapshot.
    if (log.since !== undefined)
      toFetch = viaWorker.filter((d) => log.changed.has(d.id) || o.previous[d.id] === undefined)
    for (const d of viaWorker) if (!toFetch.includes(d)) snapshots.set(d.id, o.previous[d.id]!)
  } else if (o.cursor?.source === o.source) cursor = o.cursor
  const outcomes = await Promise.all(
    toFetch.map((def) => fromWorker(o.source!, def, o.previous[def.id], guards, o)),
  )
  return { outcomes, cursor, warnings: await freshness }
}

/**
 * Fetches `ids` and compares them with the lock. Never throws for upstream or worker trouble;
 * throws a {@link SourceUrlError} for a `source` that is not https:// (nor loopback http://).
 */
export async function getFeedState(
  ids: readonly string[],
  o: FeedStateOptions,
): Promise<FeedState> {
  if (o.source && !isAllowedSource(o.source))
    throw new SourceUrlError(
      `source ${JSON.stringify(o.source)}: a worker source must be an https:// URL (http:// only for a loopback host)`,
    )
  const fetchedAt = new Date(o.now()).toISOString()
  const defs = ids.map((id) => {
    const def = findFeed(id, o.userFeeds)
    if (!def) throw new TypeError(`unknown feed '${id}'`)
    return def
  })
  const viaWorker = o.source ? defs.filter((d) => !d.user) : []
  const direct = o.source ? defs.filter((d) => d.user) : defs
  const snapshots = new Map<string, Snapshot>()
  const changes = new Map<string, Change>()
  const refusals: Refusal[] = []
  const held: HeldOutcome[] = []
  // allow-mass-removal: a held-class update is a plain change (not a draft), additions included.
  const guards: GuardOptions = {
    ...DEFAULT_GUARD_OPTIONS,
    maxRemovalShare: o.maxRemovalPercent / 100,
    allowMassRemoval: o.allowMassRemoval,
    allowMassAddition: o.allowMassRemoval,
  }
  const take = (out: FeedOutcome): void => {
    if (out.kind === 'refused') {
      refusals.push({ feed: out.feed, guard: out.guard, reason: out.reason })
      if (out.previous) snapshots.set(out.feed, out.previous)
      return
    }
    if (out.kind === 'held') {
      held.push(out)
      snapshots.set(out.feed, out.candidate)
      changes.set(out.feed, out.change)
      return
    }
    snapshots.set(out.feed, out.snapshot)
    if (out.kind === 'changed') changes.set(out.feed, out.change)
  }

  if (direct.length > 0) {
    const result = await syncFeeds(direct, {
      fetch: o.fetch,
      now: o.now,
      previous: o.previous,
      ...(o.mirror ? { mirror: o.mirror } : {}),
      ...(o.githubToken ? { githubToken: o.githubToken } : {}),
      guards,
    })
    for (const out of result.outcomes) take(out)
  }
  const fromWorkers = await workerOutcomes(viaWorker, guards, snapshots, o)
  for (const out of fromWorkers.outcomes) take(out)
  let cursor = fromWorkers.cursor
  refusals.sort((a, b) => (a.feed < b.feed ? -1 : 1))
  held.sort((a, b) => (a.feed < b.feed ? -1 : 1))
  // A refused change must be looked at again next run: keep the old cursor then.
  if (refusals.some((r) => viaWorker.some((d) => d.id === r.feed)))
    cursor = o.cursor?.source === o.source ? o.cursor : undefined
  return {
    snapshots,
    changes,
    refusals,
    held,
    ...(cursor ? { cursor } : {}),
    origin: o.source || 'upstream',
    fetchedAt,
    warnings: fromWorkers.warnings,
  }
}

/**
 * Reads the worker's change log for `ids` from the lock's cursor (or from the start) to its end.
 * Undefined when the worker does not answer it (the caller then fetches every snapshot).
 */
async function readChangeLog(
  source: string,
  ids: readonly string[],
  o: FeedStateOptions,
): Promise<{ since: string | undefined; nextCursor: string; changed: Set<string> } | undefined> {
  const since = o.cursor?.source === source ? o.cursor.value : undefined
  const changed = new Set<string>()
  let cursor = since ?? '0'
  for (let page = 0; page < 20; page++) {
    const url = `${source.replace(/\/+$/, '')}/v1/changes?since=${cursor}&feeds=${ids.map(encodeURIComponent).join(',')}&limit=500`
    let body: { changes?: { feed?: unknown }[]; nextCursor?: unknown; hasMore?: unknown }
    try {
      const res = await o.fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(15_000),
      })
      if (res.status !== 200) return undefined
      body = (await res.json()) as typeof body
    } catch {
      return undefined
    }
    if (
      !Array.isArray(body.changes) ||
      typeof body.nextCursor !== 'string' ||
      !/^\d{1,16}$/.test(body.nextCursor)
    )
      return undefined
    for (const c of body.changes) if (typeof c.feed === 'string') changed.add(c.feed)
    cursor = body.nextCursor
    if (body.hasMore !== true) return { since, nextCursor: cursor, changed }
  }
  return undefined
}

/**
 * One feed's snapshot from the worker, put through the same guards as an upstream fetch against
 * the lock's snapshot; a 304 keeps the locked snapshot (the worker says its sha256 is the same).
 */
async function fromWorker(
  source: string,
  def: FeedDefinition,
  prev: Snapshot | undefined,
  guards: GuardOptions,
  o: FeedStateOptions,
): Promise<FeedOutcome> {
  const refuse = (guard: GuardName, reason: string): FeedOutcome => ({
    kind: 'refused',
    feed: def.id,
    guard,
    reason,
    previous: prev,
    notes: [],
  })
  const url = `${source.replace(/\/+$/, '')}/v1/feeds/${def.id.split('/').map(encodeURIComponent).join('/')}`
  const fetchedAt = new Date(o.now()).toISOString()
  let res: Response
  try {
    res = await o.fetch(url, {
      headers: {
        accept: 'application/json',
        ...(prev ? { 'if-none-match': `"${prev.sha256}"` } : {}),
      },
      redirect: 'error',
      signal: AbortSignal.timeout(15_000),
    })
  } catch (cause) {
    return refuse('network-error', `${url}: ${errorMessage(cause)}`)
  }
  if (res.status === 304 && prev)
    return {
      kind: 'unchanged',
      feed: def.id,
      snapshot: { ...prev, fetchedAt },
      notModified: true,
      notes: [],
    }
  if (res.status !== 200) return refuse('http-error', `${url} answered ${res.status}`)
  let body: unknown
  try {
    body = await res.json()
  } catch {
    return refuse('unparseable', `${url}: the body is not JSON`)
  }
  return guardServedSnapshot(body, { feed: def, url, previous: prev, guards, fetchedAt })
}
