/**
 * @module The cron job: sync every enabled feed (one request per upstream URL, all feeds at once
 * through shared/feeds), store what changed, count held candidates (jobs/hold.ts), log every
 * outcome, and enqueue deliveries. A slow or failing subscriber never delays it: deliveries only
 * go onto the queue here.
 */
import {
  BUILTIN_FEEDS,
  DEFAULT_GUARD_OPTIONS,
  findFeed,
  syncFeeds,
} from '../../../shared/src/index.ts'
import type {
  BodyMemory,
  CacheEntry,
  FeedDefinition,
  FeedOutcome,
  GuardName,
  GuardOptions,
  SlicedFetch,
  UnknownKey,
} from '../../../shared/src/index.ts'
import { readConfig, type Config } from '../config.ts'
import { getHttpCache, putHttpCache } from '../db/http-cache.ts'
import { getStrandedDeliveryIds } from '../db/deliveries.ts'
import { recordChecks } from '../db/checks.ts'
import { deleteHeldCandidate, getHeldFeeds } from '../db/held.ts'
import { getCurrentSnapshots, recordUnchanged } from '../db/snapshots.ts'
import type { CheckRecord } from '../db/checks.ts'
import { logEvent } from '../log-event.ts'
import { publishFeedPointers } from '../read-cache/publish-pointers.ts'
import { READ_CACHE } from '../read-cache/read-cache.ts'
import { DEFAULT_DEPS } from './deps.ts'
import type { JobDeps } from './deps.ts'
import { settleHeld } from './hold.ts'
import { enqueue, publishChange } from './publish.ts'
import type { SyncEnv } from './publish.ts'

export type { SyncEnv } from './publish.ts'

/**
 * Refusals that say nothing about upstream's content (no answer came): a held candidate keeps its
 * count through them. Any other answer that differs from the candidate restarts the count.
 */
const NO_ANSWER = new Set<GuardName>([
  'network-error',
  'timeout',
  'redirect',
  'http-error',
  'oversized',
])

/** What one run did, per feed (returned for tests and logged as one JSON line). */
export interface SyncRunSummary {
  readonly runId: string
  readonly checks: readonly CheckRecord[]
  readonly enqueued: number
  /** Pending deliveries whose queue message was lost, sent again. */
  readonly requeued: number
}

/** How late a pending delivery must be before a sync run re-enqueues it. */
export const STRANDED_AFTER_MS = 60 * 60 * 1000

/** Re-enqueues deliveries whose message was lost; returns how many. */
export async function requeueStranded(env: SyncEnv, now: number): Promise<number> {
  const cutoff = new Date(now - STRANDED_AFTER_MS).toISOString()
  return enqueue(env, await getStrandedDeliveryIds(env.DB, cutoff))
}

/** The feeds to sync: ENABLED_FEEDS resolved through the catalogue, or every built-in feed. */
export function resolveFeeds(ids: readonly string[] | undefined): {
  feeds: FeedDefinition[]
  unknown: string[]
} {
  if (ids === undefined) return { feeds: [...BUILTIN_FEEDS], unknown: [] }
  const feeds: FeedDefinition[] = []
  const unknown: string[] = []
  for (const id of ids) {
    const feed = findFeed(id)
    if (feed === undefined) unknown.push(id)
    else feeds.push(feed)
  }
  return { feeds, unknown }
}

/** Which part of the catalogue a sync run handles. */
export interface SyncScope {
  /** Only these feed ids (one sync-queue message: jobs/sync-queue.ts); default every enabled feed. */
  readonly feeds?: readonly string[]
  /** Re-enqueue stranded deliveries (default true; the cron does it once, not every message). */
  readonly requeue?: boolean
  /** The run id shared by every message of one cron run; default a new one. */
  readonly runId?: string
  /** A new body of more than this many bytes that can be read in slices is left to the caller. */
  readonly sliceOver?: number
  /** Memory the bodies are read into; the caller gives it back once done with `sliced`. */
  readonly bodyMemory?: BodyMemory
}

/** What storing one run's outcomes shares, and what it counts. */
interface StoreRun {
  readonly env: SyncEnv
  readonly config: Config
  readonly heldFeeds: ReadonlySet<string>
  readonly base: { readonly runId: string; readonly at: string; readonly durationMs: number }
  /** A version was stored by a concurrent run. */
  lostRace: boolean
  /** Deliveries enqueued. */
  enqueued: number
}

/** Stores one feed's outcome (a refusal, a hold, unchanged or a new version): its check row. */
async function storeOutcome(run: StoreRun, outcome: FeedOutcome): Promise<CheckRecord> {
  const { env, config } = run
  const { runId, at } = run.base
  const base = { ...run.base, feed: outcome.feed }
  // A candidate is forgotten when the feed's answer moved on: `'any'` when upstream serves the
  // current lists again or a new version became current, `'held'` (a rejection stays) on a
  // refused answer. Only feeds that have one cost a statement.
  const forget = async (which: 'any' | 'held') => {
    if (run.heldFeeds.has(outcome.feed)) await deleteHeldCandidate(env.DB, outcome.feed, which)
  }
  if (outcome.kind === 'refused') {
    if (!NO_ANSWER.has(outcome.guard)) await forget('held')
    return {
      ...base,
      outcome: 'refused',
      guard: outcome.guard,
      reason: outcome.reason,
      version: outcome.previous?.version,
      sha256: outcome.previous?.sha256,
    }
  }
  if (outcome.kind === 'held') {
    const settled = await settleHeld(env, outcome, config, runId, at)
    run.enqueued += settled.enqueued
    if (settled.lostRace) run.lostRace = true
    return { ...base, ...settled.check }
  }
  if (outcome.kind === 'unchanged') {
    await Promise.all([recordUnchanged(env.DB, outcome.snapshot), forget('any')])
    return {
      ...base,
      outcome: 'unchanged',
      reason: outcome.notModified
        ? 'not modified (304)'
        : outcome.sameBody
          ? 'same body as the last accepted one (SHA-256), not parsed'
          : outcome.sameEntries
            ? 'same entries as the last accepted body gave (SHA-256), not guarded again'
            : undefined,
      version: outcome.snapshot.version,
      sha256: outcome.snapshot.sha256,
    }
  }
  const { snapshot, change } = outcome
  const published = await publishChange(env, snapshot, change, runId, at)
  if (!published.stored) {
    run.lostRace = true
    return {
      ...base,
      outcome: 'unchanged',
      reason: `version ${snapshot.version} was stored by a concurrent run`,
    }
  }
  run.enqueued += published.enqueued
  await forget('any')
  return { ...base, outcome: 'changed', version: snapshot.version, sha256: snapshot.sha256 }
}

/**
 * One sync run, in process: every enabled feed (tests, a local first run), or the feeds of one
 * sync-queue message. Throws (after every feed was handled) when storing any outcome failed, so
 * the failure shows in the logs and the queue retries it; upstream trouble is an outcome, not an
 * exception. Running the same scope twice stores nothing new: equal lists are `unchanged`, and a
 * version stored concurrently is detected by recordChanged. With `scope.sliceOver`, a body too
 * large to read in this invocation is returned in `sliced`, its feeds not yet synced
 * (jobs/sliced-sync.ts reads it across invocations).
 */
export async function runSync(
  env: SyncEnv,
  deps: JobDeps = DEFAULT_DEPS,
  scope: SyncScope = {},
): Promise<SyncRunSummary & { readonly sliced: readonly SlicedFetch[] }> {
  const config = readConfig(env)
  const runId = scope.runId ?? crypto.randomUUID()
  const started = deps.now()
  const resolved = resolveFeeds(scope.feeds ?? config.enabledFeeds)
  const feeds = resolved.feeds
  const { result, heldFeeds } = await syncStored(env, deps, config, feeds, scope)
  const summary = await storeRun(
    env,
    deps,
    { runId, started, heldFeeds, requeue: scope.requeue !== false },
    {
      feeds,
      outcomes: result.outcomes,
      cache: result.cache,
      // Unknown ids in ENABLED_FEEDS are reported by the run that resolves them (the cron, or an
      // unscoped run); a message naming a feed no longer in the catalogue reports it too.
      unknown: resolved.unknown,
      unknownKeys: result.unknownKeys,
    },
  )
  return { ...summary, sliced: result.sliced ?? [] }
}

/** Who stores: the run, when it started, the feeds with a held candidate, whether to requeue. */
export interface StoreContext {
  readonly runId: string
  readonly started: number
  readonly heldFeeds: ReadonlySet<string>
  /** Re-enqueue stranded deliveries afterwards (the cron's run, not every message's). */
  readonly requeue: boolean
}

/** What a run stores: its feeds' outcomes, the cache entries of their URLs, what it reports. */
export interface RunResult {
  readonly feeds: readonly FeedDefinition[]
  readonly outcomes: readonly FeedOutcome[]
  readonly cache: Readonly<Record<string, CacheEntry>>
  readonly unknown?: readonly string[]
  readonly unknownKeys?: readonly UnknownKey[]
}

/**
 * Stores a run's outcomes (each feed's check row, a new version and its deliveries, a hold), then
 * the cache entries and the feeds' read pointers; logs the run as one JSON line. Throws (after
 * every feed was handled) when storing any outcome failed.
 */
export async function storeRun(
  env: SyncEnv,
  deps: JobDeps,
  context: StoreContext,
  result: RunResult,
): Promise<SyncRunSummary> {
  const config = readConfig(env)
  const { runId } = context
  const at = new Date(deps.now()).toISOString()
  const durationMs = Math.round(deps.now() - context.started)
  const run: StoreRun = {
    env,
    config,
    heldFeeds: context.heldFeeds,
    base: { runId, at, durationMs },
    lostRace: false,
    enqueued: 0,
  }
  const settled = await Promise.allSettled(result.outcomes.map((o) => storeOutcome(run, o)))
  const checks: CheckRecord[] = settled.map((s, i) =>
    s.status === 'fulfilled'
      ? s.value
      : {
          ...run.base,
          feed: result.outcomes[i]!.feed,
          outcome: 'error',
          reason: `storing the outcome failed: ${String(s.reason).slice(0, 300)}`,
        },
  )
  for (const id of result.unknown ?? [])
    checks.push({
      ...run.base,
      feed: id,
      outcome: 'error',
      reason: `unknown feed id "${id}" in ENABLED_FEEDS`,
    })
  const { lostRace, enqueued } = run
  await recordChecks(env.DB, checks)
  // Validators describe the content this run saw; after a lost race the stored content may be
  // another run's, and a later 304 must not confirm content that was never stored.
  if (!lostRace) await putHttpCache(env.DB, result.cache, at)
  const requeued = await afterStoring(env, deps, context.requeue, result.feeds, config)
  const summary = {
    runId,
    checks,
    enqueued,
    requeued: requeued.status === 'fulfilled' ? requeued.value : 0,
  }
  logEvent('info', {
    event: 'sync',
    runId,
    durationMs,
    outcomes: checks.map((c) => [c.feed, c.outcome, c.guard ?? null]),
    unknownKeys: result.unknownKeys ?? [],
    enqueued,
    requeued: summary.requeued,
  })
  const failures = [...settled, requeued].filter((s) => s.status === 'rejected')
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason as unknown),
      `sync run ${runId}: ${failures.length} failure(s) storing outcomes or re-enqueueing deliveries`,
    )
  }
  return summary
}

/** The guard options the config sets (the rest are the defaults). */
export function guardsOf(config: Config): GuardOptions {
  return {
    ...DEFAULT_GUARD_OPTIONS,
    maxRemovalShare: config.maxRemovalShare,
    maxBodyBytes: config.maxBodyBytes,
    timeoutMs: config.fetchTimeoutMs,
  }
}

/** Syncs the feeds against what D1 holds: their current snapshots and the HTTP cache. */
async function syncStored(
  env: SyncEnv,
  deps: JobDeps,
  config: Config,
  feeds: readonly FeedDefinition[],
  { sliceOver, bodyMemory }: Pick<SyncScope, 'sliceOver' | 'bodyMemory'>,
) {
  const [previous, cache, heldFeeds] = await Promise.all([
    // Only these feeds' rows: the cache entries of other sources are not read, nor written back.
    getCurrentSnapshots(
      env.DB,
      feeds.map((f) => f.id),
    ),
    getHttpCache(env.DB, [...new Set(feeds.flatMap((f) => f.sources.map((s) => s.url)))]),
    getHeldFeeds(env.DB),
  ])
  const result = await syncFeeds(feeds, {
    fetch: deps.fetch,
    now: deps.now,
    previous,
    cache,
    ...(config.upstreamMirror === undefined ? {} : { mirror: config.upstreamMirror }),
    ...(config.githubToken === undefined ? {} : { githubToken: config.githubToken }),
    guards: guardsOf(config),
    ...(sliceOver === undefined ? {} : { sliceOver }),
    ...(bodyMemory === undefined ? {} : { bodyMemory }),
  })
  return { result, heldFeeds }
}

/**
 * After the outcomes are stored: publishes the feeds' read pointers (a failure only delays the
 * next read's view, so it is logged) and re-enqueues stranded deliveries (settled, not thrown).
 */
async function afterStoring(
  env: SyncEnv,
  deps: JobDeps,
  requeue: boolean,
  feeds: readonly FeedDefinition[],
  config: Config,
): Promise<PromiseSettledResult<number>> {
  // The next read sees what was stored (read-cache/read-cache.ts); a failure only delays it.
  await publishFeedPointers(
    { db: env.DB, cache: READ_CACHE, board: env.FEED_HEADS },
    feeds.map((f) => f.id),
    deps.now(),
    config.readCacheTtlSeconds * 1000,
  ).catch((error: unknown) =>
    logEvent('error', { event: 'publish-pointers', error: String(error) }),
  )
  return (requeue ? requeueStranded(env, deps.now()) : Promise.resolve(0)).then(
    (n) => ({ status: 'fulfilled', value: n }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  )
}
