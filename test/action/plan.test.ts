/**
 * @module The plan's splicing (issue 17): a target file that cannot take its block stops the plan
 * before anything is written, in planFiles, in `allowlist-sync sync`, and in the bundled Action
 * against the local GitHub server; `force` / `overwrite-hand-edits` overwrite hand edits; the
 * header carries the lock's versions and the publisher's; ufw closes what left the feed.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../action/src/cli/main.ts'
import { processIo, type CliIo } from '../../action/src/cli/io.ts'
import { parseConfig } from '../../action/src/config.ts'
import type { FeedState } from '../../action/src/feed-state.ts'
import { planFiles, PlanError, type FileReader } from '../../action/src/plan.ts'
import { markerLines, type Snapshot } from '../../shared/src/index.ts'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const MARKERS = `${markerLines('office').join('\n')}\n`

function snapshot(feed: string, version: number, ipv4: string[]): Snapshot {
  return {
    feed,
    version,
    sha256: 'ab'.repeat(32),
    fetchedAt: '2026-11-21T00:00:00.000Z',
    changedAt: '2026-11-21T00:00:00.000Z',
    source: 'https://example.com/list.txt',
    ipv4,
    ipv6: [],
    upstreamVersion: { field: 'syncToken', value: '1763683200' },
  }
}

function state(ipv4: string[]): FeedState {
  return {
    snapshots: new Map([['user/office', snapshot('user/office', 12, ipv4)]]),
    changes: new Map(),
    refusals: [],
    held: [],
    origin: 'upstream',
    fetchedAt: '2026-11-21T00:00:00.000Z',
    warnings: [],
  }
}

const CONFIG = parseConfig(
  `version: 1
feeds:
  - { id: user/office, url: 'https://example.com/list.txt', parser: lines }
targets:
  - { path: proxy/office.conf, format: nginx, feeds: [user/office], name: office }
  - { path: fw/office.sh, format: ufw, feeds: [user/office], name: office, ports: [22/tcp] }
  - { path: lists/office.txt, format: txt, feeds: [user/office], name: office }
`,
  'allowlist-sync.yml',
)

function reader(files: Record<string, string>): FileReader {
  return {
    read: (p) => Promise.resolve(files[p]),
    same: (p, content) => Promise.resolve(files[p] === content),
  }
}

describe('planFiles', () => {
  const placed = {
    'proxy/office.conf': `server {\n    listen 80;\n    ${MARKERS.trimEnd().replace('\n', '\n    ')}\n}\n`,
    'fw/office.sh': `#!/bin/sh\n${MARKERS}`,
  }

  it('splices each block where its markers are; a new file gets the block alone', async () => {
    const files = await planFiles(CONFIG, state(['192.0.2.0/24']), reader(placed))
    const conf = files.find((f) => f.path === 'proxy/office.conf')!
    expect(conf.content).toMatch(
      /^server \{\n {4}listen 80;\n {4}# BEGIN allowlist-sync name=office /,
    )
    expect(conf.content).toContain('    allow 192.0.2.0/24;\n')
    expect(files.find((f) => f.path === 'lists/office.txt')!.content).toMatch(/^# BEGIN/)
  })

  it('writes the lock versions and the publisher version into the header', async () => {
    const [conf] = await planFiles(CONFIG, state(['192.0.2.0/24']), reader(placed))
    expect(conf!.content).toContain(
      '# feed user/office version 12 upstream syncToken 1763683200 sha256 abab',
    )
  })

  it('refuses, listing every file that cannot take its block, before returning anything', async () => {
    const files = {
      ...placed,
      'proxy/office.conf': 'http {\n}\n',
      'lists/office.txt': '10.0.0.1\n',
    }
    const error = await planFiles(CONFIG, state(['192.0.2.0/24']), reader(files)).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(PlanError)
    const lines = (error as PlanError).lines
    expect(lines[0]).toMatch(
      /^proxy\/office\.conf: no block name=office to replace, and allowlist-sync never appends blindly\. Place these two lines inside the server \{ \} or location \{ \} it guards/,
    )
    expect(lines).toContain(`  ${markerLines('office')[0]}`)
    expect(lines.some((l) => l.startsWith('lists/office.txt: no block name=office'))).toBe(true)
  })

  it('refuses a hand-edited block naming PATH:LINE, and overwrites it with force', async () => {
    const [conf] = await planFiles(CONFIG, state(['192.0.2.0/24']), reader(placed))
    const edited = {
      ...placed,
      'proxy/office.conf': conf!.content!.replace('192.0.2.0/24', '0.0.0.0/0'),
    }
    await expect(planFiles(CONFIG, state(['192.0.2.0/24']), reader(edited))).rejects.toThrow(
      /^proxy\/office\.conf:3: the block name=office \(lines 3-\d+\) was edited by hand/,
    )
    const forced = await planFiles(CONFIG, state(['192.0.2.0/24']), reader(edited), { force: true })
    expect(forced[0]!.content).toBe(conf!.content)
  })

  it('ufw: a sync after a feed change deletes the rules of what left it', async () => {
    const first = await planFiles(
      CONFIG,
      state(['192.0.2.0/24', '198.51.100.0/24']),
      reader(placed),
    )
    const sh = first.find((f) => f.path === 'fw/office.sh')!.content!
    const next = await planFiles(
      CONFIG,
      state(['192.0.2.0/24']),
      reader({ ...placed, 'fw/office.sh': sh }),
    )
    const lines = next.find((f) => f.path === 'fw/office.sh')!.content!.split('\n')
    expect(lines.filter((l) => l.startsWith('ufw delete'))).toEqual([
      'ufw delete allow from 198.51.100.0/24 to any port 22 proto tcp',
    ])
  })
})

describe.skipIf(!HAVE_FIXTURES)('a target file without markers, end to end', () => {
  const SYNC_CONFIG = `version: 1
targets:
  - { path: proxy/coolify.conf, format: nginx, feeds: [coolify/cloud], name: coolify }
`
  const WITHOUT = 'server {\n    listen 80;\n}\n'
  let mirror: MirrorServer
  let gh: GitHubServer
  let dir: string
  beforeAll(async () => {
    mirror = await startMirror({})
    Object.assign(
      mirror.files,
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1019.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-04-30T1019.txt',
      }),
    )
    gh = await startGitHubServer()
    dir = await mkdtemp(path.join(tmpdir(), 'asr-px-plan-'))
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('allowlist-sync sync --write: exit 2 with the marker lines, nothing written', async () => {
    await mkdir(path.join(dir, '.github'), { recursive: true })
    await mkdir(path.join(dir, 'proxy'), { recursive: true })
    await writeFile(path.join(dir, '.github/allowlist-sync.yml'), SYNC_CONFIG)
    await writeFile(path.join(dir, 'proxy/coolify.conf'), WITHOUT)
    const err: string[] = []
    const io: CliIo = {
      ...processIo(),
      stdout: () => {},
      stderr: (t) => void err.push(t),
      env: { UPSTREAM_MIRROR: mirror.url },
    }
    const argv = ['sync', '--config', path.join(dir, '.github/allowlist-sync.yml'), '--root', dir]
    expect(await main([...argv, '--write'], io)).toBe(2)
    expect(err.join('')).toContain('proxy/coolify.conf: no block name=coolify to replace')
    expect(err.join('')).toContain(`  ${markerLines('coolify')[0]}\n`)
    expect(await readFile(path.join(dir, 'proxy/coolify.conf'), 'utf8')).toBe(WITHOUT)
    await expect(readFile(path.join(dir, '.github/allowlist-sync.lock.json'))).rejects.toThrow()
  })

  it('the Action fails with the marker lines and creates no branch, commit or PR', async () => {
    gh.seedRepo('acme/nomarkers', {
      '.github/allowlist-sync.yml': SYNC_CONFIG,
      'proxy/coolify.conf': WITHOUT,
    })
    const r = await runAction({
      script: actionPath(),
      repository: 'acme/nomarkers',
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', config: '.github/allowlist-sync.yml' },
    })
    expect(r.code).not.toBe(0)
    expect(r.stdout).toContain('::error::proxy/coolify.conf: no block name=coolify to replace')
    expect(r.stdout).toContain('# BEGIN allowlist-sync name=coolify')
    expect(gh.branchSha('acme/nomarkers', 'allowlist-sync/update')).toBeUndefined()
    expect(gh.pulls('acme/nomarkers')).toEqual([])
  })

  it('the Action refuses a hand-edited block unless overwrite-hand-edits is true', async () => {
    const placed = `server {\n    listen 80;\n    ${markerLines('coolify').join('\n    ')}\n}\n`
    await writeFile(path.join(dir, 'proxy/coolify.conf'), placed)
    const io: CliIo = {
      ...processIo(),
      stdout: () => {},
      stderr: () => {},
      env: { UPSTREAM_MIRROR: mirror.url },
    }
    const cfg = path.join(dir, '.github/allowlist-sync.yml')
    expect(await main(['sync', '--config', cfg, '--root', dir, '--write'], io)).toBe(0)
    const rendered = await readFile(path.join(dir, 'proxy/coolify.conf'), 'utf8')
    const edited = rendered.replace(/allow [^;]+;/, 'allow 0.0.0.0/0;')
    gh.seedRepo('acme/edited', {
      '.github/allowlist-sync.yml': SYNC_CONFIG,
      'proxy/coolify.conf': edited,
    })
    const options = {
      script: actionPath(),
      repository: 'acme/edited',
      apiUrl: gh.url,
      mirror: mirror.url,
    }
    const refused = await runAction({
      ...options,
      inputs: { token: 'test-token', config: '.github/allowlist-sync.yml' },
    })
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toMatch(
      /::error::proxy\/coolify\.conf:3: the block name=coolify .* was edited by hand/,
    )
    expect(gh.branchSha('acme/edited', 'allowlist-sync/update')).toBeUndefined()
    const forced = await runAction({
      ...options,
      inputs: {
        token: 'test-token',
        config: '.github/allowlist-sync.yml',
        'overwrite-hand-edits': 'true',
      },
    })
    expect(forced.code, forced.stdout).toBe(0)
    const files = gh.readFiles('acme/edited', 'allowlist-sync/update')
    expect(files['proxy/coolify.conf']).not.toContain('0.0.0.0/0')
    expect(files['proxy/coolify.conf']).toContain(
      '# BEGIN allowlist-sync name=coolify feeds=coolify/cloud',
    )
  })
})
