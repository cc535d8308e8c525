/**
 * @module The checksum a managed block carries on its BEGIN line (`sum=`), so a hand edit inside
 * the block is noticed before a sync overwrites it. Synchronous (renderers are), so SHA-256 is
 * computed here (FIPS 180-4, section 6.2) rather than with the asynchronous `crypto.subtle`.
 */

/** Hex digits of the SHA-256 kept on the BEGIN line: 64 bits, plenty to notice an edit. */
export const BLOCK_SUM_LENGTH = 16

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

// Section 5.3.3: the initial hash value.
const H0 = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n))

/** SHA-256 of bytes, as 64 lower-case hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  // Section 5.1.1: a 1 bit, zeros, and the length in bits as a 64-bit big-endian number.
  const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) << 6)
  padded.set(bytes)
  padded[bytes.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000))
  view.setUint32(padded.length - 4, (bytes.length << 3) >>> 0)
  const h = Int32Array.from(H0)
  const w = new Int32Array(64)
  for (let at = 0; at < padded.length; at += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(at + t * 4)
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
    }
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let k = h[7]!
    for (let t = 0; t < 64; t++) {
      const t1 =
        (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      k = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = h[0]! + a
    h[1] = h[1]! + b
    h[2] = h[2]! + c
    h[3] = h[3]! + d
    h[4] = h[4]! + e
    h[5] = h[5]! + f
    h[6] = h[6]! + g
    h[7] = h[7]! + k
  }
  let hex = ''
  for (const x of h) hex += (x >>> 0).toString(16).padStart(8, '0')
  return hex
}

/**
 * The checksum of a block's inner lines (between its BEGIN and END lines): the first
 * {@link BLOCK_SUM_LENGTH} hex digits of the SHA-256 of the lines with surrounding blanks and
 * tabs trimmed, blank lines left out, each ended by `\n`. Indentation, CRLF and blank lines are
 * therefore not edits (a block may be re-indented or the file converted); anything else is. By
 * hand: `sed -n '/BEGIN allow/,/END allow/{//!p}' FILE | sed -E 's/^[ \t]+//; s/[ \t\r]+$//; /^$/d'
 * | sha256sum | cut -c1-16`.
 */
export function blockSum(lines: readonly string[]): string {
  const parts: string[] = []
  for (const line of lines) {
    let start = 0
    let end = line.length
    while (start < end && isBlank(line.charCodeAt(start), false)) start++
    while (end > start && isBlank(line.charCodeAt(end - 1), true)) end--
    if (end > start) parts.push(start === 0 && end === line.length ? line : line.slice(start, end))
  }
  parts.push('')
  return sha256Hex(new TextEncoder().encode(parts.join('\n'))).slice(0, BLOCK_SUM_LENGTH)
}

/** A blank or tab (and, at a line's end, a carriage return). */
function isBlank(code: number, atEnd: boolean): boolean {
  return code === 32 || code === 9 || (atEnd && code === 13)
}
