/**
 * @module Caddy: a Caddyfile snippet with a `not remote_ip` named matcher that answers 403. Only
 * syntax Caddy 2.6 (Debian's) already accepts: `remote_ip` (not 2.7's `client_ip`), `respond`.
 */
import { managedText, requireNonEmpty, underscored, type Prepared } from './prepare.ts'

/** Ranges per `remote_ip` line (the matcher takes many; fewer lines parse faster). */
export const CADDY_PER_LINE = 100

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** Defines the snippet `(NAME)`; `import NAME` in a site block.  */
export function renderCaddy(p: Prepared): string {
  requireNonEmpty(p)
  const matcher = `@${underscored(p.name)}_denied`
  return managedText(
    p,
    [
      `(${p.name}) {`,
      `\t${matcher} {`,
      '\t\tnot {',
      ...chunks([...p.ipv4, ...p.ipv6], CADDY_PER_LINE).map(
        (c) => `\t\t\tremote_ip ${c.join(' ')}`,
      ),
      '\t\t}',
      '\t}',
      `\trespond ${matcher} 403`,
      '}',
    ],
    [`# use with: import ${p.name}`],
  )
}
