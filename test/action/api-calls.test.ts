/**
 * @module How many GitHub API calls a sync makes: 10 targets from 6 feeds against 1 target from
 * the same 6 feeds. Beyond blobs (one read per existing spliced file, one write per changed file),
 * the count does not depend on the number of files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type ApiCall, type GitHubServer } from '../helpers/github-server.ts'
import {
  fixtureMirrorLayout,
  LATEST_FIXTURES,
  startMirror,
  type MirrorServer,
} from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const SIX = [
  'github/hooks',
  'github/web',
  'github/api',
  'coolify/cloud',
  'cloudflare/edge',
  'firezone/portal',
]

const TEN_TARGETS = `version: 1
targets:
  - { path: firewall/coolify.nft, format: nftables, feeds: [coolify/cloud], ports: [22/tcp] }
  - { path: firewall/hooks.rules, format: iptables, feeds: [github/hooks], ports: [443/tcp] }
  - { path: firewall/cf6.rules, format: ip6tables, feeds: [cloudflare/edge], ports: [443/tcp] }
  - { path: proxy/github.conf, format: nginx, feeds: [github/web, github/api] }
  - { path: proxy/cf.caddy, format: caddy, feeds: [cloudflare/edge] }
  - { path: proxy/firezone.acl, format: haproxy, feeds: [firezone/portal] }
  - { path: k8s/hooks.yaml, format: k8s-networkpolicy, feeds: [github/hooks], ports: [443/tcp] }
  - { path: tf/allow.auto.tfvars.json, format: terraform, feeds: [coolify/cloud, firezone/portal] }
  - { path: lists/all.txt, format: txt, feeds: [${SIX.join(', ')}] }
  - { path: lists/some.json, format: json, feeds: [github/hooks, cloudflare/edge] }
`
const ONE_TARGET = `version: 1
targets:
  - { path: lists/all.txt, format: txt, feeds: [${SIX.join(', ')}] }
`
/** Existing files the line-oriented targets splice into (so they are read). */
const MARKERS = '# BEGIN allowlist-sync name=allowlist-sync\n# END allowlist-sync\n'
const EXISTING = {
  'firewall/coolify.nft': `# hand-written nftables\n${MARKERS}`,
  'proxy/github.conf': `# hand-written nginx\n${MARKERS}`,
  'lists/all.txt': `# hand-written list\n${MARKERS}`,
}

const isBlob = (c: ApiCall) =>
  c.operationId === 'git/create-blob' || c.operationId === 'git/get-blob'

describe.skipIf(!HAVE_FIXTURES)('GitHub API calls of a sync', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo('acme/ten', { '.github/allowlist-sync.yml': TEN_TARGETS, ...EXISTING })
    gh.seedRepo('acme/one', { '.github/allowlist-sync.yml': ONE_TARGET, ...EXISTING })
    mirror = await startMirror(
      fixtureMirrorLayout(
        Object.fromEntries(
          Object.entries(LATEST_FIXTURES).filter(([k]) => !k.startsWith('ip-ranges')),
        ),
      ),
    )
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })

  async function measure(repository: string) {
    const from = gh.calls.length
    const r = await runAction({
      script: actionPath(),
      repository,
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', mode: 'sync' },
    })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    const calls = gh.callsSince(from)
    expect(calls.every((c) => c.status < 400 || c.operationId === 'git/get-ref')).toBe(true)
    const count = (op: string) => calls.filter((c) => c.operationId === op).length
    return {
      total: calls.length,
      blobReads: count('git/get-blob'),
      blobWrites: count('git/create-blob'),
      other: calls.filter((c) => !isBlob(c)).map((c) => `${c.method} ${c.operationId ?? c.path}`),
    }
  }

  it('reports the calls for 10 targets from 6 feeds; beyond blobs they equal those for 1 target', async () => {
    const ten = await measure('acme/ten')
    const one = await measure('acme/one')
    console.log(
      `API calls, first sync (creates the PR): 10 targets from 6 feeds = ${ten.total} ` +
        `(${ten.blobReads} blob reads, ${ten.blobWrites} blob writes, ${ten.other.length} other); ` +
        `1 target from the same feeds = ${one.total} ` +
        `(${one.blobReads} blob reads, ${one.blobWrites} blob writes, ${one.other.length} other)`,
    )
    // config + 3 spliced files; config + 1 spliced file
    expect(ten.blobReads).toBe(1 + 3)
    expect(one.blobReads).toBe(1 + 1)
    // every target and the lock file are new content
    expect(ten.blobWrites).toBe(10 + 1)
    expect(one.blobWrites).toBe(1 + 1)
    expect(ten.other).toEqual(one.other)
    expect(ten.other.length).toBeLessThanOrEqual(10)

    const again = gh.calls.length
    const rerun = await runAction({
      script: actionPath(),
      repository: 'acme/ten',
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', mode: 'sync' },
    })
    expect(rerun.outputs['pull-request-operation']).toBe('none')
    const second = gh.callsSince(again)
    console.log(`API calls, identical second sync of 10 targets: ${second.length} (all reads)`)
    expect(second.every((c) => c.method === 'GET')).toBe(true)
  })
})
