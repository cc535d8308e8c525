/**
 * Tests the sync fan-out (worker/src/jobs/sync-queue.ts, cron.ts) inside workerd: real D1, the
 * exported scheduled() and queue() handlers, upstream from a mirror served by Node on loopback.
 * The cron's sync messages are captured and then delivered to queue() as the sync queue would
 * (createMessageBatch), once and then again (at-least-once delivery).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, syncFeeds } from '../../../shared/src/index.ts'
import worker from '../../../worker/src/index.ts'
import { sourceGroups } from '../../../worker/src/jobs/source-groups.ts'
import type { SyncMessage } from '../../../worker/src/jobs/sync-queue.ts'
import { HEAD_BOARD_KEY, type BoardHead } from '../../../worker/src/read-cache/head-board.ts'
import {
  call,
  capturingQueue,
  clearHistory,
  cloudflareMirror,
  envWith,
  newMirror,
  rows,
  setLatestFixtures,
} from '../support/harness.ts'

beforeEach(clearHistory)

/** Delivers `bodies` to the worker's queue() as one batch of `queueName`; returns the result. */
async function deliver(queueName: string, bodies: readonly unknown[], e: Env) {
  const batch = createMessageBatch<unknown>(
    queueName,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  )
  const ctx = createExecutionContext()
  await worker.queue(batch, e)
  return getQueueResult(batch, ctx)
}

async function cronRun(e: Env): Promise<SyncMessage[]> {
  const { queue, sent } = capturingQueue<SyncMessage>()
  await worker.scheduled(
    { cron: '*/15 * * * *', scheduledTime: Date.now(), noRetry: () => {} },
    { ...e, SYNC_QUEUE: queue },
  )
  return sent
}

interface Counts {
  versions: number
  changes: number
  deliveries: number
}

async function counts(): Promise<Counts> {
  const [row] = await rows<Counts>(
    `SELECT (SELECT COUNT(*) FROM versions) AS versions, (SELECT COUNT(*) FROM changes) AS changes,
            (SELECT COUNT(*) FROM deliveries) AS deliveries`,
  )
  return row!
}

describe('sourceGroups', () => {
  it('puts every built-in feed in exactly one group, and each upstream URL in one group', () => {
    const groups = sourceGroups(BUILTIN_FEEDS)
    expect(groups.flat().sort()).toEqual(BUILTIN_FEEDS.map((f) => f.id).sort())
    const groupOfUrl = new Map<string, number>()
    groups.forEach((g, i) => {
      for (const id of g)
        for (const s of BUILTIN_FEEDS.find((f) => f.id === id)!.sources) {
          expect(groupOfUrl.get(s.url) ?? i, s.url).toBe(i)
          groupOfUrl.set(s.url, i)
        }
    })
    // The 13 GitHub feeds share one request; distinct URLs are distinct messages.
    expect(groups.find((g) => g.includes('github/hooks'))!.length).toBeGreaterThan(1)
    expect(groups.length).toBe(new Set(groupOfUrl.values()).size)
  })

  it('merges two groups when a later feed reads a URL of each', () => {
    const feed = (id: string, ...urls: string[]) =>
      ({ id, sources: urls.map((url) => ({ url })) }) as unknown as (typeof BUILTIN_FEEDS)[number]
    expect(
      sourceGroups([feed('a', 'u1'), feed('b', 'u2'), feed('c', 'u3'), feed('d', 'u1', 'u2')]),
    ).toEqual([['a', 'b', 'd'], ['c']])
  })
})

describe('the sync fan-out', () => {
  it.runIf(env.HAVE_FIXTURES)(
    'a cron run enqueues one message per upstream source; consuming them stores every source; a duplicate stores nothing',
    async () => {
      const mirror = await newMirror()
      await setLatestFixtures(mirror)
      const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: '' })
      const messages = await cronRun(e)
      expect(messages.map((m) => [...m.feeds])).toEqual(sourceGroups(BUILTIN_FEEDS))
      expect(new Set(messages.map((m) => m.runId)).size).toBe(1)
      // The cron itself stored nothing: the syncs happen in the queue's invocations.
      expect(await counts()).toEqual({ versions: 0, changes: 0, deliveries: 0 })
      const [cron] = await rows<{ outcome: string; summary: string }>(
        'SELECT outcome, summary FROM cron_runs',
      )
      expect(cron!.outcome).toBe('ok')
      expect(JSON.parse(cron!.summary)).toMatchObject({
        sync: { messages: messages.length, feeds: BUILTIN_FEEDS.length, unknown: 0 },
      })

      // One invocation per message, as max_batch_size = 1 has it; AWS's and Azure's bodies are
      // read in slices, by the messages their own message sends (sliced-sync.test.ts).
      const { queue, sent } = capturingQueue<SyncMessage>()
      const chained = { ...e, SYNC_QUEUE: queue }
      let steps = 0
      for (const [i, m] of messages.entries()) {
        expect((await deliver('allowlist-sync-sync', [m], chained)).explicitAcks, `${i}`).toEqual([
          'm0',
        ])
        for (let step = sent.shift(); step !== undefined; step = sent.shift(), steps++)
          expect((await deliver('allowlist-sync-sync', [step], chained)).explicitAcks).toEqual([
            'm0',
          ])
      }
      expect(steps).toBeGreaterThan(20)

      // The oracle: the shared sync of the whole catalogue against the same mirror.
      const expected = await syncFeeds(BUILTIN_FEEDS, {
        fetch: (u, i) => fetch(u, i),
        now: Date.now,
        mirror: mirror.url,
      })
      const stored = new Map(
        (await rows<{ feed: string; sha256: string }>('SELECT feed, sha256 FROM versions')).map(
          (r) => [r.feed, r.sha256],
        ),
      )
      let changed = 0
      for (const o of expected.outcomes) {
        if (o.kind === 'changed') {
          changed++
          expect(stored.get(o.feed), o.feed).toBe(o.snapshot.sha256)
        } else expect(stored.has(o.feed), o.feed).toBe(false)
      }
      expect(stored.size).toBe(changed)
      expect(changed).toBeGreaterThan(20)
      const checks = await rows<{ feed: string }>('SELECT feed FROM checks')
      expect(checks.map((c) => c.feed).sort()).toEqual(BUILTIN_FEEDS.map((f) => f.id).sort())

      // At-least-once delivery: the same messages again (one batch) store nothing new.
      const before = await counts()
      const again = await deliver('allowlist-sync-sync', messages, chained)
      expect(again.explicitAcks.length).toBe(messages.length)
      expect(again.retryMessages).toEqual([])
      expect(sent).toEqual([])
      expect(await counts()).toEqual(before)
      const second = await rows<{ outcome: string }>(
        `SELECT outcome FROM checks WHERE id > (SELECT MAX(id) FROM checks) - ?`,
        BUILTIN_FEEDS.length,
      )
      expect(second.every((c) => c.outcome !== 'changed')).toBe(true)
    },
    // The whole catalogue (30 sources, Azure's 4 MB among them) three times on a shared machine.
    240_000,
  )

  it('records unknown ENABLED_FEEDS ids as errors and sends only known feeds', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge,nope/x' })
    const messages = await cronRun(e)
    expect(messages.map((m) => m.feeds)).toEqual([['cloudflare/edge']])
    const checks = await rows<{ feed: string; outcome: string; reason: string }>(
      'SELECT feed, outcome, reason FROM checks',
    )
    expect(checks).toEqual([
      { feed: 'nope/x', outcome: 'error', reason: 'unknown feed id "nope/x" in ENABLED_FEEDS' },
    ])
    await deliver('allowlist-sync-sync', messages, e)
    const [version] = await rows<{ feed: string; version: number }>(
      'SELECT feed, version FROM versions',
    )
    expect(version).toEqual({ feed: 'cloudflare/edge', version: 1 })
  })

  it('publishes a new version on the head board at once, a new fetchedAt alone at the next cron run', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    const board = async () =>
      JSON.parse((await env.FEED_HEADS.get(HEAD_BOARD_KEY))!) as Record<string, BoardHead>
    const stored = async () =>
      (await rows<{ fetched_at: string }>('SELECT fetched_at FROM versions'))[0]!.fetched_at
    await deliver('allowlist-sync-sync', await cronRun(e), e)
    const first = (await board())['cloudflare/edge']!
    expect(first).toMatchObject({ version: 1, fetchedAt: await stored() })
    // An unchanged fetch: D1's fetchedAt moves, the board is not written...
    await deliver('allowlist-sync-sync', [{ runId: 'r2', feeds: ['cloudflare/edge'] }], e)
    expect(await stored()).not.toBe(first.fetchedAt)
    expect((await board())['cloudflare/edge']).toEqual(first)
    // ...until the next cron run publishes every head.
    await cronRun(e)
    expect((await board())['cloudflare/edge']).toEqual({ ...first, fetchedAt: await stored() })
    const [cron] = await rows<{ summary: string }>(
      'SELECT summary FROM cron_runs ORDER BY id DESC LIMIT 1',
    )
    expect(JSON.parse(cron!.summary)).toMatchObject({ heads: { heads: 1, written: true } })
  })

  it('retries a message whose outcome could not be stored, and acknowledges a malformed one', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    const failing = {
      ...e,
      DB: {
        prepare: () => {
          throw new Error('D1 is down')
        },
        batch: () => Promise.reject(new Error('D1 is down')),
      } as unknown as D1Database,
    }
    const result = await deliver(
      'allowlist-sync-sync',
      [{ runId: 'r', feeds: ['cloudflare/edge'] }],
      failing,
    )
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
    expect(result.explicitAcks).toEqual([])

    const malformed = await deliver(
      'allowlist-sync-sync',
      [{ runId: 'r', feeds: [] }, { feeds: ['cloudflare/edge'] }, null, 'x'],
      e,
    )
    expect(malformed.explicitAcks).toEqual(['m0', 'm1', 'm2', 'm3'])
    expect(await counts()).toEqual({ versions: 0, changes: 0, deliveries: 0 })
  })

  it('records a failing check for each feed of a message that reached the sync dead-letter queue', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    await deliver('allowlist-sync-sync', [{ runId: 'r1', feeds: ['cloudflare/edge'] }], e)
    // What Queues hands over once the retries are spent (each invocation died over its CPU
    // limit, say): a whole sync, a judge step of a chain (the feeds before it were judged), and
    // what is not a sync message at all.
    const judge = {
      kind: 'judge',
      body: {
        url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
        sha256: 'a'.repeat(64),
        size: 1,
      },
      slices: 10,
      keys: [],
      feed: 1,
      judged: [],
    }
    const result = await deliver(
      'allowlist-sync-sync-dlq',
      [
        { runId: 'r2', feeds: ['cloudflare/edge', 'gone/feed'] },
        undefined,
        { runId: 'r3', feeds: ['aws/S3', 'aws/EC2', 'aws/AMAZON'], step: judge },
      ],
      e,
    )
    expect(result.explicitAcks).toEqual(['m0', 'm1', 'm2'])
    const checks = await rows<{ run_id: string; feed: string; outcome: string; reason: string }>(
      `SELECT run_id, feed, outcome, reason FROM checks WHERE run_id IN ('r2', 'r3') ORDER BY feed`,
    )
    expect(checks.map((c) => [c.run_id, c.feed, c.outcome])).toEqual([
      ['r3', 'aws/AMAZON', 'error'],
      ['r3', 'aws/EC2', 'error'],
      ['r2', 'cloudflare/edge', 'error'],
    ])
    expect(checks[0]!.reason).toBe(
      'its judge step gave up retrying and was dead-lettered: each attempt threw, or its invocation died (over its CPU or memory limit); see sync-message-failed in the logs',
    )
    expect(checks[2]!.reason).toMatch(/^its sync gave up retrying and was dead-lettered/)
    // The feed is failing since then, where it said "changed" before.
    const res = await call('/v1/feeds', {}, { ENABLED_FEEDS: 'cloudflare/edge' })
    const { feeds } = await res.json<{
      feeds: { id: string; version: number | null; lastOutcome: { outcome: string } | null }[]
    }>()
    const edge = feeds.find((f) => f.id === 'cloudflare/edge')!
    expect(edge.version).toBe(1)
    expect(edge.lastOutcome?.outcome).toBe('error')
  })
})
