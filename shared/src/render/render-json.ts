/** @module JSON: `{ feeds, ipv4, ipv6 }` (and `comment` when given), two-space indented. */
import type { Prepared } from './prepare.ts'

/** Feed references keep their known fields; JSON.stringify escapes every string. */
export function renderJson(p: Prepared): string {
  const doc: Record<string, unknown> = { feeds: p.feeds }
  if (p.comment !== undefined) doc.comment = p.comment
  doc.ipv4 = p.ipv4
  doc.ipv6 = p.ipv6
  return `${JSON.stringify(doc, null, 2)}\n`
}
