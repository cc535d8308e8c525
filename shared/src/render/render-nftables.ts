/**
 * @module nftables: named interval sets for `include` inside your own table, or (with ports) a
 * complete `table inet NAME` whose input chain drops other sources on those ports.
 */
import { managedText, portRange, requireNonEmpty, underscored, type Prepared } from './prepare.ts'
import type { Protocol } from './types.ts'

function setLines(
  name: string,
  type: 'ipv4_addr' | 'ipv6_addr',
  cidrs: readonly string[],
  indent: string,
): string[] {
  const lines = [`${indent}set ${name} {`, `${indent}\ttype ${type}`, `${indent}\tflags interval`]
  if (cidrs.length > 0) {
    lines.push(`${indent}\telements = {`)
    cidrs.forEach((c, i) => lines.push(`${indent}\t\t${c}${i < cidrs.length - 1 ? ',' : ''}`))
    lines.push(`${indent}\t}`)
  }
  lines.push(`${indent}}`)
  return lines
}

/**
 * Without ports: `set NAME_v4` and `set NAME_v6` (both always present, so rules referencing them
 * compile) for `include "file"` inside a table block. With ports: `table inet NAME` (re-created
 * atomically: declared, deleted, defined in one transaction) with the two sets and a `chain input`
 * (hook input, priority filter, policy accept) that counts and drops packets to the ports whose
 * source is not in the family's set. Accepting nothing itself, it only narrows what other tables
 * allow.
 */
export function renderNftables(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const v4 = `${base}_v4`
  const v6 = `${base}_v6`
  if (p.ports.length === 0) {
    return managedText(
      p,
      [...setLines(v4, 'ipv4_addr', p.ipv4, ''), ...setLines(v6, 'ipv6_addr', p.ipv6, '')],
      [`# include inside a table block; reference as @${v4} and @${v6}`],
    )
  }
  const byProto = new Map<Protocol, string[]>()
  for (const spec of p.ports) {
    const [from, to] = portRange(spec)
    const list = byProto.get(spec.protocol) ?? []
    list.push(from === to ? String(from) : `${from}-${to}`)
    byProto.set(spec.protocol, list)
  }
  const rules: string[] = []
  for (const proto of ['tcp', 'udp'] as const) {
    const ports = byProto.get(proto)
    if (ports === undefined) continue
    const dport = `${proto} dport { ${ports.join(', ')} }`
    rules.push(`\t\t${dport} ip saddr != @${v4} counter drop`)
    rules.push(`\t\t${dport} ip6 saddr != @${v6} counter drop`)
  }
  return managedText(
    p,
    [
      `table inet ${base} {}`,
      `delete table inet ${base}`,
      `table inet ${base} {`,
      ...setLines(v4, 'ipv4_addr', p.ipv4, '\t'),
      ...setLines(v6, 'ipv6_addr', p.ipv6, '\t'),
      '\tchain input {',
      '\t\ttype filter hook input priority filter; policy accept;',
      ...rules,
      '\t}',
      '}',
    ],
    ['# load with: nft -f FILE (replaces the whole table atomically)'],
  )
}
