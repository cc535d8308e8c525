/**
 * @module ufw: a shell script of `ufw delete allow …` lines for removed CIDRs, then
 * `ufw allow from CIDR to any port P proto tcp comment '…'` lines for the allowed ones.
 */
import { RenderError } from './render-error.ts'
import {
  managedText,
  portRange,
  refuseLoopbackOff,
  requireNonEmpty,
  type Prepared,
} from './prepare.ts'

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
 * ufw's model is allow rules over its default `deny incoming`, and its before.rules accept
 * loopback: `exemptLoopback: false` is refused (ERR_RENDER_OPTION). More commands than
 * limits.ufwRules (default 200) is ERR_RENDER_LIMIT, pointing at the ipset and nftables formats.
 */
export function renderUfw(p: Prepared): string {
  requireNonEmpty(p)
  refuseLoopbackOff(p, "ufw's before.rules accept everything on lo before any user rule")
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
  const max = p.limits.ufwRules
  if (body.length > max) {
    throw new RenderError(
      'ERR_RENDER_LIMIT',
      `ufw: ${body.length} ufw commands exceed limits.ufwRules ${max}: each is a process that takes a fraction of a second and re-reads every rule, so a sync would take minutes; use the ipset or nftables format, which reload a set of any size in one step, or raise limits.ufwRules`,
      { format: 'ufw' },
    )
  }
  return managedText(p, body, [
    "# opens: each line allows a source on the ports; ufw's default (deny incoming) keeps the others out, and its before.rules accept loopback",
    '# run with: sh FILE (as root)',
  ])
}
