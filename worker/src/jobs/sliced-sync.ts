/**
 * @module A body too large to read within one invocation's CPU (AWS's ip-ranges.json, Azure's
 * service tags; shared/src/feeds/sliced.ts), read across sync-queue messages, one invocation
 * each, chained: the sync message that fetched it stores the body in KV, in pieces (binary: no
 * D1 value holds 2 MB, and a D1 BLOB travels as an array of numbers) and sends the first `read`
 * step; each read step loads the pieces its slice lies in (slice-window.ts), reads one slice
 * (SLICE_BYTES) and stores each feed's part in D1, then sends the next; after the last slice one
 * `judge` step per feed judges it from its parts and stores its outcome, the last one also the
 * URL's cache entry, then deletes the body and its parts.
 * A step that fails is retried by the queue. A duplicate chain (at-least-once delivery) writes
 * the same rows; once one chain has finished, the other finds the parts gone and stops.
 */
import {
  cacheEntryAfter,
  FIRST_SLICE,
  judgeSlicedFeed,
  slicedAnswer,
  summarise,
  topLevel,
  type FeedDefinition,
  type SlicedFetch,
} from '../../../shared/src/index.ts'
import { refusal } from '../../../shared/src/feeds/guard.ts'
import { readConfig } from '../config.ts'
import { getHttpCache } from '../db/http-cache.ts'
import { getHeldFeeds } from '../db/held.ts'
import { deleteSlices, getFeedSlices, getSliceTops, putSlice } from '../db/sliced-parts.ts'
import { getCurrentSnapshots } from '../db/snapshots.ts'
import { logEvent } from '../log-event.ts'
import { BODY_MEMORY } from './body-memory.ts'
import type { JobDeps } from './deps.ts'
import { guardsOf, storeRun, type RunResult } from './scheduled.ts'
import { PIECE_BYTES } from './slice-sizes.ts'
import { pieceCount, readPieces } from './slice-window.ts'
import type { FanoutEnv, JudgedFeed, SliceStep, SlicedRef, SyncMessage } from './sync-messages.ts'

/** The env of the sliced steps: the fan-out's, and the KV namespace the bodies wait in. */
export type SlicedEnv = FanoutEnv & { readonly SLICED_BODIES: KVNamespace }

/** How long a stored body may wait for its steps (KV deletes it then). */
const BODY_TTL_SECONDS = 24 * 60 * 60

/** The KV key of a body's piece; the D1 key of its parts adds its URL (the feeds reading it). */
const pieceKey = (ref: SlicedRef, piece: number) => `sliced/${ref.sha256}/${piece}`
const pieces = (ref: SlicedRef) => Array.from({ length: pieceCount(ref.size) }, (_, i) => i)
const partsKey = (ref: SlicedRef) => `${ref.url} ${ref.sha256}`

/** Stores a body the sync handed over and sends the first step that reads it. */
export async function startSliced(
  env: SlicedEnv,
  runId: string,
  fetched: SlicedFetch,
): Promise<void> {
  const { bytes, feeds, ...fetch } = fetched
  const body = { ...fetch, size: bytes.length }
  await Promise.all(
    pieces(body).map((i) =>
      env.SLICED_BODIES.put(
        pieceKey(body, i),
        bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES),
        { expirationTtl: BODY_TTL_SECONDS },
      ),
    ),
  )
  await env.SYNC_QUEUE.send({
    runId,
    feeds,
    step: { kind: 'read', body, slice: 0, state: FIRST_SLICE },
  })
}

/** Runs one step (the message's), and sends the next. Throws for the queue to retry it. */
export async function runSliceStep(
  env: SlicedEnv,
  deps: JobDeps,
  message: SyncMessage & { readonly step: SliceStep },
  feeds: readonly FeedDefinition[],
): Promise<void> {
  const { step } = message
  if (step.kind === 'read') await readStep(env, deps, message, step, feeds)
  else await judgeStep(env, deps, message, step, feeds)
}

async function readStep(
  env: SlicedEnv,
  deps: JobDeps,
  message: SyncMessage,
  step: Extract<SliceStep, { kind: 'read' }>,
  feeds: readonly FeedDefinition[],
): Promise<void> {
  const { body } = step
  const memory = BODY_MEMORY.lend()
  const read = await readPieces(
    feeds,
    step.state,
    body.size,
    async (i) => {
      const piece = await env.SLICED_BODIES.get(pieceKey(body, i), 'arrayBuffer')
      return piece === null ? null : new Uint8Array(piece)
    },
    memory,
  ).finally(() => memory.giveBack())
  if (read === null) {
    // Judged already by a duplicate chain (its cache entry names the body), or not yet visible
    // here (KV is eventually consistent): then the queue retries.
    const cached = await getHttpCache(env.DB, [body.url])
    if (cached[body.url]?.body?.sha256 === body.sha256) return stopped(message, 'body judged')
    throw new Error(`the body ${body.sha256} of ${body.url} is not (all) in SLICED_BODIES`)
  }
  if ('guard' in read) {
    // Not JSON: every feed refused, as the whole-body sync refuses it.
    const previous = await getCurrentSnapshots(
      env.DB,
      feeds.map((f) => f.id),
    )
    const reason = `${feeds[0]!.sources[0]!.url}: ${read.reason}`
    const outcomes = feeds.map((f) => refusal(f.id, read.guard, reason, previous[f.id]))
    await finish(env, deps, message, body, feeds, {
      feeds,
      outcomes,
      cache: {},
      judged: outcomes.map((o) => ({ summary: summarise(o) })),
    })
    return
  }
  await putSlice(env.DB, partsKey(body), step.slice, read, new Date(deps.now()).toISOString())
  const next: SliceStep = read.next.done
    ? { kind: 'judge', body, slices: step.slice + 1, keys: read.next.keys, feed: 0, judged: [] }
    : { kind: 'read', body, slice: step.slice + 1, state: read.next }
  await env.SYNC_QUEUE.send({ runId: message.runId, feeds: message.feeds, step: next })
}

async function judgeStep(
  env: SlicedEnv,
  deps: JobDeps,
  message: SyncMessage,
  step: Extract<SliceStep, { kind: 'judge' }>,
  feeds: readonly FeedDefinition[],
): Promise<void> {
  const { body } = step
  const feed = feeds[step.feed]!
  const key = partsKey(body)
  const [tops, parts, previous, cache] = await Promise.all([
    getSliceTops(env.DB, key),
    getFeedSlices(env.DB, key, feed.id),
    getCurrentSnapshots(env.DB, [feed.id]),
    getHttpCache(env.DB, [body.url]),
  ])
  // A duplicate chain finished first and deleted the parts: it judged every feed.
  if (tops.length !== step.slices) return stopped(message, 'parts deleted')
  const { outcome, entriesHash } = await judgeSlicedFeed(
    feed,
    parts,
    { fetch: body, keys: step.keys, ...topLevel(tops) },
    previous[feed.id],
    {
      guards: guardsOf(readConfig(env)),
      cache,
    },
  )
  const judged = [
    ...step.judged,
    { summary: summarise(outcome), ...(entriesHash === undefined ? {} : { entriesHash }) },
  ]
  const result = { feeds: [feed], outcomes: [outcome], cache: {}, judged }
  if (step.feed === feeds.length - 1) {
    await finish(env, deps, message, body, feeds, { ...result, cache })
    return
  }
  await storeRun(env, deps, await storeContext(env, deps, message), result)
  await env.SYNC_QUEUE.send({
    runId: message.runId,
    feeds: message.feeds,
    step: { ...step, feed: step.feed + 1, judged },
  })
}

/**
 * Stores the last outcomes with the URL's cache entry (made of every feed's), then deletes the
 * body and its parts.
 */
async function finish(
  env: SlicedEnv,
  deps: JobDeps,
  message: SyncMessage,
  body: SlicedRef,
  feeds: readonly FeedDefinition[],
  result: RunResult & { readonly judged: readonly JudgedFeed[] },
): Promise<void> {
  const hashes = new Map<string, string>()
  for (const j of result.judged)
    if (j.entriesHash !== undefined) hashes.set(j.summary.feed, j.entriesHash)
  const entry = cacheEntryAfter(
    slicedAnswer(body),
    feeds,
    result.judged.map((j) => j.summary),
    result.cache[body.url],
    hashes,
  )
  await storeRun(env, deps, await storeContext(env, deps, message), {
    feeds: result.feeds,
    outcomes: result.outcomes,
    // None after a hold or a refusal that depends on more than the body: the old one stays.
    cache: entry === undefined ? {} : { [body.url]: entry },
  })
  await Promise.all([
    deleteSlices(env.DB, { body: partsKey(body) }),
    ...pieces(body).map((i) => env.SLICED_BODIES.delete(pieceKey(body, i))),
  ])
}

async function storeContext(env: SlicedEnv, deps: JobDeps, message: SyncMessage) {
  return {
    runId: message.runId,
    started: deps.now(),
    heldFeeds: await getHeldFeeds(env.DB),
    requeue: false,
  }
}

function stopped(message: SyncMessage, why: string): void {
  logEvent('info', { event: 'sliced-step-stopped', runId: message.runId, why })
}
