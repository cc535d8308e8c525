/**
 * Tests the held candidate in worker/src/routes (feeds.ts, feed-catalogue.ts, status.ts) inside
 * workerd with real D1: `held` in GET /v1/feeds and GET /v1/feeds/:provider/:list (and its
 * ETag), the marker on the status page, and the admin's confirm and reject, which need
 * `Authorization: Bearer ADMIN_TOKEN`.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { Change } from '../../../shared/src/index.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { READ_CACHE } from '../../../worker/src/read-cache/read-cache.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  expectProblem,
  publishCloudflare,
  rows,
} from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

const ADMIN = { authorization: 'Bearer test-admin-token' }
const V1 = { v4: ['173.245.48.0/20', '103.21.244.0/22'], v6: ['2606:4700::/32'] }
const V2 = { v4: ['104.16.0.0/13'], v6: ['2606:4700::/32'] }
let mirror: TestMirror

const sync = () =>
  runSync(envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }))

interface Listed {
  id: string
  version: number
  held: { sha256: string; seenCount: number; status: string; guard: string } | null
}

async function listed(): Promise<Listed> {
  const { feeds } = await (await call('/v1/feeds')).json<{ feeds: Listed[] }>()
  return feeds.find((f) => f.id === 'cloudflare/edge')!
}

beforeEach(async () => {
  await clearHistory()
  mirror = await cloudflareMirror(V1.v4, V1.v6)
  await sync()
  await publishCloudflare(mirror, V2.v4, V2.v6)
  await sync()
})

describe('the held candidate in the API and on the status page', () => {
  it('is in GET /v1/feeds and GET /v1/feeds/:provider/:list, whose ETag follows it', async () => {
    const feed = await listed()
    expect(feed).toMatchObject({
      version: 1,
      held: { guard: 'mass-removal', status: 'held', seenCount: 1 },
    })
    const res = await call('/v1/feeds/cloudflare/edge')
    const body = await res.json<{ version: number; sha256: string; held: Listed['held'] }>()
    expect(body.version).toBe(1)
    // The listing carries the view without the lists: their counts and a link to them.
    const { added, removed, ...rest } = body.held as unknown as Record<
      string,
      { ipv4: string[]; ipv6: string[] }
    >
    expect(feed.held).toEqual({
      ...rest,
      addedCounts: { ipv4: added!.ipv4.length, ipv6: added!.ipv6.length },
      removedCounts: { ipv4: removed!.ipv4.length, ipv6: removed!.ipv6.length },
      href: '/v1/feeds/cloudflare/edge',
    })
    expect(removed!.ipv4).toEqual(['103.21.244.0/22', '173.245.48.0/20'])
    expect(feed.held).not.toHaveProperty('removed')
    const etag = res.headers.get('etag')!
    expect(etag).toBe(`"${body.sha256}.held.${feed.held!.sha256.slice(0, 16)}.1.held"`)
    expect(
      (await call('/v1/feeds/cloudflare/edge', { headers: { 'if-none-match': etag } })).status,
    ).toBe(304)
    // Seen again: a new ETag, so a cache never serves the old count.
    await sync()
    const again = await call('/v1/feeds/cloudflare/edge', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(200)
    expect((await again.json<{ held: Listed['held'] }>()).held!.seenCount).toBe(2)
    expect((await listed()).held!.seenCount).toBe(2)
    // A pointer read back from D1 (expired, or another isolate's) keeps the held tag.
    READ_CACHE.clear()
    const reloaded = await call('/v1/feeds/cloudflare/edge')
    expect(reloaded.headers.get('etag')).toBe(again.headers.get('etag'))
    expect((await reloaded.json<{ held: Listed['held'] }>()).held!.seenCount).toBe(2)
    // A rendered format does not carry `held`: its ETag stays the snapshot's.
    const txt = await call('/v1/feeds/cloudflare/edge?format=txt')
    expect(txt.headers.get('etag')).toBe(`"${body.sha256}.txt"`)
  })

  it('is in the summary and the feed row of the status page, with why and how far, escaped', async () => {
    const html = await (await call('/')).text()
    const item = /<li class="kind-held" data-feed="cloudflare\/edge">[\s\S]*?<\/li>/.exec(html)![0]
    expect(item).toContain('every IPv4 address of version 1 would be removed')
    expect(item).toMatch(/seen 1 of 3 times waits for confirmation \(not before \d{4}-/)
    const row = /<tr id="feed-cloudflare\/edge"[\s\S]*?<\/tr>/.exec(html)![0]
    expect(row).toContain('class="kind-held"')
    const other = /<tr id="feed-github\/hooks"[\s\S]*?<\/tr>/.exec(html)![0]
    expect(other).not.toContain('kind-held')
  })
})

describe('POST /v1/feeds/:provider/:list/held/confirm|reject', () => {
  it('need the admin token', async () => {
    for (const action of ['confirm', 'reject']) {
      await expectProblem(
        await call(`/v1/feeds/cloudflare/edge/held/${action}`, { method: 'POST' }),
        401,
        'ERR_UNAUTHORIZED',
      )
      await expectProblem(
        await call(`/v1/feeds/cloudflare/edge/held/${action}`, {
          method: 'POST',
          headers: { authorization: 'Bearer wrong' },
        }),
        401,
        'ERR_UNAUTHORIZED',
      )
      await expectProblem(
        await call(
          `/v1/feeds/cloudflare/edge/held/${action}`,
          { method: 'POST' },
          { ADMIN_TOKEN: '' },
        ),
        503,
        'ERR_ADMIN_DISABLED',
      )
    }
    expect((await listed()).held).not.toBeNull()
  })

  it('confirm makes the candidate the next version now, marked confirmedAfterHold', async () => {
    const { held } = await listed()
    const res = await call(`/v1/feeds/cloudflare/edge/held/confirm?sha256=${held!.sha256}`, {
      method: 'POST',
      headers: ADMIN,
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      feed: 'cloudflare/edge',
      version: 2,
      confirmedAfterHold: true,
      deliveries: 0,
    })
    const current = await (
      await call('/v1/feeds/cloudflare/edge')
    ).json<{
      version: number
      ipv4: string[]
    }>()
    // Visible on the next read: the confirmation published the read cache's pointer.
    expect(current).toMatchObject({ version: 2, ipv4: V2.v4, held: null })
    expect((await listed()).held).toBeNull()
    const { changes } = await (
      await call('/v1/feeds/cloudflare/edge/changes?since=1')
    ).json<{
      changes: Change[]
    }>()
    expect(changes).toEqual([
      expect.objectContaining({
        version: 2,
        confirmedAfterHold: true,
        removed: { ipv4: ['103.21.244.0/22', '173.245.48.0/20'], ipv6: [] },
      }),
    ])
    const checks = await rows<{ outcome: string; reason: string }>(
      `SELECT outcome, reason FROM checks WHERE feed = 'cloudflare/edge' ORDER BY id`,
    )
    expect(checks.at(-1)).toMatchObject({ outcome: 'changed' })
    expect(checks.at(-1)!.reason).toMatch(/^confirmed by an admin after a hold \(mass-removal\)/)
    // Nothing is held any more.
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/held/confirm', { method: 'POST', headers: ADMIN }),
      404,
      'ERR_NOT_HELD',
    )
    // The next sync sees the same lists: unchanged at version 2.
    expect((await sync()).checks[0]).toMatchObject({ outcome: 'unchanged', version: 2 })
  })

  it('a sha256 that is not the held candidate is a conflict, and nothing changes', async () => {
    for (const action of ['confirm', 'reject'])
      await expectProblem(
        await call(`/v1/feeds/cloudflare/edge/held/${action}?sha256=${'0'.repeat(64)}`, {
          method: 'POST',
          headers: ADMIN,
        }),
        409,
        'ERR_HELD_CHANGED',
      )
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/held/confirm?sha256=nope', {
        method: 'POST',
        headers: ADMIN,
      }),
      400,
      'ERR_VALIDATION',
    )
    expect(await listed()).toMatchObject({ version: 1, held: { status: 'held' } })
  })

  it('reject keeps the candidate out while upstream serves it; confirm still can take it', async () => {
    const res = await call('/v1/feeds/cloudflare/edge/held/reject', {
      method: 'POST',
      headers: ADMIN,
    })
    expect(res.status).toBe(200)
    const body = await res.json<{ held: { status: string; rejectedAt: string; confirms: null } }>()
    expect(body.held).toMatchObject({ status: 'rejected', confirms: null })
    // Rejecting again changes nothing.
    const again = await call('/v1/feeds/cloudflare/edge/held/reject', {
      method: 'POST',
      headers: ADMIN,
    })
    expect((await again.json<typeof body>()).held.rejectedAt).toBe(body.held.rejectedAt)
    // Upstream keeps serving it: refused, never counted towards a confirmation.
    for (let i = 0; i < 4; i++) {
      const run = await sync()
      expect(run.checks[0]).toMatchObject({ outcome: 'refused', guard: 'mass-removal', version: 1 })
      expect(run.checks[0]!.reason).toMatch(/was rejected by an admin at/)
    }
    expect(await listed()).toMatchObject({ version: 1, held: { status: 'rejected' } })
    expect((await call('/')).ok).toBe(true)
    // On the page: refused (the rejected candidate), saying why.
    const page = await (await call('/')).text()
    const item = /<li class="kind-refused" data-feed="cloudflare\/edge">[\s\S]*?<\/li>/.exec(
      page,
    )![0]
    expect(item).toContain('was rejected by an admin at')
    // An admin may still change their mind.
    const confirmed = await call('/v1/feeds/cloudflare/edge/held/confirm', {
      method: 'POST',
      headers: ADMIN,
    })
    expect(confirmed.status).toBe(200)
    expect((await listed()).version).toBe(2)
  })

  it('a candidate whose base version is no longer current is stale: dropped, 409', async () => {
    await call('/v1/feeds/cloudflare/edge/held/reject', { method: 'POST', headers: ADMIN })
    // Upstream publishes an ordinary change meanwhile; a hand-made held row on an older base.
    await publishCloudflare(mirror, [...V1.v4, '141.101.64.0/18'], V1.v6)
    expect((await sync()).checks[0]).toMatchObject({ outcome: 'changed', version: 2 })
    expect((await listed()).held).toBeNull()
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await sync()
    await call('/v1/feeds/cloudflare/edge/held/reject', { method: 'POST', headers: ADMIN })
    await publishCloudflare(mirror, [...V1.v4, '141.101.64.0/18', '108.162.192.0/18'], V1.v6)
    await sync()
    // The rejection went when upstream moved on; hold a candidate against version 3 ...
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await sync()
    // ... and move the feed past it behind its back.
    await rows(`UPDATE held_candidates SET base_version = 2`)
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/held/confirm', { method: 'POST', headers: ADMIN }),
      409,
      'ERR_HELD_STALE',
    )
    expect((await listed()).held).toBeNull()
  })

  it('an unknown feed is 404, a known feed with nothing held is ERR_NOT_HELD', async () => {
    await expectProblem(
      await call('/v1/feeds/nope/nope/held/confirm', { method: 'POST', headers: ADMIN }),
      404,
      'ERR_NOT_FOUND',
    )
    for (const action of ['confirm', 'reject'])
      await expectProblem(
        await call(`/v1/feeds/github/hooks/held/${action}`, { method: 'POST', headers: ADMIN }),
        404,
        'ERR_NOT_HELD',
      )
    await expectProblem(
      await call('/v1/feeds/cloudflare/edge/held/approve', { method: 'POST', headers: ADMIN }),
      400,
      'ERR_VALIDATION',
    )
  })
})
