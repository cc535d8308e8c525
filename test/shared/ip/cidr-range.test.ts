/**
 * @module toCidrRange (one CIDR, bare address or iptables-save dotted netmask as a range of address
 * values), with IpSet.fromCidrs as the oracle for what a CIDR covers.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpSet, toCidrRange } from '../../../shared/src/index.ts'

const RUNS = { numRuns: 300 }

function dotted(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

describe('toCidrRange', () => {
  const maskOf = (prefix: number) => dotted(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)

  it('reads a dotted netmask (iptables-save) as its prefix length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        (v, prefix) => {
          const addr = dotted(v)
          expect(toCidrRange(`${addr}/${maskOf(prefix)}`)).toEqual(toCidrRange(`${addr}/${prefix}`))
        },
      ),
      RUNS,
    )
  })

  it('covers what IpSet.fromCidrs covers for the same CIDR', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
          fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
        ),
        ([addr, prefix]) => {
          const cidr = `${addr}/${prefix}`
          const r = toCidrRange(cidr)!
          const set = IpSet.fromValueRanges(r.family, [[r.start, r.end]])
          expect(set.equals(IpSet.fromCidrs(r.family, [cidr]))).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it.each([
    ['10.1.2.3/8', { family: 4, start: 10n << 24n, end: 11n << 24n }],
    ['10.0.0.0/255.0.0.0', { family: 4, start: 10n << 24n, end: 11n << 24n }],
    ['192.0.2.9/255.255.255.255', { family: 4, start: 0xc0000209n, end: 0xc000020an }],
    ['0.0.0.0/0.0.0.0', { family: 4, start: 0n, end: 1n << 32n }],
    ['192.0.2.9', { family: 4, start: 0xc0000209n, end: 0xc000020an }],
    ['::/0', { family: 6, start: 0n, end: 1n << 128n }],
    [
      '2001:db8::1/128',
      { family: 6, start: (0x20010db8n << 96n) | 1n, end: (0x20010db8n << 96n) + 2n },
    ],
  ])('reads %j', (text, range) => {
    expect(toCidrRange(text)).toEqual(range)
  })

  it.each([
    '10.0.0.0/255.0.255.0',
    '10.0.0.0/0.255.255.255',
    '10.0.0.0/33',
    '10.0.0.0/999',
    '10.0.0.0/1000',
    '10.0.0.0/08',
    '10.0.0.0/',
    '10.0.0.0/x',
    '2001:db8::/129',
    '2001:db8::/ffff::',
    '2001:db8::/255.255.0.0',
    '10.0.0.0/::',
    'example.com/24',
    '',
  ])('refuses %j', (text) => {
    expect(toCidrRange(text)).toBeUndefined()
  })
})
