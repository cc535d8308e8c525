/**
 * @module AWS security groups: `aws ec2 describe-security-groups` output, or a bare
 * `--ip-permissions` array (what the `aws-sg` renderer writes). Groups attached together allow
 * the union of their rules; everything else is denied; they are stateful.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import { PolicyError } from './policy-error.ts'
import {
  addressMatch,
  addressSets,
  finishRule,
  impliedEstablished,
  scalarText,
  type RuleDraft,
} from './rule-builder.ts'
import type { FirewallConfig, FirewallRule, TransportProtocol } from './types.ts'

/** Reads security groups; ingress becomes inbound rules, egress outbound. */
export function readAwsSecurityGroups(text: string, file: string): FirewallConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  // every node the parser returns carries its source range
  const lineOf = (node: unknown): number => lineCounter.linePos((node as Node).range![0]).line
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    const line = lineCounter.linePos(e.pos[0]).line
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:${line}: not valid JSON (${e.message.split('\n')[0]})`,
      { file, line },
    )
  }
  const inbound: FirewallRule[] = []
  const outbound: FirewallRule[] = []
  const warnings: string[] = []
  const readPermissions = (seq: unknown, into: FirewallRule[], field: string) => {
    if (seq === undefined) return
    if (!isSeq(seq))
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${lineOf(seq)}: ${field}: expected a list`,
        { file, line: lineOf(seq) },
      )
    seq.items.forEach((perm, idx) => {
      const line = lineOf(perm)
      const where = { file, line }
      const err = (reason: string) =>
        new PolicyError('ERR_POLICY_CONFIG', `${file}:${line}: ${field}[${idx}]: ${reason}`, where)
      if (!isMap(perm)) throw err('expected an object')
      const p = perm.toJSON() as Record<string, unknown>
      const proto = scalarText(p.IpProtocol ?? '')
      const protocols: TransportProtocol[] =
        proto === '-1' || proto === 'all'
          ? ['tcp', 'udp']
          : proto === 'tcp' || proto === '6'
            ? ['tcp']
            : proto === 'udp' || proto === '17'
              ? ['udp']
              : []
      if (proto === '') throw err('IpProtocol is missing')
      const draft: RuleDraft = { protocols, verdict: { kind: 'accept' } }
      if (proto !== '-1' && proto !== 'all' && protocols.length > 0) {
        const from = Number(p.FromPort)
        const to = Number(p.ToPort)
        if (!Number.isInteger(from) || !Number.isInteger(to))
          throw err('FromPort/ToPort are missing')
        if (!(from === -1 && to === -1)) {
          if (from < 0 || to > 65535 || from > to)
            throw err(`ports ${from}-${to} are not a port range`)
          draft.dports = { ranges: [[from, to]], negate: false }
        }
      }
      const cidrs: string[] = []
      for (const r of Array.isArray(p.IpRanges) ? (p.IpRanges as Record<string, unknown>[]) : [])
        if (typeof r.CidrIp === 'string') cidrs.push(r.CidrIp)
      for (const r of Array.isArray(p.Ipv6Ranges)
        ? (p.Ipv6Ranges as Record<string, unknown>[])
        : [])
        if (typeof r.CidrIpv6 === 'string') cidrs.push(r.CidrIpv6)
      if (Array.isArray(p.UserIdGroupPairs) && p.UserIdGroupPairs.length > 0)
        warnings.push(`${file}:${line}: source security groups are not modelled (only CIDR ranges)`)
      if (Array.isArray(p.PrefixListIds) && p.PrefixListIds.length > 0)
        warnings.push(`${file}:${line}: prefix lists are not modelled (only CIDR ranges)`)
      if (cidrs.length === 0) return
      const sets = addressSets(cidrs, where)
      const m = addressMatch(sets)
      if (into === inbound) draft.saddr = m
      else draft.daddr = m
      const text = `${proto} ${draft.dports ? draft.dports.ranges.map((r) => (r[0] === r[1] ? r[0] : `${r[0]}-${r[1]}`)).join(',') : 'all'} ${cidrs.slice(0, 3).join(' ')}${cidrs.length > 3 ? ' ...' : ''}`
      into.push(finishRule(draft, { file, line, text }))
    })
  }
  const root = doc.contents
  if (isSeq(root)) readPermissions(root, inbound, 'IpPermissions')
  else if (isMap(root) && isSeq(root.get('SecurityGroups', true))) {
    const groups = root.get('SecurityGroups', true) as unknown as { items: unknown[] }
    for (const g of groups.items) {
      if (!isMap(g)) continue
      const gm = g
      readPermissions(
        gm.get('IpPermissions', true),
        inbound,
        `${scalarText(gm.get('GroupId') ?? 'group')}.IpPermissions`,
      )
      readPermissions(
        gm.get('IpPermissionsEgress', true),
        outbound,
        `${scalarText(gm.get('GroupId') ?? 'group')}.IpPermissionsEgress`,
      )
    }
  } else if (isMap(root) && root.get('IpPermissions', true) !== undefined) {
    readPermissions(root.get('IpPermissions', true), inbound, 'IpPermissions')
    readPermissions(root.get('IpPermissionsEgress', true), outbound, 'IpPermissionsEgress')
  } else
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:1: expected 'aws ec2 describe-security-groups' output or an IpPermissions array`,
      { file, line: 1 },
    )
  const hasEgress = isMap(root) && JSON.stringify(root.toJSON()).includes('IpPermissionsEgress')
  return {
    file,
    format: 'aws-sg',
    layer: 'cloud',
    families: [4, 6],
    chains: [
      {
        name: 'security group ingress',
        rules: [impliedEstablished(file, 1, 'security groups are stateful'), ...inbound],
        hook: 'input',
        priority: 0,
        policy: 'drop',
        policyLine: 1,
      },
      // a bare ingress list says nothing about egress: AWS's default egress rule allows all
      {
        name: 'security group egress',
        rules: outbound,
        hook: 'output',
        priority: 0,
        policy: hasEgress ? 'drop' : 'accept',
        policyLine: 1,
      },
    ],
    published: [],
    warnings,
  }
}
