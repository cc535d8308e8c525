/** @module Short views of what the firewall readers made of a rule, shared by their tests. */
import type { AddressMatch, FirewallRule } from '../../../shared/src/index.ts'
import { UFW_BEFORE_RULES } from '../../../shared/src/policy/rule-builder.ts'

/** A chain's rules less those ufw's stock before.rules imply ahead of them: the file's own. */
export const written = (rules: readonly FirewallRule[]) =>
  rules.filter((r) => !r.text.startsWith(UFW_BEFORE_RULES))

/** An address match as `[! ]CIDR CIDR ...`, IPv4 first. */
export const cidrs = (m: AddressMatch) =>
  `${m.negate ? '! ' : ''}${[...m.ipv4.toCidrs(), ...m.ipv6.toCidrs()].join(' ')}`

/** What a ufw reader made of one command or status row, in short. */
export function briefUfwRule(r: FirewallRule) {
  return {
    line: r.line,
    ...(r.family ? { family: r.family } : {}),
    ...(r.protocols ? { protocols: r.protocols } : {}),
    ...(r.dports ? { ports: r.dports.ranges } : {}),
    ...(r.saddr ? { from: cidrs(r.saddr) } : {}),
    ...(r.daddr ? { to: cidrs(r.daddr) } : {}),
    ...(r.iif ? { on: r.iif.names.join(',') } : {}),
    ...(r.oif ? { out: r.oif.names.join(',') } : {}),
    ...(r.never ? { never: true } : {}),
    verdict: r.verdict.kind,
  }
}
