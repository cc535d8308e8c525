/**
 * @module AWS security groups: `aws ec2 describe-security-groups` output, whole or cut down by
 * `--query` (`SecurityGroups`, `SecurityGroups[0]`, `SecurityGroups[*].IpPermissions`: bare
 * arrays of groups, of permissions, or of lists of them), a bare `--ip-permissions` array (what
 * the `aws-sg` renderer writes), and `aws ec2 describe-security-group-rules` output. Groups
 * attached together allow the union of their rules; everything else is denied; they are stateful.
 */
import { isMap, isSeq, type Node, type YAMLMap } from 'yaml'
import { parseYamlDocument } from '../parse-yaml-document.ts'
import { PolicyError, syntaxError } from './policy-error.ts'
import {
  addressMatch,
  addressSets,
  finishRule,
  impliedEstablished,
  scalarText,
  type RuleDraft,
} from './rule-builder.ts'
import type { FirewallConfig, FirewallRule, TransportProtocol, ReaderWarning } from './types.ts'

/** What the reader collects while it walks the document. */
interface Collected {
  readonly file: string
  readonly lineOf: (node: unknown) => number
  readonly inbound: FirewallRule[]
  readonly outbound: FirewallRule[]
  readonly warnings: ReaderWarning[]
  /** Whether some group lists its egress rules (then egress is what they allow, not all). */
  egress: boolean
  /** Whether a bare list of permissions was read (taken as ingress). */
  bare: boolean
  /** The VpcId of every group read (an instance's groups are all of one VPC). */
  readonly vpcs: Set<string>
}

function configError(c: Collected, line: number, reason: string): PolicyError {
  return new PolicyError('ERR_POLICY_CONFIG', `${c.file}:${line}: ${reason}`, {
    file: c.file,
    line,
  })
}

/** The CIDRs of a permission's IpRanges and Ipv6Ranges; an entry without its CIDR is an error. */
function permissionCidrs(p: Record<string, unknown>, err: (r: string) => PolicyError): string[] {
  const cidrs: string[] = []
  for (const [field, key] of [
    ['IpRanges', 'CidrIp'],
    ['Ipv6Ranges', 'CidrIpv6'],
  ] as const) {
    const list = p[field]
    if (!Array.isArray(list)) continue
    list.forEach((r: unknown, k) => {
      const cidr = (r as Record<string, unknown> | null)?.[key]
      if (typeof cidr !== 'string') throw err(`${field}[${k}] has no ${key}`)
      cidrs.push(cidr)
    })
  }
  return cidrs
}

/** The protocols of an IpProtocol (AWS: `-1` all, names or numbers; others: none of TCP/UDP). */
function protocolsOf(proto: string): TransportProtocol[] {
  if (proto === '-1' || proto === 'all') return ['tcp', 'udp']
  if (proto === 'tcp' || proto === '6') return ['tcp']
  if (proto === 'udp' || proto === '17') return ['udp']
  return []
}

/** One IpPermission into a rule of `into` (none when it names no CIDR). */
function readPermission(
  c: Collected,
  p: Record<string, unknown>,
  line: number,
  into: FirewallRule[],
  err: (reason: string) => PolicyError,
): void {
  const proto = scalarText(p.IpProtocol ?? '')
  if (proto === '') throw err('IpProtocol is missing')
  const protocols = protocolsOf(proto)
  const draft: RuleDraft = { protocols, verdict: { kind: 'accept' } }
  if (proto !== '-1' && proto !== 'all' && protocols.length > 0) {
    const from = Number(p.FromPort)
    const to = Number(p.ToPort)
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw err('FromPort/ToPort are missing')
    if (!(from === -1 && to === -1)) {
      if (from < 0 || to > 65535 || from > to) throw err(`ports ${from}-${to} are not a port range`)
      draft.dports = { ranges: [[from, to]], negate: false }
    }
  }
  const cidrs = permissionCidrs(p, err)
  if (Array.isArray(p.UserIdGroupPairs) && p.UserIdGroupPairs.length > 0)
    c.warnings.push({
      file: c.file,
      line,
      message: `source security groups are not modelled (only CIDR ranges)`,
    })
  if (Array.isArray(p.PrefixListIds) && p.PrefixListIds.length > 0)
    c.warnings.push({
      file: c.file,
      line,
      message: `prefix lists are not modelled (only CIDR ranges)`,
    })
  if (cidrs.length === 0) return
  const where = { file: c.file, line }
  const m = addressMatch(addressSets(cidrs, where))
  if (into === c.inbound) draft.saddr = m
  else draft.daddr = m
  const ports = draft.dports?.ranges.map((r) => (r[0] === r[1] ? r[0] : `${r[0]}-${r[1]}`))
  const text = `${proto} ${ports ? ports.join(',') : 'all'} ${cidrs.slice(0, 3).join(' ')}${cidrs.length > 3 ? ' ...' : ''}`
  into.push(finishRule(draft, { ...where, text }))
}

/** A list of IpPermissions (a group's IpPermissions or IpPermissionsEgress). */
function readPermissions(c: Collected, seq: unknown, into: FirewallRule[], field: string): void {
  if (seq === undefined) return
  if (!isSeq(seq)) throw configError(c, c.lineOf(seq), `${field}: expected a list`)
  seq.items.forEach((perm, idx) => {
    const line = c.lineOf(perm)
    const err = (reason: string) => configError(c, line, `${field}[${idx}]: ${reason}`)
    if (!isMap(perm)) throw err('expected an object')
    readPermission(c, perm.toJSON() as Record<string, unknown>, line, into, err)
  })
}

/** One security group object: its ingress and egress permissions. */
function readGroup(c: Collected, g: YAMLMap): void {
  const id = scalarText(g.get('GroupId') ?? 'group')
  const vpc = g.get('VpcId')
  if (vpc !== undefined) c.vpcs.add(scalarText(vpc))
  readPermissions(c, g.get('IpPermissions', true), c.inbound, `${id}.IpPermissions`)
  const egress = g.get('IpPermissionsEgress', true)
  if (egress !== undefined) c.egress = true
  readPermissions(c, egress, c.outbound, `${id}.IpPermissionsEgress`)
}

/** One rule of describe-security-group-rules: `IsEgress`, `CidrIpv4`/`CidrIpv6`, ports. */
function readGroupRule(c: Collected, r: Record<string, unknown>, line: number, field: string) {
  const out = r.IsEgress === true
  if (out) c.egress = true
  const p: Record<string, unknown> = {
    ...r,
    IpRanges: typeof r.CidrIpv4 === 'string' ? [{ CidrIp: r.CidrIpv4 }] : [],
    Ipv6Ranges: typeof r.CidrIpv6 === 'string' ? [{ CidrIpv6: r.CidrIpv6 }] : [],
    UserIdGroupPairs: r.ReferencedGroupInfo ? [r.ReferencedGroupInfo] : [],
    PrefixListIds: r.PrefixListId ? [r.PrefixListId] : [],
  }
  const err = (reason: string) => configError(c, line, `${field}: ${reason}`)
  readPermission(c, p, line, out ? c.outbound : c.inbound, err)
}

/**
 * Any JSON value the CLI prints for these commands, whatever `--query` kept of it: a response
 * object, a group, a permission, a group rule, or a list of any of them.
 */
function readValue(c: Collected, node: unknown, field: string): void {
  const line = c.lineOf(node)
  if (isSeq(node)) {
    node.items.forEach((item, k) => readValue(c, item, `${field}[${k}]`))
    return
  }
  const name = field === '' ? 'the document' : field
  if (!isMap(node))
    throw configError(
      c,
      line,
      `${name}: expected 'aws ec2 describe-security-groups' output (a response, a security group, a permission, or a list of them), not '${String(node).slice(0, 40)}'`,
    )
  if (node.has('SecurityGroups') || node.has('SecurityGroupRules')) {
    const key = node.has('SecurityGroups') ? 'SecurityGroups' : 'SecurityGroupRules'
    const list = node.get(key, true)
    if (!isSeq(list)) throw configError(c, line, `${key}: expected a list`)
    readValue(c, list, key)
  } else if (node.has('IpPermissions') || node.has('IpPermissionsEgress')) readGroup(c, node)
  else if (node.has('IsEgress'))
    readGroupRule(c, node.toJSON() as Record<string, unknown>, line, field)
  else if (node.has('IpProtocol')) {
    c.bare = true
    const err = (reason: string) => configError(c, line, `${field}: ${reason}`)
    readPermission(c, node.toJSON() as Record<string, unknown>, line, c.inbound, err)
  } else
    throw configError(
      c,
      line,
      `${name}: neither a security group (no IpPermissions), a permission (no IpProtocol) nor a security group rule (no IsEgress)`,
    )
}

/**
 * Reads security groups; ingress becomes inbound rules, egress outbound. A bare list of
 * permissions cannot say which way it goes: it is read as ingress (`IpPermissions`), and the
 * output says so.
 */
export function readAwsSecurityGroups(text: string, file: string): FirewallConfig {
  const parsed = parseYamlDocument(text, file)
  if (!parsed.ok) throw syntaxError(file, parsed.problems[0]!, 'JSON')
  const { doc, position } = parsed
  const c: Collected = {
    file,
    // every node the parser returns carries its source range; an empty file has no node
    lineOf: (node) => position((node as Node | null)?.range?.[0] ?? 0).line,
    inbound: [],
    outbound: [],
    warnings: [],
    egress: false,
    bare: false,
    vpcs: new Set(),
  }
  readValue(c, doc.contents, '')
  if (c.vpcs.size > 1)
    c.warnings.push({
      file,
      line: 1,
      message: `groups of ${c.vpcs.size} VPCs (${[...c.vpcs].join(', ')}) are read as attached to one instance together, which AWS never does (an instance's groups are all of its own VPC): pass the groups of one instance (describe-security-groups --group-ids)`,
    })
  if (c.bare)
    c.warnings.push({
      file,
      line: 1,
      message: `a bare list of permissions is read as ingress (IpPermissions); egress is left at AWS's default (all allowed)`,
    })
  return {
    file,
    format: 'aws-sg',
    layer: 'cloud',
    families: [4, 6],
    chains: [
      {
        name: 'security group ingress',
        rules: [impliedEstablished(file, 1, 'security groups are stateful'), ...c.inbound],
        hook: 'input',
        priority: 0,
        policy: 'drop',
        policyLine: 1,
      },
      // no egress rules listed: AWS's default egress rule allows all
      {
        name: 'security group egress',
        rules: c.outbound,
        hook: 'output',
        priority: 0,
        policy: c.egress ? 'drop' : 'accept',
        policyLine: 1,
      },
    ],
    published: [],
    warnings: c.warnings,
  }
}
