/**
 * @module Untrusted address strings to canonical IpSets, through the IP engine: plain addresses
 * and CIDRs only, nothing that could smuggle a newline, a shell word or a zone id onward.
 */
import { IpSet, parseCidrList, type Family } from '../ip/index.ts'
import { quote, type Entries } from './extract.ts'
import type { FeedNote, GuardName } from './types.ts'

/**
 * Hex digits, dots, colons and one slash: anything else (whitespace, `%`, `;`, `$`...) is refused.
 * string-array.ts's readPlainLines reads the same grammar from bytes (Entries.plain).
 */
export const PLAIN = /^[0-9A-Fa-f.:]+(?:\/[0-9]{1,3})?$/

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
 * accepted as their network and noted. One parse of all entries (the engine's list parser; the
 * entries were checked to be single plain tokens first, so joining them by newlines is exact).
 */
export function normaliseEntries(entries: Entries, family: Family | undefined): NormaliseResult {
  // Texts asked for only where a message names one: plain entries are read from their bytes.
  const refuse = (i: number, why: string) => ({
    guard: 'invalid-entry' as const,
    reason: `${entries.where(i)}: ${quote(entries.texts[i]!)} ${why}`,
  })
  const find = (test: (text: string) => boolean) => entries.texts.findIndex(test)
  if (!entries.plain) {
    const { texts } = entries
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!
      if (!PLAIN.test(text))
        return refuse(
          i,
          text.includes('%')
            ? 'has a zone id (a link-local scope, not an allowlist entry)'
            : 'is not a plain address or CIDR (whitespace, newline or another character)',
        )
    }
  }
  // Every text is plain ASCII now: its bytes read as the text would.
  const list = parseCidrList(entries.bytes())
  const rejected = list.rejected[0]
  if (rejected) return refuse(rejected.line - 1, `is not an address or CIDR (${rejected.reason})`)
  const { ipv4, ipv6 } = list
  if (family === 4 && !ipv6.isEmpty)
    return refuse(
      find((t) => t.includes(':')),
      'is IPv6 in an IPv4-only list',
    )
  if (family === 6 && !ipv4.isEmpty)
    return refuse(
      find((t) => !t.includes(':')),
      'is IPv4 in an IPv6-only list',
    )
  for (const [set, all, name] of [
    [ipv4, 1n << 32n, 'IPv4'],
    [ipv6, 1n << 128n, 'IPv6'],
  ] as const) {
    if (set.addressCount() !== all) continue
    const slash0 = find((t) => t.endsWith('/0'))
    return {
      guard: 'allow-all',
      reason:
        slash0 >= 0
          ? `${entries.where(slash0)}: ${quote(entries.texts[slash0]!)} allows every address`
          : `the ${name} entries together cover every ${name} address`,
    }
  }
  if (!ipv6.intersection(mappedSpace()).isEmpty)
    return refuse(
      find((t) => t.includes(':') && !IpSet.fromCidrs(6, [t]).intersection(mappedSpace()).isEmpty),
      'is IPv4-mapped IPv6 (::ffff:0:0/96), not an allowlist entry',
    )
  const notes: FeedNote[] = []
  const hostBits = list.notes.filter((n) => n.code === 'HOST_BITS_SET').length
  if (hostBits > 0)
    notes.push({
      code: 'host-bits',
      message: `${hostBits} entr${hostBits === 1 ? 'y has' : 'ies have'} host bits set; their networks are used`,
    })
  return { ipv4, ipv6, notes }
}
