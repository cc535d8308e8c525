/**
 * @module The `*nat` table of an iptables-save file: its PREROUTING chain and the chains it
 * reaches (Docker's DOCKER), whose DNAT and REDIRECT rules send packets to another address or
 * port before the filter table sees them.
 */
import { parseIptablesRule, type IptablesRuleContext } from './parse-iptables-rule.ts'
import { PolicyError } from './policy-error.ts'
import type { FirewallChain } from './types.ts'

/** One command line of the `*nat` table, split into words. */
export interface NatLine {
  readonly words: string[]
  readonly line: number
  readonly text: string
}

/** The targets that continue in another chain. */
const JUMPS = new Set(['-j', '--jump', '-g', '--goto'])

/**
 * The chains PREROUTING reaches, each named `nat NAME`; the others (POSTROUTING's SNAT, OUTPUT)
 * change no inbound verdict. `policyLine` is where PREROUTING is declared.
 */
export function readIptablesNat(
  lines: readonly NatLine[],
  policyLine: number,
  ctx: Omit<IptablesRuleContext, 'chains'> & { file: string },
): FirewallChain[] {
  const byChain = new Map<string, NatLine[]>()
  for (const l of lines) {
    // iptables-save writes `-A CHAIN ...` only; `-N CHAIN` declares one, as a chain line does
    if (l.words[0] === '-N' && l.words.length === 2) continue
    if (l.words[0] !== '-A' || l.words.length < 3)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${ctx.file}:${l.line}: expected '-A CHAIN ...' in the *nat table, got '${l.text.slice(0, 60)}'`,
        { file: ctx.file, line: l.line },
      )
    let list = byChain.get(l.words[1]!)
    if (!list) byChain.set(l.words[1]!, (list = []))
    list.push(l)
  }
  const reached = ['PREROUTING']
  for (let k = 0; k < reached.length; k++)
    for (const l of byChain.get(reached[k]!) ?? [])
      for (let j = 0; j < l.words.length - 1; j++)
        if (JUMPS.has(l.words[j]!) && byChain.has(l.words[j + 1]!))
          if (!reached.includes(l.words[j + 1]!)) reached.push(l.words[j + 1]!)
  const rules = { ...ctx, chains: byChain }
  return reached.map((name) => ({
    name: `nat ${name}`,
    rules: (byChain.get(name) ?? []).map((l) => {
      const rule = parseIptablesRule(l.words.slice(2), { ...l, file: ctx.file }, rules)
      const v = rule.verdict
      return v.kind === 'jump' || v.kind === 'goto'
        ? { ...rule, verdict: { kind: v.kind, target: `nat ${v.target}` } }
        : rule
    }),
    ...(name === 'PREROUTING'
      ? { hook: 'prerouting' as const, priority: -100, policy: 'accept' as const, policyLine }
      : {}),
  }))
}
