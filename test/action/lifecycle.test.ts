/**
 * @module End to end: the bundled Action (action/dist/index.js built from the current source) run
 * as a child process with the runner's environment, against the local stateful GitHub server and
 * a local mirror of real feed fixtures, through a PR's whole life.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction, type ActionRun } from './run-action.ts'

const REPO = 'acme/edge'
const BRANCH = 'allowlist-sync/update'

const CONFIG = `version: 1
targets:
  - path: firewall/allow.nft
    format: nftables
    feeds: [coolify/cloud]
    ports: [22/tcp]
    name: coolify_ssh
  - path: proxy/github-hooks.txt
    format: txt
    feeds: [github/hooks]
  - path: terraform/allow.auto.tfvars.json
    format: terraform
    feeds: [coolify/cloud, github/hooks]
policies:
  - preset: coolify-cloud
    configs: [firewall/*.nft]
pull-request:
  labels: [allowlist, automated]
  reviewers: [octocat]
`

const USER_HEAD = '# managed by hand above this line\nflush ruleset\n'
/** The file as its owner prepared it: the marker lines placed where the table belongs. */
const USER_NFT = `${USER_HEAD}# BEGIN allowlist-sync name=coolify_ssh\n# END allowlist-sync\n`

function coolify(version: string) {
  return {
    'coolify.io/ipv4.txt': `coolify/ipv4.${version}.txt`,
    'coolify.io/ipv6.txt': `coolify/ipv6.${version}.txt`,
  }
}

describe.skipIf(!HAVE_FIXTURES)('the Action, end to end', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  const publish = (files: Record<string, string>) =>
    Object.assign(mirror.files, fixtureMirrorLayout(files))
  const run = (): Promise<ActionRun> =>
    runAction({
      script: actionPath(),
      repository: REPO,
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', config: '.github/allowlist-sync.yml', 'dry-run': 'false' },
    })
  const ok = (r: ActionRun) => {
    expect(r.stdout).not.toContain('::error::')
    expect(r.code, r.stdout + r.stderr).toBe(0)
    return r
  }

  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo(REPO, {
      '.github/allowlist-sync.yml': CONFIG,
      'firewall/allow.nft': USER_NFT,
      'README.md': '# edge\n',
    })
    mirror = await startMirror({})
    publish({ ...coolify('2024-04-30T1019'), 'api.github.com/meta': 'github/meta.2026-02-05.json' })
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })

  let prNumber = 0
  let firstHead = ''

  it('first run: opens a PR with one commit holding the rendered files, the lock and a full body', async () => {
    const baseSha = gh.branchSha(REPO, 'main')!
    const r = ok(await run())
    expect(r.outputs['pull-request-operation']).toBe('created')
    expect(r.outputs.changed).toBe('true')
    expect(Number(r.outputs.added)).toBe(2 + 2 + 6) // coolify 2 v4 + 2 v6, github/hooks 6
    expect(r.outputs.removed).toBe('0')
    prNumber = Number(r.outputs['pull-request-number'])
    expect(prNumber).toBe(1)
    expect(r.outputs['pull-request-url']).toMatch(/\/pull\/1$/)

    const files = gh.readFiles(REPO, BRANCH)
    expect(files['firewall/allow.nft']!.startsWith(USER_HEAD)).toBe(true)
    expect(files['firewall/allow.nft']).toContain(
      '# BEGIN allowlist-sync name=coolify_ssh feeds=coolify/cloud sum=',
    )
    expect(files['firewall/allow.nft']).toContain('49.12.221.172')
    expect(files['firewall/allow.nft']).toContain('2a01:4f8:c17:be0e::/64')
    expect(files['proxy/github-hooks.txt']).toContain('192.30.252.0/22')
    const tf = JSON.parse(files['terraform/allow.auto.tfvars.json']!) as unknown
    expect(JSON.stringify(tf)).toContain('5.75.252.18/32')
    const lock = JSON.parse(files['.github/allowlist-sync.lock.json']!) as {
      feeds: Record<string, { version: number }>
    }
    expect(Object.keys(lock.feeds).sort()).toEqual(['coolify/cloud', 'github/hooks'])
    expect(files['README.md']).toBe('# edge\n')

    firstHead = gh.branchSha(REPO, BRANCH)!
    expect(gh.commit(REPO, firstHead).parents).toEqual([baseSha])

    const [pr] = gh.pulls(REPO)
    expect(pr).toMatchObject({ number: 1, state: 'open', head: BRANCH, base: 'main', draft: false })
    expect(pr!.labels).toEqual(['allowlist', 'automated'])
    expect(pr!.reviewers).toEqual(['octocat'])
    expect(pr!.title).toBe('allowlists: coolify/cloud +4, github/hooks +6')
    expect(pr!.body).toContain('<!-- allowlist-sync -->')
    // the policy result comes first, then the feeds, then how to roll back
    const at = (text: string) => pr!.body.indexOf(text)
    expect(at('## Port policy: compliant')).toBeGreaterThan(0)
    expect(at('### `coolify/cloud`: +4 −0')).toBeGreaterThan(at('## Port policy'))
    expect(at('## Rolling back, pausing')).toBeGreaterThan(at('### `github/hooks`: +6 −0'))
    expect(pr!.body).toContain('`49.12.221.172/32`')
    expect(pr!.body).toMatch(/sha256 `[0-9a-f]{64}`/)
    expect(pr!.body).toContain('[`https://coolify.io/ipv4.txt`](https://coolify.io/ipv4.txt)')
    expect(pr!.body).toContain('`terraform/allow.auto.tfvars.json` (+10 −0)')
    // no internal counter shown as a version, no zero-width character, no seed file path
    expect(pr!.body).not.toMatch(/version \d+ →/)
    expect(pr!.body).not.toContain('\u200b')
    expect(pr!.body).not.toContain('seeds/')
    expect(r.outputs['pull-request-head-sha']).toBe(gh.branchSha(REPO, BRANCH))
    expect(r.outputs['pull-request-branch']).toBe(BRANCH)

    const checks = gh.checks(REPO).filter((c) => c.sha === firstHead)
    expect(checks).toHaveLength(1)
    expect(checks[0]!.name).toBe('allowlist-sync / port policy')
    expect(checks[0]).toMatchObject({
      conclusion: 'success',
      title: 'Port policy: compliant, 10 warnings',
    })
    // the findings are on the check run, so GitHub shows them in the diff
    expect(checks[0]!.annotations.length).toBe(10)
    expect(checks[0]!.annotations.every((a) => a.path === 'firewall/allow.nft')).toBe(true)
    expect(r.summary).toContain('Pull request: **created**')
  })

  it('identical second run: none, no new commit, no PR update', async () => {
    const from = gh.calls.length
    const r = ok(await run())
    expect(r.outputs['pull-request-operation']).toBe('none')
    expect(r.outputs['pull-request-number']).toBe(String(prNumber))
    expect(gh.branchSha(REPO, BRANCH)).toBe(firstHead)
    const writes = gh.callsSince(from).filter((c) => c.method !== 'GET')
    expect(writes).toEqual([])
  })

  it('a feed change updates the same PR with a fresh single commit on base', async () => {
    publish(coolify('2024-05-08T1121'))
    const r = ok(await run())
    expect(r.outputs['pull-request-operation']).toBe('updated')
    expect(r.outputs['pull-request-number']).toBe(String(prNumber))
    const head = gh.branchSha(REPO, BRANCH)!
    expect(head).not.toBe(firstHead)
    expect(gh.commit(REPO, head).parents).toEqual([gh.branchSha(REPO, 'main')])
    expect(gh.readFiles(REPO, BRANCH)['firewall/allow.nft']).toContain('49.13.215.176')
    expect(gh.pulls(REPO)).toHaveLength(1)
    expect(gh.pulls(REPO)[0]!.body).toContain('### `coolify/cloud`: +8 −0')
    expect(gh.pulls(REPO)[0]!.title).toBe('allowlists: coolify/cloud +8, github/hooks +6')
  })

  it('after the merge, feeds returning to what base holds close the open PR', async () => {
    gh.mergePull(REPO, prNumber)
    expect(gh.readFiles(REPO, 'main')['firewall/allow.nft']).toContain('49.13.215.176')

    publish(coolify('2024-06-07T2116'))
    const second = ok(await run())
    expect(second.outputs['pull-request-operation']).toBe('created')
    expect(second.outputs.removed).toBe('4')
    const pr2 = Number(second.outputs['pull-request-number'])
    expect(pr2).toBe(2)

    publish(coolify('2024-05-08T1121'))
    const back = ok(await run())
    expect(back.outputs['pull-request-operation']).toBe('closed')
    expect(back.outputs['pull-request-number']).toBe(String(pr2))
    expect(back.outputs.changed).toBe('false')
    expect(gh.pulls(REPO).find((p) => p.number === pr2)!.state).toBe('closed')
    expect(gh.branchSha(REPO, BRANCH)).toBeUndefined()
    expect(gh.comments(REPO, pr2).join('\n')).toContain('already match the feeds')
  })

  it('a refused feed (the empty Coolify file) leaves the files as they are and the summary says why', async () => {
    const before = gh.readFiles(REPO, 'main')
    publish({ 'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1018.txt' })
    const r = ok(await run())
    expect(r.outputs['pull-request-operation']).toBe('none')
    expect(r.outputs.changed).toBe('false')
    expect(r.stdout).toContain('::warning::feed coolify/cloud refused (empty)')
    expect(r.summary).toContain('## Needs attention')
    expect(r.summary).toMatch(
      /`coolify\/cloud` refused \(`empty`\): https\\:\/\/coolify\.io\/ipv4\.txt lists no address/,
    )
    expect(gh.readFiles(REPO, 'main')).toEqual(before)
    expect(gh.branchSha(REPO, BRANCH)).toBeUndefined()
    expect(gh.pulls(REPO).filter((p) => p.state === 'open')).toEqual([])
  })
})
