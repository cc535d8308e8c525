/** @module The public surface of shared/src/ip: strict address/CIDR parsing and IP-set math. */
export { parseAddress } from './address.ts'
export { formatAddressValue, toAddressValue } from './address-value.ts'
export { parseCidr, type ParsedCidr } from './cidr.ts'
export { toCidrRange, type CidrRange } from './cidr-range.ts'
export { IpParseError, type IpErrorCode } from './errors.ts'
export type { Family } from './family.ts'
export { IpSet } from './ip-set.ts'
export { parseCidrList, type LineIssue, type ParsedList } from './parse-cidr-list.ts'
