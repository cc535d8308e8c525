/**
 * Tests worker/src/read-cache/ inside workerd with real D1 and the real Cache API: a cached read
 * (200 and 304, JSON and rendered formats) makes no D1 query, a change stored by a sync is seen
 * by the next read, a pointer cached elsewhere is trusted only for READ_CACHE_TTL_SECONDS and then
 * refreshed from the head board in real KV (D1 only without one), and the Cache API tier alone (a
 * second isolate, or *.workers.dev's memory-only case) holds too. Every D1 call and board read is
 * counted by a proxy around the binding, independent of the worker's own code.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../../worker/src/app.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  HEAD_BOARD_KEY,
  publishHeadBoard,
  type BoardHead,
  type BoardScope,
} from '../../../worker/src/read-cache/head-board.ts'
import { publishFeedPointers } from '../../../worker/src/read-cache/publish-pointers.ts'
import { ReadCache } from '../../../worker/src/read-cache/read-cache.ts'
import { clearHistory, cloudflareMirror, envWith, publishCloudflare } from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

/** Real Cloudflare ranges (../shared/fixtures/feeds/cloudflare/ips-v4, ips-v6). */
const V1 = { v4: ['173.245.48.0/20', '103.21.244.0/22'], v6: ['2400:cb00::/32'] }
const V2 = { v4: [...V1.v4, '103.22.200.0/22'], v6: V1.v6 }

/**
 * The test env with every D1 statement recorded as it is prepared or executed, and the head
 * board's KV reads counted; `board: false` leaves FEED_HEADS unbound.
 */
function countingEnv({ board = true } = {}): {
  env: Env
  queries: string[]
  boardReads: () => number
} {
  let reads = 0
  const kv = new Proxy(env.FEED_HEADS, {
    get(target, prop) {
      if (prop === 'get') {
        return (...args: Parameters<KVNamespace['get']>) => {
          reads++
          return target.get(...args)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    },
  })
  const queries: string[] = []
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare' || prop === 'exec') {
        return (sql: string) => {
          queries.push(sql.replace(/\s+/g, ' ').slice(0, 80))
          return prop === 'prepare' ? target.prepare(sql) : target.exec(sql)
        }
      }
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          queries.push(`batch of ${statements.length}`)
          return target.batch(statements)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    },
  })
  const { FEED_HEADS: _, ...unboarded } = envWith({ ENABLED_FEEDS: 'cloudflare/edge' })
  return {
    env: board ? { ...unboarded, DB: db, FEED_HEADS: kv } : ({ ...unboarded, DB: db } as Env),
    queries,
    boardReads: () => reads,
  }
}

let mirror: TestMirror

async function sync(): Promise<void> {
  await runSync(envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }))
}

beforeEach(async () => {
  await clearHistory()
  mirror = await cloudflareMirror(V1.v4, V1.v6)
  await sync()
})

describe('reads through the read cache', () => {
  it('serves a cached read, its 304 and a rendered format without any D1 query', async () => {
    const app = createApp()
    const { env: counted, queries } = countingEnv()
    const get = (path: string, headers: Record<string, string> = {}) =>
      app.request(`https://worker.test${path}`, { headers }, counted)
    // The sync published the pointer; the first read renders the body once from D1.
    const first = await get('/v1/feeds/cloudflare/edge')
    expect(first.status).toBe(200)
    expect(queries).toHaveLength(1)
    expect(queries[0]).toMatch(/^SELECT v\.feed, v\.version/)
    const body = await first.text()
    queries.length = 0
    for (let i = 0; i < 20; i++) {
      const again = await get('/v1/feeds/cloudflare/edge')
      expect(again.status).toBe(200)
      expect(await again.text()).toBe(body)
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'))
      expect(again.headers.get('cache-control')).toBe(
        'public, max-age=60, stale-while-revalidate=300',
      )
    }
    const notModified = await get('/v1/feeds/cloudflare/edge', {
      'if-none-match': first.headers.get('etag')!,
    })
    expect(notModified.status).toBe(304)
    expect(queries).toEqual([])
    // A rendered format: one D1 read the first time, none after, and its own entity tag.
    const nginx = await get('/v1/feeds/cloudflare/edge?format=nginx&port=443/tcp')
    expect(nginx.status).toBe(200)
    expect(queries).toHaveLength(1)
    queries.length = 0
    const nginx2 = await get('/v1/feeds/cloudflare/edge?format=nginx&port=443/tcp')
    expect(await nginx2.text()).toBe(await nginx.text())
    const other = await get('/v1/feeds/cloudflare/edge?format=nginx&port=8443/tcp')
    expect(other.headers.get('etag')).not.toBe(nginx.headers.get('etag'))
    expect(queries).toHaveLength(1)
    expect(JSON.parse(body)).toMatchObject({
      version: 1,
      ipv4: ['103.21.244.0/22', '173.245.48.0/20'],
    })
  })

  it('shows a change stored by a sync on the very next read, and the old ETag gets a 200', async () => {
    const app = createApp()
    const { env: counted } = countingEnv()
    const get = (headers: Record<string, string> = {}) =>
      app.request('https://worker.test/v1/feeds/cloudflare/edge', { headers }, counted)
    const before = await get()
    const etag = before.headers.get('etag')!
    expect((await get({ 'if-none-match': etag })).status).toBe(304)
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await sync()
    const after = await get({ 'if-none-match': etag })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(etag)
    expect(await after.json()).toMatchObject({
      version: 2,
      ipv4: ['103.21.244.0/22', '103.22.200.0/22', '173.245.48.0/20'],
    })
  })

  it('trusts a pointer cached in another isolate until READ_CACHE_TTL_SECONDS, then refreshes it from the head board, not D1', async () => {
    let now = Date.parse('2026-03-05T12:00:00Z')
    // This isolate's cache: the sync (run elsewhere) never writes to it.
    const elsewhere = new ReadCache({ keyPrefix: `ttl-${crypto.randomUUID()}` })
    const app = createApp({ now: () => now, readCache: elsewhere })
    const { env: counted, queries } = countingEnv()
    const version = async (): Promise<number> =>
      (
        await (
          await app.request('https://worker.test/v1/feeds/cloudflare/edge', {}, counted)
        ).json<{ version: number }>()
      ).version
    expect(await version()).toBe(1)
    expect(queries).toHaveLength(1) // the body; the pointer came from the board
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await sync()
    queries.length = 0
    now += 59_000
    expect(await version()).toBe(1)
    expect(queries).toEqual([])
    now += 2_000
    expect(await version()).toBe(2)
    expect(queries).toHaveLength(1) // the new version's body
    expect(queries[0]).toMatch(/^SELECT v\.feed, v\.version/)
  })

  it('holds with the Cache API alone: a second isolate of the same data center reads no D1', async () => {
    const prefix = `edge-${crypto.randomUUID()}`
    const { env: counted, queries } = countingEnv()
    const read = (cache: ReadCache) =>
      createApp({ readCache: cache }).request(
        'https://worker.test/v1/feeds/cloudflare/edge?format=txt',
        {},
        counted,
      )
    const first = await read(new ReadCache({ memoryBytes: 0, keyPrefix: prefix }))
    expect(first.status).toBe(200)
    expect(queries).toHaveLength(1) // the body; the pointer came from the board
    queries.length = 0
    const second = await read(new ReadCache({ memoryBytes: 0, keyPrefix: prefix }))
    expect(await second.text()).toBe(await first.text())
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(queries).toEqual([])
  })

  it('lets concurrent misses share one board read and one D1 query per body (per pointer without a board)', async () => {
    for (const board of [true, false]) {
      const cache = new ReadCache({ keyPrefix: `burst-${crypto.randomUUID()}` })
      const app = createApp({ readCache: cache })
      const { env: counted, queries, boardReads } = countingEnv({ board })
      const responses = await Promise.all(
        Array.from({ length: 25 }, async () =>
          app.request('https://worker.test/v1/feeds/cloudflare/edge', {}, counted),
        ),
      )
      expect(responses.every((r) => r.status === 200)).toBe(true)
      expect(queries).toHaveLength(board ? 1 : 2)
      expect(boardReads()).toBe(board ? 1 : 0)
    }
  })

  it('caches past versions by version, and a feed that does not exist is a 404 without D1 after the first', async () => {
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await sync()
    const app = createApp()
    const { env: counted, queries } = countingEnv()
    const get = (path: string) => app.request(`https://worker.test${path}`, {}, counted)
    const old = await get('/v1/feeds/cloudflare/edge/snapshots/1')
    expect(old.status).toBe(200)
    expect(old.headers.get('cache-control')).toContain('immutable')
    queries.length = 0
    expect((await get('/v1/feeds/cloudflare/edge/snapshots/1')).status).toBe(200)
    expect(queries).toEqual([])
    expect((await get('/v1/feeds/user/nothing')).status).toBe(404)
    queries.length = 0
    expect((await get('/v1/feeds/user/nothing')).status).toBe(404)
    expect(queries).toEqual([])
  })
})

describe('the head board (FEED_HEADS)', () => {
  const read = (app: ReturnType<typeof createApp>, e: Env, feed = 'cloudflare/edge') =>
    app.request(`https://worker.test/v1/feeds/${feed}`, {}, e)
  const freshCache = () => new ReadCache({ keyPrefix: `board-${crypto.randomUUID()}` })
  const storedBoard = async () =>
    JSON.parse((await env.FEED_HEADS.get(HEAD_BOARD_KEY))!) as Record<string, unknown>

  it('keeps cached reads off D1 across pointer expiries: one KV read a TTL refreshes them', async () => {
    let now = Date.parse('2026-03-05T12:00:00Z')
    const app = createApp({ now: () => now, readCache: freshCache() })
    const { env: counted, queries, boardReads } = countingEnv()
    expect((await read(app, counted)).status).toBe(200)
    queries.length = 0
    for (let minute = 1; minute <= 5; minute++) {
      now += 61_000
      for (let i = 0; i < 10; i++) expect((await read(app, counted)).status).toBe(200)
    }
    expect(queries).toEqual([])
    expect(boardReads()).toBe(6)
  })

  it.each([
    ['FEED_HEADS unbound', 'unbound', null],
    ['no board yet (a first deploy before its first sync)', 'absent', null],
    ['a board that is not JSON', 'not JSON', /heads\/v1 is not JSON/],
    ['a board of the wrong shape', 'wrong shape', /heads\/v1 at cloudflare\/edge\.version: /],
    ['KV failing', 'failing', /reading heads\/v1: Error: KV is down/],
  ] as const)('falls back to D1 with %s', async (_, mode, logged) => {
    const errors: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => {
      errors.push(line)
    })
    try {
      if (mode === 'absent') await env.FEED_HEADS.delete(HEAD_BOARD_KEY)
      if (mode === 'not JSON') await env.FEED_HEADS.put(HEAD_BOARD_KEY, '{"cloudflare/edge":')
      if (mode === 'wrong shape') {
        await env.FEED_HEADS.put(HEAD_BOARD_KEY, '{"cloudflare/edge":{"version":"1"}}')
      }
      const { env: counted, queries } = countingEnv({ board: mode !== 'unbound' })
      const e =
        mode === 'failing'
          ? {
              ...counted,
              FEED_HEADS: {
                get: () => Promise.reject(new Error('KV is down')),
              } as unknown as KVNamespace,
            }
          : counted
      const res = await read(createApp({ readCache: freshCache() }), e)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ version: 1, ipv6: V1.v6 })
      expect(queries).toHaveLength(2) // the pointer from D1, then the body
      expect(queries[0]).toMatch(/^SELECT version, sha256, fetched_at/)
      if (logged === null) expect(errors).toEqual([])
      else expect(errors.some((l) => l.includes('"head-board"') && logged.test(l))).toBe(true)
    } finally {
      spy.mockRestore()
    }
  })

  it('is written by a sync only for a new version of its own feeds, or a feed it lacks', async () => {
    let puts = 0
    const kv = new Proxy(env.FEED_HEADS, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target)
        if (prop === 'put') puts++
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value
      },
    })
    const publish = (feeds: string[]) =>
      publishFeedPointers({ db: env.DB, cache: freshCache(), board: kv }, feeds, Date.now(), 60_000)
    const synced = await storedBoard()
    expect(synced).toEqual({
      'cloudflare/edge': {
        version: 1,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        fetchedAt: expect.any(String) as string,
        held: null,
      },
    })
    const edge = synced['cloudflare/edge'] as Record<string, unknown>
    await publish(['cloudflare/edge'])
    expect(puts).toBe(0)
    // A new fetchedAt alone is the cron's to publish (sync-queue.test.ts).
    const older = { 'cloudflare/edge': { ...edge, fetchedAt: '2026-01-01T00:00:00.000Z' } }
    await env.FEED_HEADS.put(HEAD_BOARD_KEY, JSON.stringify(older))
    await publish(['cloudflare/edge'])
    expect(puts).toBe(0)
    expect(await storedBoard()).toEqual(older)
    // Another feed's entry stays as it is: its own publisher owns it. This feed's is mended.
    const staleS3 = { ...edge, version: 7 }
    await env.FEED_HEADS.put(
      HEAD_BOARD_KEY,
      JSON.stringify({ 'cloudflare/edge': { ...edge, version: 9 }, 'aws/S3': staleS3 }),
    )
    await publish(['cloudflare/edge'])
    expect(puts).toBe(1)
    expect(await storedBoard()).toEqual({ 'cloudflare/edge': edge, 'aws/S3': staleS3 })
    // A board that lacks a feed gets it from any publisher; a feed with no snapshot is null.
    await env.FEED_HEADS.put(HEAD_BOARD_KEY, '{}')
    await publish(['aws/S3'])
    expect(await storedBoard()).toEqual({ 'cloudflare/edge': edge, 'aws/S3': null })
    // ...which a read answers without D1: no snapshot yet.
    const { env: counted, queries } = countingEnv()
    const res = await read(createApp({ readCache: freshCache() }), counted, 'aws/S3')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'ERR_NO_SNAPSHOT' })
    expect(queries).toEqual([])
  })

  it("publishes a held candidate's every change from its own sync, and all of them from the cron", async () => {
    const base = { version: 3, sha256: 'a'.repeat(64), fetchedAt: '2026-03-05T12:00:00.000Z' }
    const held = (tag: string, fetchedAt = base.fetchedAt) =>
      new Map([['f/x', { ...base, fetchedAt, held: tag }]])
    await env.FEED_HEADS.put(
      HEAD_BOARD_KEY,
      JSON.stringify({ 'f/x': { ...base, held: 'ab.1.held' } }),
    )
    const later = '2026-03-05T12:15:00.000Z'
    const cases: [Map<string, BoardHead>, BoardScope, boolean][] = [
      [held('ab.1.held', later), { changes: ['f/x'] }, false],
      [held('ab.2.held'), { changes: ['g/y'] }, false],
      [held('ab.2.held'), { changes: ['f/x'] }, true],
      [held('cd.1.rejected'), { changes: ['f/x'] }, true],
      [held('cd.1.rejected', later), 'everything', true],
      [held('cd.1.rejected', later), 'everything', false],
    ]
    for (const [heads, scope, written] of cases) {
      expect(
        await publishHeadBoard(env.FEED_HEADS, heads, scope),
        JSON.stringify([...heads.values(), scope]),
      ).toBe(written)
    }
    expect(await storedBoard()).toEqual({
      'f/x': { ...base, fetchedAt: later, held: 'cd.1.rejected' },
    })
  })
})
