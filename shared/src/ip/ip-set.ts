/**
 * @module IpSet: an immutable set of addresses of one family, and the one address-set algebra of
 * the project (feeds, renderers and the policy evaluator). IPv4 is held as half-open u32 ranges
 * in numbers, IPv6 as half-open ranges of 32-bit words (ranges6.ts): no BigInt per address on
 * either path.
 */
import { RangeCollector } from './build.ts'
import { IpParseError } from './errors.ts'
import type { Family } from './family.ts'
import { linesOf, writeIpv4Cidr } from './format.ts'
import {
  coversRanges,
  equalRanges,
  findRange,
  intersectRanges,
  subtractRanges,
  unionRanges,
} from './ranges.ts'
import {
  cidrList6,
  count6,
  covers6,
  findRange6,
  formatCidrs6,
  intersect6,
  subtract6,
  toValue6,
  union6,
  writeValue6,
} from './ranges6.ts'
import {
  formatIpv4CidrsWasm,
  linesRead,
  listBytesOf,
  readIpv4Lines,
  readIpv6Lines,
} from './read-lines.ts'
import { scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

/**
 * IPv4: a Float64Array, or a plain array for a small result of set algebra (the evaluator makes
 * many, and a typed array costs more to allocate than it saves); IPv6: a Float64Array of words.
 */
type Ranges = Float64Array | number[]

const END: Record<Family, bigint> = { 4: 1n << 32n, 6: 1n << 128n }

/** Numbers a range takes in each family's list. */
const WIDTH: Record<Family, number> = { 4: 2, 6: 8 }

/** An IPv6 address being looked up, as words. */
const key6 = new Float64Array(4)

/**
 * An immutable set of IPv4 or IPv6 addresses. Build it with `IpSet.fromCidrs`, `IpSet.empty` or
 * `parseCidrList`; combine sets of the same family with union, difference and intersection (a
 * different family throws a TypeError); print it with `toCidrs()`, the minimal CIDR cover.
 */
export class IpSet {
  readonly family: Family
  /**
   * Flat half-open ranges, sorted, disjoint, never adjacent: `[start, end, ...]` (IPv4), or each
   * bound as four words (IPv6, see ranges6.ts).
   */
  readonly #ranges: Ranges
  /** The IPv6 bounds as bigints, once asked for (see `bounds`). */
  #values: bigint[] | undefined
  /** The complement, once asked for: the evaluator subtracts one set from everything often. */
  #complement: IpSet | undefined

  private constructor(family: Family, ranges: Ranges) {
    this.family = family
    this.#ranges = ranges
  }

  /**
   * @internal Wraps normalised ranges: as held (parseCidrList), or IPv6 bounds as bigints (the
   * evaluator's sweeps, see `bounds`).
   */
  static fromRanges(family: Family, ranges: Ranges | bigint[]): IpSet {
    if (family === 4 || ranges instanceof Float64Array) return new IpSet(family, ranges as Ranges)
    return new IpSet(6, toWords(ranges as bigint[]))
  }

  /** The empty set of a family (one shared instance). */
  static empty(family: Family): IpSet {
    return family === 4 ? EMPTY4 : EMPTY6
  }

  /** Every address of a family: 0.0.0.0/0 or ::/0 (one shared instance). */
  static all(family: Family): IpSet {
    return family === 4 ? ALL4 : ALL6
  }

  /**
   * The union of half-open ranges `[start, end)` of address values (toAddressValue), in any
   * order, overlapping, touching or empty (`end <= start`, skipped). Throws a RangeError with
   * `ERR_IP_RANGE` on a value outside the family's space.
   */
  static fromValueRanges(family: Family, pairs: readonly (readonly [bigint, bigint])[]): IpSet {
    const end = END[family]
    const sorted = pairs.length > 1 ? [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : pairs
    const out: bigint[] = []
    for (const [s, e] of sorted) {
      if (s < 0n || e > end)
        throw Object.assign(
          new RangeError(`[${s}, ${e}) is not a range of IPv${family} address values`),
          { code: 'ERR_IP_RANGE' },
        )
      if (e <= s) continue
      const last = out.length - 1
      if (last > 0 && s <= out[last]!) {
        if (e > out[last]!) out[last] = e
      } else out.push(s, e)
    }
    return new IpSet(family, family === 4 ? out.map(Number) : toWords(out))
  }

  /**
   * The union of IPv4 half-open ranges given flat (`[start, end, ...]`, address values as
   * numbers), in any order, overlapping or touching; no BigInt on the way (a million ranges).
   * The values must be whole numbers with `0 <= start < end <= 2^32`: unchecked, for callers that
   * take them from other sets' bounds.
   */
  static fromIpv4Bounds(bounds: ArrayLike<number>): IpSet {
    const collector = new RangeCollector()
    for (let i = 0; i < bounds.length; i += 2) collector.add4(bounds[i]!, bounds[i + 1]!)
    return new IpSet(4, collector.ranges4())
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
    const listed = list.length > 32 ? listBytesOf(list) : undefined
    let from = 0
    for (let k = 0; k < list.length;) {
      if (listed !== undefined) {
        const { bytes, length } = listed
        const next =
          family === 4
            ? readIpv4Lines(bytes, from, length, collector)
            : readIpv6Lines(bytes, from, length, collector)
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

  /** Whether the set holds every address of its family. */
  get isAll(): boolean {
    return equalRanges(this.#ranges, IpSet.all(this.family).#ranges)
  }

  /** How many disjoint, non-adjacent ranges the set is made of. */
  get rangeCount(): number {
    return this.#ranges.length / WIDTH[this.family]
  }

  /**
   * @internal The ranges `[start, end, ...]`: as held for IPv4 (numbers), as bigints for IPv6
   * (made on the first call, then kept), for the evaluator's sweeps; read-only.
   */
  get bounds(): ArrayLike<number> | ArrayLike<bigint> {
    return this.family === 4 ? this.#ranges : this.#bigints()
  }

  /** The IPv6 bounds as bigints, made once. */
  #bigints(): bigint[] {
    const r = this.#ranges
    this.#values ??= Array.from({ length: r.length / 4 }, (_, i) =>
      toValue6(r as Float64Array, 4 * i),
    )
    return this.#values
  }

  /** The bounds as address values: `[start0, end0, start1, end1, ...]`, each range half-open. */
  toValueRanges(): bigint[] {
    if (this.family === 6) return [...this.#bigints()]
    return Array.from(this.#ranges, (b) => BigInt(b))
  }

  /** The lowest address (a value as toAddressValue gives), or undefined for the empty set. */
  firstValue(): bigint | undefined {
    if (this.isEmpty) return undefined
    return this.family === 4 ? BigInt(this.#ranges[0]!) : toValue6(this.#ranges as Float64Array, 0)
  }

  #same(o: IpSet): Ranges {
    if (o.family !== this.family)
      throw new TypeError(`cannot combine an IPv${this.family} set with an IPv${o.family} set`)
    return o.#ranges
  }

  // The shortcuts below return a set itself: sets are immutable, and the evaluator combines many
  // with the empty and the full set.

  /** Addresses in this set or in `o`. */
  union(o: IpSet): IpSet {
    const r = this.#same(o)
    if (r.length === 0) return this
    if (this.isEmpty) return o
    if (this.family === 6)
      return new IpSet(6, union6(this.#ranges as Float64Array, r as Float64Array))
    return new IpSet(4, unionRanges(this.#ranges, r))
  }

  /** Addresses in this set and not in `o`. */
  difference(o: IpSet): IpSet {
    const r = this.#same(o)
    if (r.length === 0 || this.isEmpty) return this
    if (o.isAll) return IpSet.empty(this.family)
    if (this.isAll) return o.complement()
    return new IpSet(this.family, subtract(this.family, this.#ranges, r))
  }

  /** Addresses in both sets. */
  intersection(o: IpSet): IpSet {
    const r = this.#same(o)
    if (r.length === 0) return o
    if (this.isEmpty || o.isAll) return this
    if (this.isAll) return o
    if (this.family === 6)
      return new IpSet(6, intersect6(this.#ranges as Float64Array, r as Float64Array))
    return new IpSet(4, intersectRanges(this.#ranges, r))
  }

  /** Addresses of the family not in this set. */
  complement(): IpSet {
    if (this.#complement === undefined) {
      const all = IpSet.all(this.family).#ranges
      const complement = new IpSet(this.family, subtract(this.family, all, this.#ranges))
      complement.#complement = this
      this.#complement = complement
    }
    return this.#complement
  }

  /** Whether the two sets share an address. */
  intersects(o: IpSet): boolean {
    return !this.intersection(o).isEmpty
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
    if (this.family === 4) return findRange(this.#ranges, scanned.v4) >= 0
    key6.set(w)
    return findRange6(this.#ranges as Float64Array, key6) >= 0
  }

  /** Whether the set holds the address with this value (toAddressValue); false outside the space. */
  containsValue(value: bigint): boolean {
    if (this.family === 4) return findRange(this.#ranges, Number(value)) >= 0
    writeValue6(value, key6, 0)
    return findRange6(this.#ranges as Float64Array, key6) >= 0
  }

  /** Whether every address of `o` is in this set. */
  covers(o: IpSet): boolean {
    const r = this.#same(o)
    if (this.family === 6) return covers6(this.#ranges as Float64Array, r as Float64Array)
    return coversRanges(this.#ranges, r)
  }

  /** Whether both sets hold exactly the same addresses. */
  equals(o: IpSet): boolean {
    return o.family === this.family && equalRanges(this.#ranges, o.#ranges)
  }

  /**
   * The minimal CIDR cover: the fewest CIDRs whose union is this set, ascending, canonical
   * (network address, explicit prefix; IPv6 per RFC 5952). With `limit`, only its first `limit`
   * CIDRs (a finding's sample of a big set).
   */
  toCidrs(limit = Infinity): string[] {
    if (this.family === 4) return cidrs4(this.#ranges, limit)
    return cidrList6(this.#ranges as Float64Array, limit)
  }

  /**
   * The CIDRs of toCidrs as text, each followed by a line break (`''` for the empty set): for
   * printing a big set, without a string per CIDR (IPv6, and IPv4 where its printer runs as
   * WebAssembly).
   */
  toCidrLines(): string {
    if (this.family === 6) return formatCidrs6(this.#ranges as Float64Array, Infinity)
    return formatIpv4CidrsWasm(this.#ranges) ?? formatCidrs4(this.#ranges)
  }

  /** How many addresses the set holds (up to 2^32 for IPv4, 2^128 for IPv6). */
  addressCount(): bigint {
    const r = this.#ranges
    if (this.family === 6) return count6(r as Float64Array)
    let total = 0
    for (let i = 0; i < r.length; i += 2) total += r[i + 1]! - r[i]!
    return BigInt(total)
  }
}

const EMPTY4 = IpSet.fromRanges(4, new Float64Array(0))
const EMPTY6 = IpSet.fromRanges(6, new Float64Array(0))
const ALL4 = IpSet.fromRanges(4, new Float64Array([0, 2 ** 32]))
const ALL6 = IpSet.fromRanges(6, new Float64Array([0, 0, 0, 0, 2 ** 32, 0, 0, 0]))

/** IPv6 bounds, given as bigints, as words. */
function toWords(values: readonly bigint[]): Float64Array {
  const words = new Float64Array(4 * values.length)
  for (let i = 0; i < values.length; i++) writeValue6(values[i]!, words, 4 * i)
  return words
}

/** a \ b, in the family's own representation. */
function subtract(family: Family, a: Ranges, b: Ranges): Ranges {
  return family === 4 ? subtractRanges(a, b) : subtract6(a as Float64Array, b as Float64Array)
}

function cidrs4(r: Ranges, limit: number): string[] {
  // the Wasm printer prints every range: a sample of a big set is printed here
  const text = limit === Infinity ? formatIpv4CidrsWasm(r) : undefined
  if (text === undefined) {
    const end = writeCidrs4(r, limit)
    // `text4` only now: writing may have grown it.
    return linesOf(text4, end)
  }
  const lines = text.split('\n')
  lines.pop()
  return lines
}

/** Room for printed IPv4 CIDRs; grows. */
let text4 = new Uint8Array(1 << 14)
/** The longest IPv4 CIDR line: 15 characters of address, `/32`, LF. */
const MAX_LINE4 = 19
const decoder = new TextDecoder()

/** The minimal CIDR cover of IPv4 ranges as text, each CIDR followed by LF. */
function formatCidrs4(r: Ranges): string {
  return decoder.decode(text4.subarray(0, writeCidrs4(r, Infinity)))
}

/**
 * Writes the minimal CIDR cover of IPv4 ranges, at most `limit` CIDRs, into `text4`, each CIDR
 * followed by LF (bytes written in one pass, not a string concatenated from parts for each
 * CIDR); returns where they end.
 */
function writeCidrs4(r: Ranges, limit: number): number {
  let at = 0
  let count = 0
  for (let i = 0; i < r.length; i += 2) {
    let s = r[i]!
    const e = r[i + 1]!
    while (s < e && count < limit) {
      // The largest aligned block at s that fits: lowest set bit of s, halved until it fits.
      let size = s === 0 ? 2 ** 32 : (s & -s) >>> 0
      while (size > e - s) size /= 2
      const prefix = size === 2 ** 32 ? 0 : 32 - (31 - Math.clz32(size))
      if (at + MAX_LINE4 > text4.length) {
        const grown = new Uint8Array(2 * text4.length)
        grown.set(text4)
        text4 = grown
      }
      at = writeIpv4Cidr(text4, at, s, prefix)
      count++
      s += size
    }
  }
  return at
}
