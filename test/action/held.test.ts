/**
 * @module Held updates end to end (issue 11, must-show 4), through the bundled Action: a lock whose
 * last snapshot of coolify/cloud lists addresses the mirror no longer publishes trips the removal
 * guard; the Action opens a draft PR labelled `allowlist-sync:held` whose first section says what
 * is removed and why, and that marking it ready confirms it; marked ready, a rerun keeps it ready
 * and the lock on the branch records the confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatLock } from '../../action/src/feed-state.ts'
import { sha256Lists, type Snapshot } from '../../shared/src/index.ts'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const REPO = 'acme/held'
const BRANCH = 'allowlist-sync/update'
const CONFIG = `version: 1
targets:
  - { path: lists/coolify.txt, format: txt, feeds: [coolify/cloud] }
`

describe.skipIf(!HAVE_FIXTURES)('a held update through the bundled Action', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  beforeAll(async () => {
    const ipv4 = ['1.2.3.4/32', '5.6.7.8/32']
    const ipv6 = ['2a01:4f8:c17:aaaa::/64']
    const locked: Snapshot = {
      feed: 'coolify/cloud',
      version: 7,
      sha256: await sha256Lists({ ipv4, ipv6 }),
      fetchedAt: '',
      changedAt: '',
      source: 'https://coolify.io/ipv4.txt https://coolify.io/ipv6.txt',
      ipv4,
      ipv6,
    }
    gh = await startGitHubServer()
    gh.seedRepo(REPO, {
      '.github/allowlist-sync.yml': CONFIG,
      '.github/allowlist-sync.lock.json': formatLock(new Map([['coolify/cloud', locked]])),
    })
    mirror = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
      }),
    )
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })
  const run = () =>
    runAction({
      script: actionPath(),
      repository: REPO,
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', mode: 'sync' },
    })

  it('opens a draft PR with the held label and a first section saying what and why', async () => {
    const r = await run()
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    const [pr] = gh.pulls(REPO)
    expect(pr!.draft).toBe(true)
    expect(pr!.labels).toContain('allowlist-sync:held')
    expect(pr!.title).toMatch(/^allowlists \(held: mark ready to confirm\): coolify\/cloud/)
    expect(
      pr!.body.indexOf('## Held: confirm by marking this pull request ready for review'),
    ).toBeLessThan(pr!.body.indexOf('## Port policy'))
    expect(pr!.body).toMatch(/`coolify\/cloud` removes 3 CIDRs and adds \d+ CIDRs \(`mass-removal`/)
  })

  it('marked ready, a rerun keeps it ready and the lock records the confirmation', async () => {
    gh.setDraft(REPO, 1, false)
    const r = await run()
    expect(r.code, r.stdout).toBe(0)
    const [pr] = gh.pulls(REPO)
    expect(pr!.draft).toBe(false)
    expect(pr!.labels).not.toContain('allowlist-sync:held')
    expect(pr!.body).toContain('## Held updates confirmed')
    const lock = JSON.parse(gh.readFiles(REPO, BRANCH)['.github/allowlist-sync.lock.json']!) as {
      feeds: Record<string, { confirmedAfterHold?: unknown }>
    }
    expect(lock.feeds['coolify/cloud']!.confirmedAfterHold).toEqual({
      guard: 'mass-removal',
      pullRequest: 1,
    })
    const again = await run()
    expect(again.outputs['pull-request-operation']).toBe('none')
    expect(gh.pulls(REPO)[0]!.draft).toBe(false)
  })
})
