/**
 * Tests action/src/worker-freshness.ts: the warnings the Action gives about a worker's feeds from
 * its catalogue (`GET /v1/feeds`), served here by a loopback server in the worker's shape; the
 * real worker's catalogue is read in test/e2e/worker-dev.test.ts.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_SOURCE_AGE_MS, workerFreshness } from '../../action/src/worker-freshness.ts'

const NOW = Date.parse('2026-12-06T12:00:00Z')
const ago = (h: number) => new Date(NOW - h * 3_600_000).toISOString()

let server: Server
let url = ''
/** What the next request gets: a status and a body. */
let answer: { status: number; body: string } = { status: 200, body: '{"feeds":[]}' }

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(answer.status).end(answer.body))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

function feed(over: Record<string, unknown>) {
  const at = ago(0.25)
  return {
    id: 'github/hooks',
    enabled: true,
    fetchedAt: at,
    lastCheckedAt: at,
    lastOutcome: { outcome: 'unchanged', at },
    ...over,
  }
}

async function warningsFor(entries: unknown[], ids = ['github/hooks']): Promise<string[]> {
  answer = { status: 200, body: JSON.stringify({ feeds: entries }) }
  return workerFreshness(`${url}/`, ids, fetch, NOW)
}

describe('workerFreshness', () => {
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['checked 15 minutes ago', {}, undefined],
    [
      'checked just within the limit',
      { lastCheckedAt: new Date(NOW - MAX_SOURCE_AGE_MS).toISOString() },
      undefined,
    ],
    [
      'not checked for 7 hours',
      { lastCheckedAt: ago(7), fetchedAt: ago(7) },
      `the worker has not checked it for 7 h (last check ${ago(7)}): its syncs are not finishing (see its status page and logs); its lists are as of ${ago(7)}`,
    ],
    [
      'not checked for three days',
      { lastCheckedAt: ago(73), fetchedAt: ago(80) },
      `the worker has not checked it for 3 d (last check ${ago(73)}): its syncs are not finishing (see its status page and logs); its lists are as of ${ago(80)}`,
    ],
    [
      'not synced by the worker',
      { enabled: false, lastCheckedAt: ago(900), fetchedAt: ago(900) },
      `the worker does not sync it (not in its ENABLED_FEEDS); its lists are as of ${ago(900)}`,
    ],
    [
      'never checked',
      { lastCheckedAt: null, fetchedAt: null, lastOutcome: null },
      'the worker has not checked it yet; it has no lists yet',
    ],
    [
      'upstream refused for 8 hours',
      {
        fetchedAt: ago(8),
        lastOutcome: { outcome: 'refused', at: ago(0.2), guard: 'http-error', reason: 'HTTP 503' },
      },
      `upstream has not confirmed its lists for 8 h: the worker's last check was refused (http-error: HTTP 503); its lists are as of ${ago(8)}`,
    ],
    [
      'upstream refused for an hour',
      { fetchedAt: ago(1), lastOutcome: { outcome: 'refused', at: ago(0.2), guard: 'empty' } },
      undefined,
    ],
    [
      'a change held for 7 hours',
      {
        fetchedAt: ago(7),
        lastOutcome: { outcome: 'held', at: ago(0.2), guard: 'mass-removal' },
      },
      `upstream has not confirmed its lists for 7 h: the worker's last check was held (mass-removal); its lists are as of ${ago(7)}`,
    ],
    [
      'a reason of 5,000 characters',
      {
        fetchedAt: ago(9),
        lastOutcome: { outcome: 'error', at: ago(0.2), reason: 'x'.repeat(5000) },
      },
      `upstream has not confirmed its lists for 9 h: the worker's last check was error (error: ${'x'.repeat(193)}…); its lists are as of ${ago(9)}`,
    ],
    [
      'an entry of another shape',
      { enabled: 'yes' },
      "the worker's catalogue entry is not what allowlist-sync's worker serves",
    ],
    [
      'a time that is not one',
      { lastCheckedAt: 'yesterday' },
      "the worker's catalogue entry is not what allowlist-sync's worker serves",
    ],
    [
      'an outcome without its name',
      { lastOutcome: { guard: 'empty' } },
      "the worker's catalogue entry is not what allowlist-sync's worker serves",
    ],
  ])('%s', async (_name, over, warning) => {
    expect(await warningsFor([feed(over)])).toEqual(
      warning === undefined ? [] : [`feed github/hooks: ${warning}`],
    )
  })

  it('names a feed the catalogue does not list, and only the feeds asked for', async () => {
    const other = feed({ id: 'aws/S3', lastCheckedAt: ago(30) })
    expect(await warningsFor([other, null, 7], ['github/hooks'])).toEqual([
      `feed github/hooks: not in the worker's catalogue (${url}/v1/feeds)`,
    ])
  })

  it.each([
    [500, '{}', 'answered 500'],
    [200, 'not json', 'Unexpected token'],
    [200, '{"feeds":{}}', 'no feeds array in its body'],
  ])(
    'says once that it could not check when the catalogue answers %i %s',
    async (status, body, why) => {
      answer = { status, body }
      const warnings = await workerFreshness(url, ['github/hooks', 'github/web'], fetch, NOW)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`${url}/v1/feeds: ${why}`)
      expect(warnings[0]).toMatch(/how fresh the worker's feeds are was not checked$/)
    },
  )
})
