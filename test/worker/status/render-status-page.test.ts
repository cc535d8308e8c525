/**
 * Tests worker/src/status/: the page's summary (a held feed, a refused one, a withdrawn optional
 * list, a stale or failed cron, delivery health), each feed's health, and the small multiples.
 * Held candidates come from the guards' work (issue 11): here they are given to the renderer.
 */
import { describe, expect, it } from 'vitest'
import { VERSION } from '../../../shared/src/index.ts'
import type { HistoryPoint } from '../../../worker/src/db/history.ts'
import type { FeedSummary } from '../../../worker/src/routes/feed-catalogue.ts'
import { classifyFeed } from '../../../worker/src/status/feed-health.ts'
import type { HeldMap } from '../../../worker/src/status/feed-health.ts'
import { renderSparkline } from '../../../worker/src/status/render-sparkline.ts'
import { formatAge, renderStatusPage } from '../../../worker/src/status/render-status-page.ts'
import type { StatusPageInput } from '../../../worker/src/status/render-status-page.ts'

const NOW = Date.parse('2026-03-05T12:00:00Z')

function feed(id: string, over: Partial<FeedSummary> = {}): FeedSummary {
  return {
    id,
    title: `title of ${id}`,
    docsUrl: null,
    sources: [],
    enabled: true,
    optional: false,
    version: 3,
    sha256: 'a'.repeat(64),
    upstreamVersion: null,
    counts: { ipv4: 10, ipv6: 2, ipv4Addresses: 4096 },
    fetchedAt: '2026-03-05T11:45:00Z',
    lastCheckedAt: '2026-03-05T11:45:00Z',
    lastChangedAt: '2026-03-03T02:55:00Z',
    lastOutcome: { outcome: 'unchanged', at: '2026-03-05T11:45:00Z' },
    lastOutcomeSince: '2026-02-01T00:00:00Z',
    lastRefusal: null,
    held: null,
    ...over,
  }
}

const REFUSED = feed('github/hooks', {
  lastOutcome: {
    outcome: 'refused',
    at: '2026-03-05T11:45:00Z',
    guard: 'http-error',
    reason: 'HTTP 503 from https://api.github.com/meta',
  },
  lastOutcomeSince: '2026-03-05T08:30:00Z',
  lastRefusal: { at: '2026-03-05T11:45:00Z', guard: 'http-error', reason: 'HTTP 503' },
})
const WITHDRAWN = feed('github/dependabot', {
  optional: true,
  version: null,
  counts: null,
  lastOutcome: {
    outcome: 'refused',
    at: '2026-03-05T11:45:00Z',
    guard: 'empty',
    reason: 'github-meta key "dependabot" is absent',
  },
  lastOutcomeSince: '2025-06-01T00:00:00Z',
})
const HELD_FEED = feed('aws/CLOUDFRONT')
const HELD: HeldMap = new Map([
  ['aws/CLOUDFRONT', { firstSeenAt: '2026-03-05T10:00:00Z', seenCount: 3, guard: 'mass-removal' }],
])

function input(over: Partial<StatusPageInput> = {}): StatusPageInput {
  return {
    feeds: [
      feed('cloudflare/edge'),
      REFUSED,
      WITHDRAWN,
      HELD_FEED,
      feed('aws/S3', { enabled: false }),
    ],
    history: new Map(),
    held: HELD,
    cron: {
      last: {
        id: 9,
        cron: '*/15 * * * *',
        startedAt: '2026-03-05T11:45:00Z',
        finishedAt: '2026-03-05T11:45:02Z',
        outcome: 'ok',
        summary: {},
      },
      lastOk: undefined,
    },
    deliveries: { pending: 2, retrying: 1, oldestDue: '2026-03-05T11:00:00Z', failed: 1, dead: 0 },
    deliveryWindowDays: 7,
    nowMs: NOW,
    ...over,
  }
}

function summaryOf(html: string): string {
  return html.slice(html.indexOf('<section id="summary"'), html.indexOf('</section>'))
}

describe('renderStatusPage', () => {
  it('names the allowlist-sync version in its footer', () => {
    expect(renderStatusPage(input())).toContain(`<p class="version">allowlist-sync ${VERSION}</p>`)
  })

  it('shows the publisher version under the version number, escaped, and nothing without one', () => {
    const html = renderStatusPage(
      input({
        feeds: [
          feed('google/services', {
            upstreamVersion: { field: 'syncToken', value: '<b>1787</b>' },
          }),
          feed('cloudflare/edge'),
        ],
      }),
    )
    expect(html).toContain('<td>3<div class="title">syncToken &lt;b&gt;1787&lt;/b&gt;</div></td>')
    expect(html).toMatch(
      /data-feed="cloudflare\/edge"[^]*?<\/a><div class="title">title of cloudflare\/edge<\/div><\/td>\n<td>[^]*?<\/td>\n<td>3<\/td>/,
    )
  })

  it('lists the refused and the held feed first, each with since when and why', () => {
    const summary = summaryOf(renderStatusPage(input()))
    expect(summary).toContain('<h2>Needs attention</h2>')
    const items = [...summary.matchAll(/<li class="kind-(\w+)" data-feed="([^"]+)">/g)].map((m) => [
      m[1],
      m[2],
    ])
    expect(items).toEqual([
      ['refused', 'github/hooks'],
      ['held', 'aws/CLOUDFRONT'],
    ])
    expect(summary).toContain(
      'refused</span> since <time datetime="2026-03-05T08:30:00Z" title="2026-03-05T08:30:00Z">3 h 30 min ago</time>',
    )
    expect(summary).toContain('http-error: HTTP 503 from https://api.github.com/meta')
    expect(summary).toContain(
      'held</span> since <time datetime="2026-03-05T10:00:00Z" title="2026-03-05T10:00:00Z">2 h ago</time>',
    )
    expect(summary).toContain(
      'mass-removal: a candidate seen 3 times waits for confirmation; version 3 stays current',
    )
    expect(summary).toMatch(
      /1 refused<\/span> <span class="badge kind-held">1 held<\/span> <span class="badge kind-withdrawn">1 withdrawn upstream<\/span> <span class="badge kind-healthy">1 healthy<\/span> <span class="badge kind-disabled">1 not synced/,
    )
    expect(summary).toContain(
      '2 pending (1 retrying, oldest due <time datetime="2026-03-05T11:00:00Z" title="2026-03-05T11:00:00Z">1 h ago</time>), 1 failed, 0 dead in the last 7 days',
    )
  })

  it('lists a feed no sync has checked for 45 minutes as needing attention, since its last check', () => {
    const html = renderStatusPage(
      input({
        feeds: [
          feed('cloudflare/edge'),
          feed('aws/EC2', { lastCheckedAt: '2026-03-05T10:30:00Z' }),
        ],
        held: new Map(),
        deliveries: { pending: 0, retrying: 0, oldestDue: undefined, failed: 0, dead: 0 },
      }),
    )
    const summary = summaryOf(html)
    expect(summary).toContain('class="summary kind-refused"')
    expect(summary).toContain('<h2>Needs attention</h2>')
    expect(summary).toContain(
      '<li class="kind-stuck" data-feed="aws/EC2"><a href="#feed-aws/EC2">aws/EC2</a> <span class="badge kind-stuck">not checked</span> since <time datetime="2026-03-05T10:30:00Z" title="2026-03-05T10:30:00Z">1 h 30 min ago</time>',
    )
    expect(summary).toMatch(/1 not checked<\/span> <span class="badge kind-healthy">1 healthy/)
    expect(html).toContain('<tr id="feed-aws/EC2" data-feed="aws/EC2" class="kind-stuck">')
  })

  it('says only "waiting for confirmation" when a feed is held and nothing is refused', () => {
    const html = renderStatusPage(input({ feeds: [feed('cloudflare/edge'), HELD_FEED] }))
    expect(summaryOf(html)).toContain('class="summary kind-held"')
    expect(summaryOf(html)).toContain('<h2>Waiting for confirmation</h2>')
    const healthy = renderStatusPage(
      input({
        feeds: [feed('cloudflare/edge')],
        held: new Map(),
        deliveries: { pending: 0, retrying: 0, oldestDue: undefined, failed: 0, dead: 0 },
      }),
    )
    expect(summaryOf(healthy)).toContain('class="summary kind-healthy"')
    expect(summaryOf(healthy)).toContain('<h2>All synced feeds are healthy</h2>')
    expect(summaryOf(healthy)).not.toContain('<ul class="problems">')
    const waiting = renderStatusPage(
      input({
        feeds: [feed('cloudflare/edge', { lastOutcome: null })],
        held: new Map(),
        deliveries: { pending: 0, retrying: 0, oldestDue: undefined, failed: 0, dead: 0 },
      }),
    )
    expect(summaryOf(waiting)).toContain('<h2>Waiting for a first sync</h2>')
    const retrying = renderStatusPage(input({ feeds: [feed('cloudflare/edge')], held: new Map() }))
    expect(summaryOf(retrying)).toContain('<h2>Deliveries are retrying or failed</h2>')
  })

  it('flags a stopped or failed cron and dead deliveries', () => {
    const stale = summaryOf(
      renderStatusPage(
        input({
          feeds: [feed('cloudflare/edge')],
          held: new Map(),
          cron: {
            last: {
              id: 1,
              cron: '*/15 * * * *',
              startedAt: '2026-03-05T10:00:00Z',
              finishedAt: '2026-03-05T10:00:02Z',
              outcome: 'ok',
              summary: {},
            },
            lastOk: undefined,
          },
        }),
      ),
    )
    expect(stale).toContain('class="summary kind-refused"')
    expect(stale).toContain('the schedule looks stopped')
    const failed = summaryOf(
      renderStatusPage(
        input({
          cron: {
            last: {
              id: 2,
              cron: '*/15 * * * *',
              startedAt: '2026-03-05T11:45:00Z',
              finishedAt: undefined,
              outcome: 'failed',
              summary: { error: 'sync: D1_ERROR <b>' },
            },
            lastOk: {
              id: 1,
              cron: '*/15 * * * *',
              startedAt: '2026-03-05T11:30:00Z',
              finishedAt: '2026-03-05T11:30:01Z',
              outcome: 'ok',
              summary: {},
            },
          },
        }),
      ),
    )
    expect(failed).toContain('running or killed: sync: D1_ERROR &lt;b&gt;; last good run')
    const dead = summaryOf(
      renderStatusPage(
        input({
          feeds: [feed('cloudflare/edge')],
          held: new Map(),
          deliveries: { pending: 0, retrying: 0, oldestDue: undefined, failed: 0, dead: 4 },
        }),
      ),
    )
    expect(dead).toContain('class="summary kind-refused"')
    expect(dead).toContain('<dd class="kind-refused" id="deliveries">')
    expect(
      summaryOf(renderStatusPage(input({ cron: { last: undefined, lastOk: undefined } }))),
    ).toContain('no cron run yet')
  })

  it('names the first eight problems and counts the rest, so the summary stays short', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...REFUSED, id: `user/feed-${i}` }))
    const summary = summaryOf(renderStatusPage(input({ feeds: many, held: new Map() })))
    expect(summary.match(/<li /g)).toHaveLength(8)
    expect(summary).toContain('and 4 more below')
  })
})

describe('classifyFeed', () => {
  it.each<[string, FeedSummary, string, string | undefined]>([
    ['healthy', feed('a/b'), 'healthy', '2026-02-01T00:00:00Z'],
    ['refused', REFUSED, 'refused', '2026-03-05T08:30:00Z'],
    ['withdrawn optional key', WITHDRAWN, 'withdrawn', '2025-06-01T00:00:00Z'],
    [
      'optional key refused for another reason',
      { ...WITHDRAWN, lastOutcome: { ...WITHDRAWN.lastOutcome!, guard: 'http-error' } },
      'refused',
      '2025-06-01T00:00:00Z',
    ],
    [
      'storage error',
      feed('a/b', {
        lastOutcome: { outcome: 'error', at: '2026-03-05T11:45:00Z', reason: 'D1 down' },
        lastOutcomeSince: null,
      }),
      'error',
      '2026-03-05T11:45:00Z',
    ],
    [
      'never checked',
      feed('a/b', { lastOutcome: null, lastCheckedAt: null }),
      'waiting',
      undefined,
    ],
    ['not enabled', feed('a/b', { enabled: false, lastOutcome: null }), 'disabled', undefined],
    ['not enabled any more', feed('a/b', { enabled: false }), 'disabled', undefined],
    ['held', HELD_FEED, 'held', '2026-03-05T10:00:00Z'],
    [
      'checked 44 min ago',
      feed('a/b', { lastCheckedAt: '2026-03-05T11:16:00Z' }),
      'healthy',
      '2026-02-01T00:00:00Z',
    ],
    // Two cron runs and their retries have passed without a check: its sync dies unrecorded.
    [
      'checked 46 min ago',
      feed('a/b', { lastCheckedAt: '2026-03-05T11:14:00Z' }),
      'stuck',
      '2026-03-05T11:14:00Z',
    ],
    [
      'held, not checked since',
      { ...HELD_FEED, lastCheckedAt: '2026-03-05T09:00:00Z' },
      'stuck',
      '2026-03-05T09:00:00Z',
    ],
    [
      'refused, not checked since',
      { ...REFUSED, lastCheckedAt: '2026-03-04T12:00:00Z' },
      'stuck',
      '2026-03-04T12:00:00Z',
    ],
    [
      'not enabled, long unchecked',
      feed('a/b', { enabled: false, lastCheckedAt: '2025-01-01T00:00:00Z' }),
      'disabled',
      undefined,
    ],
  ])('%s', (_name, f, kind, since) => {
    expect(classifyFeed(f, HELD, NOW)).toMatchObject({ kind, since })
  })

  it('says why a feed is not checked, and what its last check said', () => {
    const stuck = classifyFeed({ ...REFUSED, lastCheckedAt: '2026-03-05T10:00:00Z' }, HELD, NOW)
    expect(stuck.detail).toBe(
      'no sync of it has finished since (an invocation over its CPU or memory limit, or a crash; a message that gave up is logged as sync-dead-letter). Last check: http-error: HTTP 503 from https://api.github.com/meta',
    )
  })
})

describe('formatAge', () => {
  it.each([
    ['2026-03-05T11:59:30Z', 'just now'],
    ['2026-03-05T11:00:00Z', '1 h ago'],
    ['2026-03-05T11:17:00Z', '43 min ago'],
    ['2026-03-02T09:00:00Z', '3 d 3 h ago'],
    ['2026-03-04T12:00:00Z', '1 d ago'],
    ['not a time', ''],
  ])('%s is %s', (iso, text) => {
    expect(formatAge(iso, NOW)).toBe(text)
  })
})

describe('renderSparkline', () => {
  const point = (version: number, at: string, n: number, added = 0, removed = 0): HistoryPoint => ({
    feed: 'aws/S3',
    version,
    changedAt: at,
    ipv4Count: n,
    ipv6Count: 0,
    ipv4Addresses: 0,
    added,
    removed,
  })

  it('draws a step line on the feed’s own scale, with a marker per change', () => {
    const svg = renderSparkline(
      [
        point(1, '2026-03-01T00:00:00Z', 3000),
        point(2, '2026-03-02T00:00:00Z', 3002, 2, 0),
        point(3, '2026-03-03T00:00:00Z', 3001, 0, 1),
        point(4, '2026-03-04T00:00:00Z', 3001, 1, 1),
      ],
      NOW,
    )
    const coords = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number) as [number, number])
    expect(coords).toHaveLength(8)
    for (const [x, y] of coords) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThanOrEqual(180)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(34)
    }
    // A change of 2 in 3,000 spans the whole height: 3000 at the bottom, 3002 at the top.
    expect(coords[0]![1]).toBe(30)
    expect(coords[2]![1]).toBe(4)
    expect([...svg.matchAll(/class="change (\w+)"/g)].map((m) => m[1])).toEqual([
      'first',
      'added',
      'removed',
      'both',
    ])
    expect(svg).toContain('<title>version 3, 2026-03-03T00:00:00Z: 3001 CIDRs (+0 −1)</title>')
    expect(renderSparkline([], NOW)).toBe('')
    // One version: a flat line in the middle.
    expect(renderSparkline([point(1, '2026-03-01T00:00:00Z', 5)], NOW)).toContain(',17.0')
  })
})
