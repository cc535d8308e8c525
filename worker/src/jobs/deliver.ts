/**
 * @module The delivery queue's consumer: one attempt per message, on the backoff schedule of
 * {@link BACKOFF_SECONDS}; transient failures `msg.retry()`, permanent ones `msg.ack()`, and an
 * unexpected error retries the message rather than dropping it. After the last attempt the
 * delivery is marked dead and sent to the dead-letter queue, whose consumer records anything that
 * Queues itself dead-letters (retries exhausted).
 */
import { VERSION } from '../../../shared/src/index.ts'
import { readConfig } from '../config.ts'
import type { Config, ConfigEnv } from '../config.ts'
import { claimAttempt, getDelivery, markDead, recordAttempt } from '../db/deliveries.ts'
import type { Attempt, Delivery } from '../db/deliveries.ts'
import { getChange, getSnapshot } from '../db/snapshots.ts'
import type { StoredChange } from '../db/snapshots.ts'
import { getSubscription } from '../db/subscriptions.ts'
import type { Subscription } from '../db/subscriptions.ts'
import { logEvent } from '../log-event.ts'
import { openSubscriptionSecrets, secretBoxOf } from '../secrets/subscription-secrets.ts'
import type { OpenedSecrets } from '../secrets/subscription-secrets.ts'
import { checkRepository, checkToken } from '../webhooks/check-dispatch-target.ts'
import { checkTargetUrl } from '../webhooks/check-target.ts'
import { webhookHeaders } from '../webhooks/sign-webhook.ts'
import { DEFAULT_DEPS } from './deps.ts'
import type { JobDeps } from './deps.ts'

/** A message on the delivery queue (and the dead-letter queue). */
export interface DeliveryMessage {
  readonly deliveryId: string
}

/**
 * Wait before each attempt, in seconds: attempt 1 immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h, 24 h (the Standard Webhooks example schedule): 10 attempts over about 3.1 days.
 */
export const BACKOFF_SECONDS = [
  0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400,
] as const

/** Queues cap `delaySeconds` at 12 hours; longer waits are re-enqueued until due. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200

/** How long one attempt may take before it counts as a (transient) timeout. */
export const ATTEMPT_TIMEOUT_MS = 15_000

/** The `repository_dispatch` event type the Action's workflows listen for. */
export const DISPATCH_EVENT_TYPE = 'allowlist-feed-changed'

/** The Standard Webhooks `type` of a change event. */
export const WEBHOOK_EVENT_TYPE = 'allowlist.feed.changed'

/** The env the consumer needs. */
export type DeliverEnv = ConfigEnv & {
  readonly DB: D1Database
  readonly DEAD_LETTER_QUEUE: Queue<DeliveryMessage>
}

/** What one attempt's response or error was. */
interface SendResult {
  readonly statusCode: number | null
  readonly error: string | null
  /** Retrying cannot help (a 4xx that will repeat, a refused target). */
  readonly permanent: boolean
}

function isDeliveryMessage(body: unknown): body is DeliveryMessage {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { deliveryId?: unknown }).deliveryId === 'string'
  )
}

function delayUntil(dueMs: number, nowMs: number): number {
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - nowMs) / 1000)))
}

/** The JSON body of a webhook delivery (Standard Webhooks `{type, timestamp, data}`). */
export function webhookPayload(
  change: StoredChange,
  sha256: string | undefined,
  config: Config,
  now: number,
): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    timestamp: new Date(now).toISOString(),
    data: {
      id: change.id,
      feed: change.feed,
      version: change.version,
      previousVersion: change.previousVersion,
      at: change.at,
      ...(sha256 === undefined ? {} : { sha256 }),
      added: change.added,
      removed: change.removed,
      ...(change.confirmedAfterHold === true ? { confirmedAfterHold: true } : {}),
      ...(config.publicUrl === undefined
        ? {}
        : {
            snapshotUrl: `${config.publicUrl}/v1/feeds/${change.feed}/snapshots/${change.version}`,
          }),
    },
  })
}

/**
 * The `repository_dispatch` body: GitHub allows at most 10 top-level `client_payload` keys
 * (and 64 KB), so it carries counts and where to read the lists, not the lists.
 */
export function dispatchPayload(
  change: StoredChange,
  sha256: string | undefined,
  config: Config,
): { event_type: string; client_payload: Record<string, unknown> } {
  return {
    event_type: DISPATCH_EVENT_TYPE,
    client_payload: {
      changeId: change.id,
      feed: change.feed,
      version: change.version,
      previousVersion: change.previousVersion,
      at: change.at,
      sha256: sha256 ?? null,
      added: { ipv4: change.added.ipv4.length, ipv6: change.added.ipv6.length },
      removed: { ipv4: change.removed.ipv4.length, ipv6: change.removed.ipv6.length },
      ...(change.confirmedAfterHold === true ? { confirmedAfterHold: true } : {}),
      ...(config.publicUrl === undefined
        ? {}
        : {
            source: `${config.publicUrl}/v1/feeds/${change.feed}/changes?since=${change.previousVersion}`,
          }),
    },
  }
}

async function send(
  url: string,
  init: RequestInit,
  deps: JobDeps,
  classify: (res: Response) => boolean,
): Promise<SendResult> {
  try {
    const res = await deps.fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    })
    await res.body?.cancel()
    if (res.status >= 200 && res.status < 300) {
      return { statusCode: res.status, error: null, permanent: false }
    }
    const redirect = res.status >= 300 && res.status < 400
    return {
      statusCode: res.status,
      error: redirect
        ? `redirect to "${res.headers.get('location') ?? ''}" not followed`
        : `HTTP ${res.status}`,
      permanent: classify(res),
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : ''
    const text =
      name === 'TimeoutError' ? `timed out after ${ATTEMPT_TIMEOUT_MS} ms` : String(error)
    return { statusCode: null, error: text.slice(0, 300), permanent: false }
  }
}

/** Webhook statuses that will repeat whatever we do: the receiver rejected this payload or is gone. */
const PERMANENT_WEBHOOK = new Set([400, 410, 413, 422])

/** Dispatch statuses that will repeat: bad request, bad token, no such repository. */
const PERMANENT_DISPATCH = new Set([400, 401, 404, 410, 422])

/** Opens the subscription's sealed values; a failure is transient (the key may be restored). */
async function openSecrets(sub: Subscription, config: Config): Promise<OpenedSecrets | SendResult> {
  try {
    return await openSubscriptionSecrets(await secretBoxOf(config), sub)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return {
      statusCode: null,
      error: `cannot open the subscription's secrets: ${reason}`,
      permanent: false,
    }
  }
}

/** Both kinds of request name the sender and its version. */
const USER_AGENT = `allowlist-sync-webhooks/${VERSION}`

/** A Standard Webhooks POST of the change, signed with the current (and a rotating) secret. */
async function sendWebhook(
  sub: Subscription,
  change: StoredChange,
  sha256: string | undefined,
  delivery: Delivery,
  { config, deps, now }: AttemptContext,
): Promise<SendResult> {
  const url = sub.url!
  const refused = checkTargetUrl(url, {
    allowPrivate: config.allowPrivateTargets,
    extraPorts: config.webhookExtraPorts,
  })
  if (refused !== undefined)
    return { statusCode: null, error: `target refused: ${refused}`, permanent: true }
  const opened = await openSecrets(sub, config)
  if ('error' in opened) return opened
  const body = webhookPayload(change, sha256, config, now)
  const secrets = [opened.secret!]
  if (
    opened.previousSecret !== undefined &&
    sub.previousSecretExpiresAt !== undefined &&
    Date.parse(sub.previousSecretExpiresAt) > now
  ) {
    secrets.push(opened.previousSecret)
  }
  // A fresh timestamp per attempt: receivers reject timestamps older than 5 minutes.
  const headers = await webhookHeaders(secrets, delivery.id, Math.floor(now / 1000), body)
  return send(
    url,
    {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body,
    },
    deps,
    (res) => PERMANENT_WEBHOOK.has(res.status) || (res.status >= 300 && res.status < 400),
  )
}

/** A GitHub repository_dispatch of the change, with the subscription's token. */
async function sendDispatch(
  sub: Subscription,
  change: StoredChange,
  sha256: string | undefined,
  { config, deps }: AttemptContext,
): Promise<SendResult> {
  // Checked again here: rows stored before these rules existed, or edited in D1.
  const badRepository = checkRepository(sub.repository!)
  if (badRepository !== undefined) {
    return { statusCode: null, error: `repository refused: ${badRepository}`, permanent: true }
  }
  const opened = await openSecrets(sub, config)
  if ('error' in opened) return opened
  const badToken = checkToken(opened.token!)
  if (badToken !== undefined) {
    return { statusCode: null, error: `token refused: ${badToken}`, permanent: true }
  }
  const [owner, repo] = sub.repository!.split('/')
  return send(
    `${config.githubApiUrl}/repos/${encodeURIComponent(owner!)}/${encodeURIComponent(repo!)}/dispatches`,
    {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${opened.token!}`,
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify(dispatchPayload(change, sha256, config)),
    },
    deps,
    (res) =>
      PERMANENT_DISPATCH.has(res.status) ||
      // 403 is a rate limit when GitHub says so (retry), else a token without access (permanent).
      (res.status === 403 &&
        res.headers.get('x-ratelimit-remaining') !== '0' &&
        res.headers.get('retry-after') === null) ||
      (res.status >= 300 && res.status < 400),
  )
}

interface AttemptContext {
  readonly config: Config
  readonly deps: JobDeps
  readonly now: number
}

async function attemptDelivery(
  db: D1Database,
  sub: Subscription,
  change: StoredChange,
  delivery: Delivery,
  ctx: AttemptContext,
): Promise<SendResult> {
  const sha256 = (await getSnapshot(db, change.feed, change.version))?.sha256
  return sub.kind === 'webhook'
    ? sendWebhook(sub, change, sha256, delivery, ctx)
    : sendDispatch(sub, change, sha256, ctx)
}

/**
 * Records an attempt's result and settles the message: delivered and failed are final, a
 * retryable error waits the next backoff step, or goes dead (and to the DLQ) after the last.
 */
async function settleAttempt(
  msg: Message<unknown>,
  env: DeliverEnv,
  deliveryId: string,
  result: SendResult,
  base: Omit<Attempt, 'outcome'>,
  now: number,
): Promise<void> {
  const wait = BACKOFF_SECONDS[base.attempt]
  if (result.error === null || result.permanent || wait === undefined) {
    const outcome = result.error === null ? 'delivered' : result.permanent ? 'failed' : 'dead'
    await recordAttempt(env.DB, deliveryId, { ...base, outcome }, outcome, undefined)
    if (outcome === 'dead') await env.DEAD_LETTER_QUEUE.send({ deliveryId })
    msg.ack()
    return
  }
  const next = now + wait * 1000
  await recordAttempt(
    env.DB,
    deliveryId,
    { ...base, outcome: 'retry' },
    'pending',
    new Date(next).toISOString(),
  )
  msg.retry({ delaySeconds: delayUntil(next, now) })
}

/** Handles one message; settles it with exactly one of ack() or retry(). */
export async function deliverOne(
  msg: Message<unknown>,
  env: DeliverEnv,
  deps: JobDeps = DEFAULT_DEPS,
): Promise<void> {
  if (!isDeliveryMessage(msg.body)) {
    logEvent('error', { event: 'delivery-malformed', messageId: msg.id })
    msg.ack()
    return
  }
  const config = readConfig(env)
  const { deliveryId } = msg.body
  const now = deps.now()
  const nowIso = new Date(now).toISOString()
  const delivery = await getDelivery(env.DB, deliveryId)
  // Gone (subscription deleted) or finished: nothing to do, ever.
  if (delivery === undefined || delivery.status !== 'pending') {
    msg.ack()
    return
  }
  if (delivery.nextAttemptAt !== undefined && Date.parse(delivery.nextAttemptAt) > now) {
    msg.retry({ delaySeconds: delayUntil(Date.parse(delivery.nextAttemptAt), now) })
    return
  }
  const attempt = await claimAttempt(env.DB, deliveryId, delivery.attempts, nowIso)
  if (attempt === undefined) {
    // Another consumer claimed this attempt (the queue delivers at least once).
    msg.ack()
    return
  }
  const [sub, change] = await Promise.all([
    getSubscription(env.DB, delivery.subscriptionId),
    getChange(env.DB, delivery.changeId),
  ])
  if (sub === undefined || change === undefined) {
    msg.ack()
    return
  }
  const started = deps.now()
  const result = await attemptDelivery(env.DB, sub, change, delivery, { config, deps, now })
  const durationMs = Math.max(0, Math.round(deps.now() - started))
  const base = {
    attempt,
    at: nowIso,
    statusCode: result.statusCode,
    error: result.error,
    durationMs,
  }
  await settleAttempt(msg, env, deliveryId, result, base, now)
}

/** The delivery queue's batch handler: each message settles on its own. */
export async function consumeDeliveries(
  batch: MessageBatch<unknown>,
  env: DeliverEnv,
  deps: JobDeps = DEFAULT_DEPS,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await deliverOne(msg, env, deps)
      } catch (error) {
        // D1 or the queue failed: not the subscriber's fault and not permanent. Retry the message.
        logEvent('error', { event: 'delivery-error', messageId: msg.id, error: String(error) })
        msg.retry({ delaySeconds: 30 })
      }
    }),
  )
}

/** The dead-letter queue's batch handler: records deliveries that Queues gave up on. */
export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  env: DeliverEnv,
  deps: JobDeps = DEFAULT_DEPS,
): Promise<void> {
  const nowIso = new Date(deps.now()).toISOString()
  await Promise.all(
    batch.messages.map(async (msg) => {
      if (!isDeliveryMessage(msg.body)) {
        msg.ack()
        return
      }
      try {
        await markDead(
          env.DB,
          msg.body.deliveryId,
          nowIso,
          'dead-lettered: queue retries exhausted',
        )
        logEvent('error', { event: 'delivery-dead', deliveryId: msg.body.deliveryId })
        msg.ack()
      } catch (error) {
        logEvent('error', { event: 'dead-letter-error', error: String(error) })
        msg.retry()
      }
    }),
  )
}
