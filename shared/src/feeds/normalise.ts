/**
 * @module Untrusted address strings to canonical IpSets, through the IP engine: plain addresses
 * and CIDRs only, nothing that could smuggle a newline, a shell word or a zone id onward.
 */
import { IpSet, parseCidr } from '../ip/index.ts'
import type { RawEntry } from './extract.ts'
import { quote } from './extract.ts'
import type { FeedFamily, FeedNote, GuardName } from './types.ts'

/** Hex digits, dots, colons and one slash: anything else (whitespace, `%`, `;`, `$`...) is refused. */
const PLAIN = /^[0-9A-Fa-f.:]+(?:\/[0-9]{1,3})?$/

let mapped: IpSet | undefined
/** `::ffff:0:0/96` (RFC 4291 2.5.5.2): IPv4-mapped addresses never appear on the wire. */
function mappedSpace(): IpSet {
  mapped ??= IpSet.fromCidrs(6, ['::ffff:0:0/96'])
  return mapped
}

/** Canonical sets of one source, or the guard that refuses it. */
export type NormaliseResult =
  | { readonly ipv4: IpSet; readonly ipv6: IpSet; readonly notes: FeedNote[] }
  | { readonly guard: GuardName; readonly reason: string }

/**
 * Validates and canonicalises every entry. The first bad entry refuses the source
 * (`invalid-entry`, naming where it was and the entry JSON-quoted); `/0`, or entries that cover
 * a whole family together, refuse it as `allow-all`. Host bits set (`192.0.2.1/24`) are
 * accepted as their network and noted.
 */
export function normaliseEntries(
  entries: readonly RawEntry[],
  family: FeedFamily | undefined,
): NormaliseResult {
  const v4: string[] = []
  const v6: string[] = []
  let hostBits = 0
  for (const { text, where } of entries) {
    const refuse = (why: string) => ({
      guard: 'invalid-entry' as const,
      reason: `${where}: ${quote(text)} ${why}`,
    })
    if (!PLAIN.test(text))
      return refuse(
        text.includes('%')
          ? 'has a zone id (a link-local scope, not an allowlist entry)'
          : 'is not a plain address or CIDR (whitespace, newline or another character)',
      )
    let parsed
    try {
      parsed = parseCidr(text)
    } catch (cause) {
      return refuse(
        `is not an address or CIDR (${cause instanceof Error ? cause.message : 'invalid'})`,
      )
    }
    if (family !== undefined && parsed.family !== family)
      return refuse(`is IPv${parsed.family} in an IPv${family}-only list`)
    if (parsed.cidr.endsWith('/0'))
      return { guard: 'allow-all', reason: `${where}: ${quote(text)} allows every address` }
    if (parsed.hostBitsSet) hostBits++
    ;(parsed.family === 4 ? v4 : v6).push(parsed.cidr)
  }
  const ipv4 = IpSet.fromCidrs(4, v4)
  const ipv6 = IpSet.fromCidrs(6, v6)
  if (ipv4.addressCount() === 1n << 32n)
    return { guard: 'allow-all', reason: 'the IPv4 entries together cover every IPv4 address' }
  if (ipv6.addressCount() === 1n << 128n)
    return { guard: 'allow-all', reason: 'the IPv6 entries together cover every IPv6 address' }
  const overlap = ipv6.intersection(mappedSpace())
  if (!overlap.isEmpty) {
    const bad = entries.find((e) => {
      try {
        return !IpSet.fromCidrs(6, [e.text]).intersection(mappedSpace()).isEmpty
      } catch {
        return false
      }
    })
    return {
      guard: 'invalid-entry',
      reason: `${bad ? `${bad.where}: ${quote(bad.text)}` : overlap.toCidrs()[0]} is IPv4-mapped IPv6 (::ffff:0:0/96), not an allowlist entry`,
    }
  }
  const notes: FeedNote[] = []
  if (hostBits > 0)
    notes.push({
      code: 'host-bits',
      message: `${hostBits} entr${hostBits === 1 ? 'y has' : 'ies have'} host bits set; their networks are used`,
    })
  return { ipv4, ipv6, notes }
}
