/**
 * Tests of `allowlist-sync formats` and `allowlist-sync render`: the bundled CLI against CIDR
 * files and a fixture mirror (UPSTREAM_MIRROR), and run() in-process for the error paths.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FORMAT_IDS,
  formatInfo,
  IpSet,
  parseCidrList,
  READABLE_FORMATS,
  readRendered,
} from '../../../shared/src/index.ts'
import { cliPath } from '../../helpers/dist.ts'
import { HAVE_FIXTURES, fixturePath } from '../../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'
import { cliInProcess } from './in-process.ts'

const exec = promisify(execFile)
const dir = mkdtempSync(path.join(tmpdir(), 'asr-render-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const LIST = path.join(dir, 'office.txt')
writeFileSync(
  LIST,
  '# office\n192.0.2.10\n192.0.2.0/25\n2001:db8::/48\r\n\n198.51.100.0/24 # vpn\n',
)

/** Runs the bundled CLI; resolves to its exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath(), ...args], {
      env: { ...process.env, GITHUB_TOKEN: '', ...env },
      maxBuffer: 64 * 1024 * 1024,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const inProcess = cliInProcess

describe('allowlist-sync formats', () => {
  it('lists every format id, and --json gives the catalogue', async () => {
    const table = await cli(['formats'])
    expect(table.code).toBe(0)
    const ids = table.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
    expect(ids).toEqual([...FORMAT_IDS])
    const json = await cli(['formats', '--json'])
    const parsed = JSON.parse(json.stdout) as { id: string; lineOriented: boolean }[]
    expect(parsed.map((f) => f.id)).toEqual([...FORMAT_IDS])
    expect(parsed.find((f) => f.id === 'nginx')?.lineOriented).toBe(true)
  })

  it('--help shows examples; a stray argument is a usage error', async () => {
    expect((await inProcess(['formats', '--help'])).stdout).toContain('Examples:')
    const bad = await inProcess(['formats', 'nginx'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unexpected argument 'nginx'")
  })
})

describe('allowlist-sync render --from FILE', () => {
  it('prints the list in the format, canonical and merged', async () => {
    const r = await cli(['render', '--from', LIST, '--format', 'nginx'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^# BEGIN allowlist-sync name=allowlist-sync feeds=file\/office\.txt sum=[0-9a-f]{16}\n/,
    )
    expect(r.stdout.split('\n').filter((l) => l.startsWith('allow '))).toEqual([
      'allow 192.0.2.0/25;',
      'allow 198.51.100.0/24;',
      'allow 2001:db8::/48;',
    ])
    expect(r.stdout).toContain('deny all;\n# END allowlist-sync\n')
  })

  it.each(READABLE_FORMATS)('--format %s renders the file and reads back to it', async (format) => {
    const r = await inProcess([
      'render',
      '--from',
      LIST,
      '--format',
      format,
      '--port',
      '443/tcp',
      '--name',
      'office',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const got = readRendered(format, r.stdout)
    const list = parseCidrList(readFileSync(LIST, 'utf8'))
    const families = formatInfo(format).families
    expect(got.ipv4).toEqual(families.includes(4) ? list.ipv4.toCidrs() : [])
    expect(got.ipv6).toEqual(families.includes(6) ? list.ipv6.toCidrs() : [])
  })

  it('passes --table, --no-exempt-loopback and --exempt-private; a format that cannot honour one is exit 2', async () => {
    const base = ['render', '--from', LIST]
    const sets = await inProcess([...base, '--format', 'nftables', '--table', 'ip6 fw'])
    expect(sets.stdout).toContain('flush set ip6 fw allowlist_sync_v6\n')
    const guarded = [...base, '--format', 'ip6tables', '--port', '22']
    expect((await inProcess(guarded)).stdout).toContain('-A allowlist-sync -i lo -j RETURN\n')
    expect((await inProcess([...guarded, '--no-exempt-loopback'])).stdout).not.toContain('-i lo')
    const docker = await inProcess([...base, '--format', 'docker-user', '--exempt-private'])
    expect(docker.stdout).toContain('-s fc00::/7 -m comment --comment exempt-private -j RETURN')
    const ufw = await inProcess([...base, '--format', 'ufw', '--no-exempt-loopback'])
    expect(ufw.code).toBe(2)
    expect(ufw.stderr).toContain(
      "ufw: exemptLoopback false (--no-exempt-loopback) cannot be honoured: ufw's before.rules",
    )
    const table = await inProcess([...base, '--format', 'nftables', '--table', 'filter'])
    expect(table.code).toBe(2)
    expect(table.stderr).toContain('table "filter" is not allowed')
  })

  it('--removed gives ufw delete lines for rules no longer in the list', async () => {
    const r = await inProcess(
      ['render', '--from', LIST, '--removed', 'old.txt', '--format', 'ufw', '--port', '22'],
      { 'old.txt': '192.0.2.0/24\n198.51.100.0/24\n' },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('ufw delete allow from 192.0.2.0/24 to any port 22 proto tcp\n')
    expect(r.stdout).not.toContain('ufw delete allow from 198.51.100.0/24')
  })

  it.each([
    [['render', '--from', LIST], /--format is required/],
    [['render', '--from', LIST, '--format', 'pf'], /unknown format 'pf'/],
    [['render', '--format', 'txt'], /at least one feed, or --from FILE/],
    [['render', 'github/hooks', '--from', LIST, '--format', 'txt'], /not both/],
    [['render', 'nope/feed', '--format', 'txt'], /unknown feed 'nope\/feed'/],
    [['render', '--from', LIST, '--format', 'nginx', '--port', '0'], /bad port '0'/],
    [
      ['render', '--from', LIST, '--format', 'nginx', '--name', 'x; drop'],
      /name "x; drop" is not allowed/,
    ],
    [
      ['render', '--from', LIST, '--format', 'json', '--into', 'x'],
      /--into needs a line-oriented format/,
    ],
    [['render', '--from', LIST, '--format', 'txt', '--comment', 'a\nb'], /control or line-break/],
  ])('usage error (exit 2): %j', async (argv, message) => {
    const r = await inProcess(argv)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
  })

  it('a bad line in --from is exit 2 with FILE:LINE', async () => {
    const r = await inProcess(['render', '--from', 'bad.txt', '--format', 'txt'], {
      'bad.txt': '192.0.2.0/24\n\n192.0.2.0/24; drop\n',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^bad\.txt:3: /)
  })

  it('a platform limit is a refusal (exit 1) naming the limit', async () => {
    const many = Array.from({ length: 61 }, (_, i) => `198.51.100.${i * 2}`).join('\n')
    const r = await inProcess(
      ['render', '--from', 'many.txt', '--format', 'aws-sg', '--port', '443'],
      {
        'many.txt': many,
      },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('holds 60 per family')
  })
})

describe.skipIf(!HAVE_FIXTURES)('allowlist-sync render FEED... (fixtures via a mirror)', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())

  it('fetches the feeds through UPSTREAM_MIRROR and renders their union with provenance', async () => {
    Object.assign(
      mirror.files,
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
        'api.github.com/meta': 'github/meta.2026-02-05.json',
      }),
    )
    const r = await cli(
      ['render', 'coolify/cloud', 'github/hooks', '--format', 'nftables', '--port', '443/tcp'],
      {
        UPSTREAM_MIRROR: mirror.url,
      },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^# BEGIN allowlist-sync name=allowlist-sync feeds=coolify\/cloud,github\/hooks sum=/,
    )
    // No 'version 1': a single fetch has no history to count versions by. The mirror's ETag is
    // the publisher's version (Snapshot.upstreamVersion, issue 15).
    expect(r.stdout).toMatch(
      /^# feed coolify\/cloud upstream ETag \S+ \S+ sha256 [0-9a-f]{64} source https:\/\/coolify\.io\/ipv4\.txt https:\/\/coolify\.io\/ipv6\.txt$/m,
    )
    expect(r.stdout).toMatch(
      /^# feed github\/hooks upstream ETag \S+ sha256 [0-9a-f]{64} source https:\/\/api\.github\.com\/meta$/m,
    )
    const coolify = parseCidrList(
      readFileSync(fixturePath('feeds/coolify/ipv4.2024-05-08T1121.txt'), 'utf8'),
    )
    const meta = JSON.parse(
      readFileSync(fixturePath('feeds/github/meta.2026-02-05.json'), 'utf8'),
    ) as { hooks: string[] }
    const hooks4 = meta.hooks.filter((c) => !c.includes(':'))
    const want = coolify.ipv4.union(IpSet.fromCidrs(4, hooks4)).toCidrs()
    expect(readRendered('nftables', r.stdout).ipv4).toEqual(want)
  })

  it('a refused feed (HTML instead of a list) is exit 1 with the guard, and prints nothing', async () => {
    mirror.files['coolify.io/ipv4.txt'] = '<html><body>Just a moment...</body></html>'
    const r = await cli(['render', 'coolify/cloud', '--format', 'txt'], {
      UPSTREAM_MIRROR: mirror.url,
    })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^coolify\/cloud: refused \(wrong-content\)/)
  })
})

describe('allowlist-sync render: options of the issue 18 formats', () => {
  it('--ip-strategy-depth / --ip-strategy-exclude reach the Traefik output', async () => {
    const depth = await inProcess([
      'render',
      '--from',
      LIST,
      '--format',
      'traefik-labels',
      '--ip-strategy-depth',
      '2',
    ])
    expect(depth.code).toBe(0)
    expect(depth.stdout).toContain('.ipallowlist.ipstrategy.depth=2\n')
    const ex = await inProcess([
      'render',
      '--from',
      LIST,
      '--format',
      'traefik',
      '--ip-strategy-exclude',
      '203.0.113.9',
      '--ip-strategy-exclude',
      '2001:db8:9::/64',
    ])
    expect(ex.stdout).toContain(
      'excludedIPs:\n            - "203.0.113.9/32"\n            - "2001:db8:9::/64"',
    )
  })

  it('refuses ip-strategy flags that make no sense (exit 2)', async () => {
    const nginx = await inProcess([
      'render',
      '--from',
      LIST,
      '--format',
      'nginx',
      '--ip-strategy-depth',
      '1',
    ])
    expect(nginx.code).toBe(2)
    expect(nginx.stderr).toContain('ipStrategy is a Traefik option')
    const word = await inProcess([
      'render',
      '--from',
      LIST,
      '--format',
      'traefik',
      '--ip-strategy-depth',
      'two',
    ])
    expect(word.code).toBe(2)
    expect(word.stderr).toContain("--ip-strategy-depth 'two' is not a whole number")
  })

  it('--limit raises a platform limit; a refusal names it (exit 1); a wrong name lists the names', async () => {
    const many = path.join(dir, 'many.txt')
    writeFileSync(many, Array.from({ length: 61 }, (_, i) => `198.51.100.${2 * i}`).join('\n'))
    const refused = await inProcess([
      'render',
      '--from',
      many,
      '--format',
      'aws-sg',
      '--port',
      '22',
    ])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('limits.awsRulesPerGroup')
    const raised = await inProcess([
      'render',
      '--from',
      many,
      '--format',
      'aws-sg',
      '--port',
      '22',
      '--limit',
      'awsRulesPerGroup=100',
    ])
    expect(raised.code).toBe(0)
    const wrong = await inProcess([
      'render',
      '--from',
      many,
      '--format',
      'aws-sg',
      '--limit',
      'aws=1',
    ])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('hcloudEffectiveRules')
  })

  it('renders firewalld-policy, which carries no addresses, and terraform-hcloud through the bundled CLI', async () => {
    const policy = await cli([
      'render',
      '--from',
      LIST,
      '--format',
      'firewalld-policy',
      '--name',
      'office',
      '--port',
      '22/tcp',
    ])
    expect(policy.code).toBe(0)
    expect(policy.stdout).toContain('<source ipset="office-v4" invert="True"/>')
    const tf = await cli(['render', '--from', LIST, '--format', 'terraform-hcloud', '--port', '22'])
    expect(tf.code).toBe(0)
    expect(readRendered('terraform-hcloud', tf.stdout).ipv4).toEqual([
      '192.0.2.0/25',
      '198.51.100.0/24',
    ])
  })
})

it.each(['action/CLI.md', 'README.md'])('%s has a format table row for every format id', (doc) => {
  const text = readFileSync(path.resolve(import.meta.dirname, '../../..', doc), 'utf8')
  const rows = text.split('\n').filter((l) => /^\| `[a-z0-9-]+`/.test(l))
  const ids = new Set(
    rows.flatMap((r) => [...r.split('|')[1]!.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1])),
  )
  expect(FORMAT_IDS.filter((f) => !ids.has(f))).toEqual([])
})
