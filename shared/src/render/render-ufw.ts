/**
 * @module ufw: a shell script of `ufw delete allow …` lines for removed CIDRs, then
 * `ufw allow from CIDR to any port P proto tcp comment '…'` lines for the allowed ones.
 */
import { RenderError } from './render-error.ts'
import { managedText, portRange, requireNonEmpty, type Prepared } from './prepare.ts'

/** POSIX shell single quoting: `'` becomes `'\''`; nothing inside single quotes is special. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

function ruleSpecs(p: Prepared, cidr: string): string[] {
  if (p.ports.length === 0) return [`from ${cidr}`]
  return p.ports.map((spec) => {
    const [from, to] = portRange(spec)
    return `from ${cidr} to any port ${from === to ? from : `${from}:${to}`} proto ${spec.protocol}`
  })
}

/**
 * Run with `sh FILE` as root. Removed CIDRs (options.removed) come first as `ufw delete allow`,
 * so a shrinking list closes before anything opens. The comment defaults to `allowlist-sync` and
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
  const body: string[] = []
  for (const cidr of [...p.removedV4, ...p.removedV6]) {
    for (const spec of ruleSpecs(p, cidr)) body.push(`ufw delete allow ${spec}`)
  }
  for (const cidr of [...p.ipv4, ...p.ipv6]) {
    for (const spec of ruleSpecs(p, cidr)) body.push(`ufw allow ${spec} comment ${comment}`)
  }
  return managedText(p, body, ['# run with: sh FILE (as root)'])
}
