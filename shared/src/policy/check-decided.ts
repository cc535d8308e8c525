/**
 * @module What an evaluation could not check: the directions and families a policy asks about
 * that no config decides (a fragment, an include-only file), whole rulesets without an input
 * chain, where the kernel accepts everything, and DNAT targets whose route no config holds.
 */
import type { Family } from '../ip/index.ts'
import type { CompiledConfigs } from './compile-configs.ts'
import { reachOf } from './reach-of.ts'
import { bridgeOf, translated } from './run-chain.ts'
import type { Finding, Policy, TrafficDirection, Unchecked } from './types.ts'

const FAMILIES: readonly Family[] = [4, 6]

const familyName = (f: Family) => (f === 4 ? 'IPv4' : 'IPv6')

export const DIRECTIONS: readonly TrafficDirection[] = ['inbound', 'outbound']

/** Whether a policy says anything about a direction. */
export function asks(policy: Policy, direction: TrafficDirection): boolean {
  return (
    policy.rules.some((r) => r.direction === direction) || policy.unlisted[direction] !== 'ignore'
  )
}

/**
 * Notes what the policy asks about and no config decides, and where a whole ruleset has no
 * input chain (the kernel accepts everything there: the reach says so, the note says why).
 */
export function checkDecided(
  policy: Policy,
  cs: CompiledConfigs,
  findings: Finding[],
): Unchecked[] {
  const unchecked: Unchecked[] = []
  for (const direction of DIRECTIONS.filter((d) => asks(policy, d)))
    for (const f of FAMILIES) {
      const decided =
        reachOf(cs, { direction, protocol: 'tcp', port: 1, family: f, state: 'new', iface: '' }) !==
        undefined
      if (decided) continue
      unchecked.push({ direction, family: f })
      findings.push({
        rule: 'not-checked',
        severity: 'note',
        direction,
        message: `no config decides ${direction} ${familyName(f)} traffic: ${direction} ${familyName(f)} was not checked`,
        hint:
          f === 6
            ? 'Pass the ip6tables-save / user6.rules file too, or an inet table (a file that only includes others decides nothing: pass the included files).'
            : 'Pass the iptables-save / user.rules file too, or an ip/inet table (a file that only includes others decides nothing: pass the included files).',
      })
    }
  if (!asks(policy, 'inbound')) return unchecked
  for (const c of cs.compiled) {
    if (c.config.layer !== 'host' || !c.config.whole) continue
    for (const f of c.config.families)
      if (!c.hooks.input.some((ch) => ch.chain.family === undefined || ch.chain.family === f))
        findings.push({
          rule: 'no-input-chain',
          severity: 'note',
          direction: 'inbound',
          file: c.config.file,
          line: 1,
          message: `${c.config.file} is a whole ruleset with no ${familyName(f)} chain on the input hook: the kernel accepts every inbound ${familyName(f)} packet to this host`,
          hint:
            c.config.format === 'iptables-save'
              ? 'Filter INPUT: a *filter table with :INPUT DROP and the ACCEPT rules the platform needs.'
              : 'Add an input chain: chain input { type filter hook input priority filter; policy drop; ... } with the accept rules the platform needs.',
        })
  }
  noteGuessedRoutes(cs, findings)
  return unchecked
}

/**
 * Notes each DNAT to another machine whose way out the rule does not name (Docker's `! -i
 * BRIDGE` does): the evaluator lets FORWARD's rules out of any interface decide it.
 */
function noteGuessedRoutes(cs: CompiledConfigs, findings: Finding[]) {
  for (const c of cs.configs)
    for (const ch of c.chains)
      for (const rule of ch.rules) {
        const v = rule.verdict
        if (v.kind !== 'dnat' || v.addr === undefined) continue
        const to = { ...v, rule }
        const family = v.addr.includes(':') ? 6 : 4
        if (translated(to, family, 1).local === undefined || bridgeOf(to) !== undefined) continue
        findings.push({
          rule: 'dnat-route',
          severity: 'note',
          direction: 'inbound',
          file: rule.file,
          line: rule.line,
          message: `a DNAT forwards to ${v.addr}, and no config says which interface leads there: FORWARD's rules are applied as if it left by any interface (the host's routes decide)`,
          hint: 'Check the route to the destination (ip route get ADDRESS) and that FORWARD admits only what should reach it.',
        })
      }
}
