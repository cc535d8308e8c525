/**
 * @module The bundled `allowlist-sync verify` process: exit codes (0 compliant, 1 violations,
 * 2 unreadable input), text/JSON/SARIF output, policy files, `--feed-file`, and feeds fetched
 * through UPSTREAM_MIRROR from the real published lists in ../shared/fixtures.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCidrList, type FindingsJson, type SarifLog } from '../../../shared/src/index.ts'
import { cliPath } from '../../helpers/dist.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/policy')
const tmp = mkdtempSync(path.join(tmpdir(), 'asr-verify-'))

function write(name: string, text: string): string {
  const file = path.join(tmp, name)
  writeFileSync(file, text)
  return file
}

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cliPath(), 'verify', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Like cli, without blocking this process (the mirror server runs in it). */
function cliAsync(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliPath(), 'verify', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const COMPLIANT_WEB = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
COMMIT
`

describe('allowlist-sync verify', () => {
  it('exits 0 for a compliant config, printing the verdict', () => {
    const r = cli(['--policy', 'web-minimal', '--config', write('ok.rules', COMPLIANT_WEB)])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    // an iptables-save file decides IPv4 only: the verdict says what went unchecked
    expect(r.stdout).toMatch(
      /policy web-minimal: compliant where checked \(not checked: inbound IPv6\) \(0 error\(s\)/,
    )
    expect(r.stdout).toContain('interfaces taken as public: any other interface (internal: lo)')
  })

  it('exits 1 for the Docker case, naming the compose line where 5432 is published', () => {
    const compose = path.join(FIX, 'docker/docker-compose.yml')
    const r = cli([
      '--policy',
      'oec',
      '--config',
      compose,
      '--config',
      path.join(FIX, 'docker/ufw-status.txt'),
    ])
    expect(r.code).toBe(1)
    const line =
      readFileSync(compose, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes("'5432:5432'")) + 1
    expect(r.stdout).toContain(`${compose}:${line}: error [forbid-public-5432-tcp] 5432/tcp`)
    expect(r.stdout).toMatch(/NOT compliant/)
  })

  it('--format json prints { findings: [{ rule, severity, port, protocol, file, line, message }] }', () => {
    const file = write(
      'db.rules',
      COMPLIANT_WEB.replace('COMMIT', '-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\nCOMMIT'),
    )
    const r = cli(['--policy', 'web-minimal', '--config', file, '--format', 'json'])
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout) as FindingsJson
    expect(json.compliant).toBe(false)
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'unlisted-inbound',
        severity: 'error',
        port: '5432',
        protocol: 'tcp',
        file,
        line: 8,
      }),
    )
  })

  it('--format sarif prints a SARIF 2.1.0 log with the finding located', () => {
    const file = write(
      'db2.rules',
      COMPLIANT_WEB.replace('COMMIT', '-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\nCOMMIT'),
    )
    const r = cli(['--policy', 'oec', '--config', file, '--format', 'sarif'])
    expect(r.code).toBe(1)
    const log = JSON.parse(r.stdout) as SarifLog
    expect(log.version).toBe('2.1.0')
    const result = log.runs[0]!.results.find((x) => x.ruleId === 'forbid-public-5432-tcp')
    expect(result?.locations?.[0]?.physicalLocation.region.startLine).toBe(8)
  })

  it('reads a policy file that extends a preset', () => {
    const policy = write(
      'policy.yml',
      'id: my-web\nextends: web-minimal\ninbound:\n  allow: [5432/tcp]\n',
    )
    const file = write(
      'db3.rules',
      COMPLIANT_WEB.replace('COMMIT', '-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\nCOMMIT'),
    )
    const r = cli(['--policy', policy, '--config', file])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/policy my-web: compliant/)
  })

  it('--interface NAME=ROLE overrides the default roles, and the output says which were public', () => {
    const file = write(
      'iface.rules',
      COMPLIANT_WEB.replace(
        'COMMIT',
        '-A INPUT -i wg0 -p tcp -m tcp --dport 5432 -j ACCEPT\nCOMMIT',
      ),
    )
    const asDefault = cli(['--policy', 'oec', '--config', file])
    expect(asDefault.stdout).toContain(
      'interfaces taken as public: any other interface (internal: lo, wg0)',
    )
    expect(asDefault.stdout).not.toContain('forbid-public-5432')
    const r = cli([
      '--policy',
      'oec',
      '--config',
      file,
      '--interface',
      'wg0=public',
      '--format',
      'json',
    ])
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout) as FindingsJson
    expect(JSON.stringify(json)).toContain('wg0')
    expect(json.findings.map((f) => f.rule)).toContain('forbid-public-5432-tcp')
    const bad = cli(['--policy', 'oec', '--config', file, '--interface', 'wg0=outside'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--interface 'wg0=outside'/)
  })

  it('exits 2 when the configs decide nothing (an include-only nftables file)', () => {
    const r = cli([
      '--policy',
      'oec',
      '--config',
      write('nftables.conf', 'include "/etc/nftables.d/*.nft"\n'),
    ])
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/nothing checked|checked nothing/i)
  })

  it.each([
    [
      'a missing config',
      ['--policy', 'oec', '--config', '/nonexistent/rules.v4'],
      /\/nonexistent\/rules\.v4: cannot read \(ENOENT\)/,
    ],
    [
      'a config it cannot read',
      ['--policy', 'oec', '--config', 'BAD'],
      /bad\.rules:3: expected '-A CHAIN \.\.\.', got 'this is not a rule'/,
    ],
    [
      'a dump cut before its COMMIT (iptables-restore refuses it)',
      ['--policy', 'web-minimal', '--config', 'CUT'],
      /cut\.rules:7: table 'filter' \(opened at line 1\) has no COMMIT/,
    ],
    [
      'an unknown format',
      ['--policy', 'oec', '--config', 'WHAT'],
      /what\.txt: cannot tell the format .* --config-format/,
    ],
    [
      'a bad policy file',
      ['--policy', 'POLICY', '--config', 'OK'],
      /bad-policy\.yml: inbound\.require\[0\]\.port: '70000\/tcp' is not a port/,
    ],
    [
      'an unknown preset',
      ['--policy', 'nope', '--config', 'OK'],
      /'nope' is neither a preset nor a file name/,
    ],
    [
      'a bad --format',
      ['--policy', 'oec', '--config', 'OK', '--format', 'xml'],
      /--format 'xml': expected text, json or sarif/,
    ],
  ])('exits 2 for %s, naming what is wrong', (_, args, message) => {
    const files: Record<string, string> = {
      BAD: write('bad.rules', '*filter\n:INPUT DROP [0:0]\nthis is not a rule\nCOMMIT\n'),
      WHAT: write('what.txt', 'hello\n'),
      CUT: write('cut.rules', COMPLIANT_WEB.replace('COMMIT\n', '')),
      POLICY: write('bad-policy.yml', 'inbound:\n  require: [70000/tcp]\n'),
      OK: write('ok2.rules', COMPLIANT_WEB),
    }
    const r = cli(args.map((a) => files[a] ?? a))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('--feed-file supplies a feed offline: SSH restricted to Coolify Cloud is compliant, SSH from anywhere is not', () => {
    const feed = write('coolify.txt', '# coolify cloud (test)\n198.51.100.0/25\n2001:db8:c::/48\n')
    const hooks = write('hooks.txt', '192.0.2.0/26\n')
    const nft = (ssh: string) =>
      write(
        `ssh-${ssh.length}.nft`,
        `table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n    ${ssh}\n    tcp dport { 80, 443 } accept\n  }\n}\n`,
      )
    const feeds = ['--feed-file', `coolify/cloud=${feed}`, '--feed-file', `github/hooks=${hooks}`]
    const ok = cli([
      '--policy',
      'coolify-cloud',
      '--config',
      nft(
        'ip saddr 198.51.100.0/25 tcp dport 22 accept\n    ip6 saddr 2001:db8:c::/48 tcp dport 22 accept',
      ),
      ...feeds,
    ])
    expect(ok.stdout).toMatch(/compliant \(0 error/)
    expect(ok.code).toBe(0)
    const open = cli([
      '--policy',
      'coolify-cloud',
      '--config',
      nft('tcp dport 22 accept'),
      ...feeds,
      '--format',
      'json',
    ])
    expect(open.code).toBe(1)
    const json = JSON.parse(open.stdout) as FindingsJson
    expect(
      json.findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.line]),
    ).toEqual([
      ['restrict-22-tcp', 5],
      ['restrict-22-tcp', 5],
    ])
  })
})

describe.skipIf(!HAVE_FIXTURES)(
  'allowlist-sync verify: feeds through UPSTREAM_MIRROR (real published lists)',
  () => {
    let mirror: MirrorServer
    beforeAll(async () => {
      mirror = await startMirror(
        fixtureMirrorLayout({
          'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
          'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
          'api.github.com/meta': 'github/meta.2026-02-05.json',
        }),
      )
    })
    afterAll(() => mirror.close())

    it('fetches coolify/cloud and github/hooks from the mirror; an SSH allowlist from the real list passes, one missing an address fails', async () => {
      const list = parseCidrList(
        readFileSync(fixturePath('feeds/coolify/ipv4.2024-05-08T1121.txt'), 'utf8'),
      ).ipv4.toCidrs()
      const rules = (cidrs: string[]) =>
        write(
          `coolify-${cidrs.length}.rules`,
          [
            '*filter',
            ':INPUT DROP [0:0]',
            ':FORWARD DROP [0:0]',
            ':OUTPUT ACCEPT [0:0]',
            '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
            ...cidrs.map((c) => `-A INPUT -s ${c} -p tcp -m tcp --dport 22 -j ACCEPT`),
            '-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT',
            'COMMIT',
            '',
          ].join('\n'),
        )
      const ok = await cliAsync(
        ['--policy', 'coolify-cloud', '--config', rules(list), '--format', 'json'],
        {
          UPSTREAM_MIRROR: mirror.url,
        },
      )
      expect(ok.stderr).toBe('')
      expect(
        (JSON.parse(ok.stdout) as FindingsJson).findings.filter((f) => f.severity === 'error'),
      ).toEqual([])
      expect(ok.code).toBe(0)
      expect(mirror.requests.map((q) => q.key)).toEqual(
        expect.arrayContaining(['coolify.io/ipv4.txt', 'api.github.com/meta']),
      )
      const missing = await cliAsync(
        ['--policy', 'coolify-cloud', '--config', rules(list.slice(1)), '--format', 'json'],
        { UPSTREAM_MIRROR: mirror.url },
      )
      expect(missing.code).toBe(1)
      const errors = (JSON.parse(missing.stdout) as FindingsJson).findings.filter(
        (f) => f.severity === 'error',
      )
      expect(errors.map((f) => [f.rule, f.line])).toEqual([['require-22-tcp', 2]])
      expect(errors[0]!.sources).toEqual([list[0]])
    })
  },
)
