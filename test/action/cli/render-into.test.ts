/**
 * Acceptance of `render --into` for every line-oriented format (issue 17): a file without the
 * block is refused with the marker lines (exit 2, nothing printed), markers in the right context
 * are filled, a second render gives the same bytes, CRLF stays CRLF, markers in the wrong
 * context and hand edits are refused naming FILE:LINE, and --force overwrites the edit.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { FORMATS, findManagedBlocks, markerLines, readRendered } from '../../../shared/src/index.ts'
import { cliPath } from '../../helpers/dist.ts'
import { cliInProcess } from './in-process.ts'

const LIST = '192.0.2.0/25\n198.51.100.0/24\n2001:db8::/48\n'
const [BEGIN, END] = markerLines('office')
const MARK = `${BEGIN}\n${END}`

const run = cliInProcess

/** `render --from list.txt --format F --name office [--port 22] --into target [...extra]`. */
function into(
  format: string,
  target: string,
  options: { ports?: boolean; list?: string; extra?: string[] } = {},
) {
  const ports = options.ports === false ? [] : ['--port', '22']
  const argv = ['render', '--from', 'list.txt', '--format', format, '--name', 'office', ...ports]
  return run([...argv, '--into', 'target', ...(options.extra ?? [])], {
    'list.txt': options.list ?? LIST,
    target,
  })
}

interface Case {
  readonly format: string
  readonly ports: boolean
  /** A file with the markers where the format's block works. */
  readonly good: string
  /** A file with the markers where it cannot work, the BEGIN line, and the reason. */
  readonly bad: string
  readonly badLine: number
  readonly why: RegExp
}

const RESTORE_GOOD = `# my rules\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n${MARK}\n`
const RESTORE_BAD = `*filter\n:INPUT ACCEPT [0:0]\n${MARK}\nCOMMIT\n`
// The head of Debian's /etc/ufw/before.rules (ufw 0.36.2): the file the issue saw ufw commands land in.
const BEFORE_RULES = `#\n# rules.before\n#\n*filter\n:ufw-before-input - [0:0]\n${MARK}\nCOMMIT\n`

const CASES: Case[] = [
  {
    format: 'nftables',
    ports: true,
    good: `#!/usr/sbin/nft -f\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n${MARK}\n`,
    bad: `table inet filter {\n\t${MARK.replace('\n', '\n\t')}\n}\n`,
    badLine: 2,
    why: /declares a table of its own/,
  },
  {
    format: 'nftables',
    ports: false,
    // The sets' block declares its table (nft merges it with yours), so it goes before the rules
    // that use the sets, at the top level.
    good: `#!/usr/sbin/nft -f\n${MARK}\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t\tip saddr @office_v4 accept\n\t}\n}\n`,
    bad: `table inet filter {\n\t${MARK.replace('\n', '\n\t')}\n}\n`,
    badLine: 2,
    why: /declares a table of its own/,
  },
  ...(['iptables', 'ip6tables'] as const).map((format) => ({
    format,
    ports: true,
    good: RESTORE_GOOD,
    bad: RESTORE_BAD,
    badLine: 3,
    why: /inside the '\*filter' section opened on line 1/,
  })),
  ...(['ipset', 'ufw', 'docker-user'] as const).map((format) => ({
    format,
    ports: true,
    good: `#!/bin/sh\n# ${format} for the office\n${MARK}\n`,
    bad: BEFORE_RULES,
    badLine: 6,
    why: /line 4 \('\*filter'\) shows an iptables-restore file/,
  })),
  {
    format: 'nginx',
    ports: false,
    good: `server {\n    listen 80;\n    server_name a.example;\n    ${MARK.replace('\n', '\n    ')}\n    location / { proxy_pass http://127.0.0.1:8080; }\n}\nserver {\n    listen 80;\n    server_name b.example;\n}\n`,
    bad: `http {\n    ${MARK.replace('\n', '\n    ')}\n    server { listen 80; }\n}\n`,
    badLine: 2,
    why: /every server of it would answer 403/,
  },
  {
    format: 'apache',
    ports: false,
    good: `<VirtualHost *:80>\n  ServerName a.example\n  <Location "/">\n    ${MARK.replace('\n', '\n    ')}\n  </Location>\n</VirtualHost>\n`,
    bad: `<VirtualHost *:80>\n  ${MARK.replace('\n', '\n  ')}\n</VirtualHost>\n`,
    badLine: 2,
    why: /directly inside <VirtualHost>/,
  },
  {
    format: 'caddy',
    ports: false,
    good: `{\n\tadmin off\n}\n\n${MARK}\n\na.example {\n\timport office\n\treverse_proxy 127.0.0.1:8080\n}\n`,
    bad: `a.example {\n\timport office\n\treverse_proxy 127.0.0.1:8080\n}\n${MARK}\n`,
    badLine: 5,
    why: /line 2 imports office before this snippet defines it/,
  },
  {
    format: 'traefik-labels',
    ports: false,
    good: `# web service\ntraefik.enable=true\ntraefik.http.routers.web.middlewares=office@docker\n${MARK}\n`,
    bad: `services:\n  web:\n${MARK}\n`,
    badLine: 3,
    why: /line 1 \('services:'\) is not a key=value label/,
  },
  ...(
    [
      'terraform-hcloud',
      'terraform-digitalocean',
      'terraform-aws-prefix-list',
      'terraform-google',
      'terraform-azurerm',
      'terraform-cloudflare',
    ] as const
  ).map((format) => ({
    format,
    ports: true,
    good: `terraform {\n  required_version = ">= 1.5"\n}\n\n${MARK}\n`,
    bad: `module "edge" {\n  source = "./edge"\n  ${MARK.replace('\n', '\n  ')}\n}\n`,
    badLine: 3,
    why: /inside 'module \{ \.\.\. \}' \(opened on line 1\)/,
  })),
  ...(['haproxy', 'txt'] as const).map((format) => ({
    format,
    ports: false,
    good: `# the office\n203.0.113.9\n${MARK}\n`,
    bad: `frontend fe\n  bind :80\n${MARK}\n`,
    badLine: 3,
    why: /line 1 \('frontend fe'\) is not an address/,
  })),
]

/** Changes the first CIDR inside the block (a hand edit). */
function editInside(text: string): string {
  const lines = text.split('\n')
  const at = lines.findIndex(
    (l, i) => i > lines.findIndex((b) => b.includes(BEGIN)) && /[\d:]\/\d/.test(l),
  )
  lines[at] = lines[at]!.replace(/\/(\d+)/, '/9')
  return lines.join('\n')
}

describe('render --into, per line-oriented format', () => {
  it('the cases cover every line-oriented format', () => {
    expect(new Set(CASES.map((c) => c.format))).toEqual(
      new Set(FORMATS.filter((f) => f.lineOriented).map((f) => f.id)),
    )
  })

  describe.each(CASES)('$format (ports: $ports)', (c) => {
    const opts = { ports: c.ports }

    it('without markers: exit 2 with the two marker lines and where, nothing printed', async () => {
      const r = await into(c.format, '# my file\nsomething = 1\n', opts)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(
        /^target: no block name=office to replace, and allowlist-sync never appends blindly\. Place these two lines .+, then run again:\n/,
      )
      expect(r.stderr).toContain(`\n  ${BEGIN}\n  ${END}\n`)
    })

    it('with markers in the right context: fills them, keeps the rest, twice gives the same bytes', async () => {
      const first = await into(c.format, c.good, opts)
      expect(first.stderr).toBe('')
      expect(first.code).toBe(0)
      const [block] = findManagedBlocks(first.stdout)
      const lines = first.stdout.split('\n')
      const goodLines = c.good.split('\n')
      const at = goodLines.findIndex((l) => l.includes(BEGIN))
      expect(lines.slice(0, at)).toEqual(goodLines.slice(0, at))
      expect(lines.slice(block!.endLine)).toEqual(goodLines.slice(at + 2))
      expect(
        readRendered(c.format as 'txt', first.stdout).ipv4.length +
          readRendered(c.format as 'txt', first.stdout).ipv6.length,
      ).toBeGreaterThan(0)
      const second = await into(c.format, first.stdout, opts)
      expect(second.code).toBe(0)
      expect(second.stdout).toBe(first.stdout)
    })

    it('keeps CRLF, and a second render is byte-identical', async () => {
      const crlf = c.good.replaceAll('\n', '\r\n')
      const first = await into(c.format, crlf, opts)
      expect(first.code).toBe(0)
      expect(first.stdout).not.toMatch(/[^\r]\n/)
      expect((await into(c.format, first.stdout, opts)).stdout).toBe(first.stdout)
    })

    it('markers in the wrong context: exit 2 naming FILE:LINE and why', async () => {
      const r = await into(c.format, c.bad, opts)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(
        new RegExp(`^target:${c.badLine}: the block|^target:${c.badLine}: line`),
      )
      expect(r.stderr).toMatch(c.why)
    })

    it('a hand edit inside the block: exit 2 naming FILE:LINE; --force overwrites it', async () => {
      const first = await into(c.format, c.good, opts)
      const edited = editInside(first.stdout)
      expect(edited).not.toBe(first.stdout)
      const r = await into(c.format, edited, opts)
      expect(r.code).toBe(2)
      const begin = first.stdout.split('\n').findIndex((l) => l.includes('# BEGIN')) + 1
      expect(r.stderr).toMatch(
        new RegExp(
          `^target:${begin}: the block name=office \\(lines ${begin}-\\d+\\) was edited by hand`,
        ),
      )
      const forced = await into(c.format, edited, { ...opts, extra: ['--force'] })
      expect(forced.code).toBe(0)
      if (c.format === 'ufw') {
        // What the edited block allowed (had it been run) is closed by the overwrite.
        expect(forced.stdout).toContain(
          'ufw delete allow from 192.0.0.0/9 to any port 22 proto tcp\n',
        )
        expect(
          forced.stdout
            .replace(/^ufw delete .*\n/m, '')
            .split('\n')
            .slice(3),
        ).toEqual(first.stdout.split('\n').slice(3))
      } else {
        expect(forced.stdout).toBe(first.stdout)
      }
    })
  })
})

describe('render --into, the block and its identity', () => {
  it('a missing or empty file gets the block alone', async () => {
    const r = await run(
      ['render', '--from', 'list.txt', '--format', 'nginx', '--into', 'new.conf'],
      {
        'list.txt': LIST,
      },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^# BEGIN allowlist-sync name=allowlist-sync feeds=file\/list\.txt sum=/,
    )
    const empty = await into('nginx', '', { ports: false })
    expect(empty.stdout.startsWith('# BEGIN allowlist-sync name=office')).toBe(true)
  })

  it('renaming the --from file replaces the same block (its name is its identity)', async () => {
    const first = await into('nginx', `server {\n${MARK}\n}\n`, { ports: false })
    const renamed = await run(
      [
        'render',
        '--from',
        'office-2026.txt',
        '--format',
        'nginx',
        '--name',
        'office',
        '--into',
        'target',
      ],
      { 'office-2026.txt': LIST, target: first.stdout },
    )
    expect(renamed.code).toBe(0)
    expect(findManagedBlocks(renamed.stdout).map((b) => [b.name, b.feedIds])).toEqual([
      ['office', ['file/office-2026.txt']],
    ])
  })

  it('an old block (before names and sums) of the same feeds is replaced once, without an alarm', async () => {
    const old = `server {\n# BEGIN allowlist-sync file/list.txt\n# Generated by allowlist-sync: do not edit by hand; this block is rewritten on every sync.\nallow 192.0.2.0/25;\ndeny all;\n# END allowlist-sync\n}\n`
    const r = await into('nginx', old, { ports: false })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^server \{\n# BEGIN allowlist-sync name=office feeds=file\/list\.txt sum=[0-9a-f]{16}\n/,
    )
    expect((await into('nginx', r.stdout, { ports: false })).stdout).toBe(r.stdout)
  })

  it('ufw: a re-render into the previous block deletes what left the list, without --removed', async () => {
    const first = await into('ufw', `#!/bin/sh\n${MARK}\n`)
    const second = await into('ufw', first.stdout, { list: '198.51.100.0/24\n' })
    expect(second.code).toBe(0)
    expect(second.stdout.split('\n').filter((l) => l.startsWith('ufw delete'))).toEqual([
      'ufw delete allow from 192.0.2.0/25 to any port 22 proto tcp',
      'ufw delete allow from 2001:db8::/48 to any port 22 proto tcp',
    ])
    // --removed still adds its own (here: a rule the previous block never had).
    const withRemoved = await run(
      [
        'render',
        '--from',
        'list.txt',
        '--format',
        'ufw',
        '--name',
        'office',
        '--port',
        '22',
        '--removed',
        'old.txt',
        '--into',
        'target',
      ],
      { 'list.txt': '198.51.100.0/24\n', 'old.txt': '203.0.113.0/24\n', target: first.stdout },
    )
    expect(withRemoved.stdout).toContain(
      'ufw delete allow from 203.0.113.0/24 to any port 22 proto tcp\n',
    )
    expect(withRemoved.stdout).toContain(
      'ufw delete allow from 192.0.2.0/25 to any port 22 proto tcp\n',
    )
  })

  it('ufw: a previous rule it cannot read is exit 2 naming FILE:LINE', async () => {
    const r = await into('ufw', `#!/bin/sh\n${BEGIN}\nufw allow 22/tcp\n${END}\n`)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^target:3: ufw: line 3 of the previous block, "ufw allow 22\/tcp", is not a rule/,
    )
  })
})

describe('render --into, the bundled CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-px-into-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const exec = promisify(execFile)

  it('exits 2 on a file without markers and 0 once they are placed; an unreadable file is exit 2', async () => {
    const list = path.join(dir, 'list.txt')
    const target = path.join(dir, 'site.conf')
    writeFileSync(list, LIST)
    writeFileSync(target, 'server {\n    listen 80;\n}\n')
    const argv = [cliPath(), 'render', '--from', list, '--format', 'nginx', '--into', target]
    const refused = await exec(process.execPath, argv).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect('code' in refused && refused.code).toBe(2)
    expect(refused.stderr).toContain(`${target}: no block name=allowlist-sync to replace`)
    writeFileSync(
      target,
      `server {\n    listen 80;\n    ${markerLines('allowlist-sync').join('\n    ')}\n}\n`,
    )
    const ok = await exec(process.execPath, argv)
    expect(ok.stdout).toMatch(
      /^server \{\n {4}listen 80;\n {4}# BEGIN allowlist-sync name=allowlist-sync /,
    )
    expect(readFileSync(target, 'utf8')).not.toContain('sum=')
    const dirAsFile = await exec(process.execPath, [...argv.slice(0, -1), dir]).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect('code' in dirAsFile && dirAsFile.code).toBe(2)
    expect(dirAsFile.stderr).toContain(`${dir}: cannot read (EISDIR)`)
  })
})
