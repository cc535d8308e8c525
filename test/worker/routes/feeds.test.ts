/** Tests worker/src/routes/feeds.ts: shapes, ETag/304, formats, history, problem-details errors. */
import { beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, FORMATS, readRendered, snapshotSchema } from '../../../shared/src/index.ts'
import type { Change, Snapshot } from '../../../shared/src/index.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  expectProblem,
  publishCloudflare,
} from '../support/harness.ts'

const V1 = { v4: ['11.0.2.0/24'], v6: ['2a0b:db8::/48'] }
const V2 = { v4: ['11.0.2.0/24', '12.51.100.0/24'], v6: ['2a0b:db8::/48'] }
let between = ''

beforeAll(async () => {
  await clearHistory()
  const mirror = await cloudflareMirror(V1.v4, V1.v6)
  const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
  await runSync(e)
  await new Promise((resolve) => setTimeout(resolve, 20))
  between = new Date().toISOString()
  await new Promise((resolve) => setTimeout(resolve, 20))
  await publishCloudflare(mirror, V2.v4, V2.v6)
  await runSync(e)
})

describe('GET /v1/feeds', () => {
  it('lists every built-in feed with its state', async () => {
    const res = await call('/v1/feeds', {}, { ENABLED_FEEDS: 'cloudflare/edge' })
    expect(res.status).toBe(200)
    const { feeds } = await res.json<{ feeds: Record<string, unknown>[] }>()
    expect(feeds.map((f) => f['id'])).toEqual(BUILTIN_FEEDS.map((f) => f.id))
    const edge = feeds.find((f) => f['id'] === 'cloudflare/edge')!
    expect(edge).toEqual({
      id: 'cloudflare/edge',
      title: expect.any(String) as string,
      docsUrl: expect.stringMatching(/^https:\/\//) as string,
      sources: ['https://www.cloudflare.com/ips-v4', 'https://www.cloudflare.com/ips-v6'],
      enabled: true,
      optional: false,
      version: 2,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      // The mirror's ETag of the two lists: Cloudflare writes no version of its own.
      upstreamVersion: { field: 'ETag', value: expect.any(String) as string },
      counts: { ipv4: 2, ipv6: 1, ipv4Addresses: 512 },
      fetchedAt: expect.any(String) as string,
      lastCheckedAt: expect.any(String) as string,
      lastChangedAt: expect.any(String) as string,
      lastOutcome: { outcome: 'changed', at: expect.any(String) as string },
      lastOutcomeSince: expect.any(String) as string,
      lastRefusal: null,
      held: null,
    })
    // Both checks were ok: ok since the first one.
    expect(Date.parse(edge['lastOutcomeSince'] as string)).toBeLessThan(
      Date.parse(edge['lastCheckedAt'] as string),
    )
    expect(feeds.find((f) => f['id'] === 'github/dependabot')).toMatchObject({ optional: true })
    const never = feeds.find((f) => f['id'] === 'github/hooks')!
    expect(never).toMatchObject({ enabled: false, version: null, counts: null, lastOutcome: null })
  })
})

describe('GET /v1/feeds/:provider/:list', () => {
  it('returns the current snapshot with its sha256 as ETag and a Cache-Control', async () => {
    const res = await call('/v1/feeds/cloudflare/edge')
    expect(res.status).toBe(200)
    const snap = await res.json<Snapshot>()
    expect(snap).toEqual({
      feed: 'cloudflare/edge',
      version: 2,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      // The mirror's ETag of the two lists: Cloudflare writes no version of its own.
      upstreamVersion: { field: 'ETag', value: expect.any(String) as string },
      fetchedAt: expect.any(String) as string,
      changedAt: expect.any(String) as string,
      source: 'https://www.cloudflare.com/ips-v4 https://www.cloudflare.com/ips-v6',
      ipv4: V2.v4,
      ipv6: V2.v6,
      held: null,
    })
    expect(res.headers.get('etag')).toBe(`"${snap.sha256}"`)
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/)
    // the published snapshot schema (action/snapshot.schema.json) holds what the API serves
    expect(snapshotSchema.safeParse(snap).error).toBeUndefined()
  })

  it('answers 304 without a body to a matching If-None-Match, weak or in a list', async () => {
    const etag = (await call('/v1/feeds/cloudflare/edge')).headers.get('etag')!
    for (const inm of [etag, `W/${etag}`, `"x", ${etag}`, '*']) {
      const res = await call('/v1/feeds/cloudflare/edge', { headers: { 'if-none-match': inm } })
      expect(res.status, inm).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe(etag)
    }
    const stale = await call('/v1/feeds/cloudflare/edge', { headers: { 'if-none-match': '"old"' } })
    expect(stale.status).toBe(200)
  })

  it('renders ?format=txt and every other format through shared/render, with its own ETag', async () => {
    const txt = await call('/v1/feeds/cloudflare/edge?format=txt')
    expect(txt.status).toBe(200)
    expect(txt.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(txt.headers.get('etag')).toMatch(/\.txt"$/)
    expect(readRendered('txt', await txt.text())).toMatchObject({ ipv4: V2.v4, ipv6: V2.v6 })
    for (const f of FORMATS) {
      const res = await call(`/v1/feeds/cloudflare/edge?format=${f.id}&port=443/tcp`)
      expect(res.status, f.id).toBe(200)
      expect(res.headers.get('content-type'), f.id).toBe(f.mediaType)
      expect((await res.arrayBuffer()).byteLength, f.id).toBeGreaterThan(0)
    }
    const again = await call('/v1/feeds/cloudflare/edge?format=txt', {
      headers: { 'if-none-match': txt.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
  })

  it('passes the render options: table, exempt-loopback, exempt-private', async () => {
    const sets = await call('/v1/feeds/cloudflare/edge?format=nftables&table=ip%20fw')
    expect(await sets.text()).toContain('flush set ip fw allowlist_sync_v4\n')
    const guarded = '/v1/feeds/cloudflare/edge?format=iptables&port=443/tcp'
    expect(await (await call(guarded)).text()).toContain('-i lo -j RETURN')
    const strict = await call(`${guarded}&exempt-loopback=false`)
    expect(await strict.text()).not.toContain('-i lo')
    const docker = await call('/v1/feeds/cloudflare/edge?format=docker-user&exempt-private=true')
    expect(await docker.text()).toContain('-s 10.0.0.0/8 -m comment --comment exempt-private')
    for (const bad of [
      'format=ufw&exempt-loopback=false',
      'format=nftables&exempt-private=true',
      'format=nftables&table=filter',
      'format=nftables&exempt-loopback=no',
    ]) {
      await expectProblem(await call(`/v1/feeds/cloudflare/edge?${bad}`), 400, 'ERR_VALIDATION')
    }
  })

  it('refuses bad input with problem details', async () => {
    await expectProblem(await call('/v1/feeds/cloudflare/edge?format=pdf'), 400, 'ERR_VALIDATION')
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge?format=nginx&port=99999'),
      400,
      'ERR_VALIDATION',
    )
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge?format=nginx&name=a;b'),
      400,
      'ERR_VALIDATION',
    )
    await expectProblem(await call('/v1/feeds/nope/list'), 404, 'ERR_NOT_FOUND')
    await expectProblem(await call('/v1/feeds/Bad!/x'), 400, 'ERR_VALIDATION')
    await expectProblem(await call('/v1/feeds/github/hooks'), 404, 'ERR_NO_SNAPSHOT')
    const problem = await expectProblem(await call('/v1/nothing-here'), 404, 'ERR_NOT_FOUND')
    expect(problem.instance).toBe('/v1/nothing-here')
    expect(problem.type).toBe('urn:allowlist-sync:problem:ERR_NOT_FOUND')
  })
})

describe('GET /v1/feeds/:provider/:list/snapshots/:version', () => {
  it('returns an old version, immutable, and 404 for one that does not exist', async () => {
    const res = await call('/v1/feeds/cloudflare/edge/snapshots/1')
    expect(res.status).toBe(200)
    const old: unknown = await res.json()
    expect(old).toMatchObject({ version: 1, ipv4: V1.v4, ipv6: V1.v6 })
    expect(snapshotSchema.safeParse(old).error).toBeUndefined()
    expect(res.headers.get('cache-control')).toContain('immutable')
    await expectProblem(await call('/v1/feeds/cloudflare/edge/snapshots/9'), 404, 'ERR_NOT_FOUND')
    const bad = await expectProblem(
      await call('/v1/feeds/cloudflare/edge/snapshots/0'),
      400,
      'ERR_VALIDATION',
    )
    expect(bad.errors?.[0]?.field).toBe('param.version')
  })
})

describe('GET /v1/feeds/:provider/:list/changes', () => {
  it('lists changes since a version or a time', async () => {
    const all = await (
      await call('/v1/feeds/cloudflare/edge/changes')
    ).json<{ feed: string; changes: Change[] }>()
    expect(all.feed).toBe('cloudflare/edge')
    expect(all.changes.map((c) => [c.version, c.previousVersion])).toEqual([
      [1, 0],
      [2, 1],
    ])
    expect(all.changes[1]).toMatchObject({
      added: { ipv4: ['12.51.100.0/24'], ipv6: [] },
      removed: { ipv4: [], ipv6: [] },
    })
    const sinceV1 = await (
      await call('/v1/feeds/cloudflare/edge/changes?since=1')
    ).json<{ changes: Change[] }>()
    expect(sinceV1.changes.map((c) => c.version)).toEqual([2])
    const sinceTime = await (
      await call(`/v1/feeds/cloudflare/edge/changes?since=${between}`)
    ).json<{ changes: Change[] }>()
    expect(sinceTime.changes.map((c) => c.version)).toEqual([2])
    const limited = await (
      await call('/v1/feeds/cloudflare/edge/changes?limit=1')
    ).json<{ changes: Change[] }>()
    expect(limited.changes).toHaveLength(1)
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/changes?since=yesterday'),
      400,
      'ERR_VALIDATION',
    )
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/changes?limit=0'),
      400,
      'ERR_VALIDATION',
    )
  })
})
