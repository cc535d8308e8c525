/**
 * @module Canonical printing of addresses (internal): dotted quad for IPv4, RFC 5952 for IPv6.
 */

const OCTET = Array.from({ length: 256 }, (_, i) => String(i))

/** An unsigned 32-bit number as a dotted quad. */
export function formatIpv4(value: number): string {
  return (
    OCTET[value >>> 24]! +
    '.' +
    OCTET[(value >>> 16) & 255]! +
    '.' +
    OCTET[(value >>> 8) & 255]! +
    '.' +
    OCTET[value & 255]!
  )
}

/**
 * Eight 16-bit groups as RFC 5952 text: lowercase hex without leading zeros (4.1, 4.3), the
 * longest run of two or more zero groups as "::", the leftmost on a tie (4.2.1-4.2.3). IPv4-mapped
 * addresses are printed in hex too (`::ffff:102:304`), not in the mixed notation of section 5:
 * one notation for every IPv6 entry keeps lists uniform and sortable by eye.
 */
export function formatGroups(g: ArrayLike<number>): string {
  const start = zeroRun(g)
  if (start < 0) return hexJoin(g, 0, 8)
  return `${hexJoin(g, 0, start)}::${hexJoin(g, zeroRunEnd, 8)}`
}

/** Where the run found by the last zeroRun call ends. */
let zeroRunEnd = 0

/**
 * Where the longest run of two or more zero groups of `g` starts, the leftmost on a tie (RFC
 * 5952 4.2), or -1 when there is none; it ends at `zeroRunEnd`.
 */
function zeroRun(g: ArrayLike<number>): number {
  let bestStart = -1
  let bestLen = 1
  for (let k = 0; k < 8;) {
    if (g[k] !== 0) {
      k++
      continue
    }
    let end = k
    while (end < 8 && g[end] === 0) end++
    if (end - k > bestLen) {
      bestStart = k
      bestLen = end - k
    }
    k = end
  }
  zeroRunEnd = bestStart + bestLen
  return bestStart
}

function hexJoin(g: ArrayLike<number>, from: number, to: number): string {
  let out = ''
  for (let k = from; k < to; k++) out += (k > from ? ':' : '') + g[k]!.toString(16)
  return out
}

const scratch = new Array<number>(8)

/** Four unsigned 32-bit words (most significant first) as RFC 5952 text. */
export function formatWords(w: ArrayLike<number>): string {
  for (let k = 0; k < 4; k++) {
    scratch[2 * k] = w[k]! >>> 16
    scratch[2 * k + 1] = w[k]! & 0xffff
  }
  return formatGroups(scratch)
}

/** Lowercase hex digits as ASCII codes. */
const HEX_CODE = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
const COLON = 58
const SOLIDUS = 47
const DIGIT_0 = 48
const LF = 10

/**
 * Writes `address/prefix` and LF as ASCII into `out` at `at`, the address given as four unsigned
 * 32-bit words w[0..4) and printed as formatWords prints it; returns where the line ends. `out`
 * needs room for 44 bytes.
 */
export function writeIpv6Cidr(
  out: Uint8Array,
  at: number,
  w: ArrayLike<number>,
  prefix: number,
): number {
  const g = scratch
  for (let k = 0; k < 4; k++) {
    g[2 * k] = w[k]! >>> 16
    g[2 * k + 1] = w[k]! & 0xffff
  }
  const start = zeroRun(g)
  for (let k = 0; k < 8; k++) {
    if (k === start) {
      // The run, as "::".
      out[at++] = COLON
      out[at++] = COLON
      k = zeroRunEnd
      if (k === 8) break
    } else if (k > 0) out[at++] = COLON
    const v = g[k]!
    if (v >= 0x1000) out[at++] = HEX_CODE[v >> 12]!
    if (v >= 0x100) out[at++] = HEX_CODE[(v >> 8) & 15]!
    if (v >= 0x10) out[at++] = HEX_CODE[(v >> 4) & 15]!
    out[at++] = HEX_CODE[v & 15]!
  }
  out[at++] = SOLIDUS
  // Up to 128: a hundreds digit is 1.
  if (prefix >= 100) out[at++] = DIGIT_0 + 1
  if (prefix >= 10) out[at++] = DIGIT_0 + (Math.floor(prefix / 10) % 10)
  out[at++] = DIGIT_0 + (prefix % 10)
  out[at++] = LF
  return at
}

const DOT = 46

/**
 * Writes `address/prefix` and LF as ASCII into `out` at `at`, the address an unsigned 32-bit
 * number printed as formatIpv4 prints it; returns where the line ends. `out` needs room for 19
 * bytes.
 */
export function writeIpv4Cidr(out: Uint8Array, at: number, value: number, prefix: number): number {
  for (let shift = 24; shift >= 0; shift -= 8) {
    const octet = (value >>> shift) & 255
    if (octet >= 100) out[at++] = DIGIT_0 + Math.floor(octet / 100)
    if (octet >= 10) out[at++] = DIGIT_0 + (Math.floor(octet / 10) % 10)
    out[at++] = DIGIT_0 + (octet % 10)
    out[at++] = shift === 0 ? SOLIDUS : DOT
  }
  if (prefix >= 10) out[at++] = DIGIT_0 + Math.floor(prefix / 10)
  out[at++] = DIGIT_0 + (prefix % 10)
  out[at++] = LF
  return at
}

const decoder = new TextDecoder()
/**
 * Bytes of lines decoded at once by linesOf: a longer string would be a large object, in memory
 * mapped afresh for each one (V8's large-object space starts at 128 KiB).
 */
const LINES_CHUNK = 1 << 16

/**
 * The ASCII lines written in `bytes[0, end)`, each ended by LF and shorter than LINES_CHUNK
 * bytes, as strings: decoded and split a chunk of whole lines at a time.
 */
export function linesOf(bytes: Uint8Array, end: number): string[] {
  const chunks: string[][] = []
  for (let from = 0; from < end;) {
    const to = from + LINES_CHUNK >= end ? end : bytes.lastIndexOf(LF, from + LINES_CHUNK - 1) + 1
    const lines = decoder.decode(bytes.subarray(from, to)).split('\n')
    lines.pop()
    chunks.push(lines)
    from = to
  }
  // One array of the right length, not one grown a line at a time.
  return chunks.length === 1 ? chunks[0]! : ([] as string[]).concat(...chunks)
}

const words = new Array<number>(4)

/** A 128-bit bigint as RFC 5952 text (split into 32-bit words: four bigint steps, not sixteen). */
export function formatIpv6(value: bigint): string {
  const high = BigInt.asUintN(64, value >> 64n)
  const low = BigInt.asUintN(64, value)
  words[0] = Number(high >> 32n)
  words[1] = Number(BigInt.asUintN(32, high))
  words[2] = Number(low >> 32n)
  words[3] = Number(BigInt.asUintN(32, low))
  return formatWords(words)
}
