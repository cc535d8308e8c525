/**
 * @module Warnings that repeat per address family, grouped: two lines that differ only in
 * `IPv4` / `IPv6` (and the example addresses that go with them) become one line that says
 * `IPv4 and IPv6`, keeping the first line's examples.
 */

const FAMILY = /\bIPv[46]\b/g
/** Addresses and CIDRs, which also differ between the two families' lines (examples). */
const ADDRESS =
  /\b(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?:\/\d{1,3})?(?![\w:])/gi

/**
 * `lines` with each pair of lines that differ only by address family merged into the first of
 * them; order otherwise kept, exact duplicates dropped.
 */
export function groupFamilies(lines: readonly string[]): string[] {
  const byKey = new Map<string, { line: string; families: Set<string> }>()
  for (const line of lines) {
    const key = line.replace(FAMILY, 'IPv*').replace(ADDRESS, 'ADDRESS')
    const families = new Set(line.match(FAMILY) ?? [])
    const seen = byKey.get(key)
    if (seen) for (const f of families) seen.families.add(f)
    else byKey.set(key, { line, families })
  }
  return [...byKey.values()].map(({ line, families }) =>
    families.size > 1 ? line.replace(FAMILY, 'IPv4 and IPv6') : line,
  )
}
