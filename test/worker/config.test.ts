/**
 * Tests worker/src/config.ts through the app: a bad var is a 503 problem naming the var and its
 * value on every route, /healthz says not ok (503), the cron records the failure; good values
 * parse with their defaults.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../worker/src/config.ts'
import { runCron } from '../../worker/src/jobs/cron.ts'
import { call, clearHistory, envWith, expectProblem, rows } from './support/harness.ts'

const AUTH = { authorization: 'Bearer test-admin-token' }

const ROUTES = [
  '/',
  '/v1/feeds',
  '/v1/feeds/cloudflare/edge',
  '/v1/feeds/cloudflare/edge?format=nginx',
  '/v1/feeds/cloudflare/edge/changes',
  '/v1/changes',
  '/v1/changes.atom',
  '/v1/subscriptions',
  '/no/such/route',
]

beforeEach(clearHistory)

describe('a bad var', () => {
  it.each<[Record<string, string>, string, string, RegExp]>([
    [{ GUARD_MAX_REMOVAL_SHARE: '2' }, 'GUARD_MAX_REMOVAL_SHARE', '2', /in \(0, 1\]/],
    [{ GUARD_MAX_REMOVAL_SHARE: 'half' }, 'GUARD_MAX_REMOVAL_SHARE', 'half', /a number/],
    [{ GUARD_MAX_BODY_BYTES: '1.5' }, 'GUARD_MAX_BODY_BYTES', '1.5', /an integer/],
    [{ FETCH_TIMEOUT_MS: '-1' }, 'FETCH_TIMEOUT_MS', '-1', /an integer in \(0, 600000\]/],
    [
      { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'yes' },
      'ALLOW_PRIVATE_WEBHOOK_TARGETS',
      'yes',
      /"true" or "false"/,
    ],
    [{ WEBHOOK_EXTRA_PORTS: '22' }, 'WEBHOOK_EXTRA_PORTS', '22', /only 80 and 8443/],
    [{ UPSTREAM_MIRROR: 'file:///etc' }, 'UPSTREAM_MIRROR', 'file:///etc', /http\(s\) URL/],
    [{ GITHUB_API_URL: 'api.github.com' }, 'GITHUB_API_URL', 'api.github.com', /absolute/],
    [{ PUBLIC_URL: 'https://a:b@w.dev' }, 'PUBLIC_URL', 'https://a:b@w.dev', /credentials/],
    [{ PUBLIC_URL: 'https://w.dev/?x=1' }, 'PUBLIC_URL', 'https://w.dev/?x=1', /query or fragment/],
    [{ CHECK_RETENTION_DAYS: '0' }, 'CHECK_RETENTION_DAYS', '0', /in \(0, 3650\]/],
    [{ READ_CACHE_TTL_SECONDS: '1e9' }, 'READ_CACHE_TTL_SECONDS', '1e9', /in \(0, 3600\]/],
    [{ DEV_COUNTERS: '1' }, 'DEV_COUNTERS', '1', /"true" or "false"/],
    [{ ADMIN_TOKEN: 'admin' }, 'ADMIN_TOKEN', '(5 characters, not shown)', /at least 16/],
  ])('%j is a 503 naming it on every route and on /healthz', async (vars, name, value, message) => {
    for (const route of ROUTES) {
      const res = await call(route, { headers: AUTH }, vars)
      const problem = await expectProblem(res, 503, 'ERR_CONFIG')
      expect(problem.detail, route).toContain(`${name}=${JSON.stringify(value)}`)
      expect(problem.errors).toEqual([
        { var: name, value, message: expect.stringMatching(message) as string },
      ])
    }
    const health = await call('/healthz', {}, vars)
    const problem = await expectProblem(health, 503, 'ERR_CONFIG')
    expect(problem).toMatchObject({ ok: false, errors: [{ var: name, value }] })
  })

  it('names every bad var at once, and never quotes a secret', async () => {
    const res = await call(
      '/v1/feeds',
      {},
      {
        GUARD_MAX_REMOVAL_SHARE: '2',
        SECRETS_KEY: 'c2hvcnQ=',
        FETCH_TIMEOUT_MS: 'soon',
      },
    )
    const problem = await expectProblem(res, 503, 'ERR_CONFIG')
    expect(problem.errors?.map((e) => (e as unknown as { var: string }).var)).toEqual([
      'GUARD_MAX_REMOVAL_SHARE',
      'FETCH_TIMEOUT_MS',
      'SECRETS_KEY',
    ])
    expect(JSON.stringify(problem)).not.toContain('c2hvcnQ=')
    expect(problem.detail).toContain(
      'SECRETS_KEY="(8 characters, not shown)": key 1 is 5 bytes, not 32',
    )
  })

  it('fails the cron run and records why', async () => {
    await expect(
      runCron(envWith({ GUARD_MAX_REMOVAL_SHARE: '2' }), '*/15 * * * *'),
    ).rejects.toThrow(/GUARD_MAX_REMOVAL_SHARE="2"/)
    const [run] = await rows<{ outcome: string; summary: string }>(
      'SELECT outcome, summary FROM cron_runs',
    )
    expect(run!.outcome).toBe('failed')
    expect(JSON.parse(run!.summary)).toMatchObject({
      error: expect.stringContaining('GUARD_MAX_REMOVAL_SHARE') as string,
    })
  })
})

describe('healthz', () => {
  it('is ok, and notes a missing ADMIN_TOKEN or SECRETS_KEY', async () => {
    expect(await (await call('/healthz')).json()).toEqual({ ok: true })
    const res = await call('/healthz', {}, { ADMIN_TOKEN: '', SECRETS_KEY: ' ' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      ok: true,
      notes: [
        'ADMIN_TOKEN is not set: the subscription API answers 503',
        'SECRETS_KEY is not set: subscriptions cannot be created and sealed secrets cannot be opened',
      ],
    })
  })
})

describe('readConfig', () => {
  it('reads defaults and good values', () => {
    const config = readConfig(
      envWith({
        WEBHOOK_EXTRA_PORTS: '8443, 80,80',
        ENABLED_FEEDS: ' github/hooks, ,coolify/cloud ',
        UPSTREAM_MIRROR: 'http://127.0.0.1:8900/',
        PUBLIC_URL: 'https://allowlist.ops.acme.io/',
        SECRETS_KEY: `${btoa('k'.repeat(32))}, ${btoa('o'.repeat(32)).replace(/\+/g, '-')}`,
      }),
    )
    expect(config).toMatchObject({
      webhookExtraPorts: [8443, 80],
      enabledFeeds: ['github/hooks', 'coolify/cloud'],
      upstreamMirror: 'http://127.0.0.1:8900',
      publicUrl: 'https://allowlist.ops.acme.io',
      maxRemovalShare: 0.5,
      checkRetentionDays: 30,
      readCacheTtlSeconds: 60,
      devCounters: false,
      githubToken: undefined,
    })
    expect(readConfig(envWith({ ENABLED_FEEDS: '*' })).enabledFeeds).toBeUndefined()
  })

  it('caches the result, or the error, per env object', () => {
    const good = envWith({})
    expect(readConfig(good)).toBe(readConfig(good))
    const bad = envWith({ CHECK_RETENTION_DAYS: 'x' })
    const thrown = (): unknown => {
      try {
        return readConfig(bad)
      } catch (error) {
        return error
      }
    }
    const first = thrown()
    expect(first).toBeInstanceOf(ConfigError)
    expect(thrown()).toBe(first)
  })
})
