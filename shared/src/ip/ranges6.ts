/**
 * @module IPv6 range lists without a bigint per address (internal): the set algebra of ranges.ts,
 * the address count and the minimal CIDR cover, on addresses held as four 32-bit words.
 */
import { linesOf, writeIpv6Cidr } from './format.ts'

/*
 * A list is a Float64Array of half-open ranges, 8 numbers a range: the start's four 32-bit words,
 * most significant first, then the end's; sorted, disjoint and never adjacent. The end 2^128 is
 * [2^32, 0, 0, 0]: a float64 holds that carry, so every bound, that one too, compares word by word.
 */

const TWO_32 = 2 ** 32

/** 2^k for k in 0..32. */
const POW2 = Array.from({ length: 33 }, (_, k) => 2 ** k)

/**
 * Where results are written before they are copied out at their exact size: one array reused by
 * every call, as in ranges.ts, rather than one of the largest size a result may have.
 */
let scratch = new Float64Array(1024)

function room(max: number): Float64Array {
  if (scratch.length < max) scratch = new Float64Array(Math.max(max, 2 * scratch.length))
  return scratch
}

/** The sign of a[i..i+4) - b[j..j+4), as 128-bit values (words are whole, so differences exact). */
function cmp(a: Float64Array, i: number, b: Float64Array, j: number): number {
  return a[i]! - b[j]! || a[i + 1]! - b[j + 1]! || a[i + 2]! - b[j + 2]! || a[i + 3]! - b[j + 3]!
}

/** Copies the bound at from[i..i+4) to to[j..j+4). */
function copy(from: Float64Array, i: number, to: Float64Array, j: number): void {
  to[j] = from[i]!
  to[j + 1] = from[i + 1]!
  to[j + 2] = from[i + 2]!
  to[j + 3] = from[i + 3]!
}

/*
 * Each sweep is a function of its own that ends with its loop and returns a count: V8 compiles a
 * long loop while it runs (on-stack replacement) and enters that code again in later calls, and
 * a call after the loop that had not run by then is compiled without type feedback, to bail out
 * there on every call (seen with --trace-deopt on out.slice and decoder.decode).
 */

/** a ∪ b. */
export function union6(a: Float64Array, b: Float64Array): Float64Array {
  const out = room(a.length + b.length)
  return out.slice(0, writeUnion(a, b, out))
}

/** a ∩ b. */
export function intersect6(a: Float64Array, b: Float64Array): Float64Array {
  const out = room(a.length + b.length)
  return out.slice(0, writeIntersection(a, b, out))
}

/** a \ b. */
export function subtract6(a: Float64Array, b: Float64Array): Float64Array {
  const out = room(a.length + b.length)
  return out.slice(0, writeDifference(a, b, out))
}

function writeUnion(a: Float64Array, b: Float64Array, out: Float64Array): number {
  let n = 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let r: Float64Array
    let k: number
    if (j >= b.length || (i < a.length && cmp(a, i, b, j) <= 0)) {
      r = a
      k = i
      i += 8
    } else {
      r = b
      k = j
      j += 8
    }
    if (n > 0 && cmp(r, k, out, n - 4) <= 0) {
      if (cmp(r, k + 4, out, n - 4) > 0) copy(r, k + 4, out, n - 4)
    } else {
      copy(r, k, out, n)
      copy(r, k + 4, out, n + 4)
      n += 8
    }
  }
  return n
}

function writeIntersection(a: Float64Array, b: Float64Array, out: Float64Array): number {
  let n = 0
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    // The later start and the earlier end.
    const aLater = cmp(a, i, b, j) > 0
    const s = aLater ? a : b
    const si = aLater ? i : j
    const aFirst = cmp(a, i + 4, b, j + 4) < 0
    const e = aFirst ? a : b
    const ei = aFirst ? i + 4 : j + 4
    if (cmp(s, si, e, ei) < 0) {
      copy(s, si, out, n)
      copy(e, ei, out, n + 4)
      n += 8
    }
    if (aFirst) i += 8
    else j += 8
  }
  return n
}

function writeDifference(a: Float64Array, b: Float64Array, out: Float64Array): number {
  let n = 0
  let j = 0
  for (let i = 0; i < a.length; i += 8) {
    // The start of what is left of a's range: s[si..si+4).
    let s = a
    let si = i
    while (j < b.length && cmp(b, j + 4, a, i) <= 0) j += 8
    for (let k = j; k < b.length && cmp(b, k, a, i + 4) < 0; k += 8) {
      if (cmp(b, k, s, si) > 0) {
        copy(s, si, out, n)
        copy(b, k, out, n + 4)
        n += 8
      }
      // b's end is past s: the loop above skipped the ranges ending by a's start, and b is sorted.
      s = b
      si = k + 4
      if (cmp(s, si, a, i + 4) >= 0) break
    }
    if (cmp(s, si, a, i + 4) < 0) {
      copy(s, si, out, n)
      copy(a, i + 4, out, n + 4)
      n += 8
    }
  }
  return n
}

/** Whether every range of b lies inside a range of a. */
export function covers6(a: Float64Array, b: Float64Array): boolean {
  let i = 0
  for (let j = 0; j < b.length; j += 8) {
    while (i < a.length && cmp(a, i + 4, b, j) <= 0) i += 8
    if (i >= a.length || cmp(a, i, b, j) > 0 || cmp(a, i + 4, b, j + 4) < 0) return false
  }
  return true
}

/** Index of the range holding the address in x[0..4), or -1 (binary search on the starts). */
export function findRange6(r: Float64Array, x: Float64Array): number {
  let lo = 0
  let hi = r.length / 8 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (cmp(r, 8 * mid, x, 0) <= 0) lo = mid + 1
    else hi = mid - 1
  }
  return hi >= 0 && cmp(x, 0, r, 8 * hi + 4) < 0 ? hi : -1
}

/** Ranges per partial count: each word's sum stays below 2^53 (exact) over this many. */
const COUNT_CHUNK = 1 << 20

/** How many addresses the ranges hold. */
export function count6(r: Float64Array): bigint {
  let total = 0n
  for (let from = 0; from < r.length; from += 8 * COUNT_CHUNK) {
    const to = Math.min(r.length, from + 8 * COUNT_CHUNK)
    for (let k = 0; k < 4; k++) total += BigInt(sumWord(r, from, to, k)) << BigInt(96 - 32 * k)
  }
  return total
}

/** Over the ranges in r[from..to), the sum of end - start in word k: terms within ±2^32. */
function sumWord(r: Float64Array, from: number, to: number, k: number): number {
  let sum = 0
  for (let i = from + k; i < to; i += 8) sum += r[i + 4]! - r[i]!
  return sum
}

/** A bound as a bigint (2^128 too). */
export function toValue6(r: Float64Array, i: number): bigint {
  return (
    (BigInt(r[i]!) << 96n) |
    (BigInt(r[i + 1]!) << 64n) |
    (BigInt(r[i + 2]!) << 32n) |
    BigInt(r[i + 3]!)
  )
}

/**
 * Writes `value` (0 to 2^128) into r[i..i+4) as words. A value outside that space (the caller's
 * containsValue) keeps its order against every bound: a negative one has a negative first word,
 * one above 2^128 a first word above 2^32.
 */
export function writeValue6(value: bigint, r: Float64Array, i: number): void {
  r[i] = Number(value >> 96n)
  r[i + 1] = Number(BigInt.asUintN(32, value >> 64n))
  r[i + 2] = Number(BigInt.asUintN(32, value >> 32n))
  r[i + 3] = Number(BigInt.asUintN(32, value))
}

/** The CIDR printed last: the block's start, moved on by each block. */
const cursor = new Float64Array(4)
/** Room for printed CIDRs; grows. */
let text = new Uint8Array(1 << 14)
/** The longest CIDR line: 39 characters of address, `/128`, LF. */
const MAX_LINE = 44
const decoder = new TextDecoder()

/**
 * The minimal CIDR cover of the ranges, at most `limit` CIDRs, as text: each CIDR then LF. One
 * string decoded from bytes written in one pass, not a string built from parts for each CIDR.
 */
export function formatCidrs6(r: Float64Array, limit: number): string {
  const end = writeCidrs(r, limit)
  // `text` only now: writing may have grown it.
  return decoder.decode(text.subarray(0, end))
}

/** The CIDRs of formatCidrs6, one string each (IpSet.toCidrs), never one string of them all. */
export function cidrList6(r: Float64Array, limit: number): string[] {
  const end = writeCidrs(r, limit)
  // `text` only now: writing may have grown it.
  return linesOf(text, end)
}

/** Writes the CIDR lines of formatCidrs6 into `text`; returns where they end. */
function writeCidrs(r: Float64Array, limit: number): number {
  const s = cursor
  let at = 0
  let count = 0
  for (let i = 0; i < r.length && count < limit; i += 8) {
    copy(r, i, s, 0)
    while (count < limit && cmp(s, 0, r, i + 4) < 0) {
      // The largest aligned block at s that fits: 2^bits, bits the lesser of s's trailing zeros
      // and the floor of log2(end - s).
      const bits = Math.min(trailingZeros(s), floorLog2Gap(s, r, i + 4))
      if (at + MAX_LINE > text.length) {
        const grown = new Uint8Array(2 * text.length)
        grown.set(text)
        text = grown
      }
      at = writeIpv6Cidr(text, at, s, 128 - bits)
      count++
      addPow2(s, bits)
    }
  }
  return at
}

/** How many low zero bits the address s[0..4) has (128 for ::). */
function trailingZeros(s: Float64Array): number {
  for (let k = 3; k >= 0; k--) {
    const word = s[k]!
    if (word !== 0) return 32 * (3 - k) + 31 - Math.clz32(word & -word)
  }
  return 128
}

/** floor(log2(e - s)) for s[0..4) below the bound e[j..j+4). */
function floorLog2Gap(s: Float64Array, e: Float64Array, j: number): number {
  let borrow = 0
  let top = 0
  let topWord = 0
  for (let k = 3; k >= 0; k--) {
    let d = e[j + k]! - s[k]! - borrow
    borrow = d < 0 ? 1 : 0
    if (d < 0) d += TWO_32
    if (d !== 0) {
      top = k
      topWord = d
    }
  }
  // The first word of 2^128 - 0 is 2^32, beyond clz32.
  return 32 * (3 - top) + (topWord === TWO_32 ? 32 : 31 - Math.clz32(topWord))
}

/** s += 2^bits, for s aligned to 2^bits (bits up to 128: the first word may become 2^32). */
function addPow2(s: Float64Array, bits: number): void {
  const k = Math.max(0, 3 - (bits >> 5))
  s[k] = s[k]! + POW2[bits - 32 * (3 - k)]!
  for (let c = k; c > 0 && s[c] === TWO_32; c--) {
    s[c] = 0
    s[c - 1] = s[c - 1]! + 1
  }
}
