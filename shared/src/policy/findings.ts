/**
 * @module Findings of a policy against compiled configs: each rule's ports are checked class by
 * class and family by family; the deciding firewall rule comes from tracing one offending
 * address; messages say which sources get in (or which required ones do not) and how to fix it.
 */
import { formatAddressValue, IpSet, type Family } from '../ip/index.ts'
import { cidrSet } from './cidr-set.ts'
import { PUBLIC, PUBLIC_THRESHOLD } from './public-space.ts'
import { classesIn, type CompiledConfigs } from './compile-configs.ts'
import { reachOf } from './reach-of.ts'
import { pointFor, traceAddress, type TraceStep } from './trace-address.ts'
import { asks, checkDecided, DIRECTIONS } from './check-decided.ts'
import { fixSnippet } from './fix-snippet.ts'
import { UFW_BEFORE_RULES } from './rule-builder.ts'
import { noteHint } from './note-hint.ts'
import { formatPortRange } from './parse-policy.ts'
import { PolicyError } from './policy-error.ts'
import type { PacketShape } from './run-chain.ts'
import type {
  ConfigFormat,
  EvaluateOptions,
  Evaluation,
  Finding,
  FindingSeverity,
  Policy,
  PolicyRule,
  PolicySource,
  PortRange,
  ReachEntry,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

const FAMILIES: readonly Family[] = [4, 6]

/** At most this many CIDRs go into a finding's `sources`. */
const MAX_SOURCES = 20

const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, note: 2 }

function resolveSources(
  sources: readonly PolicySource[],
  family: Family,
  options: EvaluateOptions,
  anyMeans: 'public' | 'all',
): IpSet {
  let set = IpSet.empty(family)
  for (const s of sources) {
    if (s === 'any') set = set.union(anyMeans === 'public' ? PUBLIC[family] : IpSet.all(family))
    else if (s.startsWith('feed:')) {
      const id = s.slice(5)
      const feed = options.feedSets?.get(id)
      if (!feed)
        throw new PolicyError(
          'ERR_POLICY_FEED',
          `the policy names feed '${id}', but its addresses were not supplied`,
        )
      const list = family === 4 ? feed.ipv4 : feed.ipv6
      // an IpSet is taken as it is; another CidrSource through its canonical CIDRs
      set = set.union(list instanceof IpSet ? list : IpSet.fromCidrs(family, list.toCidrs()))
    } else {
      const isV6 = s.includes(':')
      if ((isV6 ? 6 : 4) === family) set = set.union(cidrSet(family, s))
    }
  }
  return set
}

function describeSources(sources: readonly PolicySource[]): string {
  if (sources.length === 0) return 'no source (the rule lists none)'
  return sources.map((s) => (s === 'any' ? 'anywhere' : s)).join(', ')
}

function familyName(f: Family): string {
  return f === 4 ? 'IPv4' : 'IPv6'
}

function firstAddress(set: IpSet): bigint {
  return set.firstValue()!
}

function cidrList(set: IpSet, family: Family): string[] {
  if (set.covers(PUBLIC[family])) return [family === 4 ? '0.0.0.0/0' : '::/0']
  const first = set.toCidrs(MAX_SOURCES + 1)
  return first.length <= MAX_SOURCES
    ? first
    : [...first.slice(0, MAX_SOURCES - 1), `... (${set.rangeCount} address ranges in all)`]
}

function formatRanges(ranges: readonly PortRange[]): string {
  const merged: [number, number][] = []
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  return merged.map(formatPortRange).join(',')
}

interface Ctx {
  readonly cs: CompiledConfigs
  readonly options: EvaluateOptions
  readonly findings: Finding[]
  readonly formatOf: (file: string) => ConfigFormat | undefined
}

/**
 * The step that explains a finding: for "gets in", the first accepting step (published ports
 * first); for "blocked", the drop. The trace walks the chains the reach ran, so an address the
 * reach lets in has an accepting step and one it keeps out a dropping step.
 */
function decider(steps: readonly TraceStep[], want: 'accepted' | 'dropped'): TraceStep | undefined {
  if (want === 'dropped') return steps.find((s) => !s.accepted)
  return (
    steps.find((s) => s.layer === 'docker') ??
    steps.find((s) => s.accepted && s.layer === 'host') ??
    steps.find((s) => s.accepted)
  )
}

/**
 * Traces one address at the evaluation point where it is let in (`accepted`) or at the first
 * (`dropped`: it is kept out at all of them). `where` names the interface when more
 * than one is public, e.g. ` (arriving on eth0)`.
 */
function explain(
  cs: CompiledConfigs,
  shape: PacketShape,
  address: bigint,
  want: 'accepted' | 'dropped',
): { step: TraceStep; where: string } {
  const pick = pointFor(cs, shape, address)
  const step = decider(traceAddress(cs, pick?.shape ?? { ...shape, iface: '' }, address), want)
  const where =
    cs.publicInterfaces.length > 1 && pick
      ? ` (${shape.direction === 'inbound' ? 'arriving on' : 'leaving by'} ${pick.label})`
      : ''
  // no step: no public interface at all (every one configured internal), so nothing of the
  // Internet arrives; or no chain on the hook (a whole ruleset without one), so the kernel lets
  // everything through
  return {
    step: step ?? {
      file: cs.configs[0]!.file,
      line: 1,
      text: pick
        ? `no chain on the ${shape.direction === 'inbound' ? 'input' : 'output'} hook filters it: the kernel lets it through`
        : 'no interface is taken as public (all were configured internal)',
      accepted: pick !== undefined,
      layer: 'host',
    },
    where,
  }
}

/** Each class's reach per family for a rule's ports, recorded in `reachOut` as it goes. */
function reachByFamily(
  rule: PolicyRule,
  cs: CompiledConfigs,
  classes: readonly PortRange[],
  reachOut: ReachEntry[],
): Map<Family, (IpSet | undefined)[]> {
  const perFamily = new Map<Family, (IpSet | undefined)[]>()
  for (const f of FAMILIES)
    perFamily.set(
      f,
      classes.map((c) =>
        reachOf(cs, {
          direction: rule.direction,
          protocol: rule.protocol,
          port: c[0],
          family: f,
          state: 'new',
        }),
      ),
    )
  classes.forEach((c, k) => {
    const r4 = perFamily.get(4)![k]
    const r6 = perFamily.get(6)![k]
    reachOut.push({
      direction: rule.direction,
      protocol: rule.protocol,
      ports: c,
      ...(r4 ? { ipv4: r4 } : {}),
      ...(r6 ? { ipv6: r6 } : {}),
    })
  })
  return perFamily
}

/** What breaks a rule in one family: the offending sources, their ports, a sample to trace. */
interface Offence {
  readonly offending: IpSet
  readonly badPorts: PortRange[]
  readonly sample: bigint
  readonly samplePort: number
}

function offenceOf(
  rule: PolicyRule,
  f: Family,
  sources: readonly PolicySource[],
  classes: readonly PortRange[],
  reaches: readonly (IpSet | undefined)[],
  options: EvaluateOptions,
): Offence | undefined {
  let bad: IpSet | undefined
  const badPorts: PortRange[] = []
  let samplePort = 0
  let offending = IpSet.empty(f)
  classes.forEach((c, k) => {
    const reach = reaches[k]
    if (reach === undefined) return
    let off: IpSet
    if (rule.kind === 'require') {
      off = resolveSources(sources, f, options, 'public').difference(reach)
    } else if (rule.kind === 'restrict') {
      off = reach.difference(resolveSources(sources, f, options, 'all'))
    } else {
      const pub = reach.intersection(PUBLIC[f])
      off = pub.addressCount() > PUBLIC_THRESHOLD[f] ? pub : IpSet.empty(f)
    }
    if (off.isEmpty) return
    if (bad === undefined) {
      bad = off
      samplePort = c[0]
    }
    offending = offending.union(off)
    badPorts.push(c)
  })
  if (bad === undefined) return undefined
  return { offending, badPorts, sample: firstAddress(bad), samplePort }
}

/**
 * How to close ports the rule at `step` lets in: a line in the deciding file's syntax, or, for an
 * accept in ufw's own before.rules (ahead of every ufw rule: no `ufw deny` closes it), where to
 * edit it.
 */
function closeFix(
  step: TraceStep,
  format: ConfigFormat | undefined,
  direction: TrafficDirection,
  protocol: TransportProtocol,
  ports: string,
): string {
  if (step.text.startsWith(UFW_BEFORE_RULES))
    return "the accept is ufw's own, in /etc/ufw/before.rules (before6.rules for IPv6) ahead of every ufw rule, so no 'ufw deny' closes it: if this host takes no address by DHCP, comment that line out and run 'ufw reload'"
  return fixSnippet(format, 'close', direction, protocol, ports, [])
}

/** A rule's finding in one family: the message and the fix, in the deciding file's syntax. */
function ruleMessage(
  rule: PolicyRule,
  f: Family,
  sources: readonly PolicySource[],
  o: Offence,
  found: { step: TraceStep; on: string; ports: string; format: ConfigFormat | undefined },
  options: EvaluateOptions,
): { message: string; hint: string } {
  const { step, on, ports, format } = found
  const where = rule.direction === 'inbound' ? 'from' : 'to'
  const subject = `${rule.direction === 'outbound' ? 'outbound ' : ''}${ports}/${rule.protocol} (${rule.title})`
  const sample = formatAddressValue(f, o.sample)
  if (rule.kind === 'require') {
    const required = resolveSources(sources, f, options, 'public')
    const through = required.difference(o.offending)
    const extent = through.isEmpty
      ? 'blocked for all of them'
      : `reachable only from ${through.toCidrs(3).join(', ')}${through.toCidrs(4).length > 3 ? ', ...' : ''} of them`
    return {
      message: `${subject} is not reachable ${where} ${describeSources(sources)} over ${familyName(f)}: ${extent}; e.g. ${sample} is dropped by ${step.text}${on}`,
      hint: `Open it: ${fixSnippet(
        format,
        'open',
        rule.direction,
        rule.protocol,
        ports,
        sources.map((s) => (s.startsWith('feed:') ? `<${s.slice(5)} addresses>` : s)),
      )}`,
    }
  }
  if (rule.kind === 'restrict')
    return {
      message: `${subject} is reachable ${where} sources outside ${describeSources(sources)} over ${familyName(f)}, e.g. ${sample} (let in by ${step.text})${on}`,
      hint: `Allow only ${describeSources(sources)}: narrow the rule at ${step.file}:${step.line}; allowlist-sync render can generate the allowlist from the feed.`,
    }
  const extent = o.offending.covers(PUBLIC[f])
    ? 'from anywhere'
    : `from ${o.offending.rangeCount} public address range(s)`
  return {
    message: `${subject} is reachable from the public Internet over ${familyName(f)} (${extent}): let in by ${step.text}${on}`,
    hint: `Close it to the Internet: ${closeFix(step, format, rule.direction, rule.protocol, ports)}`,
  }
}

function checkRule(rule: PolicyRule, ctx: Ctx, reachOut: ReachEntry[]): void {
  const { cs } = ctx
  const classes = classesIn(cs, rule.protocol, rule.ports)
  const perFamily = reachByFamily(rule, cs, classes, reachOut)
  if (rule.kind === 'allow') return
  // `require` defaults to anywhere; a `restrict` without sources (parsePolicy refuses one, a
  // policy built in code may not) admits nobody: a missing list must not open the port.
  const sources = rule.sources ?? (rule.kind === 'restrict' ? [] : ['any'])
  for (const f of FAMILIES) {
    const reaches = perFamily.get(f)!
    if (reaches.every((r) => r === undefined)) continue
    const o = offenceOf(rule, f, sources, classes, reaches, ctx.options)
    if (o === undefined) continue
    const shape: PacketShape = {
      direction: rule.direction,
      protocol: rule.protocol,
      port: o.samplePort,
      family: f,
      state: 'new',
    }
    const want = rule.kind === 'require' ? 'dropped' : 'accepted'
    const { step, where: on } = explain(cs, shape, o.sample, want)
    const ports = formatRanges(o.badPorts)
    const found = { step, on, ports, format: ctx.formatOf(step.file) }
    const text = ruleMessage(rule, f, sources, o, found, ctx.options)
    const hint = rule.hint ? `${text.hint.replace(/[.;]?$/, '.')} ${rule.hint}` : text.hint
    const severity: FindingSeverity = rule.severity ?? 'error'
    ctx.findings.push({
      rule: rule.id,
      severity,
      port: ports,
      protocol: rule.protocol,
      direction: rule.direction,
      file: step.file,
      line: step.line,
      message: text.message,
      hint,
      sources: cidrList(o.offending, f),
    })
  }
}

function checkUnlisted(policy: Policy, direction: TrafficDirection, ctx: Ctx): void {
  const stance = policy.unlisted[direction]
  if (stance === 'ignore') return
  const { cs } = ctx
  for (const protocol of ['tcp', 'udp'] as const) {
    const listed = policy.rules.filter((r) => r.direction === direction && r.protocol === protocol)
    const isListed = (c: PortRange) => listed.some((r) => c[0] >= r.ports[0] && c[1] <= r.ports[1])
    // classes never straddle a rule's bounds only if the rule's ports are class bounds: split them
    const pieces: PortRange[] = []
    for (const c of classesIn(cs, protocol, [1, 65535])) {
      const cuts = new Set<number>([c[0]])
      for (const r of listed) {
        if (r.ports[0] > c[0] && r.ports[0] <= c[1]) cuts.add(r.ports[0])
        if (r.ports[1] + 1 > c[0] && r.ports[1] + 1 <= c[1]) cuts.add(r.ports[1] + 1)
      }
      const sorted = [...cuts].sort((a, b) => a - b)
      sorted.forEach((s, i) => pieces.push([s, i + 1 < sorted.length ? sorted[i + 1]! - 1 : c[1]]))
    }
    for (const f of FAMILIES) {
      let group:
        { ports: PortRange[]; off: IpSet; sample: { port: number; addr: bigint } } | undefined
      const flush = () => {
        if (!group) return
        const shape: PacketShape = {
          direction,
          protocol,
          port: group.sample.port,
          family: f,
          state: 'new',
        }
        const { step, where } = explain(cs, shape, group.sample.addr, 'accepted')
        const ports = formatRanges(group.ports)
        const format = ctx.formatOf(step.file)
        ctx.findings.push({
          rule: `unlisted-${direction}`,
          severity: stance === 'deny' ? 'error' : 'warning',
          port: ports,
          protocol,
          direction,
          file: step.file,
          line: step.line,
          message: `${direction === 'outbound' ? 'outbound ' : ''}${ports}/${protocol} is reachable ${direction === 'inbound' ? 'from' : 'to'} the public Internet over ${familyName(f)}, and policy '${policy.id}' does not list it (let in by ${step.text})${where}`,
          hint: `Close what the platform does not need: ${closeFix(step, format, direction, protocol, ports)}; or add the port to the policy as 'allow'.`,
          sources: cidrList(group.off, f),
        })
        group = undefined
      }
      for (const piece of pieces) {
        if (isListed(piece)) {
          flush()
          continue
        }
        const reach = reachOf(cs, { direction, protocol, port: piece[0], family: f, state: 'new' })
        const off = reach?.intersection(PUBLIC[f])
        if (!off || off.isEmpty) {
          flush()
          continue
        }
        if (group) {
          group.ports.push(piece)
          group.off = group.off.union(off)
        } else group = { ports: [piece], off, sample: { port: piece[0], addr: firstAddress(off) } }
      }
      flush()
    }
  }
}

/** Linux's ephemeral ports (net.ipv4.ip_local_port_range), where replies to outbound UDP arrive. */
const EPHEMERAL: PortRange = [32768, 60999]

function checkUdpReturn(policy: Policy, ctx: Ctx): void {
  if (!policy.udpReturnTraffic) return
  for (const rule of policy.rules) {
    if (rule.kind !== 'require' || rule.direction !== 'outbound' || rule.protocol !== 'udp')
      continue
    for (const f of FAMILIES) {
      const need = resolveSources(rule.sources ?? ['any'], f, ctx.options, 'public')
      for (const c of classesIn(ctx.cs, 'udp', EPHEMERAL)) {
        const shape: PacketShape = {
          direction: 'inbound',
          protocol: 'udp',
          port: c[0],
          family: f,
          state: 'established',
        }
        const reach = reachOf(ctx.cs, shape)
        if (reach === undefined) break
        const missing = need.difference(reach)
        if (missing.isEmpty) continue
        const { step } = explain(ctx.cs, shape, firstAddress(missing), 'dropped')
        ctx.findings.push({
          rule: 'udp-return',
          severity: 'warning',
          port: formatRanges([c]),
          protocol: 'udp',
          direction: 'inbound',
          file: step.file,
          line: step.line,
          message: `replies to outbound ${formatPortRange(rule.ports)}/udp (${rule.title}) cannot come back over ${familyName(f)}: the inbound side drops them (stateless filtering?), e.g. from ${formatAddressValue(f, firstAddress(missing))}`,
          hint: 'Accept established traffic inbound (ct state established,related accept / -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT), or on a stateless ACL allow UDP 1024-65535 from the relays.',
          sources: cidrList(missing, f),
        })
        break
      }
    }
  }
}

/** Evaluates a policy against compiled configs: findings (most severe first) and reach. */
export function findingsFor(
  policy: Policy,
  cs: CompiledConfigs,
  options: EvaluateOptions,
): Evaluation {
  const formats = new Map(cs.configs.map((c) => [c.file, c.format] as const))
  const ctx: Ctx = { cs, options, findings: [], formatOf: (file) => formats.get(file) }
  const reach: ReachEntry[] = []
  for (const rule of policy.rules) checkRule(rule, ctx, reach)
  checkUnlisted(policy, 'inbound', ctx)
  checkUnlisted(policy, 'outbound', ctx)
  checkUdpReturn(policy, ctx)
  const unchecked = checkDecided(policy, cs, ctx.findings)
  for (const c of cs.configs)
    for (const w of c.warnings)
      ctx.findings.push({
        rule: 'not-modelled',
        severity: 'note',
        file: w.file,
        ...(w.line !== undefined ? { line: w.line } : {}),
        message: w.message,
        hint: noteHint(w.message),
      })
  for (const note of policy.notes)
    ctx.findings.push({
      rule: 'note',
      severity: 'note',
      message: note,
      hint: `From ${policy.source}.`,
    })
  const findings = ctx.findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.file ?? '\uffff').localeCompare(b.file ?? '\uffff') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.port ?? '').localeCompare(b.port ?? '', undefined, { numeric: true }),
  )
  const asked = DIRECTIONS.filter((d) => asks(policy, d))
  const verdict = findings.some((f) => f.severity === 'error')
    ? 'not-compliant'
    : asked.some((d) => unchecked.filter((u) => u.direction === d).length === FAMILIES.length)
      ? 'nothing-checked'
      : 'compliant'
  const taken = (role: 'public' | 'internal') =>
    cs.interfaces
      .filter((c) => c.role === role && (c.named || role === 'public'))
      .map((c) => c.label)
  return {
    findings,
    reach,
    interfaces: { public: taken('public'), internal: taken('internal') },
    unchecked,
    verdict,
  }
}
