/**
 * @module Warnings that repeat per address family, grouped: two lines that differ only in
 * `IPv4` / `IPv6` become one line that says `IPv4 and IPv6`.
 */

const FAMILY = /\bIPv[46]\b/g

/**
 * `lines` with each pair of lines that differ only by address family merged into the first of
 * them; order otherwise kept, exact duplicates dropped.
 */
export function groupFamilies(lines: readonly string[]): string[] {
  const byKey = new Map<string, { line: string; families: Set<string> }>()
  for (const line of lines) {
    const key = line.replace(FAMILY, 'IPv*')
    const families = new Set(line.match(FAMILY) ?? [])
    const seen = byKey.get(key)
    if (seen) for (const f of families) seen.families.add(f)
    else byKey.set(key, { line, families })
  }
  return [...byKey.values()].map(({ line, families }) =>
    families.size > 1 ? line.replace(FAMILY, 'IPv4 and IPv6') : line,
  )
}
