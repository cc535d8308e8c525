/**
 * @module The sync fan-out: the cron enqueues one message per upstream source (the feeds that
 * share an upstream URL travel together, so each URL is still fetched once), and each message is
 * one queue invocation that fetches, guards, diffs and stores those feeds (jobs/scheduled.ts).
 * A failed message is retried by the queue (wrangler.toml: the sync consumer's max_retries),
 * then dead-lettered, where it is logged and its feeds get an `error` check. Delivery is at least
 * once: a duplicate message stores nothing new (scheduled.ts: equal lists are unchanged, no
 * version, no change).
 */
import { readConfig } from '../config.ts'
import { recordChecks } from '../db/checks.ts'
import { logEvent } from '../log-event.ts'
import { DEFAULT_DEPS } from './deps.ts'
import type { JobDeps } from './deps.ts'
import { BODY_MEMORY } from './body-memory.ts'
import { resolveFeeds, runSync } from './scheduled.ts'
import { SLICE_OVER_BYTES } from './slice-sizes.ts'
import { runSliceStep, startSliced } from './sliced-sync.ts'
import type { ConsumerEnv, FanoutEnv, SliceStep, SyncMessage } from './sync-messages.ts'
import { sourceGroups } from './source-groups.ts'

export type { ConsumerEnv, FanoutEnv, SyncMessage } from './sync-messages.ts'

/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH_MAX = 100

/**
 * Enqueues one sync message per upstream source of the enabled feeds. Unknown ids in
 * ENABLED_FEEDS are returned (the cron records them), not sent.
 */
export async function enqueueSyncs(
  env: FanoutEnv,
  runId: string,
): Promise<{ messages: number; feeds: number; unknown: string[] }> {
  const { feeds, unknown } = resolveFeeds(readConfig(env).enabledFeeds)
  const groups = sourceGroups(feeds)
  for (let i = 0; i < groups.length; i += SEND_BATCH_MAX) {
    await env.SYNC_QUEUE.sendBatch(
      groups.slice(i, i + SEND_BATCH_MAX).map((group) => ({ body: { runId, feeds: group } })),
    )
  }
  return { messages: groups.length, feeds: feeds.length, unknown }
}

/** A message body as received: untrusted until checked (a queue can hold older shapes). */
function isSyncMessage(body: unknown): body is SyncMessage {
  if (typeof body !== 'object' || body === null) return false
  const { runId, feeds, step } = body as Record<string, unknown>
  return (
    typeof runId === 'string' &&
    Array.isArray(feeds) &&
    feeds.length > 0 &&
    feeds.every((f) => typeof f === 'string') &&
    (step === undefined || isSliceStep(step, feeds.length))
  )
}

/** A step's shape, as far as running it relies on (its values come from this worker). */
function isSliceStep(step: unknown, feeds: number): step is SliceStep {
  if (typeof step !== 'object' || step === null) return false
  const { kind, body, slice, state, slices, keys, feed, judged } = step as Record<string, unknown>
  const ref = body as Record<string, unknown> | null
  if (typeof ref !== 'object' || ref === null) return false
  if (typeof ref.url !== 'string' || typeof ref.sha256 !== 'string') return false
  if (!Number.isInteger(ref.size) || (ref.size as number) < 0) return false
  if (kind === 'read') return Number.isInteger(slice) && typeof state === 'object' && state !== null
  return (
    kind === 'judge' &&
    Number.isInteger(slices) &&
    Array.isArray(keys) &&
    Number.isInteger(feed) &&
    (feed as number) >= 0 &&
    (feed as number) < feeds &&
    Array.isArray(judged)
  )
}

/**
 * The sync queue's consumer: each message syncs its feeds; a message whose storing failed is
 * retried (the queue's backoff), a malformed one is logged and acknowledged (retrying cannot fix
 * it).
 */
export async function consumeSyncs(
  batch: MessageBatch<unknown>,
  env: ConsumerEnv,
  deps: JobDeps = DEFAULT_DEPS,
): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body
    if (!isSyncMessage(body)) {
      logEvent('error', {
        event: 'sync-message-malformed',
        id: message.id,
        body: JSON.stringify(body)?.slice(0, 300) ?? String(body),
      })
      message.ack()
      continue
    }
    try {
      await consumeOne(env, deps, body)
      message.ack()
    } catch (error) {
      logEvent('error', {
        event: 'sync-message-failed',
        runId: body.runId,
        feeds: body.feeds,
        attempts: message.attempts,
        error: String(error).slice(0, 500),
      })
      message.retry()
    }
  }
}

/** Runs one message: a source's sync, whose large body starts a chain of steps; or a step. */
async function consumeOne(env: ConsumerEnv, deps: JobDeps, body: SyncMessage): Promise<void> {
  const sliced = env.SLICED_BODIES
  if (body.step !== undefined) {
    // A chain is only started with SLICED_BODIES bound; a step without it cannot run.
    if (sliced === undefined) throw new Error('a sliced step, and SLICED_BODIES is not bound')
    const { feeds, unknown } = resolveFeeds(body.feeds)
    // A feed gone from the catalogue since the chain started: the next cron starts a new one.
    if (unknown.length > 0) {
      logEvent('error', { event: 'sliced-step-dropped', runId: body.runId, unknown })
      return
    }
    await runSliceStep({ ...env, SLICED_BODIES: sliced }, deps, { ...body, step: body.step }, feeds)
    return
  }
  // The bodies are read into the isolate's kept memory, given back once the sliced ones are in KV.
  const bodyMemory = BODY_MEMORY.lend()
  try {
    const run = await runSync(env, deps, {
      feeds: body.feeds,
      runId: body.runId,
      requeue: false,
      ...(sliced === undefined ? {} : { sliceOver: SLICE_OVER_BYTES }),
      bodyMemory,
    })
    for (const fetched of run.sliced)
      await startSliced({ ...env, SLICED_BODIES: sliced! }, body.runId, fetched)
  } finally {
    bodyMemory.giveBack()
  }
}

/**
 * The sync dead-letter queue's consumer: every message there gave up retrying (the sync threw, or
 * its invocation died: over its CPU or memory limit). Each is logged, and each of its feeds still
 * in the catalogue gets an `error` check saying so, so the status page and `GET /v1/feeds` show
 * the feed failing, since then, instead of the last outcome its dead syncs never replaced.
 */
export async function consumeSyncDeadLetters(
  batch: MessageBatch<unknown>,
  env: { readonly DB: D1Database },
): Promise<void> {
  for (const message of batch.messages) {
    logEvent('error', {
      event: 'sync-dead-letter',
      id: message.id,
      body: JSON.stringify(message.body)?.slice(0, 300) ?? String(message.body),
    })
    const body = message.body
    if (isSyncMessage(body)) {
      const what = body.step === undefined ? 'its sync' : `its ${body.step.kind} step`
      // A judge step's chain stops there: the feeds before it were judged, and keep their outcome.
      const ids = body.step?.kind === 'judge' ? body.feeds.slice(body.step.feed) : body.feeds
      const at = new Date().toISOString()
      await recordChecks(
        env.DB,
        resolveFeeds(ids).feeds.map((f) => ({
          runId: body.runId,
          feed: f.id,
          at,
          outcome: 'error' as const,
          reason: `${what} gave up retrying and was dead-lettered: each attempt threw, or its invocation died (over its CPU or memory limit); see sync-message-failed in the logs`,
          durationMs: 0,
        })),
      )
    }
    message.ack()
  }
}
