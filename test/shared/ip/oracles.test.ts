/**
 * Property tests of shared/src/ip against two independent implementations: ipaddr.js (parsing,
 * RFC 5952 printing) and cidr-tools (merge, difference, containment), for IPv4 and IPv6.
 */
import { excludeCidr, mergeCidr, containsCidr } from 'cidr-tools'
import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  parseAddress,
  parseCidr,
  parseCidrList,
  toAddressValue,
  toCidrRange,
  type Family,
} from '../../../shared/src/index.ts'

const RUNS = { numRuns: 300 }

const u32 = fc.integer({ min: 0, max: 0xffffffff })
const group = fc.integer({ min: 0, max: 0xffff })
const groups = fc.array(group, { minLength: 8, maxLength: 8 })

function dotted(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
}

/** Eight groups written in one of several valid ways: full, padded, upper case, compressed, mixed. */
const ipv6Text = fc
  .record({ g: groups, style: fc.integer({ min: 0, max: 4 }) })
  .map(({ g, style }) => {
    const full = g.map((x) => x.toString(16))
    switch (style) {
      case 0:
        return full.join(':')
      case 1:
        return g.map((x) => x.toString(16).padStart(4, '0')).join(':')
      case 2:
        return ipaddr.fromByteArray(bytesOf(g)).toString().toUpperCase()
      case 3:
        return `${full.slice(0, 6).join(':')}:${(g[6]! >> 8) & 255}.${g[6]! & 255}.${(g[7]! >> 8) & 255}.${g[7]! & 255}`
      default:
        return (ipaddr.fromByteArray(bytesOf(g)) as ipaddr.IPv6).toRFC5952String()
    }
  })

function bytesOf(g: number[]): number[] {
  return g.flatMap((x) => [x >> 8, x & 255])
}

/** CIDRs clustered in a few small regions, so that random lists overlap and touch. */
function clustered(family: Family): fc.Arbitrary<string> {
  if (family === 4) {
    return fc
      .record({
        base: fc.constantFrom(0, 0xc0000200, 0x0a000000, 0xfffffe00),
        low: fc.integer({ min: 0, max: 1023 }),
        prefix: fc.oneof(fc.integer({ min: 22, max: 32 }), fc.integer({ min: 0, max: 32 })),
      })
      .map(({ base, low, prefix }) => `${dotted((base + low) >>> 0)}/${prefix}`)
  }
  return fc
    .record({
      base: fc.constantFrom(
        '2001:db8::',
        '::',
        'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fc00',
        '2001:db8:0:1::',
      ),
      low: fc.integer({ min: 0, max: 1023 }),
      prefix: fc.oneof(fc.integer({ min: 118, max: 128 }), fc.integer({ min: 0, max: 128 })),
    })
    .map(({ base, low, prefix }) => {
      const b = ipaddr.IPv6.parse(base).toByteArray()
      const v = (b[14]! << 8) | b[15]!
      const w = ((b[12]! << 8) | b[13]!) + ((v + low) >> 16)
      const addr = ipaddr.IPv6.parse(base)
      addr.parts[6] = w & 0xffff
      addr.parts[7] = (v + low) & 0xffff
      return `${addr.toRFC5952String()}/${prefix}`
    })
}

/** Canonical form of whatever cidr-tools prints (it may drop /32 and /128). */
function canon(list: string[]): string[] {
  return list.map((c) => parseCidr(c).cidr)
}

describe('parseCidr against ipaddr.js', () => {
  it('reads every IPv4 CIDR as ipaddr.js does, clearing host bits', () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 32 }), (v, prefix) => {
        const text = `${dotted(v)}/${prefix}`
        const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString()
        expect(parseCidr(text)).toEqual({
          family: 4,
          cidr: `${network}/${prefix}`,
          hostBitsSet: network !== dotted(v),
        })
      }),
      RUNS,
    )
  })

  it('reads every IPv6 CIDR, in any valid spelling, as ipaddr.js prints it per RFC 5952', () => {
    fc.assert(
      fc.property(ipv6Text, fc.integer({ min: 0, max: 128 }), (text, prefix) => {
        const cidr = `${text}/${prefix}`
        const network = ipaddr.IPv6.networkAddressFromCIDR(cidr)
        const address = ipaddr.IPv6.parse(text)
        expect(parseCidr(cidr)).toEqual({
          family: 6,
          cidr: `${network.toRFC5952String()}/${prefix}`,
          hostBitsSet: network.toRFC5952String() !== address.toRFC5952String(),
        })
        expect(parseAddress(text).address).toBe(address.toRFC5952String())
      }),
      RUNS,
    )
  })

  it('accepts nothing that ipaddr.js rejects, and agrees on what it accepts', () => {
    const junk = fc.string({
      unit: fc.constantFrom(...'0123456789abcdefABCDEF:./%xg -'.split('')),
      maxLength: 24,
    })
    fc.assert(
      fc.property(junk, (text) => {
        let ours: ReturnType<typeof parseCidr> | undefined
        try {
          ours = parseCidr(text)
        } catch {
          // Rejected: IPv4 must then not be a plain four-part decimal with a valid prefix.
          const [addr = '', prefix, ...rest] = text.trim().split('/')
          const strictV4 =
            ipaddr.IPv4.isValidFourPartDecimal(addr) &&
            !/(^|\.)0\d/.test(addr) &&
            rest.length === 0 &&
            (prefix === undefined || (/^(0|[1-9]\d?)$/.test(prefix) && Number(prefix) <= 32))
          expect(strictV4).toBe(false)
          return
        }
        const trimmed = text.trim()
        const [addr, prefix] = trimmed.includes('/')
          ? ipaddr.parseCIDR(trimmed)
          : [ipaddr.parse(trimmed), ours.family === 4 ? 32 : 128]
        expect(addr.kind()).toBe(ours.family === 4 ? 'ipv4' : 'ipv6')
        const network =
          ours.family === 4
            ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString()
            : ipaddr.IPv6.networkAddressFromCIDR(
                `${(addr as ipaddr.IPv6).toNormalizedString()}/${prefix}`,
              ).toRFC5952String()
        expect(ours.cidr).toBe(`${network}/${prefix}`)
      }),
      { numRuns: 2000 },
    )
  })
})

describe.each([4, 6] as const)('IpSet (IPv%i) against cidr-tools', (family) => {
  const list = fc.array(clustered(family), { minLength: 1, maxLength: 30 })

  it('merges to the same minimal cover as mergeCidr', () => {
    fc.assert(
      fc.property(list, (cidrs) => {
        expect(IpSet.fromCidrs(family, cidrs).toCidrs()).toEqual(canon(mergeCidr(cidrs)))
      }),
      RUNS,
    )
  })

  it('subtracts as excludeCidr does', () => {
    fc.assert(
      fc.property(list, list, (a, b) => {
        const ours = IpSet.fromCidrs(family, a).difference(IpSet.fromCidrs(family, b))
        expect(ours.toCidrs()).toEqual(canon(excludeCidr(a, b)))
      }),
      RUNS,
    )
  })

  it('unites and intersects consistently with mergeCidr and excludeCidr', () => {
    fc.assert(
      fc.property(list, list, (a, b) => {
        const sa = IpSet.fromCidrs(family, a)
        const sb = IpSet.fromCidrs(family, b)
        expect(sa.union(sb).toCidrs()).toEqual(canon(mergeCidr([...a, ...b])))
        expect(sa.intersection(sb).toCidrs()).toEqual(canon(excludeCidr(a, excludeCidr(a, b))))
        expect(sa.union(sb).covers(sa)).toBe(true)
        expect(sa.covers(sa.intersection(sb))).toBe(true)
        // Not containsCidr(a, b): it tests each network of b against each of a alone, so it says
        // no when b is covered only by two adjacent networks of a together (0.0.0.0/1 +
        // 128.0.0.0/1 cover 0.0.0.0/0). b minus a being empty is the definition of covering.
        expect(sa.covers(sb)).toBe(excludeCidr(b, a).length === 0)
        expect(sa.union(sb).equals(sb.union(sa))).toBe(true)
      }),
      RUNS,
    )
  })

  it('unites, subtracts and intersects long lists as mergeCidr and excludeCidr do', () => {
    // hundreds of ranges: long IPv4 results go through ranges.ts's scratch buffer (it grows past
    // its first 1,024 bounds here), short ones from long operands back into plain arrays
    const scattered =
      family === 4
        ? fc
            .record({ v: u32, prefix: fc.integer({ min: 24, max: 32 }) })
            .map(({ v, prefix }) => `${dotted(v)}/${prefix}`)
        : fc
            .record({ g: groups, prefix: fc.integer({ min: 100, max: 128 }) })
            .map(({ g, prefix }) => `${ipaddr.fromByteArray(bytesOf(g)).toString()}/${prefix}`)
    // a few clustered ones among them: operands that overlap, results of every length
    const long = fc.array(fc.oneof({ arbitrary: scattered, weight: 9 }, clustered(family)), {
      minLength: 200,
      maxLength: 700,
    })
    fc.assert(
      fc.property(long, long, (a, b) => {
        const sa = IpSet.fromCidrs(family, a)
        const sb = IpSet.fromCidrs(family, b)
        const union = sa.union(sb)
        const both = sa.intersection(sb)
        expect(union.toCidrs()).toEqual(canon(mergeCidr([...a, ...b])))
        expect(sa.difference(sb).toCidrs()).toEqual(canon(excludeCidr(a, b)))
        expect(both.toCidrs()).toEqual(canon(excludeCidr(a, excludeCidr(a, b))))
        // results as operands again, after later results reused the scratch buffer
        expect(union.difference(both).union(both).equals(union)).toBe(true)
        // a complement is computed once: everything less the set is that same set, and its
        // complement is the set itself
        const all = family === 4 ? '0.0.0.0/0' : '::/0'
        expect(sa.complement().toCidrs()).toEqual(canon(excludeCidr([all], a)))
        expect(IpSet.all(family).difference(sa).equals(sa.complement())).toBe(true)
        expect(sa.complement()).toBe(sa.complement())
        expect(sa.complement().complement()).toBe(sa)
      }),
      { numRuns: 25 },
    )
  })

  it('tests membership as containsCidr does', () => {
    const address = clustered(family).map((c) => c.split('/')[0]!)
    fc.assert(
      fc.property(list, address, (cidrs, addr) => {
        expect(IpSet.fromCidrs(family, cidrs).contains(addr)).toBe(containsCidr(cidrs, addr))
      }),
      RUNS,
    )
  })

  it('complements, intersects and chains results as excludeCidr and mergeCidr do', () => {
    const all = family === 4 ? '0.0.0.0/0' : '::/0'
    fc.assert(
      fc.property(list, list, list, (a, b, c) => {
        const [sa, sb, sc] = [a, b, c].map((l) => IpSet.fromCidrs(family, l)) as [
          IpSet,
          IpSet,
          IpSet,
        ]
        expect(sa.complement().toCidrs()).toEqual(canon(excludeCidr([all], a)))
        expect(sa.intersects(sb)).toBe(excludeCidr(a, excludeCidr(a, b)).length > 0)
        // results of set algebra as operands again (held as plain arrays when small)
        const chained = sa.union(sb).difference(sc).intersection(sa.complement().complement())
        expect(chained.toCidrs()).toEqual(canon(excludeCidr(a, c)))
        expect(chained.rangeCount).toBe(chained.toValueRanges().length / 2)
      }),
      RUNS,
    )
  })

  it('builds from value ranges and tests values as from CIDRs and addresses', () => {
    const address = clustered(family).map((c) => c.split('/')[0]!)
    fc.assert(
      fc.property(list, address, (cidrs, addr) => {
        const ranges = cidrs.map((c) => {
          const r = toCidrRange(c)!
          return [r.start, r.end] as const
        })
        const set = IpSet.fromValueRanges(family, ranges.reverse())
        expect(set.toCidrs()).toEqual(canon(mergeCidr(cidrs)))
        expect(set.containsValue(toAddressValue(addr)!.value)).toBe(containsCidr(cidrs, addr))
        expect(set.firstValue()).toBe(set.toValueRanges()[0])
      }),
      RUNS,
    )
  })

  it('counts the addresses of the merged cover', () => {
    fc.assert(
      fc.property(list, (cidrs) => {
        const width = family === 4 ? 32 : 128
        const expected = canon(mergeCidr(cidrs)).reduce(
          (sum, c) => sum + 2n ** BigInt(width - Number(c.split('/')[1])),
          0n,
        )
        expect(IpSet.fromCidrs(family, cidrs).addressCount()).toBe(expected)
      }),
      RUNS,
    )
  })
})

describe('large shuffled lists against cidr-tools', () => {
  /** A deterministic shuffle (xorshift), so that a failure reproduces. */
  function shuffled<T>(items: T[], seed: number): T[] {
    const out = [...items]
    let x = seed
    for (let i = out.length - 1; i > 0; i--) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      const j = (x >>> 0) % (i + 1)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }

  it.each([4, 6] as const)(
    'merges 6,000 unsorted IPv%i CIDRs (radix sort, growth) as mergeCidr does, from text and from an array',
    (family) => {
      const cidrs: string[] = []
      for (let k = 0; k < 6000; k++) {
        // Every third block is left out, so that the cover has thousands of ranges.
        if (k % 3 === 2) continue
        const prefix = k % 5 === 0 ? 23 : 24
        cidrs.push(
          family === 4
            ? `${dotted(((10 << 24) + k * 256) >>> 0)}/${prefix}`
            : `2001:db8:${(k >> 8).toString(16)}:${((k & 255) << 8).toString(16)}::/${prefix + 32}`,
        )
      }
      const input = shuffled(cidrs, 0x2545f491)
      const expected = canon(mergeCidr(input))
      expect(expected.length).toBeGreaterThan(1000)
      expect(IpSet.fromCidrs(family, input).toCidrs()).toEqual(expected)
      const list = parseCidrList(input.join('\r\n'))
      expect((family === 4 ? list.ipv4 : list.ipv6).toCidrs()).toEqual(expected)
    },
  )
})
