/**
 * @module firewalld: one `hash:net` ipset of one family, as the XML file
 * `/etc/firewalld/ipsets/NAME-v4.xml` (or `NAME-v6.xml`) that firewalld loads at start or reload.
 */
import { escapeMarkup } from '../escape-markup.ts'
import type { Family } from '../ip/index.ts'
import { requireNonEmpty, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'

/**
 * firewalld builds chain names from policy names and allows 18 characters for them
 * (`max_policy_name_len()` in firewall/functions.py); the ipsets share the name, so every
 * firewalld format keeps to it.
 */
export const FIREWALLD_MAX_NAME = 18

/** The header as one XML comment: `--` cannot occur inside one, so it is spelled `-<U+002D>`. */
export function xmlHeader(p: Prepared, notes: readonly string[]): string[] {
  const body = [...p.header, ...notes].map((l) => `  ${l.replaceAll('--', '-<U+002D>')}`)
  return ['<?xml version="1.0" encoding="utf-8"?>', '<!--', ...body, '-->']
}

/** Throws ERR_RENDER_NAME for names firewalld cannot carry. */
export function checkFirewalldName(p: Prepared): void {
  if (p.name.length > FIREWALLD_MAX_NAME) {
    throw new RenderError(
      'ERR_RENDER_NAME',
      `${p.format}: name ${JSON.stringify(p.name)} is ${p.name.length} characters; firewalld policy names hold ${FIREWALLD_MAX_NAME} (iptables chain names are built from them)`,
      { format: p.format },
    )
  }
}

/**
 * The ipset NAME-v4 (family inet) or NAME-v6 (inet6). A family with no addresses still gives an
 * (empty) ipset, so the firewalld-policy that names both always loads; only a set with no
 * addresses in either family is refused (ERR_RENDER_EMPTY). `maxelem` is raised past firewalld's
 * default of 65,536 when the set needs it.
 */
export function renderFirewalldIpset(p: Prepared, family: Family): string {
  requireNonEmpty(p)
  checkFirewalldName(p)
  const set = `${p.name}-v${family}`
  const entries = family === 4 ? p.ipv4 : p.ipv6
  const description = `allowlist-sync: ${p.comment ?? p.feedIds.join(' ')} (IPv${family})`
  return [
    ...xmlHeader(p, [
      `Save as /etc/firewalld/ipsets/${set}.xml (firewalld names the ipset after the file), then`,
      'reload firewalld. The firewalld-policy NAME admits these sources to the guarded ports.',
    ]),
    '<ipset type="hash:net">',
    `  <short>${set}</short>`,
    `  <description>${escapeMarkup(description)}</description>`,
    `  <option name="family" value="${family === 4 ? 'inet' : 'inet6'}"/>`,
    ...(entries.length > 65_536 ? [`  <option name="maxelem" value="${entries.length}"/>`] : []),
    ...entries.map((c) => `  <entry>${c}</entry>`),
    '</ipset>',
    '',
  ].join('\n')
}
