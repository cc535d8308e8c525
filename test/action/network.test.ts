/**
 * @module The bundled Action's network: behind an HTTP proxy (CONNECT) feed downloads and API
 * calls both go through it, NO_PROXY exempts a host, and a proxy that refuses is named; GitHub's
 * rate-limit answers (403 with `x-ratelimit-remaining: 0`, 403 and 429 secondary limits) are
 * waited out and retried, on a loopback API server too; a hung request stops at the run's
 * deadline; a run where every feed is refused writes nothing and fails (or warns).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionPath } from '../helpers/dist.ts'
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.ts'
import { faultOn, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const CONFIG = `version: 1
targets:
  - { path: lists/coolify.txt, format: txt, feeds: [coolify/cloud] }
pull-request:
  labels: [allowlist]
`
const hostPort = (url: string) => new URL(url).host

describe.skipIf(!HAVE_FIXTURES)('the Action on the network', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  let proxy: ConnectProxy
  let faults: FaultProxy
  let n = 0
  const repo = () => {
    const name = `acme/net${n++}`
    gh.seedRepo(name, { '.github/allowlist-sync.yml': CONFIG })
    return name
  }
  const run = (
    repository: string,
    o: { env?: Record<string, string>; inputs?: Record<string, string>; api?: string } = {},
  ) =>
    runAction({
      script: actionPath(),
      repository,
      apiUrl: o.api ?? gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', mode: 'sync', ...o.inputs },
      ...(o.env ? { env: o.env } : {}),
    })

  beforeAll(async () => {
    gh = await startGitHubServer()
    faults = await startFaultProxy(gh.url)
    proxy = await startConnectProxy()
    mirror = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
      }),
    )
  })
  afterAll(async () => {
    await faults?.close()
    await proxy?.close()
    await gh?.close()
    await mirror?.close()
  })

  it('sends feed downloads and API calls through HTTPS_PROXY / HTTP_PROXY (CONNECT)', async () => {
    const r = await run(repo(), {
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      inputs: { 'body-footer': 'Owned by the **network team**.' },
    })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    expect(proxy.tunnels).toContain(hostPort(mirror.url))
    expect(proxy.tunnels).toContain(hostPort(gh.url))
    expect(
      gh.pulls(`acme/net${n - 1}`)[0]!.body.endsWith('\n---\n\nOwned by the **network team**.\n'),
    ).toBe(true)
  })

  it('honours NO_PROXY (lower case wins, host:port form)', async () => {
    proxy.tunnels.length = 0
    const r = await run(repo(), {
      env: { https_proxy: proxy.url, http_proxy: proxy.url, no_proxy: hostPort(gh.url) },
    })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(proxy.tunnels).toContain(hostPort(mirror.url))
    expect(proxy.tunnels).not.toContain(hostPort(gh.url))
  })

  it('a proxy that refuses fails the step, naming the proxy', async () => {
    proxy.refuse = true
    try {
      const r = await run(repo(), { env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } })
      expect(r.code).toBe(1)
      expect(r.stdout).toMatch(/::error::read the repository|::error::read branch/)
      expect(r.stdout).toContain(`(through the proxy ${proxy.url})`)
      expect(r.stdout).toContain('407')
    } finally {
      proxy.refuse = false
    }
  })

  it('waits out rate limits (403 primary, 403 and 429 secondary) and succeeds', async () => {
    faults.faults.length = 0
    faults.faults.push(
      faultOn('create-blob', 'secondary-rate-limit', 1),
      faultOn('create-pull', 'rate-limit', 1),
      faultOn('add-labels', 'too-many', 1),
    )
    const from = faults.requests.length
    const started = Date.now()
    const name = repo()
    const r = await run(name, { api: faults.url })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    expect(gh.pulls(name)).toHaveLength(1)
    expect(gh.pulls(name)[0]!.labels).toEqual(['allowlist'])
    const seen = faults.requests.slice(from)
    const count = (p: RegExp, method = 'POST') =>
      seen.filter((q) => q.method === method && p.test(q.path)).length
    expect(count(/\/pulls$/)).toBe(2)
    expect(count(/\/issues\/\d+\/labels$/)).toBe(2)
    expect(r.stdout).toMatch(/::warning::rate limited on POST .*\/pulls; retrying after \d+ s/)
    expect(r.stdout).toMatch(
      /::warning::secondary rate limit on POST .*\/labels; retrying after 1 s/,
    )
    // it waited as told (1 s, 1 s and the primary limit's reset), and no more than that
    expect(Date.now() - started).toBeGreaterThan(3000)
    faults.faults.length = 0
  })

  it('stops at the deadline (timeout-seconds) when a request hangs', async () => {
    faults.faults.length = 0
    faults.faults.push(faultOn('create-pull', 'hang', Infinity))
    const started = Date.now()
    const r = await run(repo(), { api: faults.url, inputs: { 'timeout-seconds': '3' } })
    faults.faults.length = 0
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      "::error::open the pull request: stopped: the run's deadline of 3 s (input 'timeout-seconds') passed",
    )
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('every feed refused: nothing is written and the step fails naming each refusal (or warns)', async () => {
    const empty = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1018.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
      }),
    )
    try {
      for (const [mode, code] of [
        ['fail', 1],
        ['warn', 0],
      ] as const) {
        const name = repo()
        const from = gh.calls.length
        const r = await runAction({
          script: actionPath(),
          repository: name,
          apiUrl: gh.url,
          mirror: empty.url,
          inputs: { token: 'test-token', 'on-all-refused': mode },
        })
        expect(r.code, r.stdout).toBe(code)
        expect(r.stdout).toMatch(
          /every feed was refused, so nothing was changed: coolify\/cloud \(empty\)/,
        )
        expect(r.summary).toContain('`coolify/cloud` refused (`empty`)')
        expect(gh.callsSince(from).filter((c) => c.method !== 'GET')).toEqual([])
        expect(r.outputs['pull-request-operation']).toBe('none')
      }
    } finally {
      await empty.close()
    }
  })
})
