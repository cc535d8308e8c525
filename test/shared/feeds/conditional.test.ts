/**
 * Acceptance 4: conditional requests. The second sync sends If-None-Match / If-Modified-Since;
 * a 304 yields the previous snapshot without reading or parsing a body. Also: the request
 * headers (User-Agent, a GitHub token for api.github.com only) and the mirror mapping.
 */
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  findFeed,
  mirrorUrl,
  sha256Lists,
  syncFeeds,
  USER_AGENT,
  type FetchInit,
  type FetchLike,
  type Snapshot,
} from '../../../shared/src/feeds/index.ts'
import { startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'
import { syncViaMirror } from './oracle.ts'

const HOOKS = findFeed('github/hooks')!
const COOLIFY = findFeed('coolify/cloud')!
const META = JSON.stringify({ hooks: ['11.0.2.0/24', '2a0b:db8::/32'], web: ['12.51.100.0/24'] })

describe('conditional requests', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())
  afterEach(() => {
    vi.restoreAllMocks()
    mirror.requests.length = 0
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
  })

  it('sends the validators of the first response, and a 304 yields the previous snapshot unparsed', async () => {
    mirror.files['api.github.com/meta'] = META
    const first = await syncViaMirror(mirror, [HOOKS])
    const firstReq = mirror.requests[0]!
    expect(firstReq.headers['if-none-match']).toBeUndefined()
    expect(firstReq.headers['if-modified-since']).toBeUndefined()
    const cached = first.cache['https://api.github.com/meta']!
    expect(cached.etag).toMatch(/^".+"$/)
    expect(cached.lastModified).toMatch(/GMT$/)
    const snapshot = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    expect(snapshot?.ipv4).toEqual(['11.0.2.0/24'])

    const parse = vi.spyOn(JSON, 'parse')
    const second = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': snapshot! },
      cache: first.cache,
      now: () => Date.parse('2026-02-02T00:00:00Z'),
    })
    const req = mirror.requests[1]!
    expect(req.headers['if-none-match']).toBe(cached.etag)
    expect(req.headers['if-modified-since']).toBe(cached.lastModified)
    expect(req.status).toBe(304)
    // Without parsing: JSON.parse never ran, and no byte of a body was read.
    expect(parse).not.toHaveBeenCalled()
    expect(second.fetches).toEqual([
      expect.objectContaining({ status: 304, bytes: 0, conditional: true }),
    ])
    expect(second.outcomes[0]).toEqual({
      kind: 'unchanged',
      feed: 'github/hooks',
      notModified: true,
      notes: [],
      snapshot: { ...snapshot, fetchedAt: '2026-02-02T00:00:00.000Z' },
    })
    expect(second.cache).toEqual(first.cache)
  })

  it('a 304 returns the previous lists even where the body would say otherwise (text feed)', async () => {
    mirror.files['coolify.io/ipv4.txt'] = '11.0.2.1\n11.0.2.2'
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64'
    const first = await syncViaMirror(mirror, [COOLIFY])
    // A previous snapshot the served bytes could never produce: if the 304 path parsed the body,
    // the result would be the served lists and a change.
    const lists = { ipv4: ['13.0.113.0/24'], ipv6: ['2a0b:db8:ffff::/48'] }
    const previous: Snapshot = {
      feed: 'coolify/cloud',
      version: 41,
      sha256: await sha256Lists(lists),
      fetchedAt: '2025-01-01T00:00:00.000Z',
      changedAt: '2024-12-01T00:00:00.000Z',
      source: 'https://coolify.io/ipv4.txt https://coolify.io/ipv6.txt',
      ...lists,
    }
    const second = await syncViaMirror(mirror, [COOLIFY], {
      previous: { 'coolify/cloud': previous },
      cache: first.cache,
    })
    expect(second.fetches.map((f) => f.status)).toEqual([304, 304])
    expect(second.outcomes[0]).toMatchObject({
      kind: 'unchanged',
      notModified: true,
      snapshot: { version: 41, ...lists },
    })
  })

  it('If-Modified-Since alone is enough for a 304', async () => {
    mirror.files['api.github.com/meta'] = META
    const first = await syncViaMirror(mirror, [HOOKS])
    const { lastModified } = first.cache['https://api.github.com/meta']!
    const prev = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    const second = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': prev! },
      cache: { 'https://api.github.com/meta': { lastModified: lastModified! } },
    })
    expect(mirror.requests[1]!.headers['if-none-match']).toBeUndefined()
    expect(mirror.requests[1]!.headers['if-modified-since']).toBe(lastModified)
    expect(second.outcomes[0]).toMatchObject({ kind: 'unchanged', notModified: true })
  })

  it('a stale ETag gets the new body, which is parsed and diffed', async () => {
    mirror.files['api.github.com/meta'] = META
    const first = await syncViaMirror(mirror, [HOOKS])
    const prev = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    mirror.files['api.github.com/meta'] = META.replace('11.0.2.0/24', '11.0.2.0/23')
    const second = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': prev! },
      cache: first.cache,
    })
    expect(mirror.requests[1]!.headers['if-none-match']).toBe(
      first.cache['https://api.github.com/meta']!.etag,
    )
    expect(second.outcomes[0]).toMatchObject({
      kind: 'changed',
      change: { previousVersion: 1, version: 2, added: { ipv4: ['11.0.3.0/24'] } },
    })
    expect(second.cache['https://api.github.com/meta']!.etag).not.toBe(
      first.cache['https://api.github.com/meta']!.etag,
    )
  })

  it('is unconditional when a feed read from the URL has no previous snapshot', async () => {
    mirror.files['api.github.com/meta'] = META
    const first = await syncViaMirror(mirror, [HOOKS])
    const prev = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    const web = findFeed('github/web')!
    const second = await syncViaMirror(mirror, [HOOKS, web], {
      previous: { 'github/hooks': prev! },
      cache: first.cache,
    })
    expect(mirror.requests[1]!.headers['if-none-match']).toBeUndefined()
    expect(second.fetches).toHaveLength(1)
    expect(second.outcomes.map((o) => o.kind)).toEqual(['unchanged', 'changed'])
  })

  it('a feed with one 304 source and one changed source refetches the 304 one in full', async () => {
    mirror.files['coolify.io/ipv4.txt'] = '11.0.2.1'
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64'
    const first = await syncViaMirror(mirror, [COOLIFY])
    const prev = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64\n2a0b:db8:0:1::/64'
    const second = await syncViaMirror(mirror, [COOLIFY], {
      previous: { 'coolify/cloud': prev! },
      cache: first.cache,
    })
    expect(second.fetches.map((f) => [f.url.slice(-8), f.status, f.conditional])).toEqual([
      ['ipv4.txt', 304, true],
      ['ipv6.txt', 200, true],
      ['ipv4.txt', 200, false],
    ])
    expect(second.outcomes[0]).toMatchObject({
      kind: 'changed',
      snapshot: { ipv4: ['11.0.2.1/32'], ipv6: ['2a0b:db8::/63'] },
    })
  })

  it('keeps each URL its own validators when feeds of several URLs sync together', async () => {
    mirror.files['api.github.com/meta'] = META
    mirror.files['coolify.io/ipv4.txt'] = '11.0.2.1'
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64'
    const { outcomes, cache } = await syncViaMirror(mirror, [HOOKS, COOLIFY])
    expect(outcomes.map((o) => o.kind)).toEqual(['changed', 'changed'])
    expect(Object.keys(cache).sort()).toEqual([
      'https://api.github.com/meta',
      'https://coolify.io/ipv4.txt',
      'https://coolify.io/ipv6.txt',
    ])
    expect(Object.values(cache).every((e) => e.refused === undefined)).toBe(true)
  })

  it("a good URL's validators are not kept when its feed was refused for another URL", async () => {
    mirror.files['coolify.io/ipv4.txt'] = (_req, res) => void res.writeHead(503).end()
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64'
    const first = await syncViaMirror(mirror, [COOLIFY])
    expect(first.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'http-error' })
    // A 304 for ipv6.txt next time would hide that the feed was never built from it.
    expect(first.cache).toEqual({})
  })

  it('a 304 repeats a refusal the same body earned, instead of hiding it', async () => {
    mirror.files['coolify.io/ipv4.txt'] = ''
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/64'
    const first = await syncViaMirror(mirror, [COOLIFY])
    expect(first.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'empty' })
    expect(first.cache['https://coolify.io/ipv4.txt']!.refused).toHaveProperty('coolify/cloud')
    const second = await syncViaMirror(mirror, [COOLIFY], { cache: first.cache })
    expect(second.fetches.map((f) => f.status)).toEqual([304, 304])
    expect(second.outcomes[0]).toMatchObject({
      kind: 'refused',
      guard: 'empty',
      reason: /HTTP 304/,
    })
  })

  it('a hold is not cached: each fetch sees the held candidate again, and so may the override', async () => {
    mirror.files['api.github.com/meta'] = META
    const first = await syncViaMirror(mirror, [HOOKS])
    const prev = first.outcomes[0]!.kind === 'changed' ? first.outcomes[0]!.snapshot : undefined
    mirror.files['api.github.com/meta'] = JSON.stringify({
      hooks: ['13.0.113.0/24', '2a0b:db8::/32'],
    })
    const held = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': prev! },
      cache: first.cache,
    })
    expect(held.outcomes[0]).toMatchObject({ kind: 'held', guard: 'mass-removal' })
    expect(held.cache).toEqual({})
    const again = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': prev! },
      cache: held.cache,
    })
    expect(again.outcomes[0]).toMatchObject({ kind: 'held', guard: 'mass-removal' })
    expect(mirror.requests.at(-1)!.status).toBe(200)
    const allowed = await syncViaMirror(mirror, [HOOKS], {
      previous: { 'github/hooks': prev! },
      cache: again.cache,
      guards: { allowMassRemoval: true },
    })
    expect(allowed.outcomes[0]).toMatchObject({ kind: 'changed', snapshot: { version: 2 } })
  })

  it('sends the project User-Agent and never the GitHub token to a mirror', async () => {
    mirror.files['api.github.com/meta'] = META
    await syncViaMirror(mirror, [HOOKS], { githubToken: 'ghs_secret' })
    expect(mirror.requests[0]!.headers['user-agent']).toBe(USER_AGENT)
    expect(USER_AGENT).toMatch(/^allowlist-sync\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\//)
    const { version } = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    expect(USER_AGENT).toContain(`allowlist-sync/${version} `)
    expect(mirror.requests[0]!.headers.authorization).toBeUndefined()
  })
})

describe('fetch headers without a mirror', () => {
  /** A fetch double that records requests and answers 200 with `body`. */
  function recorder(body: string) {
    const calls: { url: string; init: FetchInit }[] = []
    const fetch: FetchLike = (url, init) => {
      calls.push({ url, init })
      return Promise.resolve(new Response(body, { status: 200 }))
    }
    return { calls, fetch }
  }

  it('sends Authorization: Bearer only to https://api.github.com', async () => {
    const gh = recorder(META)
    await syncFeeds([HOOKS], { fetch: gh.fetch, now: () => 0, githubToken: 'ghs_secret' })
    expect(gh.calls[0]!.url).toBe('https://api.github.com/meta')
    expect(gh.calls[0]!.init.headers.authorization).toBe('Bearer ghs_secret')
    expect(gh.calls[0]!.init.redirect).toBe('manual')

    const other = recorder('11.0.2.0/24')
    await syncFeeds([findFeed('cloudflare/edge')!], {
      fetch: other.fetch,
      now: () => 0,
      githubToken: 'ghs_secret',
    })
    expect(other.calls.map((c) => c.init.headers.authorization)).toEqual([undefined, undefined])
  })
})

describe('mirrorUrl', () => {
  it.each([
    [
      'https://api.github.com/meta',
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8080/api.github.com/meta',
    ],
    [
      'https://www.cloudflare.com/ips-v4',
      'https://mirror.example/up/',
      'https://mirror.example/up/www.cloudflare.com/ips-v4',
    ],
    ['https://example.com/a?b=c', 'http://m', 'http://m/example.com/a?b=c'],
    ['https://example.com/a', undefined, 'https://example.com/a'],
    ['https://example.com/a', '', 'https://example.com/a'],
  ])('%s via %s', (url, mirror, expected) => expect(mirrorUrl(url, mirror)).toBe(expected))

  it.each(['ftp://mirror.example', 'not a url'])('refuses %s as a mirror', (mirror) => {
    expect(() => mirrorUrl('https://example.com/', mirror)).toThrow(
      expect.objectContaining({ code: 'ERR_MIRROR' }),
    )
  })
})
