/**
 * @module firewalld: the policy `/etc/firewalld/policies/NAME.xml` (firewalld 0.9 and later) that
 * lets the sources of the ipsets NAME-v4 and NAME-v6 reach the guarded ports and drops everyone
 * else there, whatever the zones open.
 */
import { formatPort } from './parse-port.ts'
import { portRange, requireNonEmpty, type Prepared } from './prepare.ts'
import { escapeMarkup } from '../escape-markup.ts'
import { checkFirewalldName, xmlHeader } from './render-firewalld-ipset.ts'

/**
 * A policy from zone ANY to HOST (the machine's own input), priority -1 so it runs before the
 * zones. Per port and family: a rich rule dropping sources NOT in the family's ipset (deny rules
 * run before allow rules inside a policy) and one accepting the ipset. Without ports it accepts
 * the ipsets on every port and drops nothing. Chosen over binding the ipsets to a zone as
 * sources: a source bound to a zone leaves its interface's zone, so an allowed address loses
 * that zone's services (ssh included) - measured in test/shared/render/firewalld.test.ts.
 * The policy carries no addresses: firewalld-ipset and firewalld-ipset6 do.
 */
export function renderFirewalldPolicy(p: Prepared): string {
  requireNonEmpty(p)
  checkFirewalldName(p)
  const fams = [
    ['ipv4', `${p.name}-v4`],
    ['ipv6', `${p.name}-v6`],
  ] as const
  const rules: string[] = []
  const rule = (family: string, source: string, port: string, action: string) =>
    rules.push(
      `  <rule family="${family}">`,
      `    ${source}`,
      ...(port === '' ? [] : [`    ${port}`]),
      `    <${action}/>`,
      '  </rule>',
    )
  if (p.ports.length === 0) {
    for (const [family, set] of fams) rule(family, `<source ipset="${set}"/>`, '', 'accept')
  }
  for (const spec of p.ports) {
    const [from, to] = portRange(spec)
    const port = `<port port="${from === to ? from : `${from}-${to}`}" protocol="${spec.protocol}"/>`
    for (const [family, set] of fams)
      rule(family, `<source ipset="${set}" invert="True"/>`, port, 'drop')
    for (const [family, set] of fams) rule(family, `<source ipset="${set}"/>`, port, 'accept')
  }
  const guarded =
    p.ports.length === 0
      ? 'admits these sources to every port'
      : `only these sources reach ${p.ports.map(formatPort).join(' ')}`
  return [
    ...xmlHeader(p, [
      `Save as /etc/firewalld/policies/${p.name}.xml next to the ipsets ${p.name}-v4 and ${p.name}-v6`,
      '(firewalld-ipset, firewalld-ipset6), then reload firewalld.',
    ]),
    '<policy target="CONTINUE" priority="-1">',
    `  <short>${p.name}</short>`,
    `  <description>${escapeMarkup(`allowlist-sync: ${p.comment ?? p.feedIds.join(' ')}; ${guarded}`)}</description>`,
    '  <ingress-zone name="ANY"/>',
    '  <egress-zone name="HOST"/>',
    ...rules,
    '</policy>',
    '',
  ].join('\n')
}
