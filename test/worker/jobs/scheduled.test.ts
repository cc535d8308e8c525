/**
 * Tests worker/src/jobs/scheduled.ts inside workerd: real D1, real outbound fetch to a mirror
 * served by Node on loopback (support/test-server.ts), the exported scheduled() handler.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, syncFeeds } from '../../../shared/src/index.ts'
import type { Snapshot } from '../../../shared/src/index.ts'
import worker from '../../../worker/src/index.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import type { DeliveryMessage } from '../../../worker/src/jobs/deliver.ts'
import type { SyncMessage } from '../../../worker/src/jobs/sync-queue.ts'
import {
  capturingQueue,
  clearHistory,
  cloudflareMirror,
  envWith,
  mirrorRequests,
  newMirror,
  publishCloudflare,
  rows,
  setFile,
  setLatestFixtures,
} from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

beforeEach(clearHistory)

function syncEnv(mirror: TestMirror, feeds = 'cloudflare/edge'): Env {
  return envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: feeds })
}

async function current(feed: string): Promise<Snapshot> {
  const res = await worker.fetch(
    new Request(`https://w.test/v1/feeds/${feed}`),
    env,
    createExecutionContext(),
  )
  expect(res.status).toBe(200)
  return res.json<Snapshot>()
}

interface VersionRow {
  version: number
  sha256: string
}

describe('runSync', () => {
  it.runIf(env.HAVE_FIXTURES)(
    'fills every built-in feed whose upstream data exists in the mirror, as the shared sync sees it',
    async () => {
      const mirror = await newMirror()
      await setLatestFixtures(mirror)
      const summary = await runSync(envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: '' }))
      // The same engine run directly against the same mirror: what the worker must have stored.
      const expected = await syncFeeds(BUILTIN_FEEDS, {
        fetch: (u, i) => fetch(u, i),
        now: Date.now,
        mirror: mirror.url,
      })
      expect(summary.checks.map((c) => c.feed)).toEqual(BUILTIN_FEEDS.map((f) => f.id))
      const listing = await (
        await worker.fetch(new Request('https://w.test/v1/feeds'), env, createExecutionContext())
      ).json<{
        feeds: {
          id: string
          version: number | null
          sha256: string | null
          counts: { ipv4: number; ipv6: number } | null
          lastOutcome: { outcome: string; guard?: string } | null
        }[]
      }>()
      const byId = new Map(listing.feeds.map((f) => [f.id, f]))
      let filled = 0
      for (const outcome of expected.outcomes) {
        const listed = byId.get(outcome.feed)!
        if (outcome.kind === 'changed') {
          filled++
          expect(listed.version, outcome.feed).toBe(1)
          expect(listed.sha256, outcome.feed).toBe(outcome.snapshot.sha256)
          expect(listed.counts, outcome.feed).toEqual({
            ipv4: outcome.snapshot.ipv4.length,
            ipv6: outcome.snapshot.ipv6.length,
            ipv4Addresses: expect.any(Number) as number,
          })
          expect(listed.lastOutcome?.outcome).toBe('changed')
        } else {
          // Only keys the fixture does not carry may stay empty (the dependabot key was withdrawn).
          expect(outcome.kind, outcome.feed).toBe('refused')
          expect(['empty', 'schema-drift'], outcome.feed).toContain(
            outcome.kind === 'refused' ? outcome.guard : '',
          )
          expect(listed.version, outcome.feed).toBeNull()
          expect(listed.lastOutcome?.outcome).toBe('refused')
        }
      }
      expect(filled).toBeGreaterThanOrEqual(BUILTIN_FEEDS.length - 1)
      // One request per upstream URL, however many feeds read it (13 GitHub feeds, one /meta).
      const keys = (await mirrorRequests(mirror)).map((r) => r.key)
      expect(keys.filter((k) => k === 'api.github.com/meta')).toHaveLength(2) // ours + the direct run
      const snapshot = await current('github/hooks')
      const direct = expected.outcomes.find((o) => o.feed === 'github/hooks')
      expect(direct?.kind === 'changed' && snapshot.ipv4).toEqual(
        direct?.kind === 'changed' && direct.snapshot.ipv4,
      )
    },
    60_000,
  )

  it('stores nothing new when upstream is unchanged, and sends validators so a 304 costs no parse', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const first = await runSync(syncEnv(mirror))
    expect(first.checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const second = await runSync(syncEnv(mirror))
    expect(second.checks[0]).toMatchObject({
      outcome: 'unchanged',
      version: 1,
      reason: 'not modified (304)',
    })
    const requests = await mirrorRequests(mirror)
    expect(requests.slice(-2).map((r) => r.status)).toEqual([304, 304])
    expect(requests.at(-1)?.headers['if-none-match']).toMatch(/^"/)
    expect(
      await rows('SELECT version FROM versions WHERE feed = ?', 'cloudflare/edge'),
    ).toHaveLength(1)
    expect(
      await rows('SELECT outcome FROM checks WHERE feed = ? ORDER BY id', 'cloudflare/edge'),
    ).toEqual([{ outcome: 'changed' }, { outcome: 'unchanged' }])
  })

  it('stores a changed upstream as the next version with its change, and a revert as a third', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    await runSync(syncEnv(mirror))
    await publishCloudflare(mirror, ['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
    const second = await runSync(syncEnv(mirror))
    expect(second.checks[0]).toMatchObject({ outcome: 'changed', version: 2 })
    await publishCloudflare(mirror, ['11.0.2.0/24'], ['2a0b:db8::/48'])
    await runSync(syncEnv(mirror))
    const versions = await rows<VersionRow>(
      'SELECT version, sha256 FROM versions WHERE feed = ? ORDER BY version',
      'cloudflare/edge',
    )
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3])
    // Content-addressed: A -> B -> A stores A once.
    expect(versions[2]?.sha256).toBe(versions[0]?.sha256)
    expect(
      await rows('SELECT sha256 FROM snapshot_contents WHERE feed = ?', 'cloudflare/edge'),
    ).toHaveLength(2)
    const changes = await rows<{ version: number; added: string; removed: string }>(
      'SELECT version, added, removed FROM changes WHERE feed = ? ORDER BY seq',
      'cloudflare/edge',
    )
    expect(changes.map((c) => c.version)).toEqual([1, 2, 3])
    expect(JSON.parse(changes[1]!.added)).toEqual({ ipv4: ['12.51.100.0/24'], ipv6: [] })
    expect(JSON.parse(changes[2]!.removed)).toEqual({ ipv4: ['12.51.100.0/24'], ipv6: [] })
  })

  it('keeps the last good snapshot on a refusal and reports it in lastOutcome and lastRefusal', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
    await runSync(syncEnv(mirror))
    const good = await current('cloudflare/edge')
    // An HTML challenge page where the list was (what Cloudflare really served on 2026-01-02).
    await setFile(mirror, 'www.cloudflare.com/ips-v4', {
      text: '<!DOCTYPE html><html><title>Just a moment...</title></html>',
    })
    const refused = await runSync(syncEnv(mirror))
    expect(refused.checks[0]).toMatchObject({
      outcome: 'refused',
      guard: 'wrong-content',
      version: 1,
    })
    // Then an empty list: refused too, never a removal.
    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '' })
    await runSync(syncEnv(mirror))
    expect(await current('cloudflare/edge')).toEqual(good)
    const listing = await (
      await worker.fetch(new Request('https://w.test/v1/feeds'), env, createExecutionContext())
    ).json<{
      feeds: {
        id: string
        version: number
        lastOutcome: { outcome: string; guard: string; reason: string }
        lastRefusal: { guard: string; reason: string }
      }[]
    }>()
    const feed = listing.feeds.find((f) => f.id === 'cloudflare/edge')!
    expect(feed.version).toBe(1)
    expect(feed.lastOutcome).toMatchObject({ outcome: 'refused', guard: 'empty' })
    expect(feed.lastOutcome.reason.length).toBeGreaterThan(0)
    expect(feed.lastRefusal).toMatchObject({ guard: 'empty' })
  })

  it('lets one failing feed never stop the others', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    await setFile(mirror, 'coolify.io/ipv4.txt', { status: 500 })
    await setFile(mirror, 'coolify.io/ipv6.txt', { text: '2a0b:db8:1::1\n' })
    const summary = await runSync(syncEnv(mirror, 'coolify/cloud,cloudflare/edge,nope/missing'))
    expect(summary.checks.map((c) => [c.feed, c.outcome, c.guard])).toEqual([
      ['coolify/cloud', 'refused', 'http-error'],
      ['cloudflare/edge', 'changed', undefined],
      ['nope/missing', 'error', undefined],
    ])
    expect(summary.checks[2]?.reason).toContain('unknown feed id "nope/missing"')
  })

  it('never duplicates or reorders versions when runs overlap', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    // Rounds of 3 simultaneous runs, the upstream changing between rounds.
    for (let round = 1; round <= 4; round++) {
      const v4 = Array.from({ length: round }, (_, i) => `12.51.100.${i * 8}/29`)
      await publishCloudflare(mirror, v4, ['2a0b:db8::/48'])
      await Promise.all([
        runSync(syncEnv(mirror)),
        runSync(syncEnv(mirror)),
        runSync(syncEnv(mirror)),
      ])
    }
    const versions = await rows<VersionRow>(
      'SELECT version, sha256 FROM versions WHERE feed = ? ORDER BY version',
      'cloudflare/edge',
    )
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4])
    expect(new Set(versions.map((v) => v.sha256)).size).toBe(4)
    const changes = await rows<{ version: number; previous_version: number }>(
      'SELECT version, previous_version FROM changes ORDER BY seq',
    )
    expect(changes).toEqual(
      versions.map((v) => ({ version: v.version, previous_version: v.version - 1 })),
    )
  })

  it('drops an older run that finishes after a newer one instead of storing stale content', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    await runSync(syncEnv(mirror))
    await publishCloudflare(mirror, ['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
    // Run A reads the upstream now but is held until run B, started later, has finished.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const slowA = runSync(syncEnv(mirror), {
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        const body = await res.arrayBuffer()
        await held
        return new Response(res.status === 304 ? null : body, res)
      },
      now: () => Date.now(),
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    await publishCloudflare(mirror, ['11.0.2.0/24', '13.0.113.0/24'], ['2a0b:db8::/48'])
    const b = await runSync(syncEnv(mirror))
    release()
    const a = await slowA
    expect(b.checks[0]).toMatchObject({ outcome: 'changed', version: 2 })
    expect(a.checks[0]).toMatchObject({
      outcome: 'unchanged',
      reason: 'version 2 was stored by a concurrent run',
    })
    expect((await current('cloudflare/edge')).ipv4).toEqual(['11.0.2.0/24', '13.0.113.0/24'])
    expect(
      await rows('SELECT version FROM versions WHERE feed = ?', 'cloudflare/edge'),
    ).toHaveLength(2)
  })

  it('enqueues one delivery per matching subscription for each stored change', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const now = new Date().toISOString()
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO subscriptions (id, kind, feeds, url, secret, created_at) VALUES ('sub_a', 'webhook', '["cloudflare/edge"]', 'https://a.example/h', 'whsec_AAAA', ?)`,
      ).bind(now),
      env.DB.prepare(
        `INSERT INTO subscriptions (id, kind, feeds, url, secret, created_at) VALUES ('sub_b', 'webhook', '["*"]', 'https://b.example/h', 'whsec_AAAA', ?)`,
      ).bind(now),
      env.DB.prepare(
        `INSERT INTO subscriptions (id, kind, feeds, url, secret, created_at) VALUES ('sub_c', 'webhook', '["github/hooks"]', 'https://c.example/h', 'whsec_AAAA', ?)`,
      ).bind(now),
    ])
    const sent: DeliveryMessage[] = []
    const queue = {
      send: (body: DeliveryMessage) => Promise.resolve(void sent.push(body)),
      sendBatch: (batch: Iterable<MessageSendRequest<DeliveryMessage>>) =>
        Promise.resolve(void sent.push(...[...batch].map((m) => m.body))),
    } as unknown as Queue<DeliveryMessage>
    const summary = await runSync({ ...syncEnv(mirror), DELIVERY_QUEUE: queue })
    expect(summary.enqueued).toBe(2)
    const deliveries = await rows<{ id: string; subscription_id: string; change_id: string }>(
      'SELECT id, subscription_id, change_id FROM deliveries ORDER BY subscription_id',
    )
    expect(deliveries.map((d) => [d.subscription_id, d.change_id])).toEqual([
      ['sub_a', 'cloudflare/edge@1'],
      ['sub_b', 'cloudflare/edge@1'],
    ])
    expect(sent.map((m) => m.deliveryId).sort()).toEqual(deliveries.map((d) => d.id).sort())
    // An unchanged run enqueues nothing more.
    expect((await runSync({ ...syncEnv(mirror), DELIVERY_QUEUE: queue })).enqueued).toBe(0)
  })
})

describe('runSync: stranded deliveries', () => {
  it('re-enqueues pending deliveries whose message was lost, not fresh or finished ones', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    await runSync(syncEnv(mirror))
    const old = new Date(Date.now() - 2 * 3_600_000).toISOString()
    const fresh = new Date().toISOString()
    await env.DB.batch([
      ...['sub_s1', 'sub_s2', 'sub_s3'].map((id) =>
        env.DB.prepare(
          `INSERT INTO subscriptions (id, kind, feeds, url, secret, created_at) VALUES (?, 'webhook', '["*"]', 'https://s.example/h', 'whsec_AAAA', ?)`,
        ).bind(id, old),
      ),
      ...[
        ['msg_lost', 'sub_s1', 'pending', old],
        ['msg_fresh', 'sub_s2', 'pending', fresh],
        ['msg_done', 'sub_s3', 'delivered', old],
      ].map(([id, sub, status, at]) =>
        env.DB.prepare(
          `INSERT INTO deliveries (id, subscription_id, change_id, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, 'cloudflare/edge@1', ?, 0, ?, ?, ?)`,
        ).bind(id, sub, status, at, at, at),
      ),
    ])
    const sent: DeliveryMessage[] = []
    const queue = {
      sendBatch: (batch: Iterable<MessageSendRequest<DeliveryMessage>>) =>
        Promise.resolve(void sent.push(...[...batch].map((m) => m.body))),
    } as unknown as Queue<DeliveryMessage>
    const summary = await runSync({ ...syncEnv(mirror), DELIVERY_QUEUE: queue })
    expect(summary.requeued).toBe(1)
    expect(sent).toEqual([{ deliveryId: 'msg_lost' }])
  })
})

describe('scheduled()', () => {
  it('enqueues the sync from the cron trigger; its message, consumed, stores the feed', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const { queue, sent } = capturingQueue<SyncMessage>()
    await worker.scheduled(createScheduledController({ cron: '*/15 * * * *' }), {
      ...syncEnv(mirror),
      SYNC_QUEUE: queue,
    })
    expect(sent.map((m) => m.feeds)).toEqual([['cloudflare/edge']])
    const batch = createMessageBatch<unknown>('allowlist-sync-sync', [
      { id: 'm', timestamp: new Date(), attempts: 1, body: sent[0] },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, syncEnv(mirror))
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['m'])
    expect((await current('cloudflare/edge')).version).toBe(1)
  })
})
