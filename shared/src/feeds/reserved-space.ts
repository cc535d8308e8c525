/**
 * @module Special-purpose address space, from the IANA registries, for the `reserved-space` guard:
 * no built-in feed may list an address in it (a private, loopback or documentation range in an
 * allowlist is a mistake or an attack, never a publisher's real servers).
 */
import { IpSet, prefixLength, type Family } from '../ip/index.ts'

/** One registry row: the block, its registry name and the RFC that assigned it. */
export interface ReservedBlock {
  readonly cidr: string
  readonly name: string
  readonly rfc: string
}

/**
 * Every row of the IANA IPv4 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv4-special-registry, as read 2026-12-04; rows that lie
 * inside 192.0.0.0/24 are listed for their names), plus multicast from the IPv4 Multicast Address
 * Space Registry (https://www.iana.org/assignments/multicast-addresses). Rows that the registry
 * marks globally reachable (the anycast and AS112 blocks) are included too: no provider publishes
 * them as its own servers.
 */
export const RESERVED_IPV4: readonly ReservedBlock[] = [
  { cidr: '0.0.0.0/8', name: '"This network"', rfc: 'RFC 791' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598' },
  { cidr: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122' },
  { cidr: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890' },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335' },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600' },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '192.0.0.170/31', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535' },
  { cidr: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771' },
  { cidr: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 919' },
]

/**
 * Every row of the IANA IPv6 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv6-special-registry, as read 2026-12-04, last
 * updated there 2025-10-09), multicast (RFC 4291), and the space the IANA IPv6 Address Space
 * Registry (https://www.iana.org/assignments/ipv6-address-space) keeps "Reserved by IETF": only
 * 2000::/3 is global unicast, so every block outside it is listed, coarsely, as such.
 */
export const RESERVED_IPV6: readonly ReservedBlock[] = [
  { cidr: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291' },
  { cidr: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928' },
  { cidr: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380' },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665' },
  { cidr: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180' },
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535' },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343' },
  {
    cidr: '2001:30::/28',
    name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    rfc: 'RFC 9374',
  },
  { cidr: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849' },
  { cidr: '2002::/16', name: '6to4', rfc: 'RFC 3056' },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291' },
  { cidr: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291' },
  { cidr: '::/3', name: 'Reserved by IETF (outside 2000::/3)', rfc: 'RFC 4291' },
  { cidr: '4000::/2', name: 'Reserved by IETF (outside 2000::/3)', rfc: 'RFC 4291' },
  { cidr: '8000::/1', name: 'Reserved by IETF (outside 2000::/3)', rfc: 'RFC 4291' },
]

let sets: { ipv4: IpSet; ipv6: IpSet } | undefined

/** The union of {@link RESERVED_IPV4} and of {@link RESERVED_IPV6}, built once. */
export function reservedSpace(): { ipv4: IpSet; ipv6: IpSet } {
  const union = (family: Family, rows: readonly ReservedBlock[]) =>
    IpSet.fromCidrs(
      family,
      rows.map((b) => b.cidr),
    )
  sets ??= { ipv4: union(4, RESERVED_IPV4), ipv6: union(6, RESERVED_IPV6) }
  return sets
}

/**
 * The most specific registry row holding `address` (a canonical address of `family` known to be
 * in {@link reservedSpace}), for messages: `10.0.0.0/8 (Private-Use, RFC 1918)`.
 */
export function describeReserved(family: Family, address: string): string {
  let best: ReservedBlock | undefined
  let bestPrefix = -1
  for (const block of family === 4 ? RESERVED_IPV4 : RESERVED_IPV6) {
    const prefix = prefixLength(block.cidr)
    if (prefix > bestPrefix && IpSet.fromCidrs(family, [block.cidr]).contains(address)) {
      best = block
      bestPrefix = prefix
    }
  }
  return `${best!.cidr} (${best!.name}, ${best!.rfc})`
}
