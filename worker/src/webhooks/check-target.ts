/**
 * @module Refuses subscriber URLs that point at private, loopback, link-local or otherwise
 * non-public space (SSRF), unless ALLOW_PRIVATE_WEBHOOK_TARGETS is "true".
 *
 * What is checked, and what cannot be: IP literals (the URL parser has already turned forms like
 * `http://2130706433/` and `http://0x7f.1/` into dotted quads) are tested against the ranges
 * below with the shared IP engine; names that are local by definition (`localhost`, `*.local`,
 * `*.internal`, single-label names...) are refused. A public DNS name that resolves to a private
 * address cannot be caught here: Workers offer no resolver to ask before `fetch` connects.
 * Cloudflare's network does not route Workers' subrequests into private space, and deliveries
 * never follow redirects, so a public name cannot bounce a delivery inward either. The check is
 * repeated on every attempt, so turning the var off stops deliveries to targets it had allowed.
 */
import { IpSet, parseAddress } from '../../../shared/src/index.ts'

const BLOCKED_V4 = IpSet.fromCidrs(4, [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private (RFC 1918)
  '100.64.0.0/10', // shared address space, CGNAT (RFC 6598)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local (cloud metadata lives here)
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
])

const BLOCKED_V6 = IpSet.fromCidrs(6, [
  '::/127', // unspecified and loopback
  '::ffff:0:0/96', // IPv4-mapped: would reach IPv4 space unchecked
  '64:ff9b::/96', // NAT64 well-known prefix, same
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'ff00::/8', // multicast
])

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.lan', '.intranet']

/** Why a URL was refused; undefined when it is acceptable. */
export function checkTargetUrl(
  url: string,
  { allowPrivate }: { allowPrivate: boolean },
): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"${url}" is not an absolute URL`
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `scheme "${parsed.protocol}" is not allowed: use https`
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'credentials in the URL are not allowed: sign with the subscription secret instead'
  }
  if (allowPrivate) return undefined
  const refused = checkHost(parsed.hostname)
  if (refused !== undefined) return refused
  if (parsed.protocol !== 'https:')
    return 'plain http is allowed only for private targets: use https'
  return undefined
}

/** Why a URL's host is not a public destination; undefined when it may be. */
function checkHost(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  const literal = host.startsWith('[') ? host.slice(1, -1) : host
  let address: { family: 4 | 6; address: string } | undefined
  try {
    address = parseAddress(literal)
  } catch {
    address = undefined
  }
  if (address !== undefined) {
    const blocked = address.family === 4 ? BLOCKED_V4 : BLOCKED_V6
    return blocked.contains(address.address)
      ? `${address.address} is a private, loopback, link-local or reserved address`
      : undefined
  }
  if (host === 'localhost' || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) {
    return `"${host}" is a local name`
  }
  if (!host.includes('.')) return `"${host}" is a single-label (local) name`
  return undefined
}
