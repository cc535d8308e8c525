/**
 * @module The selector part of a feed id, `provider/list@a,b,c`: regions, products, sites. One
 * canonical spelling per selection (sorted, deduplicated, lower-cased), so equal selections share
 * an id, a snapshot and a history.
 */

/** A feed id's list part split at `@`: `cloud@europe-west1` is `['cloud', 'europe-west1']`. */
export function splitSelectors(list: string): { readonly name: string; readonly at?: string } {
  const at = list.indexOf('@')
  return at === -1 ? { name: list } : { name: list.slice(0, at), at: list.slice(at + 1) }
}

/**
 * `a,b,c` as a canonical list: every part must match `part` (anchored) once lower-cased;
 * sorted and deduplicated. Undefined when a part does not match or the list is empty.
 */
export function parseSelectors(text: string, part: RegExp): string[] | undefined {
  const parts = text.split(',').map((p) => p.trim().toLowerCase())
  const whole = new RegExp(`^(?:${part.source})$`)
  if (parts.some((p) => !whole.test(p))) return undefined
  return [...new Set(parts)].sort()
}
