/**
 * @module Set algebra on normalised IPv4 range lists (internal): flat arrays `[start0, end0,
 * start1, end1, ...]` of half-open ranges, sorted, disjoint and never adjacent; each operation is
 * a single linear sweep. IPv6 has its own, on words: ranges6.ts.
 */

/** A range list: a Float64Array, or a plain array for a short result. */
type Ranges = Float64Array | number[]

/** Results of IPv4 set algebra that may be longer than this are written into a Float64Array. */
const TYPED_FROM = 64

/** Where long IPv4 results are written before they are copied out at their exact size. */
let scratch = new Float64Array(1024)

/**
 * Room for a result of at most `max` bounds. Long results are written into one scratch
 * Float64Array reused by every call, then copied out at their exact size ({@link done}): a plain
 * array that grows by push leaves its outgrown copies as garbage, in the old generation once
 * they are large, and the evaluator makes thousands of such sets. Short results: an array.
 */
function room(max: number): Ranges {
  if (max <= TYPED_FROM) return []
  if (scratch.length < max) scratch = new Float64Array(Math.max(max, 2 * scratch.length))
  return scratch
}

/** The first `n` bounds written into `out`: a Float64Array of its own for a long result. */
function done(out: Ranges, n: number): Ranges {
  if (out !== scratch) return out
  return n > TYPED_FROM ? scratch.slice(0, n) : Array.from(scratch.subarray(0, n))
}

/** a ∪ b. */
export function unionRanges(a: Ranges, b: Ranges): Ranges {
  const out = room(a.length + b.length)
  let n = 0
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let s: number
    let e: number
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      s = a[i]!
      e = a[i + 1]!
      i += 2
    } else {
      s = b[j]!
      e = b[j + 1]!
      j += 2
    }
    if (n > 0 && s <= out[n - 1]!) {
      if (e > out[n - 1]!) out[n - 1] = e
    } else {
      out[n++] = s
      out[n++] = e
    }
  }
  return done(out, n)
}

/** a ∩ b. */
export function intersectRanges(a: Ranges, b: Ranges): Ranges {
  const out = room(a.length + b.length)
  let n = 0
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const s = a[i]! > b[j]! ? a[i]! : b[j]!
    const e = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!
    if (s < e) {
      out[n++] = s
      out[n++] = e
    }
    if (a[i + 1]! < b[j + 1]!) i += 2
    else j += 2
  }
  return done(out, n)
}

/** a \ b. */
export function subtractRanges(a: Ranges, b: Ranges): Ranges {
  const out = room(a.length + b.length)
  let n = 0
  let j = 0
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]!
    const e = a[i + 1]!
    while (j < b.length && b[j + 1]! <= s) j += 2
    for (let k = j; k < b.length && b[k]! < e; k += 2) {
      if (b[k]! > s) {
        out[n++] = s
        out[n++] = b[k]!
      }
      // b[k + 1] > s: the loop above skipped the ranges ending by s, and b is sorted.
      s = b[k + 1]!
      if (s >= e) break
    }
    if (s < e) {
      out[n++] = s
      out[n++] = e
    }
  }
  return done(out, n)
}

/** Index of the range holding x, or -1 (binary search on the starts). */
export function findRange(r: Ranges, x: number): number {
  let lo = 0
  let hi = r.length / 2 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (r[2 * mid]! <= x) lo = mid + 1
    else hi = mid - 1
  }
  return hi >= 0 && x < r[2 * hi + 1]! ? hi : -1
}

/** Whether every range of b lies inside a range of a. */
export function coversRanges(a: Ranges, b: Ranges): boolean {
  let i = 0
  for (let j = 0; j < b.length; j += 2) {
    while (i < a.length && a[i + 1]! <= b[j]!) i += 2
    if (i >= a.length || a[i]! > b[j]! || a[i + 1]! < b[j + 1]!) return false
  }
  return true
}

/** Whether two normalised range lists, of either family, are equal. */
export function equalRanges(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
