/** @module parseAddress: one bare IPv4 or IPv6 address, strictly parsed and canonicalised. */
import { IpParseError } from './errors.ts'
import type { Family } from './family.ts'
import { formatIpv4, formatWords } from './format.ts'
import { scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

/**
 * Parses a bare address (no prefix) and prints it canonically: dotted quad, or RFC 5952 for IPv6
 * (IPv4-mapped addresses stay IPv6, in hex: `::ffff:1.2.3.4` -> `::ffff:102:304`). Same strict
 * rules as parseCidr; a `/prefix` is `ERR_IP_SYNTAX`.
 * @throws IpParseError naming the input.
 */
export function parseAddress(text: string): { family: Family; address: string } {
  trimBounds(text, 0, text.length)
  if (!scan(text, bounds.start, bounds.end))
    throw new IpParseError(scanned.code, text, scanned.reason)
  if (scanned.hasPrefix)
    throw new IpParseError('ERR_IP_SYNTAX', text, 'expected an address, not a CIDR')
  return {
    family: scanned.family,
    address: scanned.family === 4 ? formatIpv4(scanned.v4) : formatWords(w),
  }
}
