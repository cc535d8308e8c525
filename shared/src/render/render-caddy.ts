/**
 * @module Caddy: a Caddyfile snippet with a `not remote_ip` named matcher that answers 403. Only
 * syntax Caddy 2.6 (Debian's) already accepts: `remote_ip` (not 2.7's `client_ip`), `respond`.
 */
import { managedText, requireNonEmpty, underscored, type Prepared } from './prepare.ts'

/** Defines the snippet `(NAME)`; `import NAME` in a site block. One `remote_ip` a line. */
export function renderCaddy(p: Prepared): string {
  requireNonEmpty(p)
  const matcher = `@${underscored(p.name)}_denied`
  return managedText(
    p,
    [
      `(${p.name}) {`,
      `\t${matcher} {`,
      '\t\tnot {',
      ...[...p.ipv4, ...p.ipv6].map((c) => `\t\t\tremote_ip ${c}`),
      '\t\t}',
      '\t}',
      `\trespond ${matcher} 403`,
      '}',
    ],
    [`# use with: import ${p.name}`],
  )
}
