/**
 * @module The public Internet as port policies see it (what `forbid-public`, `unlisted` and
 * `require: any` mean), and how much of it `forbid-public` tolerates.
 */
import { IpSet, type Family } from '../ip/index.ts'

/** Addresses that are not the public Internet: RFC 1918, loopback, link-local, CGNAT, multicast, reserved. */
const NON_PUBLIC_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/3',
]

/** The public Internet per family: IPv4 minus {@link NON_PUBLIC_V4}, IPv6 global unicast 2000::/3. */
export const PUBLIC: Readonly<Record<Family, IpSet>> = {
  4: IpSet.fromCidrs(4, NON_PUBLIC_V4).complement(),
  6: IpSet.fromCidrs(6, ['2000::/3']),
}

/**
 * `forbid-public` fires when more public addresses than this get in: wider than a /16 (IPv4)
 * or a /48 (IPv6). Named hosts and networks pass; `0.0.0.0/0` minus a few holes does not.
 */
export const PUBLIC_THRESHOLD: Readonly<Record<Family, bigint>> = { 4: 1n << 16n, 6: 1n << 80n }
