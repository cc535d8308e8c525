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

/** `/0` to `/128`, ready to append. */
export const SLASH = Array.from({ length: 129 }, (_, p) => `/${p}`)

/**
 * Eight 16-bit groups as RFC 5952 text: lowercase hex without leading zeros (4.1, 4.3), the
 * longest run of two or more zero groups as "::", the leftmost on a tie (4.2.1-4.2.3). IPv4-mapped
 * addresses are printed in hex too (`::ffff:102:304`), not in the mixed notation of section 5:
 * one notation for every IPv6 entry keeps lists uniform and sortable by eye.
 */
export function formatGroups(g: ArrayLike<number>): string {
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
  if (bestStart < 0) return hexJoin(g, 0, 8)
  return `${hexJoin(g, 0, bestStart)}::${hexJoin(g, bestStart + bestLen, 8)}`
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
