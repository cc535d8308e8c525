/**
 * @module `allowlist-sync sync`: the Action's plan on a local working tree, through a feed
 * mirror; prints the files it would write, writes them with --write, exits 1 on a refusal.
 */
import { spawnSync } from 'node:child_process'
import { lstat, mkdtemp, readFile, symlink, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../../action/src/cli/main.ts'
import { processIo, type CliIo } from '../../../action/src/cli/io.ts'
import { cliPath } from '../../helpers/dist.ts'
import { HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'

const CONFIG = `version: 1
targets:
  - path: fw/allow.nft
    format: nftables
    feeds: [coolify/cloud]
    ports: [22/tcp]
    exempt-loopback: false
  - path: lists/hooks.txt
    format: txt
    feeds: [github/hooks]
`

/** The target as its owner prepared it: the marker lines placed. */
const MINE = '# mine\n# BEGIN allowlist-sync name=allowlist-sync\n# END allowlist-sync\n'

describe.skipIf(!HAVE_FIXTURES)('allowlist-sync sync', () => {
  let mirror: MirrorServer
  let dir: string
  beforeAll(async () => {
    mirror = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
        'api.github.com/meta': 'github/meta.2026-03-03.json',
      }),
    )
    dir = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-cli-sync-'))
    await mkdir(path.join(dir, '.github'))
    await mkdir(path.join(dir, 'fw'))
    await writeFile(path.join(dir, '.github/allowlist-sync.yml'), CONFIG)
    await writeFile(path.join(dir, 'fw/allow.nft'), MINE)
  })
  afterAll(() => mirror.close())

  function io(): CliIo & { out: string[]; err: string[] } {
    const out: string[] = []
    const err: string[] = []
    const base = processIo()
    return {
      ...base,
      out,
      err,
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env: { UPSTREAM_MIRROR: mirror.url },
    }
  }

  it('prints the files it would write and writes nothing', async () => {
    const x = io()
    const code = await main(
      [
        'sync',
        '--config',
        path.join(dir, '.github/allowlist-sync.yml'),
        '--root',
        dir,
        '--dry-run',
      ],
      x,
    )
    expect(x.err.join('')).toBe('')
    expect(code).toBe(0)
    const out = x.out.join('')
    expect(out).toContain('--- would write fw/allow.nft')
    expect(out).toContain('# mine\n# BEGIN allowlist-sync name=allowlist-sync feeds=coolify/cloud')
    expect(out).toContain('49.13.215.176')
    // The target's render options reach the renderer.
    expect(out).toContain('# loopback is NOT exempt')
    expect(out).not.toContain('iif "lo"')
    expect(out).toContain('--- would write lists/hooks.txt')
    expect(out).toContain('--- would write .github/allowlist-sync.lock.json')
    expect(out).toContain('3 of 3 files would change')
    expect(await readFile(path.join(dir, 'fw/allow.nft'), 'utf8')).toBe(MINE)
  })

  it('with --write writes them, after which a dry run has nothing to do', async () => {
    const cfg = path.join(dir, '.github/allowlist-sync.yml')
    expect(await main(['sync', '--config', cfg, '--root', dir, '--write'], io())).toBe(0)
    expect(await readFile(path.join(dir, 'fw/allow.nft'), 'utf8')).toContain('# END allowlist-sync')
    const x = io()
    expect(await main(['sync', '--config', cfg, '--root', dir, '--json'], x)).toBe(0)
    const report = JSON.parse(x.out.join('')) as {
      files: { changed: boolean }[]
      changes: unknown[]
    }
    expect(report.files.every((f) => !f.changed)).toBe(true)
    expect(report.changes).toEqual([])
  })

  it('a held feed is applied and said so on stderr and in --json', async () => {
    // 2024-06-07 drops 2 of Coolify's 4 IPv4 addresses: held at --max-removal-percent 25.
    Object.assign(
      mirror.files,
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-06-07T2116.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-06-07T2116.txt',
      }),
    )
    const cfg = path.join(dir, '.github/allowlist-sync.yml')
    const args = ['sync', '--config', cfg, '--root', dir, '--max-removal-percent', '25']
    const x = io()
    expect(await main(args, x)).toBe(0)
    expect(x.err.join('')).toMatch(
      /^held: mass-removal: coolify\/cloud: 50\.00% of the IPv4 addresses of version \d+ would be removed \(limit 25%\); applied version \d+ \(\+0 -\d+ CIDRs\): review it before you apply it$/m,
    )
    expect(x.out.join('')).toContain('--- would write fw/allow.nft')
    const j = io()
    expect(await main([...args, '--json'], j)).toBe(0)
    expect((JSON.parse(j.out.join('')) as { held: unknown[] }).held).toEqual([
      { feed: 'coolify/cloud', guard: 'mass-removal', reason: expect.any(String) as string },
    ])
    const plain = io()
    expect(await main([...args, '--allow-mass-removal'], plain)).toBe(0)
    expect(plain.err.join('')).toBe('')
  })

  it('a refused feed leaves its file and exits 1', async () => {
    Object.assign(
      mirror.files,
      fixtureMirrorLayout({ 'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1018.txt' }),
    )
    const x = io()
    const code = await main(
      ['sync', '--config', path.join(dir, '.github/allowlist-sync.yml'), '--root', dir],
      x,
    )
    expect(code).toBe(1)
    expect(x.err.join('')).toMatch(/refused: coolify\/cloud: empty: /)
    expect(x.out.join('')).toContain('0 of 3 files would change; 1 feeds refused')
  })

  it('reports a config error as FILE:LINE:COLUMN and exits 2 (bundled CLI)', async () => {
    const bad = path.join(dir, 'bad.yml')
    await writeFile(
      bad,
      'version: 1\ntargets:\n  - path: a\n    format: nope\n    feeds: [github/hooks]\n',
    )
    const r = spawnSync(process.execPath, [cliPath(), 'sync', '--config', bad], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${bad}:4:13: 'targets.0.format': unknown format 'nope'`)
    const help = spawnSync(process.execPath, [cliPath(), 'sync', '--help'], { encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Examples:')
  })

  it.each([
    ['the target file is a link out of --root', 'lists/hooks.txt', 'file'],
    ['a folder on the way is a link out of --root', 'lists', 'dir'],
  ])('--write never writes through a symbolic link: %s', async (_what, linkPath, kind) => {
    const root = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-cli-link-'))
    const outside = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-cli-outside-'))
    await mkdir(path.join(root, '.github'))
    await writeFile(path.join(root, '.github/allowlist-sync.yml'), CONFIG)
    if (kind === 'dir') {
      await symlink(outside, path.join(root, 'lists'))
    } else {
      await mkdir(path.join(root, 'lists'))
      await writeFile(path.join(outside, 'victim.txt'), 'keep me\n')
      await symlink(path.join(outside, 'victim.txt'), path.join(root, linkPath))
    }
    const x = io()
    const cfg = path.join(root, '.github/allowlist-sync.yml')
    expect(await main(['sync', '--config', cfg, '--root', root, '--write'], x)).toBe(2)
    expect(x.err.join('')).toMatch(
      /allowlist-sync\.yml:8:11: 'targets\.1\.path': 'lists\/hooks\.txt' (is|lies in 'lists', which is) a symbolic link/,
    )
    if (kind === 'file')
      expect(await readFile(path.join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n')
    else await expect(lstat(path.join(outside, 'hooks.txt'))).rejects.toThrow()
  })

  it.each([
    ['lock: ../outside.json', /'lock': '\.\.\/outside\.json' leaves the repository/],
    ['lock: .git/hooks/pre-commit', /'lock': '\.git\/hooks\/pre-commit' is inside '\.git'/],
  ])('refuses %s before fetching anything', async (line, pattern) => {
    const root = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-cli-lock-'))
    await writeFile(path.join(root, 'c.yml'), `${CONFIG}${line}\n`)
    const x = io()
    expect(
      await main(['sync', '--config', path.join(root, 'c.yml'), '--root', root, '--write'], x),
    ).toBe(2)
    expect(x.err.join('')).toMatch(pattern)
  })
})
