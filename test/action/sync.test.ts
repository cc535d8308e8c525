/**
 * @module runSync in process, against the local GitHub server and a feed mirror: a person's
 * commits are never overwritten, missing permissions are named, checks fall back to statuses,
 * two runs at once open one PR, dry runs write nothing.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GitHubClient } from '../../action/src/github.ts'
import type { Inputs } from '../../action/src/inputs.ts'
import { runSync, type SyncDeps } from '../../action/src/sync.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { testInputs } from './test-inputs.ts'
import {
  startGitHubServer,
  type GitHubServer,
  type TokenPermissions,
} from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'

const REPO = 'acme/fw'
const BRANCH = 'allowlist-sync/update'
const CONFIG = `version: 1
targets:
  - path: allow/coolify.txt
    format: txt
    feeds: [coolify/cloud]
`
const ALL: TokenPermissions = {
  contents: 'write',
  'pull-requests': 'write',
  issues: 'write',
  checks: 'write',
  statuses: 'write',
}

const inputs = (over: Partial<Inputs> = {}): Inputs => testInputs({ token: 'all', ...over })

describe.skipIf(!HAVE_FIXTURES)('runSync', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  let warnings: string[]
  const layout = (v: string) =>
    fixtureMirrorLayout({
      'coolify.io/ipv4.txt': `coolify/ipv4.${v}.txt`,
      'coolify.io/ipv6.txt': `coolify/ipv6.${v}.txt`,
    })

  const deps = (over: Partial<Inputs> = {}, now = Date.now): SyncDeps => {
    const i = inputs(over)
    return {
      inputs: i,
      client: new GitHubClient({ token: i.token, repository: REPO, baseUrl: gh.url, retries: 0 }),
      fetch: globalThis.fetch,
      now,
      env: { mirror: mirror.url, defaultBranch: 'main' },
      log: { info: () => undefined, warning: (m) => warnings.push(m) },
    }
  }

  beforeAll(async () => {
    mirror = await startMirror(layout('2024-04-30T1019'))
  })
  afterAll(() => mirror.close())
  beforeEach(async () => {
    warnings = []
    gh = await startGitHubServer({
      tokens: {
        all: ALL,
        'no-pulls': { ...ALL, 'pull-requests': 'read', issues: 'read' },
        'read-only': {},
        'no-checks': { ...ALL, checks: 'read' },
        'no-checks-no-statuses': { ...ALL, checks: 'read', statuses: 'read' },
      },
    })
    gh.seedRepo(REPO, { '.github/allowlist-sync.yml': CONFIG })
    Object.assign(mirror.files, layout('2024-04-30T1019'))
  })
  afterEach(() => gh.close())

  it("never overwrites a person's commit on its branch: comments, warns and waits", async () => {
    await runSync(deps())
    const ours = gh.branchSha(REPO, BRANCH)!
    const theirs = gh.commitFiles(
      REPO,
      BRANCH,
      { 'allow/extra.txt': '198.51.100.7\n' },
      'add a host',
      'alice',
    )
    Object.assign(mirror.files, layout('2024-05-08T1121'))

    const r = await runSync(deps())
    expect(r.outputs.operation).toBe('none')
    expect(r.outputs.changed).toBe(true)
    expect(gh.branchSha(REPO, BRANCH)).toBe(theirs)
    expect(gh.commit(REPO, theirs).parents).toEqual([ours])
    expect(warnings.join('\n')).toContain('holds commits the action did not make')
    const comments = gh.comments(REPO, 1)
    expect(comments).toHaveLength(1)
    expect(comments[0]).toContain('allow/coolify.txt')

    // waiting again does not repeat the comment for the same plan
    await runSync(deps())
    expect(gh.comments(REPO, 1)).toHaveLength(1)

    const reset = await runSync(deps({ resetBranch: true }))
    expect(reset.outputs.operation).toBe('updated')
    const head = gh.branchSha(REPO, BRANCH)!
    expect(gh.commit(REPO, head).parents).toEqual([gh.branchSha(REPO, 'main')])
    expect(gh.readFiles(REPO, BRANCH)['allow/extra.txt']).toBeUndefined()
  })

  it('does not count an amended commit of the action as its own', async () => {
    await runSync(deps())
    const head = gh.branchSha(REPO, BRANCH)!
    const { message } = gh.commit(REPO, head)
    // same message (trailers included) on a different tree: a person's amend
    gh.commitFiles(REPO, BRANCH, { 'allow/coolify.txt': 'edited by hand\n' }, message, 'bob')
    Object.assign(mirror.files, layout('2024-05-08T1121'))
    const r = await runSync(deps())
    expect(r.outputs.operation).toBe('none')
    expect(gh.readFiles(REPO, BRANCH)['allow/coolify.txt']).toBe('edited by hand\n')
  })

  it.each([
    ['read-only', 'contents: write'],
    ['no-pulls', 'pull-requests: write'],
  ])('a 403 with token %s names the missing permission %s', async (token, permission) => {
    await expect(runSync(deps({ token }))).rejects.toThrow(`permissions: ${permission}`)
  })

  it('posts a commit status where check runs are not allowed', async () => {
    await runSync(deps({ token: 'no-checks' }))
    const head = gh.branchSha(REPO, BRANCH)!
    expect(gh.checks(REPO).map((c) => [c.kind, c.sha])).toEqual([['status', head]])
  })

  it('warns, and still opens the PR, when neither checks nor statuses may be written', async () => {
    const r = await runSync(deps({ token: 'no-checks-no-statuses' }))
    expect(r.outputs.operation).toBe('created')
    expect(gh.checks(REPO)).toEqual([])
    expect(r.warnings.join('\n')).toContain('grant `checks: write`')
  })

  it('two runs at once open one PR and leave one commit on top of base', async () => {
    const results = await Promise.all([runSync(deps()), runSync(deps()), runSync(deps())])
    expect(gh.pulls(REPO)).toHaveLength(1)
    expect(results.filter((r) => r.outputs.operation === 'created')).toHaveLength(1)
    const head = gh.branchSha(REPO, BRANCH)!
    expect(gh.commit(REPO, head).parents).toEqual([gh.branchSha(REPO, 'main')])
    for (const r of results) expect(r.outputs.pullRequestNumber).toBe(1)
  })

  it('applies draft, labels, reviewers, team reviewers and assignees from the inputs', async () => {
    const r = await runSync(
      deps({
        draft: true,
        labels: ['allowlist'],
        reviewers: ['alice'],
        teamReviewers: ['netops'],
        assignees: ['bob'],
        title: 'Allowlists',
      }),
    )
    expect(r.outputs.operation).toBe('created')
    expect(gh.pulls(REPO)[0]).toMatchObject({
      title: 'Allowlists',
      draft: true,
      labels: ['allowlist'],
      reviewers: ['alice'],
      teamReviewers: ['netops'],
      assignees: ['bob'],
    })
  })

  it('a removal beyond max-removal-percent is held, not refused: the change is applied', async () => {
    Object.assign(mirror.files, layout('2024-05-08T1121'))
    await runSync(deps())
    gh.mergePull(REPO, 1)
    // 2024-06-07 drops 2 of the 4 IPv4 addresses (50%). Held (FeedState.held): the PR is opened
    // with the change; making it a draft for a reviewer to confirm is the Action's part.
    Object.assign(mirror.files, layout('2024-06-07T2116'))
    const held = await runSync(deps({ maxRemovalPercent: 25 }))
    expect(held.outputs.changed).toBe(true)
    expect(held.outputs.removed).toBe(4)
    expect(warnings.join('\n')).not.toMatch(/refused/)
    // Held: a draft PR labelled allowlist-sync:held, confirmed by marking it ready.
    expect(gh.pulls(REPO).at(-1)).toMatchObject({ draft: true })
    expect(gh.pulls(REPO).at(-1)!.labels).toContain('allowlist-sync:held')
  })

  it("an older run never replaces a newer run's commit", async () => {
    const t = Date.parse('2026-11-21T12:00:00Z')
    Object.assign(mirror.files, layout('2024-05-08T1121'))
    await runSync(deps({}, () => t + 60_000))
    const newer = gh.branchSha(REPO, BRANCH)!
    // a run that fetched earlier (older data) finishes later
    Object.assign(mirror.files, layout('2024-04-30T1019'))
    const late = await runSync(deps({}, () => t))
    expect(late.outputs.operation).toBe('none')
    expect(gh.branchSha(REPO, BRANCH)).toBe(newer)
    expect(warnings.join('\n')).toContain('updated by a newer run')
  })

  it('a dry run writes nothing', async () => {
    const r = await runSync(deps({ dryRun: true }))
    expect(r.outputs.changed).toBe(true)
    expect(r.outputs.operation).toBe('none')
    expect(gh.calls.filter((c) => c.method !== 'GET')).toEqual([])
    expect(r.summary).toContain('dry run')
  })

  it('a bad config fails with FILE:LINE:COLUMN', async () => {
    gh.commitFiles(REPO, 'main', {
      '.github/allowlist-sync.yml':
        'version: 1\ntargets:\n  - path: a\n    format: nft\n    feeds: [x/y]\n',
    })
    await expect(runSync(deps())).rejects.toThrow(
      /\.github\/allowlist-sync\.yml:4:13: 'targets\.0\.format': unknown format 'nft'; did you mean 'nftables'/,
    )
  })

  it.each([
    [true, undefined],
    [false, 'kept'],
  ])('closing a PR whose files base already has: delete-branch %s', async (deleteBranch, kept) => {
    await runSync(deps())
    // someone applies the same files on main by hand
    gh.commitFiles(REPO, 'main', gh.readFiles(REPO, BRANCH))
    const r = await runSync(deps({ deleteBranch }))
    expect(r.outputs.operation).toBe('closed')
    expect(gh.pulls(REPO)[0]!.state).toBe('closed')
    expect(gh.branchSha(REPO, BRANCH) === undefined ? undefined : 'kept').toBe(kept)
    // one closing comment, even when the close is retried by a later run
    expect(gh.comments(REPO, 1).filter((c) => c.includes('already match the feeds'))).toHaveLength(
      1,
    )
  })
})
