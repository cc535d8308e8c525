/**
 * @module Fault injection (issue 13, must-show 1): a proxy in front of the local GitHub server
 * breaks each write step of a sync, transiently (once) and persistently (for the whole first run),
 * with the request refused before the server sees it and with the server's answer lost after it
 * acted. After one clean rerun, the PR (title, body, labels, reviewers, assignees, draft state) and
 * the check run on its head (conclusion, title, summary, every annotation) equal a fault-free
 * run's, there is one PR and one completed check run, and the outputs are right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GitHubClient } from '../../action/src/github.ts'
import { runSync, type SyncResult } from '../../action/src/sync.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import {
  faultOn,
  startFaultProxy,
  type FaultProxy,
  type WriteStep,
} from '../helpers/fault-proxy.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { testInputs } from './test-inputs.ts'

const BRANCH = 'allowlist-sync/update'
const CONFIG = `version: 1
targets:
  - { path: lists/coolify.txt, format: txt, feeds: [coolify/cloud] }
  - { path: fw/allow.nft, format: nftables, feeds: [coolify/cloud], ports: [22/tcp] }
policies:
  - preset: web-minimal
    configs: [fw/host.nft]
pull-request:
  labels: [allowlist, automated]
  reviewers: [octocat]
  team-reviewers: [netops]
  assignees: [hubot]
`
/** 60 unlisted ports: 120 findings with a line, so the check run needs three requests. */
const HOST_NFT = [
  'table inet filter {',
  '  chain input {',
  '    type filter hook input priority 0; policy drop;',
  '    tcp dport { 22, 80, 443 } accept',
  ...Array.from({ length: 60 }, (_, i) => `    tcp dport ${10_000 + i * 2} accept`),
  '  }',
  '}',
  '',
].join('\n')

const coolify = (v: string) =>
  fixtureMirrorLayout({
    'coolify.io/ipv4.txt': `coolify/ipv4.${v}.txt`,
    'coolify.io/ipv6.txt': `coolify/ipv6.${v}.txt`,
  })
const V1 = '2024-04-30T1019'
const V2 = '2024-05-08T1121'
const NOW = Date.parse('2026-11-21T12:00:00Z')
const FOUND_AFTER_LOSS = new Set<WriteStep>(['create-pull', 'create-check-run', 'update-check-run'])

describe.skipIf(!HAVE_FIXTURES)('a sync under injected faults heals on one clean rerun', () => {
  let gh: GitHubServer
  let proxy: FaultProxy
  let mirror: MirrorServer
  let repos = 0

  beforeAll(async () => {
    gh = await startGitHubServer()
    proxy = await startFaultProxy(gh.url)
    mirror = await startMirror(coolify(V1))
  })
  afterAll(async () => {
    await proxy?.close()
    await gh?.close()
    await mirror?.close()
  })

  const sync = (repo: string, now = NOW): Promise<SyncResult> =>
    runSync({
      inputs: testInputs({ token: 'test-token' }),
      client: new GitHubClient({
        token: 'test-token',
        repository: repo,
        baseUrl: proxy.url,
        retries: 3,
        retryAfterBaseMs: 1,
        requestTimeoutMs: 2000,
      }),
      fetch: globalThis.fetch,
      now: () => now,
      env: { mirror: mirror.url, defaultBranch: 'main' },
      log: { info: () => undefined, warning: () => undefined },
    })

  const newRepo = () => {
    const repo = `acme/fw${repos++}`
    gh.seedRepo(repo, { '.github/allowlist-sync.yml': CONFIG, 'fw/host.nft': HOST_NFT })
    return repo
  }

  /** What a reviewer sees: the PR and the newest check run on its head. */
  const view = (repo: string) => {
    const pulls = gh.pulls(repo)
    const head = gh.branchSha(repo, BRANCH)
    const checks = gh.checks(repo).filter((c) => c.sha === head)
    const latest = checks.at(-1)
    return {
      pulls: pulls.map(
        ({ number, state, title, body, labels, draft, reviewers, teamReviewers, assignees }) => ({
          number,
          state,
          title,
          body,
          labels: [...labels].sort(),
          draft,
          reviewers,
          teamReviewers,
          assignees,
        }),
      ),
      completedChecks: checks.filter((c) => c.status === 'completed').length,
      check: latest && {
        status: latest.status,
        conclusion: latest.conclusion,
        title: latest.title,
        summary: latest.summary,
        externalId: latest.externalId,
        annotations: latest.annotations,
      },
      files: head === undefined ? undefined : gh.readFiles(repo, BRANCH),
    }
  }

  let reference: { created: ReturnType<typeof view>; updated: ReturnType<typeof view> }

  it('a fault-free run: the reference (three check-run requests for 120 annotations)', async () => {
    Object.assign(mirror.files, coolify(V1))
    const repo = newRepo()
    const first = await sync(repo)
    expect(first.outputs.operation).toBe('created')
    const created = view(repo)
    expect(created.check!.annotations).toHaveLength(120)
    expect(created.pulls[0]!.labels).toEqual(['allowlist', 'automated'])
    Object.assign(mirror.files, coolify(V2))
    expect((await sync(repo, NOW + 60_000)).outputs.operation).toBe('updated')
    reference = { created, updated: view(repo) }
    Object.assign(mirror.files, coolify(V1))
  })

  const creating: WriteStep[] = [
    'create-blob',
    'create-tree',
    'create-commit',
    'create-ref',
    'create-pull',
    'add-labels',
    'request-reviewers',
    'add-assignees',
    'create-check-run',
    'update-check-run',
  ]
  const updating: WriteStep[] = [
    'create-blob',
    'create-commit',
    'update-ref',
    'update-pull',
    'create-check-run',
  ]
  const cases = (steps: WriteStep[], phase: 'create' | 'update') =>
    steps.flatMap((step) =>
      (['fail', 'lost'] as const).flatMap((kind) =>
        (['transient', 'persistent'] as const).map((how) => [phase, step, kind, how] as const),
      ),
    )

  it.each([...cases(creating, 'create'), ...cases(updating, 'update')])(
    '%s: %s %s (%s), then one clean run',
    async (phase, step, kind, how) => {
      Object.assign(mirror.files, coolify(V1))
      const repo = newRepo()
      let now = NOW
      if (phase === 'update') {
        await sync(repo, now)
        Object.assign(mirror.files, coolify(V2))
        now += 60_000
      }
      proxy.faults.length = 0
      proxy.faults.push(faultOn(step, kind, how === 'transient' ? 1 : Infinity))
      const from = proxy.requests.length
      const first = await sync(repo, now).catch((e: unknown) => e)
      expect(
        proxy.requests.slice(from).some((r) => r.fault === kind),
        'the fault was hit',
      ).toBe(true)
      // A lost answer to a create the client can look up (a PR, a check run) heals in the run.
      if (how === 'transient' || (kind === 'lost' && FOUND_AFTER_LOSS.has(step))) {
        expect(first, String(first)).not.toBeInstanceOf(Error)
        expect((first as SyncResult).outputs.operation).toBe(
          phase === 'create' ? 'created' : 'updated',
        )
      } else expect(first).toBeInstanceOf(Error)
      proxy.faults.length = 0

      const prsBefore = gh.pulls(repo).length
      const viewBefore = view(repo)
      const second = await sync(repo, now)
      const want = phase === 'create' ? reference.created : reference.updated
      const got = view(repo)
      expect(got.pulls).toEqual(want.pulls)
      expect(got.check).toEqual(want.check)
      expect(got.files).toEqual(want.files)
      expect(got.completedChecks).toBe(1)
      const o = second.outputs
      expect(o.pullRequestNumber).toBe(1)
      expect(o.pullRequestHeadSha).toBe(gh.branchSha(repo, BRANCH))
      expect(o.pullRequestBranch).toBe(BRANCH)
      expect(o.changed).toBe(true)
      const prSame = JSON.stringify(viewBefore.pulls) === JSON.stringify(want.pulls)
      const branchSame = JSON.stringify(viewBefore.files) === JSON.stringify(want.files)
      expect(o.operation).toBe(
        prsBefore === 0 ? 'created' : prSame && branchSame ? 'none' : 'updated',
      )
    },
  )

  it('a request that hangs is timed out and retried; the run succeeds', async () => {
    Object.assign(mirror.files, coolify(V1))
    const repo = newRepo()
    proxy.faults.length = 0
    proxy.faults.push(faultOn('create-pull', 'hang', 1))
    const r = await sync(repo)
    expect(r.outputs.operation).toBe('created')
    expect(view(repo).pulls).toEqual(reference.created.pulls)
  })
})
