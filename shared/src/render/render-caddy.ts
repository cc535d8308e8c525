/**
 * @module Caddy: a Caddyfile snippet that answers 403 to every client outside the list, from the
 * one early slot of Caddy's directive order that responds: `redir`. Only syntax Caddy 2.6
 * (Debian's) already accepts: `remote_ip` (not 2.7's `client_ip`), `vars`, `header`, `redir`.
 */
import { managedText, requireNonEmpty, underscored, type Prepared } from './prepare.ts'

/** Ranges per `remote_ip` line (the matcher takes many; fewer lines parse faster). */
export const CADDY_PER_LINE = 100

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/**
 * Defines the snippet `(NAME)`; `import NAME` at the top level of a site block. Caddy sorts a
 * site's directives into a fixed order, and `handle`, `handle_path` and `route` come before
 * `respond`, `abort` and `error`: a snippet built on those is bypassed by every site written with
 * `handle` blocks (a `handle @denied` loses to a `handle /api/*` written above it). `redir` sorts
 * before all of them (only map, vars, root, header and request_body, which answer nothing, come
 * earlier) and takes its status from a placeholder, so the snippet sets a variable to 403 and
 * "redirects" with it; `header -Location` (deferred: applied as the response is written) drops
 * the Location that redir adds. Unlisted clients get a bare 403 on every path.
 *
 * Order and sorting as read in caddyserver/caddy v2.6.2 (6bad878a),
 * caddyconfig/httpcaddyfile/directives.go: `directiveOrder` and `sortRoutes` (same-named
 * directives with non-path matchers keep their order of appearance); unchanged at v2.11.4-66
 * (0cf03d32, read 2026-12-04). Proven on Caddy 2.6.2 in test/shared/render/proxy-servers.test.ts.
 */
export function renderCaddy(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const matcher = `@${base}_denied`
  return managedText(p, [
    `(${p.name}) {`,
    `\t${matcher} {`,
    '\t\tnot {',
    ...chunks([...p.ipv4, ...p.ipv6], CADDY_PER_LINE).map((c) => `\t\t\tremote_ip ${c.join(' ')}`),
    '\t\t}',
    '\t}',
    '\t# redir sorts before handle, route, respond, reverse_proxy, php_fastcgi and file_server',
    `\theader ${matcher} -Location`,
    `\tvars ${matcher} ${base}_status 403`,
    `\tredir ${matcher} / {vars.${base}_status}`,
    '}',
  ])
}
