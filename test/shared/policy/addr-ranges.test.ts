/**
 * @module AddrRanges (the evaluator's bigint range sets) against IpSet from shared/src/ip as the
 * oracle: union, intersection, difference, containment and the minimal CIDR cover; and
 * parseCidrRange, including iptables-save's dotted netmasks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpSet } from '../../../shared/src/index.ts'
import {
  AddrRanges,
  formatAddress,
  parseCidrRange,
  type AddrFamily,
} from '../../../shared/src/policy/addr-ranges.ts'

const RUNS = { numRuns: 300 }

function dotted(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

/** CIDRs clustered near the ends of the space and a few networks, so random lists overlap and touch. */
function clustered(family: AddrFamily): fc.Arbitrary<string> {
  const prefix = (bits: number, near: number) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: bits - near, max: bits }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: bits }) },
    )
  if (family === 4)
    return fc
      .record({
        base: fc.constantFrom(0, 0xc0000200, 0x0a000000, 0xfffffe00),
        low: fc.integer({ min: 0, max: 511 }),
        prefix: prefix(32, 9),
      })
      .map(({ base, low, prefix }) => `${dotted((base + low) >>> 0)}/${prefix}`)
  return fc
    .record({
      base: fc.constantFrom('::', '2001:db8::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fe00'),
      low: fc.integer({ min: 0, max: 511 }),
      prefix: prefix(128, 9),
    })
    .map(({ base, low, prefix }) => {
      const head = base.endsWith('::') ? base : base.slice(0, base.lastIndexOf(':') + 1)
      const last = base.endsWith('::') ? 0 : 0xfe00
      return `${head}${(last + low).toString(16)}/${prefix}`
    })
}

const sets = (family: AddrFamily) =>
  fc.array(clustered(family), { maxLength: 8 }).map((cidrs) => ({
    ours: AddrRanges.fromCidrs(family, cidrs),
    oracle: IpSet.fromCidrs(family, cidrs),
  }))

/** Addresses in the clustered regions: some inside, some just outside the random sets. */
const addressIn = (family: AddrFamily) => clustered(family).map((c) => c.slice(0, c.indexOf('/')))

describe('AddrRanges', () => {
  it.each([4, 6] as const)('prints the same minimal cover as IpSet (IPv%i)', (family) => {
    fc.assert(
      fc.property(sets(family), ({ ours, oracle }) => {
        expect(ours.toCidrs()).toEqual(oracle.toCidrs())
        expect(ours.size()).toBe(oracle.addressCount())
        expect(ours.isEmpty).toBe(oracle.isEmpty)
      }),
      RUNS,
    )
  })

  it.each([4, 6] as const)('unites, intersects and subtracts like IpSet (IPv%i)', (family) => {
    fc.assert(
      fc.property(sets(family), sets(family), (a, b) => {
        expect(a.ours.union(b.ours).toCidrs()).toEqual(a.oracle.union(b.oracle).toCidrs())
        expect(a.ours.intersection(b.ours).toCidrs()).toEqual(
          a.oracle.intersection(b.oracle).toCidrs(),
        )
        expect(a.ours.difference(b.ours).toCidrs()).toEqual(a.oracle.difference(b.oracle).toCidrs())
        expect(a.ours.covers(b.ours)).toBe(a.oracle.covers(b.oracle))
        expect(a.ours.intersects(b.ours)).toBe(!a.oracle.intersection(b.oracle).isEmpty)
        expect(a.ours.equals(b.ours)).toBe(a.oracle.equals(b.oracle))
        const all = IpSet.fromCidrs(family, [family === 4 ? '0.0.0.0/0' : '::/0'])
        expect(a.ours.complement().toCidrs()).toEqual(all.difference(a.oracle).toCidrs())
      }),
      RUNS,
    )
  })

  it.each([4, 6] as const)('holds the addresses IpSet holds (IPv%i)', (family) => {
    fc.assert(
      fc.property(sets(family), fc.array(addressIn(family), { maxLength: 6 }), (s, addrs) => {
        for (const a of addrs) expect(s.ours.containsAddress(a)).toBe(s.oracle.contains(a))
      }),
      RUNS,
    )
  })

  it.each([4, 6] as const)('cuts the cover after `limit` CIDRs (IPv%i)', (family) => {
    fc.assert(
      fc.property(sets(family), fc.integer({ min: 0, max: 6 }), (s, limit) => {
        expect(s.ours.toCidrs(limit)).toEqual(s.oracle.toCidrs().slice(0, limit))
      }),
      RUNS,
    )
  })

  it('merges touching and overlapping pairs given in any order, and skips empty ones', () => {
    const s = AddrRanges.fromPairs(4, [
      [20n, 30n],
      [5n, 5n],
      [10n, 20n],
      [9n, 4n],
      [25n, 26n],
      [40n, 41n],
    ])
    expect(s.bounds).toEqual([10n, 30n, 40n, 41n])
    expect(s.rangeCount).toBe(2)
    expect(AddrRanges.fromPairs(6, [[7n, 7n]]).isEmpty).toBe(true)
  })

  it('counts the disjoint ranges a set is made of', () => {
    const s = AddrRanges.fromCidrs(4, ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7'])
    expect(s.toCidrs()).toEqual(['192.0.2.0/24', '198.51.100.7/32'])
    expect(s.rangeCount).toBe(2)
  })

  it('knows the empty and the full set of each family', () => {
    for (const family of [4, 6] as const) {
      expect(AddrRanges.all(family).isAll).toBe(true)
      expect(AddrRanges.empty(family).complement().isAll).toBe(true)
      expect(AddrRanges.all(family).complement().isEmpty).toBe(true)
      expect(AddrRanges.all(family).toCidrs()).toEqual([family === 4 ? '0.0.0.0/0' : '::/0'])
    }
  })

  it.each([
    [4, 'not-an-address'],
    [4, '2001:db8::/32'],
    [6, '192.0.2.0/24'],
    [4, '192.0.2.0/33'],
  ] as const)('refuses %s-family entry %j, naming it', (family, cidr) => {
    expect(() => AddrRanges.fromCidrs(family, [cidr])).toThrow(
      new TypeError(`'${cidr}' is not an IPv${family} address or CIDR`),
    )
  })

  it('tells addresses of the other family or bad text apart from members', () => {
    const s = AddrRanges.fromCidrs(6, ['::/0'])
    expect(s.containsAddress('2001:db8::1')).toBe(true)
    expect(s.containsAddress('192.0.2.1')).toBe(false)
    expect(s.containsAddress('2001:db8::/32')).toBe(false)
  })
})

describe('parseCidrRange', () => {
  const maskOf = (prefix: number) => dotted(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)

  it('reads a dotted netmask (iptables-save) as its prefix length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        (v, prefix) => {
          const addr = dotted(v)
          expect(parseCidrRange(`${addr}/${maskOf(prefix)}`)).toEqual(
            parseCidrRange(`${addr}/${prefix}`),
          )
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
    expect(parseCidrRange(text)).toEqual(range)
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
    'example.com/24',
    '',
  ])('refuses %j', (text) => {
    expect(parseCidrRange(text)).toBeUndefined()
  })
})

describe('formatAddress', () => {
  it('prints dotted quads and RFC 5952 text', () => {
    expect(formatAddress(4, 0xc0000201n)).toBe('192.0.2.1')
    expect(formatAddress(6, (0x20010db8n << 96n) | 1n)).toBe('2001:db8::1')
  })
})
