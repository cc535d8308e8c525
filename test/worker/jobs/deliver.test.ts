/**
 * Tests worker/src/jobs/deliver.ts inside workerd: signed webhooks checked by an independent
 * implementation (the `standardwebhooks` package), the backoff schedule, the 12-hour queue delay
 * cap, dead-lettering, idempotency, secret rotation, SSRF at delivery time, the GitHub
 * repository_dispatch request, and one delivery through the real queue and consumer.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { Webhook } from 'standardwebhooks'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  BACKOFF_SECONDS,
  consumeDeadLetters,
  consumeDeliveries,
  DISPATCH_EVENT_TYPE,
  MAX_QUEUE_DELAY_SECONDS,
  WEBHOOK_EVENT_TYPE,
} from '../../../worker/src/jobs/deliver.ts'
import type { DeliveryMessage } from '../../../worker/src/jobs/deliver.ts'
import worker from '../../../worker/src/index.ts'
import { VERSION } from '../../../shared/src/index.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  newReceiver,
  publishCloudflare,
  received,
  waitFor,
} from '../support/harness.ts'
import type { TestMirror, TestReceiver } from '../support/harness.ts'

const AUTH = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }

beforeEach(clearHistory)

async function subscribe(body: Record<string, unknown>): Promise<{ id: string; secret?: string }> {
  const res = await call('/v1/subscriptions', {
    method: 'POST',
    headers: AUTH,
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(201)
  return res.json()
}

/** Runs a sync that records its queue messages instead of sending them; returns them. */
async function syncCapturing(
  mirror: TestMirror,
  overrides: Record<string, string> = {},
): Promise<DeliveryMessage[]> {
  const sent: DeliveryMessage[] = []
  const queue = {
    send: (body: DeliveryMessage) => Promise.resolve(void sent.push(body)),
    sendBatch: (batch: Iterable<MessageSendRequest<DeliveryMessage>>) =>
      Promise.resolve(void sent.push(...[...batch].map((m) => m.body))),
  } as unknown as Queue<DeliveryMessage>
  await runSync({
    ...envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge', ...overrides }),
    DELIVERY_QUEUE: queue,
  })
  return sent
}

interface DeadLetters {
  queue: Queue<DeliveryMessage>
  sent: DeliveryMessage[]
}

function deadLetters(): DeadLetters {
  const sent: DeliveryMessage[] = []
  return {
    sent,
    queue: {
      send: (body: DeliveryMessage) => Promise.resolve(void sent.push(body)),
    } as unknown as Queue<DeliveryMessage>,
  }
}

let messageNo = 0

/**
 * The plugin's test batch records that retry() was called but not its options (getQueueResult
 * reports no delaySeconds), so the delays are captured here, from the consumer's own calls.
 */
function spyRetryDelays(batch: MessageBatch<DeliveryMessage>): (number | undefined)[] {
  const delays: (number | undefined)[] = []
  for (const msg of batch.messages) {
    const retry = msg.retry.bind(msg)
    msg.retry = (options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds)
      retry(options)
    }
  }
  return delays
}

/** Delivers one message at `now` through the consumer; returns what it did with it. */
async function consumeAt(
  message: DeliveryMessage,
  now: number,
  overrides: Record<string, string> = {},
  dlq: DeadLetters = deadLetters(),
): Promise<{ acked: boolean; retryDelay: number | undefined }> {
  const batch = createMessageBatch<DeliveryMessage>('allowlist-sync-deliveries', [
    { id: `m${++messageNo}`, timestamp: new Date(now), attempts: 1, body: message },
  ])
  const delays = spyRetryDelays(batch)
  const ctx = createExecutionContext()
  await consumeDeliveries(
    batch,
    { ...envWith(overrides), DEAD_LETTER_QUEUE: dlq.queue },
    { fetch: (i, init) => fetch(i, init), now: () => now },
  )
  const result = await getQueueResult(batch, ctx)
  expect(result.explicitAcks.length + result.retryMessages.length).toBe(1)
  return {
    acked: result.explicitAcks.length === 1,
    retryDelay: result.retryMessages.length === 1 ? delays[0] : undefined,
  }
}

async function deliveriesOf(subscription: string): Promise<
  {
    id: string
    changeId: string
    status: string
    nextAttemptAt: string | null
    attempts: {
      attempt: number
      outcome: string
      statusCode: number | null
      error: string | null
    }[]
  }[]
> {
  const res = await call(`/v1/subscriptions/${subscription}/deliveries`, { headers: AUTH })
  expect(res.status).toBe(200)
  return (await res.json<{ deliveries: never[] }>()).deliveries
}

async function setup(statuses: number[] = []): Promise<{
  receiver: TestReceiver
  mirror: TestMirror
  sub: { id: string; secret?: string }
  messages: DeliveryMessage[]
}> {
  const receiver = await newReceiver(statuses)
  const sub = await subscribe({
    kind: 'webhook',
    url: `${receiver.url}/hook`,
    feeds: ['cloudflare/edge'],
  })
  const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
  const messages = await syncCapturing(mirror)
  expect(messages).toHaveLength(1)
  return { receiver, mirror, sub, messages }
}

describe('webhook deliveries', () => {
  it('sends a Standard Webhooks request that the standardwebhooks package verifies', async () => {
    const { receiver, sub, messages } = await setup()
    expect(await consumeAt(messages[0]!, Date.now())).toEqual({
      acked: true,
      retryDelay: undefined,
    })
    const [request, ...more] = await received(receiver)
    expect(more).toHaveLength(0)
    expect(request).toMatchObject({ method: 'POST', path: '/hook' })
    expect(request!.headers['content-type']).toBe('application/json')
    expect(request!.headers['user-agent']).toBe(`allowlist-sync-webhooks/${VERSION}`)
    expect(request!.headers['webhook-id']).toBe(messages[0]!.deliveryId)
    const payload = new Webhook(sub.secret!).verify(request!.body, request!.headers) as Record<
      string,
      unknown
    >
    expect(payload).toEqual({
      type: WEBHOOK_EVENT_TYPE,
      timestamp: expect.any(String) as string,
      data: {
        id: 'cloudflare/edge@1',
        feed: 'cloudflare/edge',
        version: 1,
        previousVersion: 0,
        at: expect.any(String) as string,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        added: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/48'] },
        removed: { ipv4: [], ipv6: [] },
      },
    })
    // A tampered body or another secret fails verification.
    expect(() =>
      new Webhook(sub.secret!).verify(
        request!.body.replace('11.0.2.0', '11.0.2.1'),
        request!.headers,
      ),
    ).toThrow()
    expect(() =>
      new Webhook('whsec_' + btoa('another secret of 32 bytes......')).verify(
        request!.body,
        request!.headers,
      ),
    ).toThrow()
    const [delivery] = await deliveriesOf(sub.id)
    expect(delivery).toMatchObject({
      changeId: 'cloudflare/edge@1',
      status: 'delivered',
      nextAttemptAt: null,
    })
    expect(delivery!.attempts).toEqual([
      {
        attempt: 1,
        at: expect.any(String) as string,
        outcome: 'delivered',
        statusCode: 200,
        error: null,
        durationMs: expect.any(Number) as number,
      },
    ])
  })

  it('retries on the documented schedule, re-enqueues waits over 12 h, and dead-letters after the last attempt', async () => {
    const { receiver, sub, messages } = await setup(Array<number>(BACKOFF_SECONDS.length).fill(500))
    const dlq = deadLetters()
    const start = Date.now()
    let now = start
    const delays: number[] = []
    for (let i = 0; i < 40; i++) {
      const { acked, retryDelay } = await consumeAt(messages[0]!, now, {}, dlq)
      if (acked) break
      delays.push(retryDelay!)
      expect(retryDelay).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS)
      now += retryDelay! * 1000
    }
    const requests = await received(receiver)
    expect(requests).toHaveLength(BACKOFF_SECONDS.length)
    // The receiver's own view: each attempt carries a fresh webhook-timestamp (receivers reject
    // ones older than 5 minutes), and the gaps between attempts are the schedule.
    const stamps = requests.map((r) => Number(r.headers['webhook-timestamp']))
    expect(stamps.slice(1).map((t, i) => t - stamps[i]!)).toEqual(BACKOFF_SECONDS.slice(1))
    expect(stamps[0]).toBe(Math.floor(start / 1000))
    // Waits of 14 h, 20 h and 24 h do not fit one queue delay: 12 h, then the rest.
    expect(delays).toEqual([
      5, 300, 1800, 7200, 18_000, 36_000, 43_200, 7200, 43_200, 28_800, 43_200, 43_200,
    ])
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([messages[0]!.deliveryId]),
    )
    expect(dlq.sent).toEqual([{ deliveryId: messages[0]!.deliveryId }])
    const [delivery] = await deliveriesOf(sub.id)
    expect(delivery!.status).toBe('dead')
    expect(delivery!.attempts.map((a) => a.outcome)).toEqual([
      ...Array<string>(9).fill('retry'),
      'dead',
    ])
    expect(delivery!.attempts.every((a) => a.statusCode === 500 && a.error === 'HTTP 500')).toBe(
      true,
    )
    // Later copies of the message (at-least-once) change nothing.
    expect(await consumeAt(messages[0]!, now + 86_400_000, {}, dlq)).toEqual({
      acked: true,
      retryDelay: undefined,
    })
    expect(await received(receiver)).toHaveLength(BACKOFF_SECONDS.length)
  })

  it('retries transient failures (503, 429, timeouts) and acks permanent ones (410) without retrying', async () => {
    const { receiver, sub, messages } = await setup([503, 429, 410])
    const t0 = Date.now()
    expect(await consumeAt(messages[0]!, t0)).toEqual({ acked: false, retryDelay: 5 })
    // Not due yet: re-enqueued for the rest of the wait, nothing sent.
    expect(await consumeAt(messages[0]!, t0 + 2000)).toEqual({ acked: false, retryDelay: 3 })
    expect(await received(receiver)).toHaveLength(1)
    expect(await consumeAt(messages[0]!, t0 + 5000)).toEqual({ acked: false, retryDelay: 300 })
    expect(await consumeAt(messages[0]!, t0 + 305_000)).toEqual({
      acked: true,
      retryDelay: undefined,
    })
    const [delivery] = await deliveriesOf(sub.id)
    expect(delivery!.status).toBe('failed')
    expect(delivery!.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['retry', 503],
      ['retry', 429],
      ['failed', 410],
    ])
  })

  it('is idempotent: duplicate and concurrent copies of a message send once', async () => {
    const { receiver, messages } = await setup()
    const now = Date.now()
    const results = await Promise.all([
      consumeAt(messages[0]!, now),
      consumeAt(messages[0]!, now),
      consumeAt(messages[0]!, now),
    ])
    expect(results.every((r) => r.acked)).toBe(true)
    await consumeAt(messages[0]!, now + 1000)
    expect(await received(receiver)).toHaveLength(1)
  })

  it('signs with both secrets during a rotation overlap, then only with the new one', async () => {
    const { receiver, sub, mirror } = await setup()
    const rotated = await (
      await call(`/v1/subscriptions/${sub.id}/rotate-secret`, { method: 'POST', headers: AUTH })
    ).json<{ secret: string; previousSecretExpiresAt: string }>()
    await publishCloudflare(mirror, ['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
    const [during] = await syncCapturing(mirror)
    await consumeAt(during!, Date.now())
    const request = (await received(receiver)).at(-1)!
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2)
    expect(new Webhook(rotated.secret).verify(request.body, request.headers)).toMatchObject({
      data: { version: 2 },
    })
    expect(new Webhook(sub.secret!).verify(request.body, request.headers)).toMatchObject({
      data: { version: 2 },
    })
    await publishCloudflare(mirror, ['11.0.2.0/24'], ['2a0b:db8::/48'])
    const [after] = await syncCapturing(mirror)
    await consumeAt(after!, Date.parse(rotated.previousSecretExpiresAt) + 1000)
    const late = (await received(receiver)).at(-1)!
    expect(late.headers['webhook-signature']!.split(' ')).toHaveLength(1)
  })

  it('refuses a private target at delivery time once the operator disallows them', async () => {
    const { receiver, sub, messages } = await setup()
    expect(
      await consumeAt(messages[0]!, Date.now(), { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' }),
    ).toEqual({ acked: true, retryDelay: undefined })
    expect(await received(receiver)).toHaveLength(0)
    const [delivery] = await deliveriesOf(sub.id)
    expect(delivery!.status).toBe('failed')
    expect(delivery!.attempts[0]!.error).toMatch(
      /^target refused: 127\.0\.0\.1 is in 127\.0\.0\.0\/8: loopback/,
    )
  })

  it('acks messages whose subscription was deleted, and malformed messages', async () => {
    const { receiver, sub, messages } = await setup()
    expect(
      (await call(`/v1/subscriptions/${sub.id}`, { method: 'DELETE', headers: AUTH })).status,
    ).toBe(204)
    expect(await consumeAt(messages[0]!, Date.now())).toEqual({
      acked: true,
      retryDelay: undefined,
    })
    expect(await consumeAt({ nonsense: true } as unknown as DeliveryMessage, Date.now())).toEqual({
      acked: true,
      retryDelay: undefined,
    })
    expect(await received(receiver)).toHaveLength(0)
  })

  it('retries (never acks) when its own storage fails', async () => {
    const batch = createMessageBatch<DeliveryMessage>('allowlist-sync-deliveries', [
      { id: 'broken', timestamp: new Date(), attempts: 1, body: { deliveryId: 'msg_x' } },
    ])
    const delays = spyRetryDelays(batch)
    const ctx = createExecutionContext()
    const brokenDb = {
      prepare: () => {
        throw new Error('D1 is down')
      },
    } as unknown as D1Database
    await consumeDeliveries(batch, {
      ...envWith({}),
      DB: brokenDb,
      DEAD_LETTER_QUEUE: deadLetters().queue,
    })
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages).toEqual([{ msgId: 'broken' }])
    expect(delays).toEqual([30])
  })

  it('records deliveries that Queues dead-lettered (retries exhausted) as dead', async () => {
    const { sub, messages } = await setup()
    const batch = createMessageBatch<DeliveryMessage>('allowlist-sync-deliveries-dlq', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: messages[0]! },
    ])
    const ctx = createExecutionContext()
    await consumeDeadLetters(batch, envWith({}))
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d1'])
    const [delivery] = await deliveriesOf(sub.id)
    expect(delivery!.status).toBe('dead')
    expect(delivery!.attempts.at(-1)).toMatchObject({
      outcome: 'dead',
      error: 'dead-lettered: queue retries exhausted',
    })
  })
})

describe('the exported queue() handler', () => {
  it('routes the dead-letter queue to the dead-letter consumer and the other to deliveries', async () => {
    const { receiver, sub, messages } = await setup()
    const dead = createMessageBatch<DeliveryMessage>('allowlist-sync-deliveries-dlq', [
      { id: 'd', timestamp: new Date(), attempts: 1, body: messages[0]! },
    ])
    await worker.queue(dead, envWith({}))
    expect((await deliveriesOf(sub.id))[0]!.status).toBe('dead')
    // A dead delivery is never attempted again, whichever queue brings it.
    const live = createMessageBatch<DeliveryMessage>('allowlist-sync-deliveries', [
      { id: 'l', timestamp: new Date(), attempts: 1, body: messages[0]! },
    ])
    const ctx = createExecutionContext()
    await worker.queue(live, envWith({}))
    expect((await getQueueResult(live, ctx)).explicitAcks).toEqual(['l'])
    expect(await received(receiver)).toHaveLength(0)
  })
})

describe('github-dispatch deliveries', () => {
  it('sends POST /repos/{owner}/{repo}/dispatches with the token and at most 10 payload keys', async () => {
    const github = await newReceiver()
    await subscribe({
      kind: 'github-dispatch',
      repository: 'octo-org/fw-config',
      token: 'ghs_dispatchtoken',
      feeds: ['*'],
    })
    const mirror = await cloudflareMirror(
      ['11.0.2.0/24', '12.51.100.0/24', '13.0.113.0/25'],
      ['2a0b:db8::/48'],
    )
    await syncCapturing(mirror)
    await publishCloudflare(
      mirror,
      ['11.0.2.0/24', '12.51.100.0/24', '13.0.113.128/25'],
      ['2a0b:db8::/48'],
    )
    const [message] = await syncCapturing(mirror)
    expect(
      await consumeAt(message!, Date.now(), {
        GITHUB_API_URL: github.url,
        PUBLIC_URL: 'https://allowlists.example.com',
      }),
    ).toEqual({ acked: true, retryDelay: undefined })
    const [request] = await received(github)
    expect(request).toMatchObject({ method: 'POST', path: '/repos/octo-org/fw-config/dispatches' })
    expect(request!.headers).toMatchObject({
      authorization: 'Bearer ghs_dispatchtoken',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    })
    expect(request!.headers['user-agent']).toMatch(/^allowlist-sync/)
    // Checked in Node against GitHub's published OpenAPI description (repos/create-dispatch-event).
    expect(request!.schemaErrors).toEqual([])
    const body = JSON.parse(request!.body) as {
      event_type: string
      client_payload: Record<string, unknown>
    }
    // GitHub's create-dispatch-event schema: event_type (1-100 chars) and client_payload with
    // at most 10 top-level properties.
    expect(Object.keys(body).sort()).toEqual(['client_payload', 'event_type'])
    expect(body.event_type).toBe(DISPATCH_EVENT_TYPE)
    expect(Object.keys(body.client_payload).length).toBeLessThanOrEqual(10)
    expect(body.client_payload).toEqual({
      changeId: 'cloudflare/edge@2',
      feed: 'cloudflare/edge',
      version: 2,
      previousVersion: 1,
      at: expect.any(String) as string,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      added: { ipv4: 1, ipv6: 0 },
      removed: { ipv4: 1, ipv6: 0 },
      source: 'https://allowlists.example.com/v1/feeds/cloudflare/edge/changes?since=1',
    })
  })

  it('treats a bad token (401) as permanent: acked, not retried', async () => {
    const github = await newReceiver([401])
    await subscribe({ kind: 'github-dispatch', repository: 'o/r', token: 'bad', feeds: ['*'] })
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const [message] = await syncCapturing(mirror)
    expect(await consumeAt(message!, Date.now(), { GITHUB_API_URL: github.url })).toEqual({
      acked: true,
      retryDelay: undefined,
    })
  })
})

describe('the dispatch schema check of the test receiver', () => {
  it("catches a client_payload over GitHub's 10-key limit", async () => {
    const github = await newReceiver()
    const payload = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]))
    await fetch(`${github.url}/repos/o/r/dispatches`, {
      method: 'POST',
      body: JSON.stringify({ event_type: 'allowlist-feed-changed', client_payload: payload }),
    })
    const [request] = await received(github)
    expect(request!.schemaErrors).toEqual(['/client_payload must NOT have more than 10 properties'])
  })
})

describe('through the real queue', () => {
  it('delivers a change found by a sync without the sync waiting for the subscriber', async () => {
    // The receiver takes 3 s to answer; the sync must not wait for it.
    const receiver = await newReceiver([], 3000)
    const sub = await subscribe({
      kind: 'webhook',
      url: `${receiver.url}/slow`,
      feeds: ['cloudflare/edge'],
    })
    const mirror = await cloudflareMirror(['13.0.113.0/24'], ['2a0b:db8:1::/48'])
    const started = Date.now()
    const summary = await runSync(
      envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }),
    )
    expect(Date.now() - started).toBeLessThan(2500)
    expect(summary.enqueued).toBe(1)
    const request = await waitFor('the webhook', async () => (await received(receiver))[0])
    expect(new Webhook(sub.secret!).verify(request.body, request.headers)).toMatchObject({
      data: { feed: 'cloudflare/edge', version: 1 },
    })
    const delivered = await waitFor('the delivery record', async () => {
      const [d] = await deliveriesOf(sub.id)
      return d?.status === 'delivered' ? d : undefined
    })
    expect(delivered.attempts).toHaveLength(1)
  })
})
