/**
 * @module `mode: verify` end to end (the bundled Action as a process): policies checked against
 * the files of the commit, at most 10 error and 10 warning annotations (most severe first), every
 * finding in the job summary, a SARIF file in RUNNER_TEMP, the violations output, a failed step.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const HOST_NFT = `table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    tcp dport 22 accept
    tcp dport 5432 accept
    tcp dport 3306 accept
    tcp dport 6379 accept
  }
}
`
const CONFIG = `version: 1
targets:
  - { path: lists/coolify.txt, format: txt, feeds: [coolify/cloud] }
policies:
  - preset: coolify-cloud
    configs: [firewall/*.nft]
  - preset: cumulocity
    configs: [firewall/**]
`

describe.skipIf(!HAVE_FIXTURES)('the Action in verify mode', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo('acme/host', {
      '.github/allowlist-sync.yml': CONFIG,
      'firewall/host.nft': HOST_NFT,
    })
    mirror = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-06-09T1332.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-06-09T1332.txt',
        'api.github.com/meta': 'github/meta.2026-03-03.json',
      }),
    )
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })

  it('annotates the 10 most severe per level, summarises all, writes SARIF and fails the step', async () => {
    const sha = gh.branchSha('acme/host', 'main')!
    const from = gh.calls.length
    const r = await runAction({
      script: actionPath(),
      repository: 'acme/host',
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', mode: 'verify' },
      env: { GITHUB_SHA: sha, GITHUB_EVENT_NAME: 'pull_request' },
      event: { pull_request: { head: { sha } }, repository: { default_branch: 'main' } },
    })
    expect(r.code).toBe(1)
    const violations = Number(r.outputs.violations)
    expect(violations).toBeGreaterThan(10)
    const errors = r.stdout.split('\n').filter((l) => /^::error .*file=firewall\/host\.nft/.test(l))
    const warnings = r.stdout
      .split('\n')
      .filter((l) => /^::warning .*file=firewall\/host\.nft/.test(l))
    expect(errors).toHaveLength(10)
    expect(warnings.length).toBeLessThanOrEqual(10)
    expect(warnings.length).toBeGreaterThan(0)
    expect(r.stdout).toContain(`::error::${violations} port-policy violation(s)`)

    // every error finding is listed in the summary, not only the annotated ones (one line for
    // two findings that differ only by address family)
    const summaryErrors = r.summary.split('\n').filter((l) => l.startsWith('- **error**'))
    const listed = summaryErrors
      .map((l) => (/IPv4 and IPv6/.test(l) ? 2 : 1))
      .reduce((a, b) => a + b, 0)
    expect(listed).toBe(violations)

    const sarifFile = r.outputs['sarif-file']!
    expect(path.dirname(sarifFile)).toBe(r.tempDir)
    expect(existsSync(sarifFile)).toBe(true)
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      version: string
      runs: unknown[]
    }
    expect(sarif.version).toBe('2.1.0')

    expect(gh.callsSince(from).every((c) => c.method === 'GET')).toBe(true)
  })
})
