/**
 * `npm start` on a fresh copy of the repository (tracked files + node_modules, no state): it
 * applies the D1 migrations itself, serves `/` and `/v1/feeds`, and with UPSTREAM_MIRROR at a
 * mirror of ../shared/fixtures/feeds one `GET /__scheduled` fills every built-in feed whose
 * fixture exists. Compared against the shared sync run directly on the same mirror.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, syncFeeds } from '../../shared/src/index.ts'
import type { FeedOutcome } from '../../shared/src/index.ts'
import { workerFreshness } from '../../action/src/worker-freshness.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import type { MirrorServer } from '../scripts/mirror-server.ts'
import { runCronAndWait, startWorkerDev } from '../worker/support/wrangler-dev.ts'
import type { WorkerDev } from '../worker/support/wrangler-dev.ts'

interface Listed {
  id: string
  version: number | null
  sha256: string | null
  counts: { ipv4: number; ipv6: number } | null
  lastOutcome: { outcome: string; guard?: string } | null
}

let mirror: MirrorServer
let dev: WorkerDev

beforeAll(async () => {
  mirror = await startMirror(HAVE_FIXTURES ? fixtureMirrorLayout(LATEST_FIXTURES) : {})
  dev = await startWorkerDev({ UPSTREAM_MIRROR: mirror.url })
}, 120_000)

afterAll(async () => {
  await dev?.stop()
  await mirror?.close()
})

describe('npm start on a fresh clone', () => {
  it('serves the status page and the feed catalogue before any sync', async () => {
    const page = await fetch(`${dev.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<section id="summary" class="summary kind-held">')
    expect(html).toContain('<h2>Waiting for a first sync</h2>')
    const res = await fetch(`${dev.url}/v1/feeds`)
    expect(res.status).toBe(200)
    const { feeds } = (await res.json()) as { feeds: Listed[] }
    expect(feeds.map((f) => f.id)).toEqual(BUILTIN_FEEDS.map((f) => f.id))
    expect(feeds.every((f) => f.version === null && f.lastOutcome === null)).toBe(true)
    // The migrations ran without a prompt.
    expect(dev.output()).toMatch(/0001_create_history\.sql/)
    expect(dev.output()).toMatch(/0005_index_history_reads\.sql/)
  })

  it.runIf(HAVE_FIXTURES)(
    'fills every built-in feed whose fixture exists with one GET /__scheduled (and its sync messages)',
    async () => {
      await runCronAndWait(dev.url)
      const { feeds } = (await (await fetch(`${dev.url}/v1/feeds`)).json()) as { feeds: Listed[] }
      const expected = await syncFeeds(BUILTIN_FEEDS, {
        fetch: (u, i) => fetch(u, i),
        now: Date.now,
        mirror: mirror.url,
      })
      const byId = new Map(expected.outcomes.map((o): [string, FeedOutcome] => [o.feed, o]))
      const filled = feeds.filter((f) => f.version === 1)
      for (const f of feeds) {
        const o = byId.get(f.id)!
        if (o.kind === 'changed') {
          expect(f.version, f.id).toBe(1)
          expect(f.sha256, f.id).toBe(o.snapshot.sha256)
        } else {
          // Only a key the fixture lacks (github/dependabot, withdrawn by GitHub) stays empty.
          expect(f.lastOutcome?.outcome, f.id).toBe('refused')
          expect(f.version, f.id).toBeNull()
        }
      }
      expect(filled.length).toBe(expected.outcomes.filter((o) => o.kind === 'changed').length)
      expect(filled.length).toBeGreaterThanOrEqual(BUILTIN_FEEDS.length - 1)
      const hooks = await fetch(`${dev.url}/v1/feeds/github/hooks`)
      expect(hooks.status).toBe(200)
      const etag = hooks.headers.get('etag')!
      const again = await fetch(`${dev.url}/v1/feeds/github/hooks`, {
        headers: { 'if-none-match': etag },
      })
      expect(again.status).toBe(304)
    },
    120_000,
  )

  it.runIf(HAVE_FIXTURES)(
    "gives the Action what it needs to tell fresh feeds from stale ones (its catalogue's times)",
    async () => {
      // Runs after the fill above: every feed was checked a moment ago.
      const ids = ['github/hooks', 'aws/EC2', 'github/dependabot']
      expect(await workerFreshness(dev.url, ids, fetch, Date.now())).toEqual([])
      // The same catalogue read seven hours on, as if no sync had finished since.
      const later = await workerFreshness(dev.url, ids, fetch, Date.now() + 7 * 3_600_000)
      expect(later).toHaveLength(3)
      for (const [i, id] of ids.entries())
        expect(later[i]).toMatch(
          new RegExp(
            `^feed ${id}: the worker has not checked it for 7 h \\(last check [0-9T:.-]+Z\\): its syncs are not finishing`,
          ),
        )
      // github/dependabot (withdrawn by GitHub) has never had lists; the others' are as of the fill.
      expect(later[0]).toMatch(/its lists are as of [0-9T:.-]+Z$/)
      expect(later[2]).toMatch(/it has no lists yet$/)
    },
  )
})

describe('npm start with a .dev.vars file', () => {
  let devWithFile: WorkerDev | undefined

  afterAll(async () => {
    await devWithFile?.stop()
  })

  it('lets vars given on the command line win over .dev.vars, an empty one included', async () => {
    devWithFile = await startWorkerDev(
      { ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud', PUBLIC_URL: '' },
      {
        files: {
          '.dev.vars': [
            'ENABLED_FEEDS=github/hooks',
            'PUBLIC_URL=https://from-dev-vars.invalid',
            'ADMIN_TOKEN=a-token-from-dev-vars-1234',
            '',
          ].join('\n'),
        },
      },
    )
    expect(devWithFile.output()).toContain(
      'npm start: ENABLED_FEEDS, PUBLIC_URL from the environment (over .dev.vars)',
    )
    const { feeds } = (await (await fetch(`${devWithFile.url}/v1/feeds`)).json()) as {
      feeds: { id: string; enabled: boolean }[]
    }
    expect(feeds.filter((f) => f.enabled).map((f) => f.id)).toEqual([
      'coolify/cloud',
      'cloudflare/edge',
    ])
    // PUBLIC_URL is empty: Atom links use the request's origin, not the .dev.vars value.
    const atom = await (await fetch(`${devWithFile.url}/v1/changes.atom`)).text()
    expect(atom).toContain(`href="${devWithFile.url}/v1/changes.atom"`)
    // .dev.vars still supplies what the environment does not set.
    const subs = await fetch(`${devWithFile.url}/v1/subscriptions`, {
      headers: { authorization: 'Bearer a-token-from-dev-vars-1234' },
    })
    expect(subs.status).toBe(200)
    // DEV_COUNTERS is on under npm start.
    expect(await (await fetch(`${devWithFile.url}/__dev/counters`)).json()).toMatchObject({
      d1Queries: expect.any(Number) as number,
      boardReads: expect.any(Number) as number,
    })
  }, 150_000)
})
