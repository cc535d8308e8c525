/**
 * @module Turning many parsed CIDRs into normalised ranges fast (internal): growable typed
 * arrays, an LSD radix sort (no comparator calls), one coalescing sweep. IPv4 never touches
 * BigInt; IPv6 is sorted and merged as 32-bit words and only the merged ranges become bigints.
 */
import { scanned, w } from './scan.ts'

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
  n6 = 0
  words6 = new Uint32Array(4 * 256)
  prefixes6 = new Uint8Array(256)

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

  add6(words: ArrayLike<number>, prefix: number): void {
    if (this.n6 === this.prefixes6.length) {
      const s = new Uint32Array(this.n6 * 8)
      s.set(this.words6)
      this.words6 = s
      const p = new Uint8Array(this.n6 * 2)
      p.set(this.prefixes6)
      this.prefixes6 = p
    }
    const o = this.n6 * 4
    this.words6[o] = words[0]!
    this.words6[o + 1] = words[1]!
    this.words6[o + 2] = words[2]!
    this.words6[o + 3] = words[3]!
    this.prefixes6[this.n6++] = prefix
  }

  /** The IPv4 entries as normalised half-open ranges. */
  ranges4(): Float64Array {
    if (!this.unsorted4) return this.r4.slice(0, 2 * this.n4)
    return mergeIpv4(this.r4, this.n4)
  }

  /** The IPv6 entries as normalised half-open ranges. */
  ranges6(): bigint[] {
    return mergeIpv6(this.words6, this.prefixes6, this.n6)
  }
}

/** Sorts n ranges (flat pairs) by start: two counting passes over 16-bit digits of the start. */
function radixSort4(r: Float64Array, n: number): Float64Array {
  const lo = new Uint32Array(65536)
  const hi = new Uint32Array(65536)
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
  const tmp = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    const s = r[2 * i]!
    const at = lo[s & 0xffff]!
    lo[s & 0xffff] = at + 1
    tmp[2 * at] = s
    tmp[2 * at + 1] = r[2 * i + 1]!
  }
  const out = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    const s = tmp[2 * i]!
    const at = hi[s >>> 16]!
    hi[s >>> 16] = at + 1
    out[2 * at] = s
    out[2 * at + 1] = tmp[2 * i + 1]!
  }
  return out
}

/** Sorts and coalesces n IPv4 ranges (flat half-open pairs) into normalised ranges. */
export function mergeIpv4(ranges: Float64Array, n: number): Float64Array {
  if (n === 0) return new Float64Array(0)
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

/** Sorts IPv6 entries by their 128-bit start: LSD radix on bytes, skipping uniform bytes. */
function radixOrder6(words: Uint32Array, n: number): Uint32Array {
  let order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const counts = new Uint32Array(16 * 256)
  for (let i = 0; i < n; i++) {
    const o = 4 * i
    for (let k = 0; k < 4; k++) {
      const v = words[o + 3 - k]!
      const base = k * 1024
      bump(counts, base + (v & 255))
      bump(counts, base + 256 + ((v >>> 8) & 255))
      bump(counts, base + 512 + ((v >>> 16) & 255))
      bump(counts, base + 768 + (v >>> 24))
    }
  }
  let next = new Uint32Array(n)
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
      const slot = base + ((words[4 * idx + word]! >>> shift) & 255)
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

function toBigint(a: number, b: number, c: number, d: number): bigint {
  if ((b | c | d) === 0) return BigInt(a) << 96n
  return (BigInt(a) << 96n) | (BigInt(b) << 64n) | (BigInt(c) << 32n) | BigInt(d)
}

/** Sorts and coalesces IPv6 CIDRs (host bits already clear) into half-open bigint ranges. */
export function mergeIpv6(words: Uint32Array, prefixes: Uint8Array, n: number): bigint[] {
  const out: bigint[] = []
  if (n === 0) return out
  const order = radixOrder6(words, n)
  // The current range: start s0..s3 and inclusive end e0..e3, as unsigned 32-bit words.
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let e0 = 0
  let e1 = 0
  let e2 = 0
  let e3 = 0
  let open = false
  for (let i = 0; i < n; i++) {
    const idx = order[i]!
    const o = 4 * idx
    const p = prefixes[idx]!
    const a0 = words[o]!
    const a1 = words[o + 1]!
    const a2 = words[o + 2]!
    const a3 = words[o + 3]!
    const b0 = (a0 | hostMask(p, 0)) >>> 0
    const b1 = (a1 | hostMask(p, 1)) >>> 0
    const b2 = (a2 | hostMask(p, 2)) >>> 0
    const b3 = (a3 | hostMask(p, 3)) >>> 0
    if (open) {
      // Does a start at or before e + 1? (e + 1 computed with carries; all-ones e swallows all.)
      let t3 = e3 + 1
      let t2 = e2
      let t1 = e1
      let t0 = e0
      let overflow = false
      if (t3 > 0xffffffff) {
        t3 = 0
        t2++
        if (t2 > 0xffffffff) {
          t2 = 0
          t1++
          if (t1 > 0xffffffff) {
            t1 = 0
            t0++
            if (t0 > 0xffffffff) overflow = true
          }
        }
      }
      if (overflow || cmp(a0, a1, a2, a3, t0, t1, t2, t3) <= 0) {
        if (cmp(b0, b1, b2, b3, e0, e1, e2, e3) > 0) {
          e0 = b0
          e1 = b1
          e2 = b2
          e3 = b3
        }
        continue
      }
      out.push(toBigint(s0, s1, s2, s3), toBigint(e0, e1, e2, e3) + 1n)
    }
    open = true
    s0 = a0
    s1 = a1
    s2 = a2
    s3 = a3
    e0 = b0
    e1 = b1
    e2 = b2
    e3 = b3
  }
  out.push(toBigint(s0, s1, s2, s3), toBigint(e0, e1, e2, e3) + 1n)
  return out
}

function hostMask(prefix: number, word: number): number {
  const bits = prefix - 32 * word
  if (bits >= 32) return 0
  if (bits <= 0) return 0xffffffff
  return 0xffffffff >>> bits
}

function cmp(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
): number {
  if (a0 !== b0) return a0 < b0 ? -1 : 1
  if (a1 !== b1) return a1 < b1 ? -1 : 1
  if (a2 !== b2) return a2 < b2 ? -1 : 1
  if (a3 !== b3) return a3 < b3 ? -1 : 1
  return 0
}
