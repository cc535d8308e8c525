/**
 * @module ufw: a shell script of `ufw delete allow …` lines for removed CIDRs, then
 * `ufw allow from CIDR to any port P proto tcp comment '…'` lines for the allowed ones.
 */
import { RenderError } from './render-error.ts'
import { managedText, refuseLoopbackOff, requireNonEmpty, type Prepared } from './prepare.ts'
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
  const wanted = [...p.ipv4, ...p.ipv6].flatMap((cidr) => ufwSpecs(p, cidr))
  const body = [
    ...ufwStaleRules(p, wanted).map((spec) => `ufw delete allow ${spec}`),
    ...wanted.map((spec) => `ufw allow ${spec} comment ${comment}`),
  ]
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
  ])
}
