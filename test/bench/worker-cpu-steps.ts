/**
 * @module The invocations one source's sync takes, as closures to time (worker-cpu.bench.ts):
 * in a Node child (worker-cpu-child.ts) and inside workerd (workerd/entry.ts), so
 * both measure the same work. No Node APIs: this module is bundled into workerd.
 *
 * Steps, in the order they are measured: the unchanged fetch (the newer body stored, fetched
 * again: hashed, not parsed); then either the changed sync (the older body stored, the newer
 * fetched; a source with one fixture syncs from nothing), or, for a body read in slices
 * (worker/src/jobs/sliced-sync.ts), the sync that fetches and hands it over, each slice's read
 * from the pieces it loads (a fresh copy of each, as KV's get gives) with its parts serialised
 * for D1, and each feed's judge from its parts parsed back.
 *
 * In workerd, the steps also do what the worker's own JavaScript does around D1 ({@link Storage},
 * workerd/store.ts): a sync, a fetch that hands over and a judge read their feeds' current
 * snapshots from their rows (lists as JSON strings, parsed when first read), and a sync and a
 * judge store their outcomes (lists and change encoded for their columns).
 */
import {
  canSlice,
  DEFAULT_GUARD_OPTIONS,
  FIRST_SLICE,
  judgeSlicedFeed,
  syncFeeds,
  topLevel,
  type CacheEntry,
  type FeedDefinition,
  type FeedOutcome,
  type FeedSlice,
  type SliceOfFeeds,
  type SliceState,
  type Snapshot,
  type SyncOptions,
} from '../../shared/src/feeds/index.ts'
import { BODY_MEMORY, type BodyMemoryLease } from '../../worker/src/jobs/body-memory.ts'
import { PIECE_BYTES, SLICE_OVER_BYTES } from '../../worker/src/jobs/slice-sizes.ts'
import { readPieces } from '../../worker/src/jobs/slice-window.ts'

/** Where a version of the source's bodies comes from: a fetch, and a mirror when it is one. */
export type Upstream = Pick<SyncOptions, 'fetch' | 'mirror'>

export type StepKind = 'unchanged' | 'changed' | 'fetch' | 'read' | 'judge'

export interface Step {
  readonly kind: StepKind
  /** The feed a judge step judges. */
  readonly feed?: string
  readonly run: () => Promise<unknown>
}

export interface StepPlan {
  /** Bytes of the newer bodies. */
  readonly bytes: number
  /** No older version: the changed path is a first sync. */
  readonly first: boolean
  readonly steps: readonly Step[]
}

/**
 * As sync-queue.ts runs an invocation: bodies read into the isolate's kept memory
 * (worker/src/jobs/body-memory.ts), given back at its end.
 */
async function lent<T>(run: (bodyMemory: BodyMemoryLease) => Promise<T>): Promise<T> {
  const bodyMemory = BODY_MEMORY.lend()
  try {
    return await run(bodyMemory)
  } finally {
    bodyMemory.giveBack()
  }
}

interface Stored {
  readonly previous: Record<string, Snapshot>
  readonly cache: Record<string, CacheEntry>
}

/**
 * What an invocation does with D1 around a sync or a judge: in workerd, the worker's own
 * functions (workerd/store.ts); by default nothing (the Node child: the snapshots as objects).
 */
export interface Storage {
  /** The current snapshots of `feeds` from their rows as D1 gives them (undefined: as planned). */
  read(
    feeds: readonly FeedDefinition[],
    rows: readonly SnapshotRow[],
  ): Promise<Record<string, Snapshot> | undefined>
  /** Stores outcomes as the worker stores them. */
  store(outcomes: readonly FeedOutcome[]): Promise<void>
}

const NO_STORAGE: Storage = {
  read: () => Promise.resolve(undefined),
  store: () => Promise.resolve(),
}

/** A snapshot's row as D1 gives it to the worker's getCurrentSnapshots (lists inline, as JSON). */
export interface SnapshotRow {
  readonly feed: string
  readonly version: number
  readonly sha256: string
  readonly fetched_at: string
  readonly changed_at: string
  readonly source: string
  readonly upstream_version: string | null
  readonly ipv4: string
  readonly ipv6: string
  readonly body: null
}

function snapshotRows(previous: Readonly<Record<string, Snapshot>>): SnapshotRow[] {
  return Object.values(previous).map((s) => ({
    feed: s.feed,
    version: s.version,
    sha256: s.sha256,
    fetched_at: s.fetchedAt,
    changed_at: s.changedAt,
    source: s.source,
    upstream_version: s.upstreamVersion === undefined ? null : JSON.stringify(s.upstreamVersion),
    ipv4: JSON.stringify(s.ipv4),
    ipv6: JSON.stringify(s.ipv6),
    body: null,
  }))
}

/** The cache without validators: every measured fetch gets the whole body (no 304). */
function unconditional(cache: Readonly<Record<string, CacheEntry>>): Record<string, CacheEntry> {
  return Object.fromEntries(
    Object.entries(cache).map(([url, { etag: _e, lastModified: _l, ...rest }]) => [url, rest]),
  )
}

/**
 * The steps of `feeds`' sync, the newer bodies from `newer`; the older from `older` when the
 * source has two versions (else undefined: its changed path is a first sync).
 */
export async function planSteps(
  feeds: readonly FeedDefinition[],
  newer: Upstream,
  older: Upstream | undefined,
  storage: Storage = NO_STORAGE,
): Promise<StepPlan> {
  const storedFrom = async (upstream: Upstream): Promise<Stored> => {
    const base = await syncFeeds(feeds, { ...upstream, now: () => 0 })
    const previous: Record<string, Snapshot> = {}
    for (const o of base.outcomes) if (o.kind === 'changed') previous[o.feed] = o.snapshot
    return { previous, cache: unconditional(base.cache) }
  }
  const options = (stored: Stored) => ({
    ...newer,
    now: () => 1,
    ...stored,
    guards: { allowMassRemoval: true },
  })
  const sync = (stored: Stored) => {
    const rows = snapshotRows(stored.previous)
    return () =>
      lent(async (bodyMemory) => {
        const previous = (await storage.read(feeds, rows)) ?? stored.previous
        const result = await syncFeeds(feeds, { ...options(stored), previous, bodyMemory })
        await storage.store(result.outcomes)
      })
  }
  const read = (await syncFeeds(feeds, { ...newer, now: () => 0 })).fetches
  const bytes = read.reduce((n, f) => n + f.bytes, 0)
  const before = older === undefined ? { previous: {}, cache: {} } : await storedFrom(older)
  const unchanged: Step = { kind: 'unchanged', run: sync(await storedFrom(newer)) }
  const first = older === undefined
  if (canSlice(feeds) && bytes > SLICE_OVER_BYTES)
    return {
      bytes,
      first,
      steps: [unchanged, ...(await slicedSteps(feeds, options(before), storage))],
    }
  return { bytes, first, steps: [unchanged, { kind: 'changed', run: sync(before) }] }
}

/**
 * Planning syncs every version and reads every slice: far more garbage than one invocation
 * leaves. Its callers collect it before measuring (workerd and the Node child run with
 * --expose-gc), so that each measured call pays for its own garbage and the calls' before it, as
 * in an isolate that ran invocations, not for the plan's.
 */
export function collectPlanGarbage(): void {
  const { gc } = globalThis as { gc?: () => void }
  if (gc === undefined) throw new Error('run with --expose-gc: the plan would be measured too')
  gc()
}

async function slicedSteps(
  feeds: readonly FeedDefinition[],
  base: SyncOptions & Stored,
  storage: Storage,
): Promise<Step[]> {
  const options = { ...base, sliceOver: SLICE_OVER_BYTES }
  const rows = snapshotRows(base.previous)
  const steps: Step[] = [
    {
      kind: 'fetch',
      run: () =>
        lent(async (bodyMemory) => {
          const previous = (await storage.read(feeds, rows)) ?? base.previous
          return syncFeeds(feeds, { ...options, previous, bodyMemory })
        }),
    },
  ]
  const handed = (await syncFeeds(feeds, options)).sliced![0]!
  const parts = new Map<string, string[]>(feeds.map((f) => [f.id, []]))
  const tops: string[] = []
  let state: SliceState = FIRST_SLICE
  while (!state.done) {
    const from = state
    const run = async () => {
      const r = await lent((memory) =>
        readPieces(
          feeds,
          from,
          handed.bytes.length,
          (i) => Promise.resolve(handed.bytes.slice(i * PIECE_BYTES, (i + 1) * PIECE_BYTES)),
          memory,
        ),
      )
      if (r === null || 'guard' in r) throw new Error(`slice at ${from.offset} did not read`)
      const rows = Object.entries(r.feeds).map(([id, p]) => [id, JSON.stringify(p)] as const)
      return { r, rows, top: JSON.stringify({ values: r.values, arrays: r.arrays }) }
    }
    steps.push({ kind: 'read', run })
    const { r, rows, top } = await run()
    for (const [id, json] of rows) parts.get(id)!.push(json)
    tops.push(top)
    state = r.next
  }
  const keys = state.keys
  for (const feed of feeds) {
    const own = rows.filter((row) => row.feed === feed.id)
    const run = async () => {
      const previous = (await storage.read([feed], own)) ?? base.previous
      const top = topLevel(tops.map((json) => JSON.parse(json) as SliceOfFeeds))
      const slices = parts.get(feed.id)!.map((json) => JSON.parse(json) as FeedSlice)
      const { outcome } = await judgeSlicedFeed(
        feed,
        slices,
        { fetch: handed, keys, ...top },
        previous[feed.id],
        { guards: { ...DEFAULT_GUARD_OPTIONS, allowMassRemoval: true }, cache: base.cache },
      )
      await storage.store([outcome])
    }
    steps.push({ kind: 'judge', feed: feed.id, run })
  }
  return steps
}

/**
 * A measurement of each step (in plan order) as worker-cpu.bench.ts reports a source: the
 * unchanged fetch; the changed sync, or the fetch that hands a body over; and its slices' reads
 * and its feeds' judges.
 */
export function bySteps<T>(
  plan: Omit<StepPlan, 'steps'> & { readonly steps: readonly Omit<Step, 'run'>[] },
  measured: readonly T[],
) {
  const of = (kind: StepKind) => plan.steps.flatMap((s, i) => (s.kind === kind ? [i] : []))
  const [unchanged] = of('unchanged')
  const [changed] = [...of('changed'), ...of('fetch')]
  const sliced = of('fetch').length > 0
  return {
    bytes: plan.bytes,
    first: plan.first,
    unchanged: measured[unchanged!]!,
    changed: measured[changed!]!,
    ...(sliced
      ? {
          reads: of('read').map((i) => measured[i]!),
          judges: of('judge').map((i) => ({ feed: plan.steps[i]!.feed!, cpu: measured[i]! })),
        }
      : {}),
  }
}
