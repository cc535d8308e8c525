/**
 * @module Every bad config fails the bundled Action before any write (issue 13, must-show 2): a
 * misspelt preset, format or feed id, a missing policy file, a policy glob that matches nothing,
 * paths under .github/workflows/ or .git/, unnormalised and escaping paths, a lock outside the
 * repository, a target on a symbolic link, too many targets. The step fails with FILE:LINE:COLUMN
 * and the closest valid name, and the API server sees no request but GETs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionPath } from '../helpers/dist.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const OK_TARGET = '  - { path: lists/hooks.txt, format: txt, feeds: [github/hooks] }\n'
const HOST_NFT =
  'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n'

const CASES: [string, string, RegExp, Record<string, string>?][] = [
  [
    'a misspelt preset in verify mode',
    `version: 1\ntargets:\n${OK_TARGET}policies:\n  - preset: coolify-selfhosted\n    configs: [fw/*.nft]\n`,
    /allowlist-sync\.yml:5:13: 'policies\.0\.preset': unknown preset 'coolify-selfhosted'; did you mean 'coolify-self-hosted'\?/,
    { mode: 'verify' },
  ],
  [
    'a misspelt preset',
    `version: 1\ntargets:\n${OK_TARGET}policies:\n  - preset: coolify-selfhosted\n    configs: [fw/*.nft]\n`,
    /allowlist-sync\.yml:5:13: 'policies\.0\.preset': unknown preset 'coolify-selfhosted'/,
  ],
  [
    'a misspelt format',
    'version: 1\ntargets:\n  - { path: a.nft, format: nftable, feeds: [github/hooks] }\n',
    /allowlist-sync\.yml:3:28: 'targets\.0\.format': unknown format 'nftable'; did you mean 'nftables'\?/,
  ],
  [
    'a misspelt feed id',
    'version: 1\ntargets:\n  - { path: a.txt, format: txt, feeds: [coolify/clouds] }\n',
    /allowlist-sync\.yml:3:41: 'targets\.0\.feeds\.0': unknown feed 'coolify\/clouds'; did you mean 'coolify\/cloud'\?/,
  ],
  [
    'a missing policy file',
    `version: 1\ntargets:\n${OK_TARGET}policies:\n  - file: policies/db.yml\n    configs: [fw/*.nft]\n`,
    /allowlist-sync\.yml:5:11: 'policies\.0\.file': no file 'policies\/db\.yml' in the repository; did you mean 'policies\/db\.yaml'\?/,
  ],
  [
    'a policy glob that matches nothing',
    `version: 1\ntargets:\n${OK_TARGET}policies:\n  - preset: web-minimal\n    configs: [firewall/*.nft]\n`,
    /allowlist-sync\.yml:6:15: 'policies\.0\.configs\.0': 'firewall\/\*\.nft' matches no file/,
  ],
  [
    'a target under .github/workflows/',
    'version: 1\ntargets:\n  - { path: .github/workflows/allow.yml, format: txt, feeds: [github/hooks] }\n',
    /allowlist-sync\.yml:3:13: 'targets\.0\.path': '\.github\/workflows\/allow\.yml' is under \.github\/workflows\//,
  ],
  [
    'a target inside .git',
    'version: 1\ntargets:\n  - { path: .git/hooks/post-checkout, format: txt, feeds: [github/hooks] }\n',
    /allowlist-sync\.yml:3:13: 'targets\.0\.path': '\.git\/hooks\/post-checkout' is inside '\.git'/,
  ],
  [
    'an unnormalised target path',
    'version: 1\ntargets:\n  - { path: ./proxy/allow.conf, format: txt, feeds: [github/hooks] }\n',
    /allowlist-sync\.yml:3:13: 'targets\.0\.path': '\.\/proxy\/allow\.conf' is not normalised \(write 'proxy\/allow\.conf'\)/,
  ],
  [
    'a lock outside the repository',
    `version: 1\nlock: ../x.json\ntargets:\n${OK_TARGET}`,
    /allowlist-sync\.yml:2:7: 'lock': '\.\.\/x\.json' leaves the repository/,
  ],
  [
    'a target on a symbolic link',
    'version: 1\ntargets:\n  - { path: linked/allow.txt, format: txt, feeds: [github/hooks] }\n',
    /allowlist-sync\.yml:3:13: 'targets\.0\.path': 'linked\/allow\.txt' lies in 'linked', which is a symbolic link/,
  ],
  [
    '101 targets',
    `version: 1\ntargets:\n${Array.from({ length: 101 }, (_, i) => `  - { path: t${i}.txt, format: txt, feeds: [github/hooks] }\n`).join('')}`,
    /allowlist-sync\.yml:3:3: 'targets': 101 targets; at most 100 are allowed/,
  ],
]

describe('a bad config fails the Action before any write', () => {
  let gh: GitHubServer
  let mirror: MirrorServer
  let n = 0
  beforeAll(async () => {
    gh = await startGitHubServer()
    mirror = await startMirror({})
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })

  it.each(CASES)('%s', async (_what, config, pattern, inputs = {}) => {
    const repo = `acme/bad${n++}`
    gh.seedRepo(repo, {
      '.github/allowlist-sync.yml': config,
      'fw/host.nft': HOST_NFT,
      'policies/db.yaml': 'id: db\nrules: []\n',
    })
    gh.commitSymlink(repo, 'main', 'linked', '/etc')
    const from = gh.calls.length
    const r = await runAction({
      script: actionPath(),
      repository: repo,
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', ...inputs },
      env: { GITHUB_SHA: gh.branchSha(repo, 'main')! },
    })
    expect(r.code).toBe(1)
    const error = r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? ''
    expect(error).toContain('invalid config')
    expect(decodeURIComponent(error.replaceAll('%0A', '\n'))).toMatch(pattern)
    expect(gh.callsSince(from).filter((c) => c.method !== 'GET')).toEqual([])
    expect(mirror.requests).toEqual([])
  })
})
