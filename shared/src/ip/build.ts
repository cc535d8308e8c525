/**
 * @module Turning many parsed CIDRs into normalised ranges fast (internal): growable typed
 * arrays, an LSD radix sort (no comparator calls), one coalescing sweep. Neither family touches
 * BigInt: IPv6 is sorted and merged as 32-bit words, and kept as words (see ranges6.ts).
 */
import { scanned, w } from './scan.ts'

/** A 32-bit word of an IPv6 address, most significant first (unsigned, in a number). */
type U32 = number

/** 2^k for k in 0..32, exact in a float64. */
const POW2 = Array.from({ length: 33 }, (_, k) => 2 ** k)

/**
 * Collects scanned CIDRs of both families. IPv4 entries become half-open ranges `[start, end)`
 * in a Float64Array, coalesced on the fly with the previous range while the input is sorted (as
 * published lists are), so a sorted list is normalised in one pass; unsorted input is radix-sorted
 * at the end.
 */
export class RangeCollector {
  /** IPv4 ranges, flat pairs; `n4` pairs used. */
  r4 = new Float64Array(2048)
  n4 = 0
  /** Whether some IPv4 range started before the previous one. */
  unsorted4 = false
  /** IPv6 ranges as unsigned 32-bit words, 8 a range: start (4 words), inclusive end (4 words). */
  r6 = new Uint32Array(8 * 64)
  n6 = 0
  /** Whether some IPv6 range started before the previous one. */
  unsorted6 = false

  /** Adds what `scan()` left in its registers. */
  addScanned(): void {
    if (scanned.family === 4) this.add4(scanned.v4, scanned.v4 + POW2[32 - scanned.prefix]!)
    else this.add6(w, scanned.prefix)
  }

  /** Adds the IPv4 range [start, end). */
  add4(start: number, end: number): void {
    const n = this.n4
    if (n > 0) {
      const lastStart = this.r4[2 * n - 2]!
      const lastEnd = this.r4[2 * n - 1]!
      if (start >= lastStart && start <= lastEnd) {
        if (end > lastEnd) this.r4[2 * n - 1] = end
        return
      }
      if (start < lastStart) this.unsorted4 = true
    }
    if (2 * n === this.r4.length) this.grow4()
    this.r4[2 * n] = start
    this.r4[2 * n + 1] = end
    this.n4 = n + 1
  }

  /** Doubles the room for IPv4 ranges. */
  grow4(): void {
    const r = new Float64Array(this.r4.length * 2)
    r.set(this.r4)
    this.r4 = r
  }

  /** Doubles the room for IPv6 ranges. */
  grow6(): void {
    const r = new Uint32Array(this.r6.length * 2)
    r.set(this.r6)
    this.r6 = r
  }

  /** Adds the IPv6 CIDR of network `words` (host bits clear) and `prefix`. */
  add6(words: ArrayLike<number>, prefix: number): void {
    const a0 = words[0]!
    const a1 = words[1]!
    const a2 = words[2]!
    const a3 = words[3]!
    this.add6Range(
      a0,
      a1,
      a2,
      a3,
      (a0 | hostMask(prefix, 0)) >>> 0,
      (a1 | hostMask(prefix, 1)) >>> 0,
      (a2 | hostMask(prefix, 2)) >>> 0,
      (a3 | hostMask(prefix, 3)) >>> 0,
    )
  }

  /** Adds the IPv6 range [a, e] (e inclusive), merging it into the last range where they touch. */
  add6Range(a0: U32, a1: U32, a2: U32, a3: U32, e0: U32, e1: U32, e2: U32, e3: U32): void {
    const r = this.r6
    const o = 8 * this.n6 - 8
    if (o >= 0) {
      const order = cmp(a0, a1, a2, a3, r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!)
      if (order >= 0 && startsBy(a0, a1, a2, a3, r[o + 4]!, r[o + 5]!, r[o + 6]!, r[o + 7]!)) {
        if (cmp(e0, e1, e2, e3, r[o + 4]!, r[o + 5]!, r[o + 6]!, r[o + 7]!) > 0) {
          r[o + 4] = e0
          r[o + 5] = e1
          r[o + 6] = e2
          r[o + 7] = e3
        }
        return
      }
      if (order < 0) this.unsorted6 = true
    }
    if (o + 16 > r.length) this.grow6()
    const w = this.r6
    w[o + 8] = a0
    w[o + 9] = a1
    w[o + 10] = a2
    w[o + 11] = a3
    w[o + 12] = e0
    w[o + 13] = e1
    w[o + 14] = e2
    w[o + 15] = e3
    this.n6++
  }

  /** The IPv4 entries as normalised half-open ranges. */
  ranges4(): Float64Array {
    if (!this.unsorted4) return this.r4.slice(0, 2 * this.n4)
    return mergeIpv4(this.r4, this.n4)
  }

  /** The IPv6 entries as normalised half-open ranges of words (see ranges6.ts). */
  ranges6(): Float64Array {
    let r = this.r6
    let n = this.n6
    if (this.unsorted6) {
      // Sort, then coalesce again through add6Range into a fresh collector.
      const order = radixOrder6(r, n)
      const sorted = new RangeCollector()
      for (let i = 0; i < n; i++) {
        const o = 8 * order[i]!
        sorted.add6Range(
          r[o]!,
          r[o + 1]!,
          r[o + 2]!,
          r[o + 3]!,
          r[o + 4]!,
          r[o + 5]!,
          r[o + 6]!,
          r[o + 7]!,
        )
      }
      r = sorted.r6
      n = sorted.n6
    }
    const out = new Float64Array(8 * n)
    out.set(r.subarray(0, 8 * n))
    // Inclusive ends to half-open ones: + 1, carried (the end of ffff:...:ffff is [2^32, 0, 0, 0]).
    for (let o = 4; o < 8 * n; o += 8) {
      let k = o + 3
      while (k > o && out[k] === 0xffffffff) out[k--] = 0
      out[k] = out[k]! + 1
    }
    return out
  }
}

/** Below this many ranges a comparison sort beats the radix sort's two 65,536-entry tables. */
const RADIX_FROM = 2048

/**
 * The radix sorts' tables and buffers, kept between calls once made (the sorts are synchronous,
 * so no two use them at once): made per call they were half a megabyte or more of fresh memory
 * outside V8's heap at each sync of a large feed, zeroed anew, and freed only when V8 collected
 * their arrays. A buffer of more than KEPT numbers (65,536 IPv4 ranges sorted: a benchmark's list,
 * a hostile one) is not kept.
 */
let tables: { lo: Uint32Array; hi: Uint32Array } | undefined
const counts = new Uint32Array(16 * 256)
const KEPT = 1 << 18
let pairs = new Float64Array(0)
let orders = new Uint32Array(0)

/** Room for `length` numbers: `kept` when it has it, else new (and kept if not over KEPT). */
function room<T extends Float64Array | Uint32Array>(
  kept: T,
  length: number,
  make: (n: number) => T,
) {
  if (kept.length >= length) return { room: kept, kept }
  const made = make(length)
  return { room: made, kept: length <= KEPT ? made : kept }
}

/**
 * Sorts n ranges (flat pairs) by start: two counting passes over 16-bit digits of the start, or
 * a comparison sort of the starts for short lists (most feeds are short). The result is valid
 * until the next call (it may be kept memory).
 */
function radixSort4(r: Float64Array, n: number): Float64Array {
  if (n < RADIX_FROM) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => r[2 * a]! - r[2 * b]!)
    const out = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) {
      out[2 * i] = r[2 * order[i]!]!
      out[2 * i + 1] = r[2 * order[i]! + 1]!
    }
    return out
  }
  tables ??= { lo: new Uint32Array(65536), hi: new Uint32Array(65536) }
  const { lo, hi } = tables
  lo.fill(0)
  hi.fill(0)
  const pass = room(pairs, 4 * n, (k) => new Float64Array(k))
  pairs = pass.kept
  for (let i = 0; i < n; i++) {
    const s = r[2 * i]!
    lo[s & 0xffff] = lo[s & 0xffff]! + 1
    hi[s >>> 16] = hi[s >>> 16]! + 1
  }
  let sumLo = 0
  let sumHi = 0
  for (let d = 0; d < 65536; d++) {
    const cl = lo[d]!
    lo[d] = sumLo
    sumLo += cl
    const ch = hi[d]!
    hi[d] = sumHi
    sumHi += ch
  }
  const tmp = pass.room.subarray(0, 2 * n)
  for (let i = 0; i < n; i++) {
    const s = r[2 * i]!
    const at = lo[s & 0xffff]!
    lo[s & 0xffff] = at + 1
    tmp[2 * at] = s
    tmp[2 * at + 1] = r[2 * i + 1]!
  }
  const out = pass.room.subarray(2 * n, 4 * n)
  for (let i = 0; i < n; i++) {
    const s = tmp[2 * i]!
    const at = hi[s >>> 16]!
    hi[s >>> 16] = at + 1
    out[2 * at] = s
    out[2 * at + 1] = tmp[2 * i + 1]!
  }
  return out
}

/** Sorts and coalesces n >= 1 IPv4 ranges (flat half-open pairs) into normalised ranges. */
function mergeIpv4(ranges: Float64Array, n: number): Float64Array {
  const r = radixSort4(ranges, n)
  let m = 0
  let s = r[0]!
  let e = r[1]!
  for (let i = 1; i < n; i++) {
    const ns = r[2 * i]!
    const ne = r[2 * i + 1]!
    if (ns <= e) {
      if (ne > e) e = ne
    } else {
      r[m++] = s
      r[m++] = e
      s = ns
      e = ne
    }
  }
  r[m++] = s
  r[m++] = e
  return r.slice(0, m)
}

/**
 * The order of n IPv6 ranges (8 words each) by their 128-bit start: LSD radix on bytes, skipping
 * bytes that every start shares. Valid until the next call (kept memory).
 */
function radixOrder6(words: Uint32Array, n: number): Uint32Array {
  const both = room(orders, 2 * n, (k) => new Uint32Array(k))
  orders = both.kept
  let order = both.room.subarray(0, n)
  let next = both.room.subarray(n, 2 * n)
  for (let i = 0; i < n; i++) order[i] = i
  counts.fill(0)
  for (let i = 0; i < n; i++) {
    const o = 8 * i
    for (let k = 0; k < 4; k++) {
      const v = words[o + 3 - k]!
      const base = k * 1024
      bump(counts, base + (v & 255))
      bump(counts, base + 256 + ((v >>> 8) & 255))
      bump(counts, base + 512 + ((v >>> 16) & 255))
      bump(counts, base + 768 + (v >>> 24))
    }
  }
  for (let d = 0; d < 16; d++) {
    const base = d * 256
    const word = 3 - (d >> 2)
    const shift = (d & 3) * 8
    const firstDigit = (words[word]! >>> shift) & 255
    if (counts[base + firstDigit] === n) continue
    let sum = 0
    for (let b = 0; b < 256; b++) {
      const c = counts[base + b]!
      counts[base + b] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const idx = order[i]!
      const slot = base + ((words[8 * idx + word]! >>> shift) & 255)
      const at = counts[slot]!
      counts[slot] = at + 1
      next[at] = idx
    }
    const t = order
    order = next
    next = t
  }
  return order
}

function bump(counts: Uint32Array, slot: number): void {
  counts[slot] = counts[slot]! + 1
}

/**
 * Whether a range starting at a touches or overlaps one ending (inclusive) at e: a <= e + 1.
 * An e of all ones swallows everything after it.
 */
function startsBy(a0: U32, a1: U32, a2: U32, a3: U32, e0: U32, e1: U32, e2: U32, e3: U32): boolean {
  const c = cmp(a0, a1, a2, a3, e0, e1, e2, e3)
  if (c <= 0) return true
  // a > e: touching means a = e + 1, i.e. a - 1 = e (a > e, so a is not zero).
  if (a3 !== 0) return a3 - 1 === e3 && a2 === e2 && a1 === e1 && a0 === e0
  if (e3 !== 0xffffffff) return false
  if (a2 !== 0) return a2 - 1 === e2 && a1 === e1 && a0 === e0
  if (e2 !== 0xffffffff) return false
  if (a1 !== 0) return a1 - 1 === e1 && a0 === e0
  if (e1 !== 0xffffffff) return false
  return a0 - 1 === e0
}

/** Host bits of `word` (0-3) under `prefix`, as an unsigned 32-bit mask. */
export function hostMask(prefix: number, word: number): number {
  const bits = prefix - 32 * word
  if (bits >= 32) return 0
  if (bits <= 0) return 0xffffffff
  return 0xffffffff >>> bits
}

function cmp(a0: U32, a1: U32, a2: U32, a3: U32, b0: U32, b1: U32, b2: U32, b3: U32): number {
  if (a0 !== b0) return a0 < b0 ? -1 : 1
  if (a1 !== b1) return a1 < b1 ? -1 : 1
  if (a2 !== b2) return a2 < b2 ? -1 : 1
  if (a3 !== b3) return a3 < b3 ? -1 : 1
  return 0
}
