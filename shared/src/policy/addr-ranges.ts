/**
 * @module The evaluator's address sets: one family, sorted disjoint half-open bigint ranges, with
 * a single sweep for union, intersection and difference. Kept inside policy/ so that a rule's
 * sets compile once and the evaluator's inner loop allocates little. Addresses are parsed and
 * printed by the IP engine (shared/src/ip), never by a grammar of this folder's own.
 */
import { formatAddressValue, toAddressValue } from '../ip/index.ts'

/** An address family. */
export type AddrFamily = 4 | 6

const BITS: Record<AddrFamily, bigint> = { 4: 32n, 6: 128n }

/** An immutable set of addresses of one family. */
export class AddrRanges {
  readonly family: AddrFamily
  /** Boundaries `[s0, e0, s1, e1, ...]`, each range `[s, e)`, ascending, disjoint, not touching. */
  readonly bounds: readonly bigint[]
  private constructor(family: AddrFamily, bounds: readonly bigint[]) {
    this.family = family
    this.bounds = bounds
  }
  static empty(family: AddrFamily): AddrRanges {
    return family === 4 ? EMPTY4 : EMPTY6
  }
  static all(family: AddrFamily): AddrRanges {
    return family === 4 ? ALL4 : ALL6
  }
  /** From `[start, end)` pairs in any order, overlapping or not. */
  static fromPairs(family: AddrFamily, pairs: readonly (readonly [bigint, bigint])[]): AddrRanges {
    // one range (a rule's `-s 192.0.2.7`): no sort, no copies
    if (pairs.length === 1) {
      const [s, e] = pairs[0]!
      return e > s ? new AddrRanges(family, [s, e]) : AddrRanges.empty(family)
    }
    const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    const out: bigint[] = []
    for (const [s, e] of sorted) {
      if (e <= s) continue
      const last = out.length - 1
      if (last > 0 && s <= out[last]!) {
        if (e > out[last]!) out[last] = e
      } else out.push(s, e)
    }
    // push grows an array's store ahead (to 17 slots at the first push): a copy holds only what
    // is used, which a dump's million one-range sets notice
    return new AddrRanges(family, out.slice())
  }
  /** From CIDR texts (host bits cleared); throws a TypeError naming a bad one. */
  static fromCidrs(family: AddrFamily, cidrs: Iterable<string>): AddrRanges {
    const pairs: [bigint, bigint][] = []
    for (const c of cidrs) {
      const p = parseCidrRange(c)
      if (p === undefined || p.family !== family)
        throw new TypeError(`'${c}' is not an IPv${family} address or CIDR`)
      pairs.push([p.start, p.end])
    }
    return AddrRanges.fromPairs(family, pairs)
  }
  get isEmpty(): boolean {
    return this.bounds.length === 0
  }
  get isAll(): boolean {
    return (
      this.bounds.length === 2 &&
      this.bounds[0] === 0n &&
      this.bounds[1] === 1n << BITS[this.family]
    )
  }
  union(o: AddrRanges): AddrRanges {
    if (o.isEmpty) return this
    if (this.isEmpty) return o
    return this.combine(o, (a, b) => a || b)
  }
  intersection(o: AddrRanges): AddrRanges {
    if (o.isEmpty || this.isEmpty) return AddrRanges.empty(this.family)
    if (o.isAll) return this
    if (this.isAll) return o
    return this.combine(o, (a, b) => a && b)
  }
  difference(o: AddrRanges): AddrRanges {
    if (o.isEmpty || this.isEmpty) return this
    if (o.isAll) return AddrRanges.empty(this.family)
    return this.combine(o, (a, b) => a && !b)
  }
  complement(): AddrRanges {
    return AddrRanges.all(this.family).difference(this)
  }
  covers(o: AddrRanges): boolean {
    return o.difference(this).isEmpty
  }
  intersects(o: AddrRanges): boolean {
    return !this.intersection(o).isEmpty
  }
  equals(o: AddrRanges): boolean {
    return this.bounds.length === o.bounds.length && this.bounds.every((b, i) => b === o.bounds[i])
  }
  contains(address: bigint): boolean {
    const b = this.bounds
    let lo = 0
    let hi = b.length / 2 - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (address < b[2 * mid]!) hi = mid - 1
      else if (address >= b[2 * mid + 1]!) lo = mid + 1
      else return true
    }
    return false
  }
  /** Whether the address (text) is in the set; false for a bad address or the other family. */
  containsAddress(text: string): boolean {
    const v = this.family === 4 ? parseIpv4(text) : parseIpv6(text)
    return v !== undefined && this.contains(v)
  }
  /** The number of addresses. */
  size(): bigint {
    let n = 0n
    for (let i = 0; i < this.bounds.length; i += 2) n += this.bounds[i + 1]! - this.bounds[i]!
    return n
  }
  /** How many disjoint ranges the set is made of. */
  get rangeCount(): number {
    return this.bounds.length / 2
  }
  /** The minimal CIDR cover, ascending, canonical; with `limit`, only its first `limit` CIDRs. */
  toCidrs(limit = Infinity): string[] {
    const out: string[] = []
    const bits = BITS[this.family]
    for (let i = 0; i < this.bounds.length; i += 2) {
      let s = this.bounds[i]!
      const e = this.bounds[i + 1]!
      while (s < e) {
        if (out.length >= limit) return out
        let size = s === 0n ? 1n << bits : s & -s
        while (size > e - s) size >>= 1n
        let prefix = bits
        for (let z = size; z > 1n; z >>= 1n) prefix--
        out.push(`${formatAddress(this.family, s)}/${prefix}`)
        s += size
      }
    }
    return out
  }
  private combine(o: AddrRanges, op: (a: boolean, b: boolean) => boolean): AddrRanges {
    const a = this.bounds
    const b = o.bounds
    const out: bigint[] = []
    let i = 0
    let j = 0
    let inA = false
    let inB = false
    let inOut = false
    while (i < a.length || j < b.length) {
      let x: bigint
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        x = a[i]!
        if (j < b.length && b[j] === x) {
          inB = !inB
          j++
        }
        inA = !inA
        i++
      } else {
        x = b[j]!
        inB = !inB
        j++
      }
      // x strictly ascends (a boundary both sets share is taken once), so no range is empty
      const now = op(inA, inB)
      if (now !== inOut) {
        out.push(x)
        inOut = now
      }
    }
    return new AddrRanges(this.family, out)
  }
}

const EMPTY4 = AddrRanges.fromPairs(4, [])
const EMPTY6 = AddrRanges.fromPairs(6, [])
const ALL4 = AddrRanges.fromPairs(4, [[0n, 1n << 32n]])
const ALL6 = AddrRanges.fromPairs(6, [[0n, 1n << 128n]])

/** Parses an IPv4 address with the IP engine's strict rules; undefined if it is not one. */
export function parseIpv4(text: string): bigint | undefined {
  const a = toAddressValue(text)
  return a?.family === 4 ? a.value : undefined
}

/** Parses an IPv6 address with the IP engine's strict rules; undefined if it is not one. */
export function parseIpv6(text: string): bigint | undefined {
  const a = toAddressValue(text)
  return a?.family === 6 ? a.value : undefined
}

/** A CIDR or bare address as a half-open range (host bits cleared); undefined if it is neither. */
export function parseCidrRange(
  text: string,
): { family: AddrFamily; start: bigint; end: bigint } | undefined {
  const slash = text.indexOf('/')
  const addrText = slash < 0 ? text : text.slice(0, slash)
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1)
  const v4 = parseIpv4(addrText)
  const family: AddrFamily | undefined =
    v4 !== undefined ? 4 : parseIpv6(addrText) !== undefined ? 6 : undefined
  if (family === undefined) return undefined
  const addr = v4 ?? parseIpv6(addrText)!
  const bits = BITS[family]
  let prefix = bits
  if (prefixText !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
      // iptables-save may print a dotted netmask: 10.0.0.0/255.0.0.0
      const mask = family === 4 ? parseIpv4(prefixText) : undefined
      if (mask === undefined) return undefined
      let p = 0n
      while (p < 32n && ((mask >> (31n - p)) & 1n) === 1n) p++
      if (((0xffffffffn << (32n - p)) & 0xffffffffn) !== mask) return undefined
      prefix = p
    } else prefix = BigInt(prefixText)
    if (prefix > bits) return undefined
  }
  const size = 1n << (bits - prefix)
  const start = addr & ~(size - 1n)
  return { family, start, end: start + size }
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6 (the IP engine's printer). */
export function formatAddress(family: AddrFamily, v: bigint): string {
  return formatAddressValue(family, v)
}
