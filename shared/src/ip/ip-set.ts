/**
 * @module IpSet: an immutable set of addresses of one family. IPv4 is held as half-open u32
 * ranges in a Float64Array (no BigInt anywhere on that path); IPv6 as half-open bigint ranges.
 */
import { RangeCollector } from './build.ts'
import { IpParseError } from './errors.ts'
import type { Family } from './family.ts'
import { formatIpv4, formatIpv6, SLASH } from './format.ts'
import {
  coversRanges,
  equalRanges,
  findRange,
  intersectRanges,
  subtractRanges,
  unionRanges,
} from './ranges.ts'
import {
  bytesOf,
  formatIpv4CidrsWasm,
  linesRead,
  readIpv4Lines,
  readIpv6Lines,
} from './read-lines.ts'
import { scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

type Ranges = Float64Array | bigint[]

const TWO_128 = 1n << 128n

/**
 * An immutable set of IPv4 or IPv6 addresses. Build it with `IpSet.fromCidrs`, `IpSet.empty` or
 * `parseCidrList`; combine sets of the same family with union, difference and intersection (a
 * different family throws a TypeError); print it with `toCidrs()`, the minimal CIDR cover.
 */
export class IpSet {
  readonly family: Family
  /** Flat half-open ranges `[start, end, ...]`, sorted, disjoint, never adjacent. */
  readonly #ranges: Ranges

  private constructor(family: Family, ranges: Ranges) {
    this.family = family
    this.#ranges = ranges
  }

  /** @internal Wraps normalised ranges (used by parseCidrList). */
  static fromRanges(family: Family, ranges: Ranges): IpSet {
    return new IpSet(family, ranges)
  }

  /** The empty set of a family. */
  static empty(family: Family): IpSet {
    return new IpSet(family, family === 4 ? new Float64Array(0) : [])
  }

  /**
   * The union of CIDRs or bare addresses (a bare address is a /32 or /128). Host bits are
   * cleared (`10.0.0.1/8` adds 10.0.0.0/8). Throws IpParseError on an invalid entry and
   * `ERR_IP_FAMILY` on an entry of the other family.
   */
  static fromCidrs(family: Family, cidrs: Iterable<string>): IpSet {
    const list = Array.isArray(cidrs) ? (cidrs as string[]) : [...cidrs]
    const collector = new RangeCollector()
    // Long lists go through the byte-level line readers of parseCidrList, joined by line breaks,
    // unless an entry holds a line break itself (then entries would not map to lines).
    const joined = list.length > 32 ? list.join('\n') : ''
    let bytes = joined === '' ? undefined : bytesOf(joined, 0, joined.length)
    if (bytes !== undefined) {
      let breaks = 0
      for (let at = joined.indexOf('\n'); at >= 0; at = joined.indexOf('\n', at + 1)) breaks++
      if (breaks !== list.length - 1) bytes = undefined
    }
    let from = 0
    for (let k = 0; k < list.length;) {
      if (bytes !== undefined) {
        const next =
          family === 4
            ? readIpv4Lines(bytes, from, joined.length, collector)
            : readIpv6Lines(bytes, from, joined.length, collector)
        if (linesRead > 0) {
          k += linesRead
          from = next
          continue
        }
      }
      const text = list[k]!
      from += text.length + 1
      k++
      trimBounds(text, 0, text.length)
      if (!scan(text, bounds.start, bounds.end))
        throw new IpParseError(scanned.code, text, scanned.reason)
      if (scanned.family !== family)
        throw new IpParseError('ERR_IP_FAMILY', text, `not an IPv${family} entry`)
      collector.addScanned()
    }
    return new IpSet(family, family === 4 ? collector.ranges4() : collector.ranges6())
  }

  /** Whether the set holds no address. */
  get isEmpty(): boolean {
    return this.#ranges.length === 0
  }

  #same(o: IpSet): Ranges {
    if (o.family !== this.family)
      throw new TypeError(`cannot combine an IPv${this.family} set with an IPv${o.family} set`)
    return o.#ranges
  }

  #wrap(ranges: number[] | bigint[]): IpSet {
    return new IpSet(
      this.family,
      this.family === 4 ? Float64Array.from(ranges as number[]) : (ranges as bigint[]),
    )
  }

  /** Addresses in this set or in `o`. */
  union(o: IpSet): IpSet {
    return this.#wrap(unionRanges<number | bigint>(this.#ranges, this.#same(o)) as number[])
  }

  /** Addresses in this set and not in `o`. */
  difference(o: IpSet): IpSet {
    return this.#wrap(subtractRanges<number | bigint>(this.#ranges, this.#same(o)) as number[])
  }

  /** Addresses in both sets. */
  intersection(o: IpSet): IpSet {
    return this.#wrap(intersectRanges<number | bigint>(this.#ranges, this.#same(o)) as number[])
  }

  /**
   * Whether the set holds `address` (a bare address, no prefix). An address of the other family
   * is never contained. Throws IpParseError when `address` is not a valid address.
   */
  contains(address: string): boolean {
    trimBounds(address, 0, address.length)
    if (!scan(address, bounds.start, bounds.end))
      throw new IpParseError(scanned.code, address, scanned.reason)
    if (scanned.hasPrefix)
      throw new IpParseError('ERR_IP_SYNTAX', address, 'expected an address, not a CIDR')
    if (scanned.family !== this.family) return false
    if (this.family === 4) return findRange(this.#ranges as Float64Array, scanned.v4) >= 0
    const value = (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n)
    return findRange(this.#ranges as bigint[], value | BigInt(w[3]!)) >= 0
  }

  /** Whether every address of `o` is in this set. */
  covers(o: IpSet): boolean {
    return coversRanges<number | bigint>(this.#ranges, this.#same(o))
  }

  /** Whether both sets hold exactly the same addresses. */
  equals(o: IpSet): boolean {
    return o.family === this.family && equalRanges<number | bigint>(this.#ranges, o.#ranges)
  }

  /**
   * The minimal CIDR cover: the fewest CIDRs whose union is this set, ascending, canonical
   * (network address, explicit prefix; IPv6 per RFC 5952).
   */
  toCidrs(): string[] {
    return this.family === 4
      ? cidrs4(this.#ranges as Float64Array)
      : cidrs6(this.#ranges as bigint[])
  }

  /**
   * The CIDRs of toCidrs as text, each followed by a line break (`''` for the empty set): for
   * printing a big set, without a string per CIDR where the IPv4 printer runs as WebAssembly.
   */
  toCidrLines(): string {
    const text = this.family === 4 ? formatIpv4CidrsWasm(this.#ranges as Float64Array) : undefined
    if (text !== undefined) return text
    const cidrs = this.toCidrs()
    return cidrs.length === 0 ? '' : `${cidrs.join('\n')}\n`
  }

  /** How many addresses the set holds (up to 2^32 for IPv4, 2^128 for IPv6). */
  addressCount(): bigint {
    const r = this.#ranges
    if (r instanceof Float64Array) {
      let total = 0
      for (let i = 0; i < r.length; i += 2) total += r[i + 1]! - r[i]!
      return BigInt(total)
    }
    let total = 0n
    for (let i = 0; i < r.length; i += 2) total += r[i + 1]! - r[i]!
    return total
  }
}

function cidrs4(r: Float64Array): string[] {
  const text = formatIpv4CidrsWasm(r)
  if (text !== undefined) {
    const lines = text.split('\n')
    lines.pop()
    return lines
  }
  const out: string[] = []
  for (let i = 0; i < r.length; i += 2) {
    let s = r[i]!
    const e = r[i + 1]!
    while (s < e) {
      // The largest aligned block at s that fits: lowest set bit of s, halved until it fits.
      let size = s === 0 ? 2 ** 32 : (s & -s) >>> 0
      while (size > e - s) size /= 2
      const prefix = size === 2 ** 32 ? 0 : 32 - (31 - Math.clz32(size))
      out.push(formatIpv4(s) + SLASH[prefix]!)
      s += size
    }
  }
  return out
}

function cidrs6(r: bigint[]): string[] {
  const out: string[] = []
  for (let i = 0; i < r.length; i += 2) {
    let s = r[i]!
    const e = r[i + 1]!
    while (s < e) {
      let size = s === 0n ? TWO_128 : s & -s
      let bits = size === TWO_128 ? 128 : size.toString(2).length - 1
      while (size > e - s) {
        size >>= 1n
        bits--
      }
      out.push(formatIpv6(s) + SLASH[128 - bits]!)
      s += size
    }
  }
  return out
}
