/**
 * @module The three parts of a sync, each alone against the local GitHub server (issue 16 item
 * 1): publishBranch (blobs -> tree -> commit -> create or compare-and-move), upsertPull (converge
 * an open PR, writing only what differs), postPolicyResult (check run with batched annotations,
 * or a status). And held updates (issue 11, must-show 4) through desiredPull + upsertPull with a
 * held FeedState: a draft PR with the label and the section; marked ready, it stays ready on the
 * next run; the lock records the confirmation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { desiredPull, type DesiredPullInput } from '../../action/src/desired-pull.ts'
import { formatLock, parseLock, type FeedState } from '../../action/src/feed-state.ts'
import { GitHubClient } from '../../action/src/github.ts'
import { decideHold, HELD_LABEL, recordConfirmations } from '../../action/src/held.ts'
import type { PlannedFile } from '../../action/src/plan.ts'
import type { PolicyResult } from '../../action/src/policy-check.ts'
import { CHECK_NAME, postPolicyResult } from '../../action/src/post-policy-result.ts'
import { planDigest, publishBranch } from '../../action/src/publish-branch.ts'
import { TreeReader } from '../../action/src/tree-reader.ts'
import { upsertPull, type DesiredPull } from '../../action/src/upsert-pull.ts'
import type { HeldOutcome, Snapshot } from '../../shared/src/index.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'

const REPO = 'acme/parts'
const BRANCH = 'allowlist-sync/update'
let gh: GitHubServer
let client: GitHubClient

beforeEach(async () => {
  gh = await startGitHubServer()
  gh.seedRepo(REPO, { 'README.md': '# parts\n', 'lists/same.txt': 'unchanged\n' })
  client = new GitHubClient({ token: 'test-token', repository: REPO, baseUrl: gh.url, retries: 0 })
})
afterEach(() => gh.close())

const writes = (from: number) =>
  gh
    .callsSince(from)
    .filter((c) => c.method !== 'GET')
    .map((c) => c.operationId)

const file = (path: string, content: string): PlannedFile => ({
  path,
  content,
  changed: true,
  feeds: [],
})

async function publish(files: PlannedFile[], now = 1_000_000) {
  const baseSha = gh.branchSha(REPO, 'main')!
  const base = await client.getCommit(baseSha)
  const headSha = gh.branchSha(REPO, BRANCH)
  return publishBranch({
    client,
    branch: BRANCH,
    baseSha,
    baseTree: base.tree,
    base: await TreeReader.at(client, base),
    head: headSha === undefined ? undefined : await client.getCommit(headSha),
    files,
    digest: planDigest(files),
    message: 'allowlists: test',
    now: () => now,
  })
}

describe('publishBranch', () => {
  it('creates the branch with one commit on base, and finds it current the next time', async () => {
    const files = [file('lists/a.txt', '192.0.2.0/24\n'), file('lists/copy.txt', 'unchanged\n')]
    const first = await publish(files)
    expect(first.kind).toBe('moved')
    const head = gh.branchSha(REPO, BRANCH)!
    expect(gh.commit(REPO, head).parents).toEqual([gh.branchSha(REPO, 'main')])
    expect(gh.readFiles(REPO, BRANCH)['lists/a.txt']).toBe('192.0.2.0/24\n')
    // content base already holds is not uploaded again
    expect(gh.calls.filter((c) => c.operationId === 'git/create-blob')).toHaveLength(1)
    const from = gh.calls.length
    expect(await publish(files)).toEqual({
      kind: 'current',
      sha: head,
      at: first.kind === 'moved' ? first.at : '',
    })
    expect(writes(from)).toEqual([])
  })

  it('moves the branch for a new plan, uploading only content GitHub lacks', async () => {
    await publish([file('lists/a.txt', '192.0.2.0/24\n'), file('lists/b.txt', '198.51.100.0/24\n')])
    const from = gh.calls.length
    const next = await publish(
      [file('lists/a.txt', '192.0.2.0/24\n'), file('lists/b.txt', '203.0.113.0/24\n')],
      2_000_000,
    )
    expect(next.kind).toBe('moved')
    expect(writes(from)).toEqual([
      'git/create-blob',
      'git/create-tree',
      'git/create-commit',
      'git/update-ref',
    ])
  })

  it('reports a race when the branch moved after it was read, and leaves a newer run alone', async () => {
    await publish([file('lists/a.txt', '1\n')], 5_000_000)
    const baseSha = gh.branchSha(REPO, 'main')!
    const base = await client.getCommit(baseSha)
    const head = await client.getCommit(gh.branchSha(REPO, BRANCH)!)
    const older = await publishBranch({
      client,
      branch: BRANCH,
      baseSha,
      baseTree: base.tree,
      base: await TreeReader.at(client, base),
      head,
      files: [file('lists/a.txt', '2\n')],
      digest: 'x',
      message: 'm',
      now: () => 1,
    })
    expect(older.kind).toBe('newer')
    gh.commitFiles(REPO, BRANCH, { 'lists/a.txt': 'by hand\n' })
    const raced = await publishBranch({
      client,
      branch: BRANCH,
      baseSha,
      baseTree: base.tree,
      base: await TreeReader.at(client, base),
      head,
      files: [file('lists/a.txt', '3\n')],
      digest: 'y',
      message: 'm',
      now: () => 9_000_000,
    })
    expect(raced.kind).toBe('raced')
    expect(gh.readFiles(REPO, BRANCH)['lists/a.txt']).toBe('by hand\n')
  })
})

const wanted = (over: Partial<DesiredPull> = {}): DesiredPull => ({
  title: 'allowlists: acme/list +1',
  body: 'body',
  labels: ['allowlist'],
  reviewers: ['octocat'],
  teamReviewers: ['netops'],
  assignees: ['hubot'],
  draft: false,
  ...over,
})

describe('upsertPull', () => {
  it('opens the PR with labels, reviewers and assignees; an identical second call writes nothing', async () => {
    const head = (await publish([file('lists/a.txt', '1\n')])) as { sha: string }
    const created = await upsertPull({
      client,
      open: undefined,
      branch: BRANCH,
      base: 'main',
      head: head.sha,
      desired: wanted(),
    })
    expect(created.kind).toBe('created')
    expect(gh.pulls(REPO)[0]).toMatchObject({
      title: 'allowlists: acme/list +1',
      labels: ['allowlist'],
      reviewers: ['octocat'],
      teamReviewers: ['netops'],
      assignees: ['hubot'],
      draft: false,
    })
    const from = gh.calls.length
    const open = await client.findOpenPull(BRANCH, 'main')
    const again = await upsertPull({
      client,
      open,
      branch: BRANCH,
      base: 'main',
      head: head.sha,
      desired: wanted(),
    })
    expect(again.kind).toBe('unchanged')
    expect(writes(from)).toEqual([])
  })

  it("writes only what differs, never re-asks a reviewer who reviewed, and keeps people's labels", async () => {
    const head = (await publish([file('lists/a.txt', '1\n')])) as { sha: string }
    await upsertPull({
      client,
      open: undefined,
      branch: BRANCH,
      base: 'main',
      head: head.sha,
      desired: wanted(),
    })
    gh.review(REPO, 1, 'octocat')
    await client.addLabels(1, ['needs-ops'])
    const open = await client.findOpenPull(BRANCH, 'main')
    const from = gh.calls.length
    const r = await upsertPull({
      client,
      open,
      branch: BRANCH,
      base: 'main',
      head: head.sha,
      desired: wanted({ body: 'new body', labels: ['allowlist', 'automated'] }),
    })
    expect(r.kind).toBe('updated')
    expect(writes(from)).toEqual(['pulls/update', 'issues/add-labels'])
    expect(gh.pulls(REPO)[0]!.labels).toEqual(['allowlist', 'needs-ops', 'automated'])
  })
})

const failing = (n: number): PolicyResult => ({
  policies: ['web-minimal'],
  findings: Array.from({ length: n }, (_, i) => ({
    policy: 'web-minimal',
    rule: 'unlisted-inbound',
    severity: 'error' as const,
    file: 'README.md',
    line: i + 1,
    message: `port ${i} is open`,
    hint: 'close it',
  })),
  errors: [],
  sarif: undefined,
  files: ['README.md'],
})

describe('postPolicyResult', () => {
  it('puts 120 findings on the check run in three requests, most severe first; the same result is not posted twice', async () => {
    const sha = gh.branchSha(REPO, 'main')!
    const from = gh.calls.length
    expect(await postPolicyResult(client, sha, failing(120))).toBe('check-run')
    expect(writes(from)).toEqual(['checks/create', 'checks/update', 'checks/update'])
    const [run] = gh.checks(REPO)
    expect(run).toMatchObject({
      name: CHECK_NAME,
      status: 'completed',
      conclusion: 'failure',
      title: 'Port policy: 120 violations',
    })
    expect(run!.annotations).toHaveLength(120)
    expect(run!.annotations[0]).toMatchObject({ path: 'README.md', line: 1, level: 'failure' })
    const again = gh.calls.length
    expect(await postPolicyResult(client, sha, failing(120))).toBe('current')
    expect(writes(again)).toEqual([])
    expect(await postPolicyResult(client, sha, failing(3))).toBe('check-run')
    expect(gh.checks(REPO).at(-1)!.annotations).toHaveLength(3)
  })

  it('posts a commit status where check runs are not allowed, once', async () => {
    await gh.close()
    gh = await startGitHubServer({ tokens: { t: { contents: 'write', statuses: 'write' } } })
    gh.seedRepo(REPO, { 'README.md': '# parts\n' })
    client = new GitHubClient({ token: 't', repository: REPO, baseUrl: gh.url, retries: 0 })
    const sha = gh.branchSha(REPO, 'main')!
    expect(await postPolicyResult(client, sha, failing(1))).toBe('status')
    expect(await postPolicyResult(client, sha, failing(1))).toBe('current')
    expect(gh.checks(REPO).map((c) => [c.kind, c.conclusion])).toEqual([['status', 'failure']])
  })
})

describe('held updates (the PR-upsert part with a held FeedState)', () => {
  const before: Snapshot = {
    feed: 'coolify/cloud',
    version: 3,
    sha256: 'b'.repeat(64),
    fetchedAt: '2026-01-01T00:00:00.000Z',
    changedAt: '2026-01-01T00:00:00.000Z',
    source: 'https://coolify.io/ipv4.txt https://coolify.io/ipv6.txt',
    ipv4: ['5.75.252.18/32', '49.12.221.172/32'],
    ipv6: ['2a01:4f8:c17:be0e::/64'],
  }
  const candidate = (sha = 'c'.repeat(64)): Snapshot => ({
    ...before,
    version: 4,
    sha256: sha,
    ipv4: ['203.0.113.9/32'],
  })
  const heldState = (sha?: string): FeedState => {
    const c = candidate(sha)
    const change = {
      feed: c.feed,
      version: 4,
      previousVersion: 3,
      at: c.changedAt,
      added: { ipv4: ['203.0.113.9/32'], ipv6: [] },
      removed: { ipv4: before.ipv4, ipv6: [] },
    }
    const held: HeldOutcome = {
      kind: 'held',
      feed: c.feed,
      guard: 'mass-removal',
      reason: 'every IPv4 address of version 3 would be removed',
      previous: before,
      candidate: c,
      change,
      notes: [],
    }
    return {
      snapshots: new Map([[c.feed, c]]),
      changes: new Map([[c.feed, change]]),
      refusals: [],
      held: [held],
      origin: 'upstream',
      fetchedAt: c.fetchedAt,
      warnings: [],
    }
  }
  const input = (state: FeedState, open: DesiredPullInput['open']): DesiredPullInput => {
    const hold = decideHold(state.held, open)
    return {
      state: recordConfirmations(state, hold.confirmed, open?.number),
      files: [],
      policy: undefined,
      hold,
      lock: '.github/allowlist-sync.lock.json',
      warnings: [],
      title: 'allowlists (held)',
      footer: '',
      labels: ['allowlist'],
      reviewers: [],
      teamReviewers: [],
      assignees: [],
      configuredDraft: undefined,
      open,
      asOf: 'x',
    }
  }
  const round = async (state: FeedState, head: string) => {
    const open = await client.findOpenPull(BRANCH, 'main')
    const d = input(state, open)
    return {
      result: await upsertPull({
        client,
        open,
        branch: BRANCH,
        base: 'main',
        head,
        desired: desiredPull(d),
      }),
      d,
    }
  }

  it('opens a draft with the label and the section; marked ready it stays ready; the lock records it', async () => {
    const head = (await publish([file('lists/a.txt', '1\n')])) as { sha: string }
    const first = await round(heldState(), head.sha)
    expect(first.result.kind).toBe('created')
    let pr = gh.pulls(REPO)[0]!
    expect(pr.draft).toBe(true)
    expect(pr.labels).toEqual(['allowlist', HELD_LABEL])
    expect(
      pr.body.indexOf('## Held: confirm by marking this pull request ready for review'),
    ).toBeLessThan(pr.body.indexOf('## Port policy'))
    expect(pr.body).toContain(
      '`coolify/cloud` removes 2 CIDRs and adds 1 CIDR (`mass-removal`: every IPv4 address of version 3 would be removed)',
    )

    // a rerun while it is a draft changes nothing
    const from = gh.calls.length
    expect((await round(heldState(), head.sha)).result.kind).toBe('unchanged')
    expect(writes(from)).toEqual([])

    // the reviewer marks it ready: the same candidate is now confirmed
    gh.setDraft(REPO, 1, false)
    const confirmed = await round(heldState(), head.sha)
    expect(confirmed.result.kind).toBe('updated')
    pr = gh.pulls(REPO)[0]!
    expect(pr.draft).toBe(false)
    expect(pr.labels).toEqual(['allowlist'])
    expect(pr.body).toContain('## Held updates confirmed')
    const lock = formatLock(confirmed.d.state.snapshots)
    expect(JSON.parse(lock)).toMatchObject({
      feeds: { 'coolify/cloud': { confirmedAfterHold: { guard: 'mass-removal', pullRequest: 1 } } },
    })
    // and the lock keeps it through a parse/format round trip (an unchanged next run)
    expect(formatLock(new Map(Object.entries(parseLock(lock))))).toBe(lock)

    // rerun with the same candidate: it stays ready, nothing written
    const still = gh.calls.length
    expect((await round(heldState(), head.sha)).result.kind).toBe('unchanged')
    expect(writes(still)).toEqual([])
    expect(gh.pulls(REPO)[0]!.draft).toBe(false)

    // a different candidate is a new decision: draft again (converted before the body changes)
    const next = gh.calls.length
    await round(heldState('d'.repeat(64)), head.sha)
    expect(writes(next)).toEqual(['graphql', 'pulls/update', 'issues/add-labels'])
    expect(gh.pulls(REPO)[0]).toMatchObject({ draft: true, labels: ['allowlist', HELD_LABEL] })
  })

  it('allow-mass-removal (no held outcome) opens an ordinary PR', async () => {
    const head = (await publish([file('lists/a.txt', '1\n')])) as { sha: string }
    await round({ ...heldState(), held: [] }, head.sha)
    expect(gh.pulls(REPO)[0]).toMatchObject({ draft: false, labels: ['allowlist'] })
  })
})

describe('GitHubClient.listComments', () => {
  it('reads every page of comments (a PR with 230 of them)', async () => {
    const head = (await publish([file('lists/a.txt', '1\n')])) as { sha: string }
    await upsertPull({
      client,
      open: undefined,
      branch: BRANCH,
      base: 'main',
      head: head.sha,
      desired: wanted(),
    })
    for (let i = 0; i < 230; i++) await client.comment(1, `comment ${i}`)
    const all = await client.listComments(1)
    expect(all).toHaveLength(230)
    expect(all.at(-1)).toBe('comment 229')
    expect(gh.calls.filter((c) => c.operationId === 'issues/list-comments').length).toBe(3)
  })
})
