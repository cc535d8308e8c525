/**
 * Oracle tests of the bundled `allowlist-sync cidr` process on real published lists (acceptance
 * 2 and 3): FireHOL's `iprange` for IPv4, cidr-tools and ipaddr.js for IPv6 (iprange has no
 * IPv6). Skipped, with the reason printed, where iprange or ../shared/fixtures is absent.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { excludeCidr, mergeCidr } from 'cidr-tools'
import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import { cliPath } from '../../helpers/dist.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { missingTools } from '../../helpers/tools.ts'

const missing =
  missingTools('iprange') ?? (HAVE_FIXTURES ? undefined : 'skipped: no ../shared/fixtures')
if (missing) console.warn(`cidr-iprange.test.ts: ${missing}`)

const bench = (name: string) => fixturePath('bench', name)

function ours(...args: string[]): string[] {
  const r = spawnSync(process.execPath, [cliPath(), 'cidr', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  return r.stdout.split('\n').filter(Boolean)
}

/** iprange prints a /32 as a bare address: write every line as a CIDR. */
function iprange(...args: string[]): string[] {
  return execFileSync('iprange', args, { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter(Boolean)
    .map((l) => (l.includes('/') ? l : `${l}/32`))
}

const sorted = (xs: string[]) => [...xs].sort()

describe.skipIf(missing !== undefined)('cidr merge and diff against iprange (IPv4)', () => {
  it('merges the 111,110-line list to exactly the 7,728 CIDRs of iprange --optimize', () => {
    const file = bench('all-providers-ipv4.2026-08-22.txt')
    const expected = iprange('--optimize', file)
    const got = ours('merge', file)
    expect(expected).toHaveLength(7728)
    expect(sorted(got)).toEqual(sorted(expected))
    // Ours is printed ascending by address.
    const keys = got.map((c) => ipaddr.IPv4.parse(c.split('/')[0]!).toByteArray())
    for (let i = 1; i < keys.length; i++)
      expect(Buffer.compare(Buffer.from(keys[i - 1]!), Buffer.from(keys[i]!))).toBe(-1)
  })

  it.each([
    ['amazon', 'amazon-ipv4.2026-08-13.txt', 'amazon-ipv4.2026-08-22.txt'],
    ['github', 'github-all-ipv4.2026-06-16.txt', 'github-all-ipv4.2026-08-12.txt'],
  ])('diffs the %s pair as iprange NEW --except OLD and OLD --except NEW', (_, a, b) => {
    const [oldFile, newFile] = [bench(a), bench(b)]
    const lines = ours('diff', oldFile, newFile)
    const added = lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1))
    const removed = lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1))
    expect(added.length + removed.length).toBe(lines.length)
    expect(sorted(added)).toEqual(sorted(iprange(newFile, '--except', oldFile)))
    expect(sorted(removed)).toEqual(sorted(iprange(oldFile, '--except', newFile)))
    expect(added.length + removed.length).toBeGreaterThan(0)
  })
})

describe.skipIf(!HAVE_FIXTURES)('cidr merge and diff against cidr-tools (IPv6)', () => {
  const read = (name: string) => readFileSync(bench(name), 'utf8').split('\n').filter(Boolean)
  const canonical = (cidrs: string[]) =>
    cidrs.map((c) => {
      const [addr, prefix] = ipaddr.parseCIDR(c.includes('/') ? c : `${c}/128`)
      return `${(addr as ipaddr.IPv6).toRFC5952String()}/${prefix}`
    })

  it('merges the github IPv6 list as mergeCidr does', () => {
    const file = 'github-all-ipv6.2026-08-12.txt'
    expect(ours('merge', bench(file))).toEqual(canonical(mergeCidr(read(file))))
  })

  it('diffs the github IPv6 pair as excludeCidr does, both ways', () => {
    const [a, b] = ['github-all-ipv6.2026-06-16.txt', 'github-all-ipv6.2026-08-12.txt']
    const lines = ours('diff', bench(a), bench(b))
    expect(lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1))).toEqual(
      canonical(excludeCidr(read(b), read(a))),
    )
    expect(lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1))).toEqual(
      canonical(excludeCidr(read(a), read(b))),
    )
    expect(lines.length).toBeGreaterThan(0)
  })
})
