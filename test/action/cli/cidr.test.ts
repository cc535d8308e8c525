/**
 * Tests of `allowlist-sync cidr`: in-process through run() with a fake io for arguments, output
 * shapes and exit codes, and through the bundled CLI process for the FILE:LINE contract.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../../action/src/cli/commands/cidr.ts'
import type { CliIo } from '../../../action/src/cli/io.ts'
import { main } from '../../../action/src/cli/main.ts'
import { cliPath } from '../../helpers/dist.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'allowlist-sync-cidr-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, text: string): string {
  const p = path.join(dir, name)
  writeFileSync(p, text)
  return p
}

/** A CliIo whose files live in memory and whose output is captured. */
function fakeIo(files: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const io: CliIo = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    readText: (p) =>
      p in files
        ? Promise.resolve(files[p]!)
        : Promise.reject(Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' })),
    env: {},
    fetch: () => Promise.reject(new Error('no network in tests')),
    now: () => 0,
  }
  return { io, out }
}

async function cli(args: string[], files: Record<string, string> = {}) {
  const { io, out } = fakeIo(files)
  const code = await main(['cidr', ...args], io)
  return { code, ...out }
}

describe('cidr merge', () => {
  it('prints the minimal cover, IPv4 then IPv6, sorted, one a line', async () => {
    const r = await cli(['merge', 'a.txt'], {
      'a.txt': '2001:db8:8000::/33\n198.51.100.0/25\n2001:db8::/33\n192.0.2.1\n198.51.100.128/25\n',
    })
    expect(r).toEqual({
      code: 0,
      stdout: '192.0.2.1/32\n198.51.100.0/24\n2001:db8::/32\n',
      stderr: '',
    })
  })

  it('reads standard input for - and when no file is given', async () => {
    expect((await cli(['merge', '-'], { '-': '192.0.2.0/24' })).stdout).toBe('192.0.2.0/24\n')
    expect((await cli(['merge'], { '-': '192.0.2.0/24' })).stdout).toBe('192.0.2.0/24\n')
  })

  it('prints JSON with --json', async () => {
    const r = await cli(['merge', '--json', 'a.txt'], { 'a.txt': '192.0.2.0/24\n::1\n' })
    expect(JSON.parse(r.stdout)).toEqual({ ipv4: ['192.0.2.0/24'], ipv6: ['::1/128'] })
  })

  it('prints nothing for an empty list', async () => {
    expect(await cli(['merge', 'a.txt'], { 'a.txt': '' })).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    })
  })

  it('warns about accepted oddities on stderr, by line, unless --quiet, and still succeeds', async () => {
    const files = { 'a.txt': '192.0.2.1/24\n\n::ffff:192.0.2.1\n' }
    const r = await cli(['merge', 'a.txt'], files)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('192.0.2.0/24\n::ffff:c000:201/128\n')
    expect(r.stderr.split('\n')).toEqual([
      'a.txt:1: warning: host bits set: read as 192.0.2.0/24 ("192.0.2.1/24")',
      'a.txt:2: warning: empty line between entries',
      'a.txt:3: warning: IPv4-mapped IPv6 address: kept as IPv6 ::ffff:c000:201/128 ("::ffff:192.0.2.1")',
      '',
    ])
    expect((await cli(['merge', '-q', 'a.txt'], files)).stderr).toBe('')
  })

  it('exits 2 naming an unreadable file', async () => {
    const r = await cli(['merge', 'missing.txt'])
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'missing.txt: cannot read (ENOENT)\n' })
  })

  it('caps the report of a file full of junk', async () => {
    const r = await cli(['merge', 'page.html'], { 'page.html': '<p>x</p>\n'.repeat(80) })
    const lines = r.stderr.trimEnd().split('\n')
    expect(r.code).toBe(2)
    expect(lines).toHaveLength(51)
    expect(lines[50]).toBe('page.html: 30 more bad lines')
  })
})

describe('cidr diff', () => {
  const files = {
    'old.txt': '192.0.2.0/24\n198.51.100.0/24\n2001:db8::/32\n',
    'new.txt': '192.0.2.0/25\n203.0.113.0/24\n198.51.100.0/24\n2001:db8::/31\n',
  }

  it('prints +CIDR for what NEW adds and -CIDR for what it removes', async () => {
    expect(await cli(['diff', 'old.txt', 'new.txt'], files)).toEqual({
      code: 0,
      stdout: '+203.0.113.0/24\n+2001:db9::/32\n-192.0.2.128/25\n',
      stderr: '',
    })
  })

  it('prints nothing for two spellings of the same set', async () => {
    const r = await cli(['diff', 'a', 'b'], {
      a: '192.0.2.0/24\n',
      b: '192.0.2.128/25\r\n# comment\n192.0.2.0/25\n',
    })
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('prints the change as JSON with --json', async () => {
    const r = await cli(['diff', '--json', 'old.txt', 'new.txt'], files)
    expect(JSON.parse(r.stdout)).toEqual({
      added: { ipv4: ['203.0.113.0/24'], ipv6: ['2001:db9::/32'] },
      removed: { ipv4: ['192.0.2.128/25'], ipv6: [] },
    })
  })

  it('reports the bad lines of both files at once', async () => {
    const r = await cli(['diff', 'a', 'b'], { a: '192.0.2.0/24\nnope\n', b: '1.2.3\n' })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'a:2: not an IP address or CIDR ("nope")\nb:1: an IPv4 address has four dotted decimal octets ("1.2.3")\n',
    )
  })

  it('needs exactly two files, at most one of them standard input', async () => {
    expect((await cli(['diff', 'a'])).code).toBe(2)
    expect((await cli(['diff', 'a', 'b', 'c'])).code).toBe(2)
    expect((await cli(['diff', '-', '-'])).stderr).toContain('only one of OLD and NEW')
  })
})

describe('cidr contains', () => {
  const files = { 'list.txt': '192.0.2.0/24\n2001:db8::/32\n' }

  it('exits 0 and says yes for each address when all are contained', async () => {
    expect(
      await cli(['contains', 'list.txt', '192.0.2.7', '2001:db8::1', '192.0.2.128/25'], files),
    ).toEqual({
      code: 0,
      stdout: '192.0.2.7 yes\n2001:db8::1 yes\n192.0.2.128/25 yes\n',
      stderr: '',
    })
  })

  it('exits 1 when any address or CIDR is not contained', async () => {
    const r = await cli(
      ['contains', 'list.txt', '192.0.2.7', '198.51.100.1', '192.0.2.0/23'],
      files,
    )
    expect(r).toEqual({
      code: 1,
      stdout: '192.0.2.7 yes\n198.51.100.1 no\n192.0.2.0/23 no\n',
      stderr: '',
    })
  })

  it('prints JSON with canonical forms', async () => {
    const r = await cli(['contains', '--json', 'list.txt', '2001:DB8::0:1', '10.0.0.1'], files)
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toEqual({
      all: false,
      results: [
        { address: '2001:DB8::0:1', canonical: '2001:db8::1/128', contained: true },
        { address: '10.0.0.1', canonical: '10.0.0.1/32', contained: false },
      ],
    })
  })

  it('exits 2 on a bad address, before reading the file', async () => {
    const r = await cli(['contains', 'missing.txt', '192.0.2.300'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"192.0.2.300": IPv4 octet above 255')
  })

  it('needs a file and an address', async () => {
    expect((await cli(['contains', 'list.txt'], files)).code).toBe(2)
  })
})

describe('cidr help and usage', () => {
  it.each(['merge', 'diff', 'contains'])('prints help with examples for %s', async (sub) => {
    const r = await cli([sub, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`allowlist-sync cidr ${sub}`)
    expect(r.stdout).toMatch(/Examples:\n {2}allowlist-sync cidr /)
  })

  it('lists the subcommands', async () => {
    const r = await cli(['--help'])
    expect(r.stdout).toMatch(/merge[\s\S]*diff[\s\S]*contains/)
  })

  it('exits 2 on an unknown or missing subcommand or option', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2)
    expect((await cli([])).code).toBe(2)
    expect((await cli(['merge', '--bogus', 'a'])).stderr).toContain(
      "Run 'allowlist-sync cidr --help'",
    )
  })

  it('is the command module main() loads', async () => {
    const { io, out } = fakeIo({ x: '192.0.2.1' })
    expect(await run(['merge', 'x'], io)).toBe(0)
    expect(out.stdout).toBe('192.0.2.1/32\n')
  })
})

describe('the bundled CLI on bad input (acceptance 6)', () => {
  it('names the file and line of each bad entry, exits 2, and prints nothing on stdout', () => {
    const bad = file(
      'bad.txt',
      [
        '192.0.2.0/24',
        '1.2.3.4/33',
        '300.1.1.1',
        '1.2.3',
        '::ffff:zz',
        '<html>',
        '',
        '198.51.100.0/24',
      ].join('\n'),
    )
    const r = spawnSync(process.execPath, [cliPath(), 'cidr', 'merge', bad], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${bad}:2: prefix length 33 out of range (0-32) ("1.2.3.4/33")`,
      `${bad}:3: IPv4 octet above 255 ("300.1.1.1")`,
      `${bad}:4: an IPv4 address has four dotted decimal octets ("1.2.3")`,
      `${bad}:5: unexpected "z" in the address ("::ffff:zz")`,
      `${bad}:6: not an IP address or CIDR ("<html>")`,
      `${bad}:7: warning: empty line between entries`,
    ])
  })

  it('warns about an empty line in the middle of an otherwise good file, naming it, and succeeds', () => {
    const f = file('gap.txt', '192.0.2.0/24\n\n198.51.100.0/24\n')
    const r = spawnSync(process.execPath, [cliPath(), 'cidr', 'merge', f], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('192.0.2.0/24\n198.51.100.0/24\n')
    expect(r.stderr).toBe(`${f}:2: warning: empty line between entries\n`)
  })

  it('reads standard input', () => {
    const r = spawnSync(process.execPath, [cliPath(), 'cidr', 'merge', '-'], {
      input: '\ufeff192.0.2.128/25\r\n192.0.2.0/25\r\n',
      encoding: 'utf8',
    })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('192.0.2.0/24\n')
  })
})
