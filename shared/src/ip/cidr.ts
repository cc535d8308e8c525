/** @module parseCidr: one CIDR or bare address, strictly parsed and canonicalised. */
import { IpParseError } from './errors.ts'
import type { Family } from './family.ts'
import { formatIpv4, formatWords } from './format.ts'
import { scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

/** One parsed CIDR. */
export interface ParsedCidr {
  family: Family
  /** Canonical: network address, explicit prefix; IPv6 per RFC 5952 (`2001:db8::/32`). */
  cidr: string
  /** Whether the input had bits set below its prefix (`10.0.0.1/8`, canonicalised to 10.0.0.0/8). */
  hostBitsSet: boolean
}

/**
 * Parses a CIDR (`192.0.2.0/24`, `2001:db8::/32`) or a bare address (read as /32 or /128).
 * Surrounding ASCII whitespace is trimmed; everything else is strict. Outcomes:
 * - host bits set: cleared, and `hostBitsSet` is true;
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`): kept as IPv6, printed in hex (`::ffff:102:304/128`);
 *   it is not turned into IPv4, since a firewall's IPv6 rules never see mapped sources;
 * - IPv4 octets with leading zeros (`010.0.0.1`): `ERR_IP_LEADING_ZERO`; zone ids
 *   (`fe80::1%eth0`): `ERR_IP_ZONE_ID`; inner whitespace: `ERR_IP_WHITESPACE`; prefix above
 *   32/128: `ERR_IP_PREFIX_RANGE`; anything else invalid: `ERR_IP_SYNTAX` (see IpErrorCode).
 * @throws IpParseError naming the input.
 */
export function parseCidr(text: string): ParsedCidr {
  trimBounds(text, 0, text.length)
  if (!scan(text, bounds.start, bounds.end))
    throw new IpParseError(scanned.code, text, scanned.reason)
  return {
    family: scanned.family,
    cidr: `${scanned.family === 4 ? formatIpv4(scanned.v4) : formatWords(w)}/${scanned.prefix}`,
    hostBitsSet: scanned.hostBits,
  }
}

/**
 * The prefix length of a canonical CIDR (`192.0.2.0/24`: 24): its digits after the `/`, read
 * without a substring (it runs once per CIDR of long lists). Unchecked: for CIDRs already parsed.
 */
export function prefixLength(cidr: string): number {
  let prefix = 0
  for (let i = cidr.indexOf('/') + 1; i < cidr.length; i++)
    prefix = 10 * prefix + cidr.charCodeAt(i) - 48
  return prefix
}
