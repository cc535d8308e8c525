/** Tests worker/src/routes/status.ts: the page from real D1 data, its summary, history and escaping. */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCron } from '../../../worker/src/jobs/cron.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  publishCloudflare,
  setFile,
} from '../support/harness.ts'

const HOSTILE_FEED = 'user/<img src=x onerror=alert(1)>'
const HOSTILE_REASON = '"</td><script>alert(document.cookie)</script> \u202Egnp.exe'
/** Real Cloudflare ranges (../shared/fixtures/feeds/cloudflare/ips-v4, ips-v6). */
const V4 = ['173.245.48.0/20', '103.21.244.0/22']
const V6 = ['2400:cb00::/32']

beforeAll(async () => {
  await clearHistory()
  const mirror = await cloudflareMirror(V4, V6)
  // coolify/cloud answers an HTML error page: refused (wrong-content) from its first check.
  await setFile(mirror, 'coolify.io/ipv4.txt', { text: '<!doctype html><title>502</title>' })
  await setFile(mirror, 'coolify.io/ipv6.txt', { text: '<!doctype html><title>502</title>' })
  const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud' })
  await runSync(e)
  await publishCloudflare(mirror, [...V4, '103.22.200.0/22'], V6)
  // The cron only enqueues (its messages go to the real sync queue, consumed later); the sync it
  // asks for runs here in process, so the page is drawn from a known state.
  await runSync(e)
  await runCron(e, '*/15 * * * *')
  // History and a refusal whose text came from somewhere hostile.
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO checks (run_id, feed, at, outcome, guard, reason) VALUES ('r', ?, ?, 'refused', 'invalid-entry', ?)`,
    ).bind(HOSTILE_FEED, new Date().toISOString(), HOSTILE_REASON),
    env.DB.prepare(
      `INSERT INTO snapshot_contents (feed, sha256, ipv4, ipv6, ipv4_count, ipv6_count, ipv4_addresses)
       VALUES (?, 'aa', '["198.41.128.0/17"]', '[]', 1, 0, 32768)`,
    ).bind(HOSTILE_FEED),
    env.DB.prepare(
      `INSERT INTO versions VALUES (?, 1, 'aa', ?, ?, 'https://x.example/<b>', 'r', NULL)`,
    ).bind(HOSTILE_FEED, new Date().toISOString(), new Date().toISOString()),
  ])
})

async function page(): Promise<string> {
  const res = await call('/', {}, { ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud' })
  expect(res.status).toBe(200)
  return res.text()
}

describe('GET /', () => {
  it('opens with a summary: refused feeds with since when and why, the cron run, deliveries', async () => {
    const res = await call('/', {}, { ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud' })
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await res.text()
    expect(html).toMatch(/^<!doctype html>/)
    const summary = html.slice(html.indexOf('<section id="summary"'), html.indexOf('</section>'))
    expect(html.indexOf('<section id="summary"')).toBeLessThan(html.indexOf('<table>'))
    expect(summary).toContain('class="summary kind-refused"')
    expect(summary).toMatch(/<li class="kind-refused" data-feed="coolify\/cloud">/)
    expect(summary).toMatch(/refused<\/span> since <time datetime="[^"]+"/)
    expect(summary).toContain('wrong-content')
    expect(summary).toMatch(/<span class="badge kind-healthy">1 healthy<\/span>/)
    expect(summary).toMatch(
      /<dd class="kind-healthy" id="cron">started <time[^>]*>just now<\/time>, ok/,
    )
    expect(summary).toContain('0 pending (0 retrying), 0 failed, 0 dead in the last 7 days')
    // No external assets, no scripts.
    expect(html).not.toMatch(/<script|src="http|href="http/)
  })

  it('draws each feed with history as its own sparkline, with a marker per change', async () => {
    const html = await page()
    const edge = html.slice(html.indexOf('<tr id="feed-cloudflare/edge"'))
    const row = edge.slice(0, edge.indexOf('</tr>'))
    // The version, with the publisher's own version (here the mirror's ETags) under it.
    expect(row).toMatch(
      /<td>2<div class="title">ETag &quot;[0-9a-f]+&quot;[^<]*<\/div><\/td>\s*<td>3<\/td>\s*<td>1<\/td>/,
    )
    expect(row.match(/<svg class="spark"/g)).toHaveLength(1)
    expect(row).toContain('<circle class="change first"')
    expect(row).toContain('<circle class="change added"')
    expect(row).toContain('+1 −0 ')
    // Feeds without history have no sparkline; the two with history have one each.
    expect(html.match(/<svg class="spark"/g)).toHaveLength(2)
  })

  it('lists a feed whose syncs stopped finishing as not checked, from the checks in D1', async () => {
    // What D1 holds once a feed's sync invocations die before recording (over the CPU limit):
    // its last check, an hour old, while the cron and the other feeds go on.
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000).toISOString()
    await env.DB.prepare(
      `INSERT INTO checks (run_id, feed, at, outcome) VALUES ('r-old', 'github/hooks', ?, 'unchanged')`,
    )
      .bind(hourAgo)
      .run()
    const res = await call('/', {}, { ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud,github/hooks' })
    const html = await res.text()
    const summary = html.slice(html.indexOf('<section id="summary"'), html.indexOf('</section>'))
    expect(summary).toContain(
      `<li class="kind-stuck" data-feed="github/hooks"><a href="#feed-github/hooks">github/hooks</a> <span class="badge kind-stuck">not checked</span> since <time datetime="${hourAgo}"`,
    )
    expect(summary).toContain('Last check: unchanged')
    expect(summary).toMatch(/<span class="badge kind-healthy">1 healthy<\/span>/)
    // The feeds the last sync checked are not.
    expect(summary).not.toContain('data-feed="cloudflare/edge"')
  })

  it('shows github/dependabot as not synced, not as a failure, when it is not enabled', async () => {
    const html = await page()
    const row = html.slice(html.indexOf('<tr id="feed-github/dependabot"'))
    expect(row.slice(0, row.indexOf('</tr>'))).toContain(
      '<span class="badge kind-disabled">not synced</span>',
    )
  })

  it('escapes every feed-derived string, bidi controls included', async () => {
    const html = await page()
    expect(html).not.toContain('<img')
    expect(html).not.toContain('</td><script>')
    expect(html).not.toContain('\u202E')
    expect(html).toContain('user/&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain(
      '&quot;&lt;/td&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt; [U+202E]gnp.exe',
    )
  })
})
