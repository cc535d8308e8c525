/**
 * @module toCidrRange: one CIDR, bare address or iptables-save dotted netmask as a half-open
 * range of address values, for readers that try several interpretations of a token.
 */
import { toAddressValue } from './address-value.ts'
import type { Family } from './family.ts'

const BITS: Record<Family, bigint> = { 4: 32n, 6: 128n }

/** A CIDR as a half-open range `[start, end)` of address values (see toAddressValue). */
export interface CidrRange {
  family: Family
  start: bigint
  end: bigint
}

/**
 * A CIDR (`192.0.2.0/24`, `2001:db8::/32`), a bare address (a /32 or /128) or an IPv4 CIDR with
 * a dotted netmask as iptables-save may print it (`10.0.0.0/255.0.0.0`; contiguous masks only),
 * host bits cleared. The address follows toAddressValue's strict rules; the prefix is decimal
 * without leading zeros. Undefined when the text is none of these.
 */
export function toCidrRange(text: string): CidrRange | undefined {
  const slash = text.indexOf('/')
  const a = toAddressValue(slash < 0 ? text : text.slice(0, slash))
  if (a === undefined) return undefined
  const bits = BITS[a.family]
  let prefix = bits
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1)
    if (/^(0|[1-9]\d{0,2})$/.test(prefixText)) prefix = BigInt(prefixText)
    else if (a.family === 4) {
      const mask = toAddressValue(prefixText)
      if (mask?.family !== 4) return undefined
      prefix = 0n
      while (prefix < 32n && ((mask.value >> (31n - prefix)) & 1n) === 1n) prefix++
      if (((0xffffffffn << (32n - prefix)) & 0xffffffffn) !== mask.value) return undefined
    } else return undefined
    if (prefix > bits) return undefined
  }
  const size = 1n << (bits - prefix)
  const start = a.value & ~(size - 1n)
  return { family: a.family, start, end: start + size }
}
