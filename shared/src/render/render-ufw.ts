/**
 * @module ufw: a shell script of `ufw delete allow …` lines for removed CIDRs, then
 * `ufw allow from CIDR to any port P proto tcp comment '…'` lines for the allowed ones.
 */
import { RenderError } from './render-error.ts'
import { managedText, requireNonEmpty, type Prepared } from './prepare.ts'
import { ufwSpecs, ufwStaleRules } from './ufw-stale-rules.ts'

/** POSIX shell single quoting: `'` becomes `'\''`; nothing inside single quotes is special. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/**
 * Run with `sh FILE` as root. `ufw delete allow` lines come first, so a shrinking list closes
 * before anything opens: for the rules of the previous block (options.previous) and of
 * options.removed that the new list no longer wants (see ufwStaleRules). The comment defaults to `allowlist-sync` and
 * the feed ids; a user comment is shell-quoted, and refused if it holds `'` (ufw rejects it).
 */
export function renderUfw(p: Prepared): string {
  requireNonEmpty(p)
  if (p.comment?.includes("'")) {
    // ufw 0.36 answers "Invalid syntax" to any comment with a single quote (its parser.py).
    throw new RenderError(
      'ERR_RENDER_COMMENT',
      `ufw: comment ${JSON.stringify(p.comment)} contains ', which ufw refuses in comments`,
      { format: 'ufw' },
    )
  }
  const comment = shellQuote(p.comment ?? ['allowlist-sync', ...p.feedIds].join(' '))
  const wanted = [...p.ipv4, ...p.ipv6].flatMap((cidr) => ufwSpecs(p, cidr))
  const body = [
    ...ufwStaleRules(p, wanted).map((spec) => `ufw delete allow ${spec}`),
    ...wanted.map((spec) => `ufw allow ${spec} comment ${comment}`),
  ]
  return managedText(p, body)
}
