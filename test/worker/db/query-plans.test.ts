/**
 * Every query of every page and API route is indexed and independent of history length: the
 * routes run against a short history and one ten times longer (same feeds, same pages asked
 * for); each statement they send to D1 is recorded, its EXPLAIN QUERY PLAN must not scan a
 * history table, and the rows D1 reads (meta.rows_read) must not grow with the history.
 * Also: the cron's retention prunes old checks but keeps the last 100 of each feed.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../worker/src/app.ts'
import { KEEP_CHECKS_PER_FEED, pruneHistory } from '../../../worker/src/db/prune-history.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { ReadCache } from '../../../worker/src/read-cache/read-cache.ts'
import { clearHistory, cloudflareMirror, envWith, rows } from '../support/harness.ts'

const FEEDS = ['cloudflare/edge', 'coolify/cloud', 'github/hooks', 'aws/S3', 'firezone/relays']
const SUB = 'sub_00000000000000000000000f'
const BASE = Date.parse('2025-01-01T00:00:00Z')
const HOUR = 3_600_000
/** Tables that grow with history; a plan may only SEARCH them. */
const HISTORY = [
  'checks',
  'versions',
  'changes',
  'snapshot_contents',
  'deliveries',
  'delivery_attempts',
  'cron_runs',
]

/** `versions` versions (and changes, deliveries) and `checks` checks per feed, `runs` cron runs. */
async function fill(versions: number, checks: number, runs: number): Promise<void> {
  await clearHistory()
  const iso = (ms: number) => new Date(ms).toISOString()
  const stmts: D1PreparedStatement[] = [
    env.DB.prepare(
      `INSERT INTO subscriptions (id, kind, feeds, url, secret, created_at) VALUES (?, 'webhook', '["*"]', 'https://hooks.slack.com/x', 'enc:v1:00000000:AA:AA', ?)`,
    ).bind(SUB, iso(BASE)),
  ]
  for (const feed of FEEDS) {
    const n = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)`
    stmts.push(
      env.DB.prepare(
        `${n} INSERT INTO snapshot_contents SELECT ?1, 'sha-' || i, '["1.' || (i % 250) || '.0.0/16"]', '[]', 1 + i % 7, 0, 65536, NULL FROM n`,
      ).bind(feed, versions),
      env.DB.prepare(
        `${n} INSERT INTO versions SELECT ?1, i, 'sha-' || i, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', ?4 / 1000.0 + i * 3600, 'unixepoch'), 'https://x', 'r', NULL FROM n`,
      ).bind(feed, versions, iso(BASE + versions * HOUR), BASE),
      env.DB.prepare(
        `${n} INSERT INTO changes (id, feed, version, previous_version, at, added, removed, added_count, removed_count)
         SELECT ?1 || '@' || i, ?1, i, i - 1, strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1000.0 + i * 3600, 'unixepoch'),
                '{"ipv4":["1.2.3.0/24"],"ipv6":[]}', '{"ipv4":[],"ipv6":[]}', 1, 0 FROM n`,
      ).bind(feed, versions, BASE),
      env.DB.prepare(
        `${n} INSERT INTO deliveries (id, subscription_id, change_id, status, attempts, created_at, updated_at)
         SELECT 'msg_' || ?1 || i, ?3, ?1 || '@' || i, CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'delivered' END, 1,
                strftime('%Y-%m-%dT%H:%M:%fZ', ?4 / 1000.0 + i * 3600, 'unixepoch'),
                strftime('%Y-%m-%dT%H:%M:%fZ', ?4 / 1000.0 + i * 3600, 'unixepoch') FROM n`,
      ).bind(feed, versions, SUB, BASE),
      env.DB.prepare(
        `${n} INSERT INTO delivery_attempts SELECT 'msg_' || ?1 || i, 1, ?3, 'delivered', 200, NULL, 5 FROM n`,
      ).bind(feed, versions, iso(BASE)),
      env.DB.prepare(
        `${n} INSERT INTO checks (run_id, feed, at, outcome, guard, reason, duration_ms)
         SELECT 'r' || i, ?1, strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1000.0 + i * 900, 'unixepoch'),
                CASE WHEN i % 10 = 0 THEN 'refused' ELSE 'unchanged' END,
                CASE WHEN i % 10 = 0 THEN 'http-error' END, NULL, 3 FROM n`,
      ).bind(feed, checks, BASE),
    )
  }
  stmts.push(
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO cron_runs (cron, started_at, finished_at, outcome, summary)
       SELECT '*/15 * * * *', strftime('%Y-%m-%dT%H:%M:%fZ', ?2 / 1000.0 + i * 900, 'unixepoch'), NULL, 'ok', '{}' FROM n`,
    ).bind(runs, BASE),
  )
  await env.DB.batch(stmts)
}

interface Recorded {
  sql: string
  params: unknown[]
}

/** The env whose D1 binding records each statement with its parameters. */
function recordingEnv(recorded: Recorded[], vars: Record<string, string> = {}): Env {
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const entry: Recorded = { sql, params: [] }
    recorded.push(entry)
    return new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') {
          return (...params: unknown[]) => {
            entry.params = params
            return target.bind(...params)
          }
        }
        const value: unknown = Reflect.get(target, prop, target)
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value
      },
    })
  }
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql)
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    },
  })
  return { ...envWith({ ENABLED_FEEDS: FEEDS.join(','), ...vars }), DB: db }
}

const AUTH = { authorization: 'Bearer test-admin-token' }

/** Every page and API read, asking for the same page sizes whatever the history. */
function routes(versions: number): string[] {
  const mid = new Date(BASE + (versions - 20) * HOUR).toISOString()
  return [
    '/',
    '/v1/feeds',
    '/v1/feeds/cloudflare/edge',
    '/v1/feeds/cloudflare/edge?format=nginx',
    `/v1/feeds/cloudflare/edge/snapshots/${versions - 5}`,
    '/v1/feeds/cloudflare/edge/changes?limit=10',
    `/v1/feeds/cloudflare/edge/changes?since=${versions - 20}&limit=10`,
    `/v1/feeds/cloudflare/edge/changes?since=${mid}&limit=10`,
    '/v1/changes?limit=10',
    `/v1/changes?since=${versions * 2}&limit=10`,
    '/v1/changes?feeds=cloudflare/edge,aws/S3&limit=10',
    `/v1/changes?feeds=aws/S3&since=${versions * 2}&limit=10`,
    '/v1/changes.atom?limit=10',
    '/v1/changes.atom?feeds=github/hooks&limit=10',
    '/v1/subscriptions',
    `/v1/subscriptions/${SUB}`,
    `/v1/subscriptions/${SUB}/deliveries?limit=10`,
  ]
}

async function runRoutes(versions: number): Promise<[string, Recorded[]][]> {
  const byRoute: [string, Recorded[]][] = []
  for (const route of routes(versions)) {
    const recorded: Recorded[] = []
    // A fresh read cache: every read goes to D1, so its queries are the ones measured.
    const app = createApp({ readCache: new ReadCache({ memoryBytes: 0, edge: undefined }) })
    const res = await app.request(
      `https://worker.test${route}`,
      { headers: AUTH },
      recordingEnv(recorded),
    )
    expect(res.status, `${route}: ${await res.clone().text()}`).toBe(200)
    byRoute.push([route, recorded])
  }
  return byRoute
}

/** The rows D1 reads for the statements that only read (a write is not run twice). */
async function rowsRead(statements: readonly Recorded[]): Promise<number> {
  let total = 0
  for (const { sql, params } of statements) {
    if (!/^\s*SELECT/i.test(sql)) continue
    total += (
      await env.DB.prepare(sql)
        .bind(...params)
        .all()
    ).meta.rows_read
  }
  return total
}

describe('page and API queries', () => {
  it('never scan a history table, and read as many rows after 10x the history', async () => {
    await fill(40, 200, 60)
    const short = await runRoutes(40)
    const shortRows: number[] = []
    for (const [, statements] of short) shortRows.push(await rowsRead(statements))

    await fill(400, 2000, 600)
    const long = await runRoutes(400)
    for (const [i, [route, statements]] of long.entries()) {
      expect(statements.length, route).toBeGreaterThan(0)
      await expectIndexed(route, statements)
      const read = await rowsRead(statements)
      // The same pages after ten times the history: no more rows read (a few for B-tree depth).
      expect(read, `${route}: ${read} rows vs ${shortRows[i]}`).toBeLessThanOrEqual(
        shortRows[i]! + 10,
      )
    }
  }, 60_000)
})

/** Asserts that no statement's plan scans a history table. */
async function expectIndexed(label: string, statements: readonly Recorded[]): Promise<void> {
  for (const { sql, params } of statements) {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>()
    for (const { detail } of plan.results) {
      const scanned = /^SCAN (\w+)/.exec(detail)?.[1]
      expect(HISTORY.includes(scanned ?? ''), `${label}: ${detail} in ${sql}`).toBe(false)
    }
  }
}

describe('a sync message', () => {
  it("reads only its own feeds' rows, indexed, as many after 10x every feed's history", async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const deps = {
      fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init),
      now: Date.now,
    }
    const read: number[] = []
    for (const versions of [40, 400]) {
      await fill(versions, 10, 10)
      const recorded: Recorded[] = []
      const e = recordingEnv(recorded, { UPSTREAM_MIRROR: mirror.url })
      const { checks } = await runSync(e, deps, { feeds: ['cloudflare/edge'], requeue: false })
      expect(checks.map((c) => c.feed)).toEqual(['cloudflare/edge'])
      await expectIndexed(`${versions} versions`, recorded)
      read.push(await rowsRead(recorded))
    }
    // Before: every feed's current snapshot and every URL's cache entry, found by a scan.
    expect(read[1], `${read[1]} rows vs ${read[0]}`).toBeLessThanOrEqual(read[0]! + 10)
  })
})

describe('pruneHistory', () => {
  beforeEach(clearHistory)

  it('deletes checks older than the cutoff but keeps the last 100 of each feed, and since-when', async () => {
    await fill(2, 300, 300)
    const cutoff = new Date(BASE + 250 * 900_000).toISOString()
    const before = await rows<{ feed: string; state_since: string; last_refusal_at: string }>(
      'SELECT feed, state_since, last_refusal_at FROM feed_status ORDER BY feed',
    )
    const pruned = await pruneHistory(env.DB, cutoff)
    // Per feed: 300 checks, 249 older than the cutoff, but 100 are kept: 200 go.
    expect(pruned.checks).toBe(FEEDS.length * 200)
    expect(pruned.cronRuns).toBe(200)
    for (const feed of FEEDS) {
      const left = await rows<{ n: number }>(
        'SELECT COUNT(*) AS n FROM checks WHERE feed = ?',
        feed,
      )
      expect(left[0]!.n).toBe(KEEP_CHECKS_PER_FEED)
    }
    expect(
      await rows('SELECT feed, state_since, last_refusal_at FROM feed_status ORDER BY feed'),
    ).toEqual(before)
    // Nothing older than the cutoff is left beyond the kept ones; a second run deletes nothing.
    expect(await pruneHistory(env.DB, cutoff)).toEqual({ checks: 0, cronRuns: 0 })
  })

  it('keeps every check of a feed checked fewer than 100 times, however old', async () => {
    await fill(2, 30, 5)
    expect(await pruneHistory(env.DB, new Date(BASE + 1000 * HOUR).toISOString())).toEqual({
      checks: 0,
      cronRuns: 0,
    })
  })
})
