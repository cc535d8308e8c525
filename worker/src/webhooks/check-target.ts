/**
 * @module Refuses subscriber URLs that could reach anything but a public HTTPS receiver (SSRF),
 * unless ALLOW_PRIVATE_WEBHOOK_TARGETS is "true".
 *
 * What is checked: the scheme (https; plain http only on port 80 when WEBHOOK_EXTRA_PORTS lists
 * it), the port (443; 80 and 8443 only when listed), IP literals (the URL parser has already
 * turned `https://2130706433/` and `https://0x7f.1/` into dotted quads) against special-purpose
 * space, every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo:
 * refused whatever the embedded address, which the reason names), and names that are special
 * by definition or by wide private use. What cannot be: a public DNS name that resolves to a
 * private address; Workers offer no resolver to ask before `fetch` connects. Cloudflare does not
 * route Workers' subrequests into private space and deliveries never follow redirects, so a
 * public name cannot bounce a delivery inward either. The check is repeated on every attempt.
 */
import { formatAddressValue, IpSet, toAddressValue } from '../../../shared/src/index.ts'

/** IPv4 special-purpose space (IANA IPv4 Special-Purpose Address Registry, plus multicast). */
const BLOCKED_V4: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'shared address space (CGNAT, RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata lives here)'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', '6to4 relay anycast (deprecated)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved and broadcast'],
]

/** IPv6 special-purpose space (IANA IPv6 Special-Purpose Address Registry, plus ranges below). */
const BLOCKED_V6: readonly (readonly [string, string])[] = [
  ['::/127', 'unspecified or loopback'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation (RFC 9637)'],
  ['5f00::/16', 'SRv6 SIDs (RFC 9602)'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
]

const compile = (family: 4 | 6, table: readonly (readonly [string, string])[]) =>
  table.map(([cidr, label]) => ({ set: IpSet.fromCidrs(family, [cidr]), cidr, label }))
const V4 = compile(4, BLOCKED_V4)
const V6 = compile(6, BLOCKED_V6)

/**
 * Names that never belong to a public receiver: every top-level name of the IANA Special-Use
 * Domain Names registry (https://www.iana.org/assignments/special-use-domain-names/, read
 * 2026-12: alt, arpa names, example[.com|.net|.org], home.arpa, invalid, local, localhost,
 * onion, test; all of .arpa is refused), and suffixes in wide private use: RFC 6762 Appendix G
 * (intranet, internal, private, corp, home, lan), .internal (reserved by ICANN for private use in
 * 2024), .localdomain, .mail (never delegated by ICANN), Kubernetes' .svc and .cluster.local.
 */
export const SPECIAL_USE_SUFFIXES: readonly string[] = [
  'alt',
  'arpa',
  'example',
  'example.com',
  'example.net',
  'example.org',
  'invalid',
  'local',
  'localhost',
  'onion',
  'test',
  'intranet',
  'internal',
  'private',
  'corp',
  'home',
  'lan',
  'localdomain',
  'mail',
  'svc',
  'cluster.local',
]

/** The operator's choices that relax the check. */
export interface TargetPolicy {
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS: lifts the scheme, port, address and name checks. */
  readonly allowPrivate: boolean
  /** WEBHOOK_EXTRA_PORTS: 80 and/or 8443 besides 443 (80 also allows plain http). */
  readonly extraPorts: readonly number[]
}

/** Why a URL was refused; undefined when it is acceptable. */
export function checkTargetUrl(url: string, policy: TargetPolicy): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not an absolute URL'
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `scheme "${parsed.protocol}" is not allowed: use https`
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'credentials in the URL are not allowed: sign with the subscription secret instead'
  }
  if (policy.allowPrivate) return undefined
  const host = checkHost(parsed.hostname)
  if (host !== undefined) return host
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port)
  if (port !== 443 && !policy.extraPorts.includes(port)) {
    return `port ${port} is not allowed: use 443 (80 and 8443 only when WEBHOOK_EXTRA_PORTS lists them)`
  }
  if (parsed.protocol === 'http:' && port !== 80) {
    return 'plain http is allowed only on port 80 (WEBHOOK_EXTRA_PORTS=80): use https'
  }
  return undefined
}

/** Why a URL's host is not a public destination; undefined when it may be. */
export function checkHost(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const address = toAddressValue(literal)
  if (address !== undefined) {
    return address.family === 4 ? checkIpv4(address.value) : checkIpv6(address.value)
  }
  const suffix = SPECIAL_USE_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`))
  if (suffix !== undefined) return `"${host}" is under .${suffix}, a special-use or private name`
  if (!host.includes('.')) return `"${host}" is a single-label (local) name`
  return undefined
}

function checkIpv4(value: bigint): string | undefined {
  const text = formatAddressValue(4, value)
  const hit = V4.find((r) => r.set.contains(text))
  return hit === undefined ? undefined : `${text} is in ${hit.cidr}: ${hit.label}`
}

const MASK32 = 0xffff_ffffn

/** The IPv6 forms that carry an IPv4 address, and where (RFC 4291, 6052, 8215, 3056, 4380). */
function embeddedIpv4(v: bigint): { form: string; v4: bigint } | undefined {
  const top96 = v >> 32n
  if (top96 === 0xffffn) return { form: 'IPv4-mapped (::ffff:0:0/96)', v4: v & MASK32 }
  if (top96 === 0xffff_0000n) return { form: 'IPv4-translated (::ffff:0:0:0/96)', v4: v & MASK32 }
  if (top96 === 0n && v > 1n) return { form: 'IPv4-compatible (::/96)', v4: v & MASK32 }
  if (top96 === 0x64_ff9b_0000_0000_0000_0000n) {
    return { form: 'NAT64 (64:ff9b::/96)', v4: v & MASK32 }
  }
  if (v >> 80n === 0x64_ff9b_0001n) {
    // RFC 8215 local-use prefix, read with the /48 layout of RFC 6052 (bits 48-63 and 72-87).
    const v4 = (((v >> 64n) & 0xffffn) << 16n) | ((v >> 40n) & 0xffffn)
    return { form: 'local-use NAT64 (64:ff9b:1::/48)', v4 }
  }
  if (v >> 112n === 0x2002n) return { form: '6to4 (2002::/16)', v4: (v >> 80n) & MASK32 }
  if (v >> 96n === 0x2001_0000n) {
    // Teredo: the client's address is the last 32 bits, inverted (RFC 4380 section 4).
    return { form: 'Teredo (2001::/32)', v4: ~v & MASK32 }
  }
  return undefined
}

function checkIpv6(value: bigint): string | undefined {
  const text = formatAddressValue(6, value)
  const embedded = embeddedIpv4(value)
  if (embedded !== undefined) {
    const v4 = formatAddressValue(4, embedded.v4)
    const inner = checkIpv4(embedded.v4)
    return `${text} is ${embedded.form} and embeds IPv4 ${v4}${inner === undefined ? '' : ` (${inner.slice(inner.indexOf(':') + 2)})`}: an address that reaches IPv4 space is refused; use the IPv4 address itself`
  }
  const hit = V6.find((r) => r.set.contains(text))
  return hit === undefined ? undefined : `${text} is in ${hit.cidr}: ${hit.label}`
}
