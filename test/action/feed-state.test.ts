/**
 * @module getFeedState from a worker (`source`): snapshots by `GET /v1/feeds/:provider/:list`
 * with If-None-Match = the locked sha256, a 304 for unchanged feeds, the same guards applied to
 * what the worker serves (held candidates applied and listed in `held`); only https:// or
 * loopback http:// sources; the lock file round trip. Feed contents are public stand-ins for the
 * documentation ranges (11.0.2.0/24, 12.51.100.0/24, 13.0.113.0/24, 2a0b:db8::/32).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  formatLock,
  getFeedState,
  isAllowedSource,
  parseLock,
  SourceUrlError,
} from '../../action/src/feed-state.ts'
import { sha256Lists, type Snapshot } from '../../shared/src/index.ts'

const served = new Map<string, unknown>()
/** The stub worker's change log: seq -> feed. */
const changeLog: { seq: number; feed: string }[] = []
const seen: { url: string; ifNoneMatch: string | undefined }[] = []
let server: Server
let url = ''

async function snapshot(
  feed: string,
  ipv4: string[],
  ipv6: string[] = [],
  version = 1,
): Promise<Snapshot> {
  return {
    feed,
    version,
    sha256: await sha256Lists({ ipv4, ipv6 }),
    fetchedAt: '2026-01-01T00:00:00.000Z',
    changedAt: '2026-01-01T00:00:00.000Z',
    source: `https://example.com/${feed}`,
    ipv4,
    ipv6,
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const inm = req.headers['if-none-match']
    seen.push({ url: req.url ?? '', ifNoneMatch: inm })
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname === '/v1/changes') {
      if (changeLog.length === 0) return void res.writeHead(404).end('{}')
      const since = Number(u.searchParams.get('since') ?? '0')
      const feeds = (u.searchParams.get('feeds') ?? '').split(',')
      const page = changeLog.filter((c) => c.seq > since && feeds.includes(c.feed))
      const body = {
        changes: page.map((c) => ({ feed: c.feed, cursor: String(c.seq) })),
        nextCursor: String(page.at(-1)?.seq ?? since),
        hasMore: false,
      }
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(body))
    }
    const body = served.get((req.url ?? '').replace('/v1/feeds/', ''))
    if (body === undefined) return void res.writeHead(404).end('{}')
    const etag = `"${(body as Snapshot).sha256}"`
    if (inm === etag) return void res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const options = (previous: Record<string, Snapshot>) => ({
  userFeeds: [],
  source: url,
  fetch: globalThis.fetch,
  now: () => Date.parse('2026-02-01T00:00:00Z'),
  maxRemovalPercent: 50,
  allowMassRemoval: false,
  previous,
})

describe('getFeedState from a worker', () => {
  it('takes new snapshots, 304s unchanged ones, and diffs against the lock', async () => {
    const hooks1 = await snapshot('github/hooks', ['11.0.2.0/24'])
    const web1 = await snapshot('github/web', ['12.51.100.0/24'])
    const hooks2 = await snapshot('github/hooks', ['11.0.2.0/24', '13.0.113.0/24'], [], 2)
    served.set('github/hooks', hooks2)
    served.set('github/web', web1)
    seen.length = 0
    const state = await getFeedState(
      ['github/hooks', 'github/web'],
      options({ 'github/hooks': hooks1, 'github/web': web1 }),
    )
    expect(state.refusals).toEqual([])
    expect(state.origin).toBe(url)
    expect([...state.changes.keys()]).toEqual(['github/hooks'])
    expect(state.changes.get('github/hooks')!.added.ipv4).toEqual(['13.0.113.0/24'])
    expect(state.snapshots.get('github/web')!.sha256).toBe(web1.sha256)
    expect(seen.find((s) => s.url.endsWith('github/web'))!.ifNoneMatch).toBe(`"${web1.sha256}"`)
  })

  it.each([
    ['an entry that is not a CIDR', ['11.0.2.0/24; rm -rf /'], 'invalid-entry'],
    ['an empty snapshot', [], 'empty'],
    ['0.0.0.0/0', ['11.0.2.0/24', '0.0.0.0/0'], 'allow-all'],
    ['a private range', ['11.0.2.0/24', '10.0.0.0/8'], 'reserved-space'],
    ['a /7', ['11.0.2.0/24', '12.0.0.0/7'], 'too-broad'],
  ])('refuses %s and keeps the locked snapshot', async (_what, ipv4, guard) => {
    const locked = await snapshot('github/hooks', ['11.0.2.0/24'])
    served.set('github/hooks', { ...(await snapshot('github/hooks', [], [], 2)), ipv4 })
    const state = await getFeedState(['github/hooks'], options({ 'github/hooks': locked }))
    expect(state.refusals.map((r) => r.guard)).toEqual([guard])
    expect(state.snapshots.get('github/hooks')).toBe(locked)
    expect(state.changes.size).toBe(0)
  })

  it('applies a mass removal and lists it as held, unless allowMassRemoval', async () => {
    const locked = await snapshot('github/hooks', ['11.0.2.0/24'])
    served.set('github/hooks', await snapshot('github/hooks', ['11.0.2.0/26'], [], 2))
    const state = await getFeedState(['github/hooks'], options({ 'github/hooks': locked }))
    expect(state.refusals).toEqual([])
    expect(state.held).toEqual([
      expect.objectContaining({
        kind: 'held',
        feed: 'github/hooks',
        guard: 'mass-removal',
        previous: locked,
        candidate: expect.objectContaining({ version: 2, ipv4: ['11.0.2.0/26'] }) as unknown,
      }),
    ])
    expect(state.snapshots.get('github/hooks')!.ipv4).toEqual(['11.0.2.0/26'])
    expect(state.changes.get('github/hooks')!.removed.ipv4).toEqual([
      '11.0.2.64/26',
      '11.0.2.128/25',
    ])
    const plain = await getFeedState(['github/hooks'], {
      ...options({ 'github/hooks': locked }),
      allowMassRemoval: true,
    })
    expect(plain.held).toEqual([])
    expect(plain.changes.get('github/hooks')!.version).toBe(2)
  })

  it('allowMassRemoval also makes a mass addition a plain change (the draft PR is skipped)', async () => {
    const locked = await snapshot('github/hooks', ['11.0.2.0/24'])
    served.set(
      'github/hooks',
      await snapshot('github/hooks', ['11.0.2.0/24', '14.0.0.0/16', '14.2.0.0/16'], [], 2),
    )
    const held = await getFeedState(['github/hooks'], options({ 'github/hooks': locked }))
    expect(held.held.map((h) => h.guard)).toEqual(['mass-addition'])
    const plain = await getFeedState(['github/hooks'], {
      ...options({ 'github/hooks': locked }),
      allowMassRemoval: true,
    })
    expect([plain.held, plain.refusals]).toEqual([[], []])
    expect(plain.changes.get('github/hooks')!.added.ipv4).toEqual(['14.0.0.0/16', '14.2.0.0/16'])
  })

  it('refuses a worker error without a locked snapshot to fall back on', async () => {
    const state = await getFeedState(['github/api'], options({}))
    expect(state.refusals).toEqual([
      expect.objectContaining({ feed: 'github/api', guard: 'http-error' }),
    ])
    expect(state.snapshots.size).toBe(0)
  })
})

describe('the worker source URL', () => {
  it.each([
    ['https://allowlists.example.workers.dev', true],
    ['https://10.0.0.1:8443/base/', true],
    ['http://127.0.0.1:8787', true],
    ['http://127.9.9.9', true],
    ['http://localhost:8787/', true],
    ['http://[::1]:8787', true],
    ['http://allowlists.example.workers.dev', false],
    ['http://10.0.0.1', false],
    ['http://127.0.0.1.evil.example', false],
    ['ftp://127.0.0.1', false],
    ['not a url', false],
  ])('%s: %s', (source, ok) => {
    expect(isAllowedSource(source)).toBe(ok)
  })

  it('refuses plain http:// to a non-loopback host before any request', async () => {
    seen.length = 0
    await expect(
      getFeedState(['github/hooks'], { ...options({}), source: 'http://worker.example' }),
    ).rejects.toThrow(SourceUrlError)
    await expect(
      getFeedState(['github/hooks'], { ...options({}), source: 'http://worker.example' }),
    ).rejects.toThrow(/a worker source must be an https:\/\/ URL/)
    expect(seen).toEqual([])
  })
})

describe('getFeedState from upstream', () => {
  it('applies a held candidate and lists it, as from a worker', async () => {
    const locked = await snapshot(
      'coolify/cloud',
      ['11.0.2.1/32', '11.0.2.2/31'],
      ['2a0b:db8::/64'],
    )
    const files: Record<string, string> = {
      'https://coolify.io/ipv4.txt': '11.0.2.1\n',
      'https://coolify.io/ipv6.txt': '2a0b:db8::/64\n',
    }
    const state = await getFeedState(['coolify/cloud'], {
      ...options({ 'coolify/cloud': locked }),
      source: '',
      fetch: ((u: string) => Promise.resolve(new Response(files[u]))) as typeof fetch,
    })
    expect(state.origin).toBe('upstream')
    expect(state.held.map((h) => [h.feed, h.guard])).toEqual([['coolify/cloud', 'mass-removal']])
    expect(state.snapshots.get('coolify/cloud')!.ipv4).toEqual(['11.0.2.1/32'])
    expect(state.changes.get('coolify/cloud')!.removed.ipv4).toEqual(['11.0.2.2/31'])
  })
})

describe('getFeedState with the worker change log (/v1/changes)', () => {
  it('keeps a cursor, then fetches only the snapshots of feeds that changed since', async () => {
    const hooks = await snapshot('github/hooks', ['11.0.2.0/24'])
    const web = await snapshot('github/web', ['12.51.100.0/24'])
    served.set('github/hooks', hooks)
    served.set('github/web', web)
    changeLog.push(
      { seq: 7, feed: 'github/hooks' },
      { seq: 9, feed: 'github/web' },
      { seq: 11, feed: 'aws/EC2' },
    )
    const ids = ['github/hooks', 'github/web']
    const first = await getFeedState(ids, options({}))
    expect(first.cursor).toEqual({ source: url, value: '9' })
    expect(first.changes.size).toBe(2)
    const previous = Object.fromEntries(first.snapshots)

    seen.length = 0
    const quiet = await getFeedState(ids, { ...options(previous), cursor: first.cursor! })
    // The change log, and the catalogue (how fresh the feeds are: this stand-in has none).
    expect(seen.map((s) => s.url.split('?')[0]).toSorted()).toEqual(['/v1/changes', '/v1/feeds'])
    expect(quiet.warnings).toEqual([
      `${url}/v1/feeds: answered 404; how fresh the worker's feeds are was not checked`,
    ])
    expect(quiet.changes.size).toBe(0)
    expect(quiet.cursor).toEqual(first.cursor)
    expect(formatLock(quiet.snapshots, quiet.cursor)).toBe(
      formatLock(first.snapshots, first.cursor),
    )

    const hooks2 = await snapshot('github/hooks', ['11.0.2.0/24', '13.0.113.0/24'], [], 2)
    served.set('github/hooks', hooks2)
    changeLog.push({ seq: 12, feed: 'github/hooks' })
    seen.length = 0
    const next = await getFeedState(ids, { ...options(previous), cursor: first.cursor! })
    expect(seen.map((s) => s.url.split('?')[0]).toSorted()).toEqual([
      '/v1/changes',
      '/v1/feeds',
      '/v1/feeds/github/hooks',
    ])
    expect([...next.changes.keys()]).toEqual(['github/hooks'])
    expect(next.cursor).toEqual({ source: url, value: '12' })

    // a refused change keeps the old cursor, so the next run looks at it again
    served.set('github/hooks', { ...hooks2, ipv4: [] })
    changeLog.push({ seq: 13, feed: 'github/hooks' })
    const refused = await getFeedState(ids, { ...options(previous), cursor: next.cursor! })
    expect(refused.refusals.map((r) => r.guard)).toEqual(['empty'])
    expect(refused.cursor).toEqual(next.cursor)
    changeLog.length = 0
  })
})

describe('formatLock / parseLock', () => {
  it('round-trips, is stable, and carries no fetch times', async () => {
    const s = await snapshot('coolify/cloud', ['11.0.2.1/32'], ['2a0b:db8::/64'])
    const text = formatLock(new Map([['coolify/cloud', s]]))
    expect(text).not.toContain('2026-01-01')
    expect(formatLock(new Map([['coolify/cloud', { ...s, fetchedAt: 'x', changedAt: 'y' }]]))).toBe(
      text,
    )
    const back = parseLock(text)['coolify/cloud']!
    expect([back.version, back.sha256, back.ipv4, back.ipv6]).toEqual([
      s.version,
      s.sha256,
      s.ipv4,
      s.ipv6,
    ])
  })

  it("keeps the publisher's version, so a refused feed re-renders the same header", async () => {
    const s = await snapshot('google/services', ['8.8.4.0/24'], [])
    const upstreamVersion = { field: 'syncToken', value: '1755612000000' }
    const text = formatLock(new Map([['google/services', { ...s, upstreamVersion }]]))
    expect(parseLock(text)['google/services']!.upstreamVersion).toEqual(upstreamVersion)
    const bad = text.replace('"syncToken"', '7')
    expect(() => parseLock(bad)).toThrow("feed 'google/services': bad upstreamVersion")
  })

  it('rejects a file that is not a lock', () => {
    expect(() => parseLock('{"feeds": {}}')).toThrow('version 1')
  })
})
