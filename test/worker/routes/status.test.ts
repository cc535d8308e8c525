/** Tests worker/src/routes/status.ts: the server-rendered page, its chart, and escaping. */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { renderChart } from '../../../worker/src/routes/status.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  publishCloudflare,
} from '../support/harness.ts'

const HOSTILE_FEED = 'user/<img src=x onerror=alert(1)>'
const HOSTILE_REASON = '"</td><script>alert(document.cookie)</script>'

beforeAll(async () => {
  await clearHistory()
  const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
  const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
  await runSync(e)
  await publishCloudflare(mirror, ['11.0.2.0/24', '12.51.100.0/24'], ['2a0b:db8::/48'])
  await runSync(e)
  // History and a refusal whose text came from somewhere hostile.
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO checks (run_id, feed, at, outcome, guard, reason) VALUES ('r', ?, ?, 'refused', 'invalid-entry', ?)`,
    ).bind(HOSTILE_FEED, new Date().toISOString(), HOSTILE_REASON),
    env.DB.prepare(
      `INSERT INTO snapshot_contents (feed, sha256, ipv4, ipv6, ipv4_count, ipv6_count, ipv4_addresses)
       VALUES (?, 'aa', '["13.0.113.0/24"]', '[]', 1, 0, 256)`,
    ).bind(HOSTILE_FEED),
    env.DB.prepare(
      `INSERT INTO versions VALUES (?, 1, 'aa', ?, ?, 'https://x.example/<b>', 'r')`,
    ).bind(HOSTILE_FEED, new Date().toISOString(), new Date().toISOString()),
  ])
})

describe('GET /', () => {
  it('renders each feed with counts, last check, last change and last refusal, and a chart', async () => {
    const res = await call('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await res.text()
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<svg class="chart"')
    // One series per feed with history: cloudflare/edge and the hostile one.
    expect(html.match(/<polyline class="series"/g)).toHaveLength(2)
    const edgeRow = html.slice(html.indexOf('<tr data-feed="cloudflare/edge">'))
    expect(edgeRow.slice(0, edgeRow.indexOf('</tr>'))).toMatch(
      /<td>2<\/td>\s*<td>2<\/td>\s*<td>1<\/td>/,
    )
    // No external assets, no scripts.
    expect(html).not.toMatch(/<script|src="http|href="http/)
  })

  it('escapes every feed-derived string', async () => {
    const html = await (await call('/')).text()
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('</td><script>')
    expect(html).toContain('user/&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&quot;&lt;/td&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt;')
  })

  it('draws step lines on a log scale within the viewBox', () => {
    const svg = renderChart(
      [
        {
          feed: 'a/b',
          version: 1,
          changedAt: '2026-01-01T00:00:00Z',
          ipv4Count: 1,
          ipv6Count: 0,
          ipv4Addresses: 1,
        },
        {
          feed: 'a/b',
          version: 2,
          changedAt: '2026-01-02T00:00:00Z',
          ipv4Count: 999,
          ipv6Count: 1,
          ipv4Addresses: 1,
        },
      ],
      Date.parse('2026-01-03T00:00:00Z'),
    )
    const points = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number))
    expect(points).toHaveLength(4)
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThanOrEqual(820)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(280)
    }
    // Steps: the first level holds until the change, then jumps up (smaller y) to the second.
    expect(points[1]![1]).toBe(points[0]![1])
    expect(points[2]![1]).toBeLessThan(points[1]![1]!)
    expect(points[3]![0]).toBeGreaterThan(points[2]![0]!)
  })
})
