/**
 * Tests worker/src/secrets/: webhook secrets and dispatch tokens are sealed at rest (AES-GCM,
 * key id beside the value), bound to their row, opened only to deliver, re-sealed by the cron
 * after a rotation or from plaintext rows stored before encryption, and never logged.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { consumeDeliveries } from '../../../worker/src/jobs/deliver.ts'
import type { DeliveryMessage } from '../../../worker/src/jobs/deliver.ts'
import { runCron } from '../../../worker/src/jobs/cron.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { SecretBox } from '../../../worker/src/secrets/secret-box.ts'
import {
  dispatchTokenContext,
  openSubscriptionSecrets,
} from '../../../worker/src/secrets/subscription-secrets.ts'
import {
  call,
  capturingQueue,
  clearHistory,
  cloudflareMirror,
  envWith,
  newReceiver,
  publishCloudflare,
  received,
  rows,
} from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

const AUTH = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }
const NEW_KEY = btoa('a brand new key of 32 bytes ....')
const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'

let logged: string[]
beforeEach(async () => {
  await clearHistory()
  logged = []
  for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    })
  }
})
afterEach(() => vi.restoreAllMocks())

async function subscribe(body: Record<string, unknown>, vars: Record<string, string> = {}) {
  const res = await call(
    '/v1/subscriptions',
    { method: 'POST', headers: AUTH, body: JSON.stringify(body) },
    vars,
  )
  expect(res.status).toBe(201)
  return res.json<{ id: string; secret?: string; secretsKeyId: string | null }>()
}

interface Row {
  id: string
  secret: string | null
  previous_secret: string | null
  token: string | null
}

const subscriptionRows = () =>
  rows<Row>('SELECT id, secret, previous_secret, token FROM subscriptions ORDER BY id')

/** A sync of cloudflare/edge whose queue messages are returned, then delivered at once. */
async function syncAndDeliver(mirror: TestMirror, vars: Record<string, string>) {
  const { queue, sent } = capturingQueue()
  await runSync({
    ...envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge', ...vars }),
    DELIVERY_QUEUE: queue,
  })
  const batch = createMessageBatch<DeliveryMessage>(
    'allowlist-sync-deliveries',
    sent.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  )
  const ctx = createExecutionContext()
  await consumeDeliveries(batch, { ...envWith(vars), DEAD_LETTER_QUEUE: env.DEAD_LETTER_QUEUE })
  return getQueueResult(batch, ctx)
}

describe('secrets at rest', () => {
  it('stores only sealed values, with the key id beside them, and delivers with them', async () => {
    const receiver = await newReceiver()
    const hook = await subscribe({ kind: 'webhook', url: `${receiver.url}/h`, feeds: ['*'] })
    const dispatch = await subscribe({
      kind: 'github-dispatch',
      repository: 'octo-org/fw-config',
      token: TOKEN,
      feeds: ['*'],
    })
    const box = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    expect(hook.secretsKeyId).toBe(box.currentKeyId)
    const stored = JSON.stringify(await subscriptionRows())
    expect(stored).not.toContain(hook.secret!.slice(6))
    expect(stored).not.toContain(TOKEN)
    for (const r of await subscriptionRows()) {
      expect(r.secret ?? r.token).toMatch(
        new RegExp(`^enc:v1:${box.currentKeyId}:[\\w-]{16}:[\\w-]+$`),
      )
    }
    const mirror = await cloudflareMirror(['173.245.48.0/20'], ['2400:cb00::/32'])
    const result = await syncAndDeliver(mirror, { GITHUB_API_URL: receiver.url })
    expect(result.explicitAcks).toHaveLength(2)
    const requests = await received(receiver)
    const webhook = requests.find((r) => r.path === '/h')!
    expect(new Webhook(hook.secret!).verify(webhook.body, webhook.headers)).toMatchObject({
      type: 'allowlist.feed.changed',
    })
    const sent = requests.find((r) => r.path.endsWith('/dispatches'))!
    expect(sent.headers['authorization']).toBe(`Bearer ${TOKEN}`)
    expect(dispatch.secretsKeyId).toBe(box.currentKeyId)
    expect(logged.join('\n')).not.toContain(TOKEN)
    expect(logged.join('\n')).not.toContain(hook.secret!.slice(6))
  })

  it('binds a sealed value to its row: a token copied into another subscription does not open', async () => {
    const a = await subscribe({
      kind: 'github-dispatch',
      repository: 'o/a',
      token: TOKEN,
      feeds: ['*'],
    })
    const b = await subscribe({
      kind: 'github-dispatch',
      repository: 'evil/b',
      token: 'ghp_b',
      feeds: ['*'],
    })
    await env.DB.prepare(
      'UPDATE subscriptions SET token = (SELECT token FROM subscriptions WHERE id = ?) WHERE id = ?',
    )
      .bind(a.id, b.id)
      .run()
    const box = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    const row = (await subscriptionRows()).find((r) => r.id === b.id)!
    await expect(box.open(row.token!, dispatchTokenContext(b.id))).rejects.toMatchObject({
      code: 'ERR_SECRET_CORRUPT',
    })
    await expect(
      openSubscriptionSecrets(box, {
        id: b.id,
        kind: 'github-dispatch',
        feeds: ['*'],
        url: undefined,
        secret: undefined,
        previousSecret: undefined,
        previousSecretExpiresAt: undefined,
        repository: 'evil/b',
        token: `${row.token!.slice(0, -4)}AAAA`,
        createdAt: '',
      }),
    ).rejects.toThrow(/altered or moved/)
  })

  it('answers 503 naming SECRETS_KEY instead of storing a secret in clear', async () => {
    const res = await call(
      '/v1/subscriptions',
      {
        method: 'POST',
        headers: AUTH,
        body: JSON.stringify({
          kind: 'github-dispatch',
          repository: 'o/r',
          token: TOKEN,
          feeds: ['*'],
        }),
      },
      { SECRETS_KEY: '' },
    )
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ code: 'ERR_SECRETS_KEY_MISSING' })
    expect(await subscriptionRows()).toEqual([])
  })
})

describe('rotation and migration', () => {
  it('seals plaintext rows from before encryption on the next cron run, delivering meanwhile', async () => {
    const receiver = await newReceiver()
    const now = new Date().toISOString()
    await env.DB.prepare(
      `INSERT INTO subscriptions (id, kind, feeds, repository, token, created_at) VALUES ('sub_00000000000000000000000a', 'github-dispatch', '["*"]', 'o/r', ?, ?)`,
    )
      .bind(TOKEN, now)
      .run()
    const listed = await (
      await call('/v1/subscriptions', { headers: AUTH })
    ).json<{
      subscriptions: { secretsKeyId: string | null }[]
    }>()
    expect(listed.subscriptions[0]!.secretsKeyId).toBeNull()
    const mirror = await cloudflareMirror(['173.245.48.0/20'], ['2400:cb00::/32'])
    expect(
      (await syncAndDeliver(mirror, { GITHUB_API_URL: receiver.url })).explicitAcks,
    ).toHaveLength(1)
    expect((await received(receiver))[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`)
    await runCron(
      envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }),
      '*/15 * * * *',
    )
    const [row] = await subscriptionRows()
    expect(row!.token).toMatch(/^enc:v1:/)
    const box = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    expect(await box.open(row!.token!, dispatchTokenContext(row!.id))).toBe(TOKEN)
    const [run] = await rows<{ summary: string }>('SELECT summary FROM cron_runs')
    expect(JSON.parse(run!.summary)).toMatchObject({ secrets: { resealed: 1 } })
  })

  it('opens values of an older key until the cron re-seals them under the new one', async () => {
    const receiver = await newReceiver()
    const hook = await subscribe({ kind: 'webhook', url: `${receiver.url}/h`, feeds: ['*'] })
    const oldBox = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    const rotated = { SECRETS_KEY: `${NEW_KEY} ${env.SECRETS_KEY}` }
    const newBox = await SecretBox.fromSecretsKey(rotated.SECRETS_KEY)
    expect(newBox.currentKeyId).not.toBe(oldBox.currentKeyId)
    // New values use the new key; old ones still open.
    const mirror = await cloudflareMirror(['173.245.48.0/20'], ['2400:cb00::/32'])
    expect((await syncAndDeliver(mirror, rotated)).explicitAcks).toHaveLength(1)
    const [delivery] = await received(receiver)
    expect(new Webhook(hook.secret!).verify(delivery!.body, delivery!.headers)).toBeTruthy()
    // The cron re-seals; afterwards the old key can go.
    await runCron(
      envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge', ...rotated }),
      '*/15 * * * *',
    )
    const [row] = await subscriptionRows()
    expect(SecretBox.keyIdOf(row!.secret!)).toBe(newBox.currentKeyId)
    await publishCloudflare(mirror, ['173.245.48.0/20', '103.21.244.0/22'], ['2400:cb00::/32'])
    expect((await syncAndDeliver(mirror, { SECRETS_KEY: NEW_KEY })).explicitAcks).toHaveLength(1)
    const second = (await received(receiver))[1]!
    expect(new Webhook(hook.secret!).verify(second.body, second.headers)).toBeTruthy()
  })

  it('fails the cron run, and retries deliveries, when a key was removed too early', async () => {
    const receiver = await newReceiver()
    const hook = await subscribe({ kind: 'webhook', url: `${receiver.url}/h`, feeds: ['*'] })
    const mirror = await cloudflareMirror(['173.245.48.0/20'], ['2400:cb00::/32'])
    const result = await syncAndDeliver(mirror, { SECRETS_KEY: NEW_KEY })
    expect(result.retryMessages).toHaveLength(1)
    const vars = {
      SECRETS_KEY: NEW_KEY,
      UPSTREAM_MIRROR: mirror.url,
      ENABLED_FEEDS: 'cloudflare/edge',
    }
    await expect(runCron(envWith(vars), '*/15 * * * *')).rejects.toThrow(
      new RegExp(
        `0 re-sealed, 1 cannot be opened: ${hook.id}: sealed with key id "[0-9a-f]{8}", which SECRETS_KEY no longer lists`,
      ),
    )
    expect(await received(receiver)).toEqual([])
    const [attempt] = await rows<{ error: string; outcome: string }>(
      'SELECT error, outcome FROM delivery_attempts',
    )
    expect(attempt).toMatchObject({ outcome: 'retry' })
    expect(attempt!.error).toMatch(/^cannot open the subscription's secrets: sealed with key id/)
    expect(logged.join('\n')).not.toContain(hook.secret!.slice(6))
  })
})

describe('SecretBox', () => {
  it('seals with a fresh IV each time and knows which values are current', async () => {
    const box = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    const a = await box.seal('s', 'ctx')
    const b = await box.seal('s', 'ctx')
    expect(a).not.toBe(b)
    expect(box.isCurrent(a)).toBe(true)
    expect(box.isCurrent('whsec_plain')).toBe(false)
    expect(SecretBox.keyIdOf('whsec_plain')).toBeUndefined()
    expect(await box.open('whsec_plain', 'ctx')).toBe('whsec_plain')
    expect(await box.open(a, 'ctx')).toBe('s')
    await expect(box.open(a.replace(/:[^:]+$/, ':AAAA'), 'ctx')).rejects.toMatchObject({
      code: 'ERR_SECRET_CORRUPT',
    })
    await expect(box.open('enc:v1:00000000:AAAA:AAAA', 'ctx')).rejects.toMatchObject({
      code: 'ERR_SECRET_KEY_UNKNOWN',
    })
  })
})
