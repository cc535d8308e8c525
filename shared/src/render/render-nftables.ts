/**
 * @module nftables: named interval sets that `nft -f` refills atomically inside your own table, or
 * (with ports) a complete `table inet NAME` whose input chain drops other sources on those ports.
 */
import type { TransportProtocol } from '../ip/index.ts'
import { filterHeader } from './filter-header.ts'
import { managedText, portRange, requireNonEmpty, underscored, type Prepared } from './prepare.ts'

/** A set declaration without elements: a no-op when the set already exists with these flags. */
function declareSet(name: string, type: 'ipv4_addr' | 'ipv6_addr', indent: string): string[] {
  return [`${indent}set ${name} {`, `${indent}\ttype ${type}`, `${indent}\tflags interval`]
}

/** `elements = { … }` lines (one CIDR a line), or nothing for an empty list. */
function elementLines(cidrs: readonly string[], indent: string): string[] {
  if (cidrs.length === 0) return []
  const lines = [`${indent}elements = {`]
  cidrs.forEach((c, i) => lines.push(`${indent}\t${c}${i < cidrs.length - 1 ? ',' : ''}`))
  lines.push(`${indent}}`)
  return lines
}

/**
 * Without ports: the sets `NAME_v4` / `NAME_v6` for the rules of your own table (options.table,
 * default `inet filter`). The file declares the table and the sets (a no-op when they exist),
 * flushes both sets and adds the elements, all in the one transaction `nft -f` makes: a reload
 * replaces the contents atomically, drops removed CIDRs, and never needs `flush ruleset`.
 */
function renderSets(p: Prepared, v4: string, v6: string): string {
  const table = `${p.table.family} ${p.table.name}`
  const body = [
    `table ${table} {`,
    ...declareSet(v4, 'ipv4_addr', '\t'),
    '\t}',
    ...declareSet(v6, 'ipv6_addr', '\t'),
    '\t}',
    '}',
    `flush set ${table} ${v4}`,
    `flush set ${table} ${v6}`,
  ]
  for (const [set, cidrs] of [
    [v4, p.ipv4],
    [v6, p.ipv6],
  ] as const) {
    if (cidrs.length === 0) continue
    body.push(`add element ${table} ${set} {`)
    cidrs.forEach((c, i) => body.push(`\t${c}${i < cidrs.length - 1 ? ',' : ''}`))
    body.push('}')
  }
  return managedText(p, body, [
    `# sets only: your own rules in table ${table} decide, e.g. tcp dport 443 ip saddr != @${v4} drop`,
    `# or include it at the top level of nftables.conf, before the table block whose rules use @${v4} / @${v6}`,
  ])
}

/**
 * Without ports: see renderSets. With ports: `table inet NAME`, re-created atomically (declared,
 * deleted and defined in one transaction), with the two sets and a `chain input` (hook input,
 * priority filter, policy accept) that lets loopback return (unless exemptLoopback is false) and
 * counts and drops packets to the ports whose source is not in the family's set. It accepts
 * nothing itself: an nftables accept only ends its own base chain, and here no packet gets one,
 * so the rest of the ruleset still decides whether the port is open.
 */
export function renderNftables(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const v4 = `${base}_v4`
  const v6 = `${base}_v6`
  if (p.ports.length === 0) return renderSets(p, v4, v6)
  const byProto = new Map<TransportProtocol, string[]>()
  for (const spec of p.ports) {
    const [from, to] = portRange(spec)
    const list = byProto.get(spec.protocol) ?? []
    list.push(from === to ? String(from) : `${from}-${to}`)
    byProto.set(spec.protocol, list)
  }
  const rules: string[] = p.exemptLoopback ? ['\t\tiif "lo" return'] : []
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
      ...declareSet(v4, 'ipv4_addr', '\t'),
      ...elementLines(p.ipv4, '\t\t'),
      '\t}',
      ...declareSet(v6, 'ipv6_addr', '\t'),
      ...elementLines(p.ipv6, '\t\t'),
      '\t}',
      '\tchain input {',
      '\t\ttype filter hook input priority filter; policy accept;',
      ...rules,
      '\t}',
      '}',
    ],
    [...filterHeader(p, [4, 6])],
  )
}
