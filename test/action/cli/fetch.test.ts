/**
 * Tests of `allowlist-sync fetch`: the bundled CLI process against an in-process mirror
 * (UPSTREAM_MIRROR) for snapshots, changes and refusals; in-process run() for the GitHub token.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { run } from '../../../action/src/cli/commands/fetch.ts'
import type { CliIo } from '../../../action/src/cli/io.ts'
import type { Snapshot } from '../../../shared/src/feeds/index.ts'
import { cliPath } from '../../helpers/dist.ts'
import { HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'

const exec = promisify(execFile)
const dir = mkdtempSync(path.join(tmpdir(), 'allowlist-sync-fetch-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let mirror: MirrorServer
beforeAll(async () => {
  mirror = await startMirror({})
})
afterAll(() => mirror.close())
beforeEach(() => {
  for (const key of Object.keys(mirror.files)) delete mirror.files[key]
})

/** Runs the bundled CLI with UPSTREAM_MIRROR set; resolves to its exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath(), ...args], {
      env: { ...process.env, UPSTREAM_MIRROR: mirror.url, GITHUB_TOKEN: '', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const serve = (layout: Record<string, string>) =>
  Object.assign(mirror.files, fixtureMirrorLayout(layout))

describe.skipIf(!HAVE_FIXTURES)('allowlist-sync fetch (bundled CLI, fixtures via a mirror)', () => {
  it('prints canonical snapshots of several feeds, fetching each URL once', async () => {
    serve({
      'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
      'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
      'api.github.com/meta': 'github/meta.2026-02-05.json',
    })
    const { code, stdout, stderr } = await cli([
      'fetch',
      'coolify/cloud',
      'github/hooks',
      'github/web',
    ])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('# coolify/cloud version 1 changed: 4 IPv4 + 4 IPv6 CIDRs')
    expect(stdout).toMatch(/^49\.12\.66\.44\/32$/m)
    expect(stdout).toMatch(/^143\.55\.64\.0\/20$/m)
    expect(mirror.requests.filter((r) => r.key === 'api.github.com/meta')).toHaveLength(1)
  })

  it('--json, then --previous: the next version and its change', async () => {
    serve({
      'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
      'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
    })
    const first = await cli(['fetch', 'coolify/cloud', '--json'])
    expect(first.code).toBe(0)
    const saved = path.join(dir, 'coolify.json')
    writeFileSync(saved, first.stdout)
    const parsed = JSON.parse(first.stdout) as { outcomes: { snapshot: Snapshot }[] }
    expect(parsed.outcomes[0]!.snapshot).toMatchObject({ feed: 'coolify/cloud', version: 1 })

    serve({ 'coolify.io/ipv4.txt': 'coolify/ipv4.2024-06-07T2116.txt' })
    const text = await cli(['fetch', 'coolify/cloud', '--previous', saved])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('# coolify/cloud version 2 changed: 2 IPv4 + 4 IPv6 CIDRs')
    expect(text.stdout).toContain('# change 1 -> 2: +0 -2')
    expect(text.stdout).toMatch(/^- 49\.12\.66\.44\/32$/m)
    expect(text.stdout).toMatch(/^- 49\.13\.215\.176\/32$/m)

    // A bare snapshot file works as --previous too.
    const snapshotFile = path.join(dir, 'snapshot.json')
    writeFileSync(snapshotFile, JSON.stringify(parsed.outcomes[0]!.snapshot))
    const json = await cli(['fetch', 'coolify/cloud', '--previous', snapshotFile, '--json'])
    const out = JSON.parse(json.stdout) as {
      outcomes: { kind: string; change: { removed: { ipv4: string[] } } }[]
    }
    expect(out.outcomes[0]!.kind).toBe('changed')
    expect(out.outcomes[0]!.change.removed.ipv4).toEqual(['49.12.66.44/32', '49.13.215.176/32'])
  })

  it('the empty Coolify file: exit 1 and "refused: empty: ..."', async () => {
    serve({
      'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1018.txt',
      'coolify.io/ipv6.txt': 'coolify/ipv6.2024-04-30T1018.txt',
    })
    const { code, stdout, stderr } = await cli(['fetch', 'coolify/cloud'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(
      /^refused: empty: coolify\/cloud: https:\/\/coolify\.io\/ipv4\.txt lists no address$/m,
    )
  })

  it('the Cloudflare challenge page with --previous: exit 1, the previous snapshot kept', async () => {
    serve({
      'www.cloudflare.com/ips-v4': 'cloudflare/ips-v4',
      'www.cloudflare.com/ips-v6': 'cloudflare/ips-v6',
    })
    const good = await cli(['fetch', 'cloudflare/edge', '--json'])
    const saved = path.join(dir, 'cloudflare.json')
    writeFileSync(saved, good.stdout)
    serve({ 'www.cloudflare.com/ips-v4': 'cloudflare/ips-v4.challenge-page.2026-01-02.html' })
    const { code, stdout, stderr } = await cli(['fetch', 'cloudflare/edge', '--previous', saved])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^refused: wrong-content: cloudflare\/edge: /m)
    expect(stdout).toContain('# cloudflare/edge version 1 kept (refused): 15 IPv4 + 7 IPv6 CIDRs')
  })

  it('a mass removal is held, applied and said so (exit 0); --allow-mass-removal makes it plain', async () => {
    serve({ 'www.firezone.dev/portal-ips.json': 'firezone/portal-ips.2026-02-28.json' })
    const first = await cli(['fetch', 'firezone/portal', '--json'])
    const saved = path.join(dir, 'portal.json')
    writeFileSync(saved, first.stdout)
    serve({ 'www.firezone.dev/portal-ips.json': 'firezone/portal-ips.2026-03-28.json' })
    const held = await cli(['fetch', 'firezone/portal', '--previous', saved])
    expect(held.code).toBe(0)
    expect(held.stderr).toMatch(
      /^held: mass-removal: firezone\/portal: every IPv4 address of version 1 would be removed; applied version 2 \(\+\d+ -\d+ CIDRs\): review it before you apply it$/m,
    )
    expect(held.stdout).toMatch(/^# firezone\/portal version 2 held \(mass-removal\), applied: /m)
    expect(held.stdout).toContain('# change 1 -> 2')
    const json = await cli(['fetch', 'firezone/portal', '--previous', saved, '--json'])
    const out = JSON.parse(json.stdout) as {
      outcomes: { kind: string; guard: string; candidate: { version: number } }[]
    }
    expect(out.outcomes[0]).toMatchObject({
      kind: 'held',
      guard: 'mass-removal',
      candidate: { version: 2 },
    })
    // The held candidate of a --json output is what a later --previous starts from.
    const heldFile = path.join(dir, 'portal-held.json')
    writeFileSync(heldFile, json.stdout)
    const again = await cli(['fetch', 'firezone/portal', '--previous', heldFile])
    expect(again.stdout).toMatch(/^# firezone\/portal version 2 unchanged: /m)
    expect(again.stderr).toBe('')
    const allowed = await cli([
      'fetch',
      'firezone/portal',
      '--previous',
      saved,
      '--allow-mass-removal',
    ])
    expect(allowed.code).toBe(0)
    expect(allowed.stdout).toContain('# change 1 -> 2')
    expect(allowed.stdout).toMatch(/^# firezone\/portal version 2 changed: /m)
    expect(allowed.stderr).not.toContain('held:')
  })
})

describe('allowlist-sync fetch: usage and environment', () => {
  it('an unknown feed, a bad option value or an unreadable --previous exit 2', async () => {
    expect((await cli(['fetch', 'nope/nope'])).stderr).toContain("unknown feed 'nope/nope'")
    expect((await cli(['fetch'])).code).toBe(2)
    expect((await cli(['fetch', 'github/hooks', '--max-removal-share', '2'])).code).toBe(2)
    const missing = await cli([
      'fetch',
      'github/hooks',
      '--previous',
      path.join(dir, 'absent.json'),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('absent.json: cannot read (ENOENT)')
    const notSnapshot = path.join(dir, 'not-snapshot.json')
    writeFileSync(notSnapshot, '{"feed": 1}')
    const bad = await cli(['fetch', 'github/hooks', '--previous', notSnapshot])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('not-snapshot.json: item 1: not a snapshot')
    const badCidr = path.join(dir, 'bad-cidr.json')
    writeFileSync(
      badCidr,
      JSON.stringify({
        feed: 'github/hooks',
        version: 1,
        sha256: 'x',
        fetchedAt: 'x',
        changedAt: 'x',
        source: 'x',
        ipv4: ['192.0.2.0/24', '192.0.2.0/24; reboot'],
        ipv6: [],
      }),
    )
    const cidr = await cli(['fetch', 'github/hooks', '--previous', badCidr])
    expect(cidr.code).toBe(2)
    expect(cidr.stderr).toContain('bad-cidr.json: item 1 (github/hooks): ipv4: ')
  })

  it('a bad UPSTREAM_MIRROR is a usage error', async () => {
    const { code, stderr } = await cli(['fetch', 'github/hooks'], {
      UPSTREAM_MIRROR: 'ftp://mirror',
    })
    expect(code).toBe(2)
    expect(stderr).toContain('UPSTREAM_MIRROR "ftp://mirror" is not an http(s) URL')
  })

  it('resolves aws/ ids and prints --help with examples', async () => {
    const help = await cli(['fetch', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Examples:')
    mirror.files['ip-ranges.amazonaws.com/ip-ranges.json'] = JSON.stringify({
      prefixes: [
        { ip_prefix: '3.2.34.0/26', region: 'us-east-1', service: 'EC2' },
        { ip_prefix: '3.5.140.0/22', region: 'eu-west-1', service: 'EC2' },
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2600:1f18::/36', region: 'us-east-1', service: 'EC2' }],
    })
    const { code, stdout } = await cli(['fetch', 'aws/ec2@US-EAST-1'])
    expect(code).toBe(0)
    expect(stdout).toContain('# aws/EC2@us-east-1 version 1 changed: 1 IPv4 + 1 IPv6 CIDRs')
    expect(stdout).not.toContain('3.5.140.0/22')
  })

  it('sends GITHUB_TOKEN to api.github.com when there is no mirror (in-process)', async () => {
    const seen: { url: string; auth: string | undefined }[] = []
    let out = ''
    const io: CliIo = {
      stdout: (t) => void (out += t),
      stderr: () => undefined,
      readText: () => Promise.reject(new Error('no files')),
      env: { GITHUB_TOKEN: 'ghs_test' },
      fetch: (input, init) => {
        const headers = (init?.headers ?? {}) as Record<string, string>
        seen.push({ url: input as string, auth: headers.authorization })
        return Promise.resolve(new Response(JSON.stringify({ hooks: ['140.82.112.0/20'] })))
      },
      now: () => Date.parse('2026-01-01T00:00:00Z'),
    }
    expect(await run(['github/hooks'], io)).toBe(0)
    expect(seen).toEqual([{ url: 'https://api.github.com/meta', auth: 'Bearer ghs_test' }])
    expect(out).toContain('fetched 2026-01-01T00:00:00.000Z')
  })
})
