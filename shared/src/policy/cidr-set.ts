/**
 * @module cidrSet: one address as policies and configs write it (a CIDR, a bare address, an
 * iptables-save dotted netmask) as an IpSet of one family.
 */
import { IpSet, toCidrRange, type Family } from '../ip/index.ts'

/**
 * The addresses of a CIDR, bare address or dotted-netmask CIDR (host bits cleared; see
 * toCidrRange). Throws a TypeError naming the text when it is not one of the family.
 */
export function cidrSet(family: Family, text: string): IpSet {
  const r = toCidrRange(text)
  if (r?.family !== family) throw new TypeError(`'${text}' is not an IPv${family} address or CIDR`)
  return IpSet.fromValueRanges(family, [[r.start, r.end]])
}
