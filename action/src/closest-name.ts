/**
 * @module The "did you mean" of config errors: the valid name closest to a misspelt one, by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours, case ignored).
 */

/** Optimal string alignment distance between `a` and `b` (restricted Damerau-Levenshtein). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  return rows[a.length]![b.length]!
}

/**
 * The candidate closest to `name`, if it is close enough to be a likely typo: at most a third of
 * the longer name's length in edits (at least 2), or a candidate that contains `name` (or is
 * contained in it) whole. Ties go to the earlier candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase()
  let best: { name: string; distance: number } | undefined
  for (const c of candidates) {
    const other = c.toLowerCase()
    if (other === lower) return c
    const limit = Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3))
    const contains = lower.length >= 3 && (other.includes(lower) || lower.includes(other))
    // A length gap past the limit cannot be within it: skip the table.
    if (!contains && Math.abs(lower.length - other.length) > limit) continue
    const distance = contains ? 0.5 : editDistance(lower, other)
    if (distance <= limit && (best === undefined || distance < best.distance))
      best = { name: c, distance }
  }
  return best?.name
}

/** `; did you mean 'X'?` when a close name exists, else the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const close = closestName(name, candidates)
  return close === undefined ? '' : `; did you mean '${close}'?`
}
