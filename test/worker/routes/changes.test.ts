/** Tests worker/src/routes/changes.ts: cursor pagination across feeds and the Atom feed. */
import { beforeAll, describe, expect, it } from 'vitest'
import { renderAtom } from '../../../worker/src/routes/changes.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  expectProblem,
  publishCloudflare,
  setFile,
} from '../support/harness.ts'

interface Page {
  changes: { id: string; feed: string; version: number; cursor: string }[]
  nextCursor: string
  hasMore: boolean
}

beforeAll(async () => {
  await clearHistory()
  // Two feeds, interleaved: cloudflare/edge v1..v3 and coolify/cloud v1..v2.
  const mirror = await cloudflareMirror(['11.0.2.0/25'], ['2a0b:db8::/48'])
  await setFile(mirror, 'coolify.io/ipv4.txt', { text: '13.0.113.7' })
  await setFile(mirror, 'coolify.io/ipv6.txt', { text: '2a0b:db8:7::1' })
  const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud' })
  await runSync(e)
  await publishCloudflare(mirror, ['11.0.2.0/24'], ['2a0b:db8::/48'])
  await setFile(mirror, 'coolify.io/ipv4.txt', { text: '13.0.113.7\n13.0.113.9' })
  await runSync(e)
  await publishCloudflare(mirror, ['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
  await runSync(e)
})

describe('GET /v1/changes', () => {
  it('walks every change exactly once, in order, page by page', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    for (;;) {
      const res = await call(`/v1/changes?limit=2${cursor === undefined ? '' : `&since=${cursor}`}`)
      expect(res.status).toBe(200)
      const page = await res.json<Page>()
      pages++
      seen.push(...page.changes.map((c) => c.id))
      if (page.hasMore)
        expect(res.headers.get('link')).toBe(
          `</v1/changes?limit=2&since=${page.nextCursor}>; rel="next"`,
        )
      cursor = page.nextCursor
      if (!page.hasMore) break
    }
    expect(pages).toBe(3)
    expect([...seen].sort()).toEqual([
      'cloudflare/edge@1',
      'cloudflare/edge@2',
      'cloudflare/edge@3',
      'coolify/cloud@1',
      'coolify/cloud@2',
    ])
    expect(new Set(seen).size).toBe(5)
    // Per feed, versions come in order.
    const edge = seen.filter((id) => id.startsWith('cloudflare/'))
    expect(edge).toEqual(['cloudflare/edge@1', 'cloudflare/edge@2', 'cloudflare/edge@3'])
    // Polling again from the last cursor returns nothing new, and the same cursor.
    const idle = await (await call(`/v1/changes?since=${cursor}`)).json<Page>()
    expect(idle).toEqual({ changes: [], nextCursor: cursor, hasMore: false })
  })

  it('filters by feeds and carries the full change', async () => {
    const page = await (
      await call('/v1/changes?feeds=coolify/cloud')
    ).json<{ changes: Record<string, unknown>[] }>()
    expect(page.changes.map((c) => c['id'])).toEqual(['coolify/cloud@1', 'coolify/cloud@2'])
    expect(page.changes[1]).toEqual({
      id: 'coolify/cloud@2',
      feed: 'coolify/cloud',
      version: 2,
      previousVersion: 1,
      at: expect.any(String) as string,
      added: { ipv4: ['13.0.113.9/32'], ipv6: [] },
      removed: { ipv4: [], ipv6: [] },
      cursor: expect.stringMatching(/^\d+$/) as string,
    })
  })

  it('refuses a malformed cursor or limit', async () => {
    await expectProblem(await call('/v1/changes?since=abc'), 400, 'ERR_VALIDATION')
    await expectProblem(await call('/v1/changes?limit=501'), 400, 'ERR_VALIDATION')
    await expectProblem(await call('/v1/changes?feeds=<x>'), 400, 'ERR_VALIDATION')
  })
})

describe('GET /v1/changes.atom', () => {
  it('serves an Atom 1.0 document, newest entry first', async () => {
    const res = await call('/v1/changes.atom')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    const xml = await res.text()
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
    )
    // RFC 4287 4.1.1: a feed has exactly one id, title and updated, an author, and entries each
    // with id, title, updated.
    const head = xml.slice(0, xml.indexOf('<entry>'))
    for (const el of ['id', 'title', 'updated'])
      expect(head.match(new RegExp(`<${el}>`, 'g'))).toHaveLength(1)
    expect(head).toContain('<author><name>')
    expect(head).toContain('rel="self"')
    const entries = xml.split('<entry>').slice(1)
    expect(entries).toHaveLength(5)
    for (const entry of entries)
      for (const el of ['<id>', '<title>', '<updated>']) expect(entry).toContain(el)
    expect(entries[0]).toMatch(
      /<id>tag:allowlist-sync,2026:feeds\/cloudflare\/edge\/versions\/3\/\d{4}-\d\d-\d\dT[\d:.]+Z<\/id>/,
    )
    expect(entries[0]).toContain('href="https://worker.test/v1/feeds/cloudflare/edge/snapshots/3"')
    const filtered = await (await call('/v1/changes.atom?feeds=coolify/cloud')).text()
    expect(filtered.split('<entry>')).toHaveLength(3)
  })

  it('keeps entry ids whatever the host name or PUBLIC_URL (tag: URIs)', async () => {
    const ids = (xml: string): string[] =>
      [...xml.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]!)
    const a = ids(await (await call('/v1/changes.atom')).text())
    const { createApp } = await import('../../../worker/src/app.ts')
    const other = await createApp().request('http://10.1.2.3:8787/v1/changes.atom', {}, envWith({}))
    const withPublic = await call(
      '/v1/changes.atom',
      {},
      { PUBLIC_URL: 'https://allowlist.ops.acme.io' },
    )
    expect(a).toHaveLength(5)
    expect(ids(await other.text())).toEqual(a)
    const text = await withPublic.text()
    expect(ids(text)).toEqual(a)
    expect(text).toContain(
      'href="https://allowlist.ops.acme.io/v1/feeds/cloudflare/edge/snapshots/3"',
    )
    expect(new Set(a).size).toBe(5)
    for (const id of a) expect(id).toMatch(/^tag:allowlist-sync,2026:feeds\//)
  })

  it('bounds an entry to 50 CIDR lines and links to the full change', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
    const xml = renderAtom(
      [
        {
          id: 'aws/EC2@7',
          seq: 9,
          feed: 'aws/EC2',
          version: 7,
          previousVersion: 6,
          at: '2026-03-03T02:55:00.000Z',
          added: { ipv4: many, ipv6: ['2600:1f00::/40'] },
          removed: { ipv4: many.slice(0, 10), ipv6: [] },
        },
      ],
      'https://w.test',
      'https://w.test/v1/changes.atom',
      '2026-03-03T03:00:00.000Z',
    )
    const content = /<content type="text">([^<]*)<\/content>/.exec(xml)![1]!.split('\n')
    expect(content).toHaveLength(51)
    expect(content[0]).toBe('+ 10.0.0.0/24')
    expect(content[50]).toBe(
      '… and 2961 more; the full change: https://w.test/v1/feeds/aws/EC2/changes?since=6&amp;limit=1',
    )
    expect(xml).toContain('<title>aws/EC2: version 7 (+3001 −10)</title>')
    // 3,011 CIDRs (~80 KB of text) become one entry under 4 KB.
    expect(xml.length).toBeLessThan(4096)
  })

  it('escapes feed-derived text', () => {
    const xml = renderAtom(
      [
        {
          id: 'x@1',
          seq: 1,
          feed: 'user/<script>&"',
          version: 1,
          previousVersion: 0,
          at: '2026-01-01T00:00:00.000Z',
          added: { ipv4: ['11.0.2.0/24'], ipv6: [] },
          removed: { ipv4: [], ipv6: [] },
        },
      ],
      'https://w.test',
      'https://w.test/v1/changes.atom',
      '2026-01-01T00:00:00.000Z',
    )
    expect(xml).not.toContain('<script>')
    expect(xml).toContain('user/&lt;script&gt;&amp;&quot;')
  })
})
