/**
 * @module The evaluator: for every port and protocol, the exact set of sources that reach it
 * through the configs (first match, jumps and returns, default policies, connection state), and
 * the findings of a policy against it. Configs compile once into port classes (ranges of ports
 * that every rule treats alike) with, per chain, the rules that can match each class.
 */
import { AddrRanges, type AddrFamily } from './addr-ranges.ts'
import { findingsFor } from './findings.ts'
import { PolicyError } from './policy-error.ts'
import type {
  EvaluateOptions,
  Evaluation,
  FirewallChain,
  FirewallConfig,
  FirewallRule,
  PortRange,
  Policy,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

/** A packet's connection state: a new connection, or a reply to one. */
export type PacketState = 'new' | 'established'

const PROTOCOLS: readonly TransportProtocol[] = ['tcp', 'udp']
const MAX_DEPTH = 64

interface CompiledChain {
  readonly chain: FirewallChain
  /** Per protocol: indices of rules that may match any port, ascending. */
  readonly always: Record<TransportProtocol, number[]>
  /** Per protocol, per class: indices of port-specific rules that match the class. */
  readonly buckets: Record<TransportProtocol, Map<number, number[]>>
}

interface CompiledConfig {
  readonly config: FirewallConfig
  readonly chains: ReadonlyMap<string, CompiledChain>
  /** Base chains per hook, by priority. */
  readonly hooks: Readonly<Record<'input' | 'output' | 'docker-user', readonly CompiledChain[]>>
}

/** Configs compiled once (port classes, chain indexes) to evaluate many policies against. */
export interface CompiledConfigs {
  readonly configs: readonly FirewallConfig[]
  /** @internal */
  readonly compiled: readonly CompiledConfig[]
  /** Per protocol: class start ports, ascending, starting at 1; class k is [starts[k], starts[k+1]-1]. */
  readonly classStarts: Readonly<Record<TransportProtocol, readonly number[]>>
}

function ruleMayMatch(rule: FirewallRule, protocol: TransportProtocol): boolean {
  if (rule.never) return false
  if (rule.protocols && !rule.protocols.includes(protocol)) return false
  return true
}

/** Index of the class containing `port`. */
export function classOf(starts: readonly number[], port: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= port) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Precomputes what evaluation needs; pass the result to {@link evaluatePolicy} repeatedly. */
export function compileConfigs(configs: readonly FirewallConfig[]): CompiledConfigs {
  const classStarts = {} as Record<TransportProtocol, number[]>
  for (const protocol of PROTOCOLS) {
    const points = new Set<number>([1])
    for (const c of configs) {
      for (const chain of c.chains)
        for (const rule of chain.rules)
          if (rule.dports && ruleMayMatch(rule, protocol))
            for (const [a, b] of rule.dports.ranges) {
              points.add(Math.max(a, 1))
              if (b < 65535) points.add(b + 1)
            }
      for (const p of c.published)
        if (p.protocol === protocol) {
          points.add(p.ports[0])
          if (p.ports[1] < 65535) points.add(p.ports[1] + 1)
        }
    }
    classStarts[protocol] = [...points].sort((x, y) => x - y)
  }
  const compiled = configs.map((config): CompiledConfig => {
    const chains = new Map<string, CompiledChain>()
    for (const chain of config.chains) {
      const always = { tcp: [] as number[], udp: [] as number[] }
      const buckets = { tcp: new Map<number, number[]>(), udp: new Map<number, number[]>() }
      chain.rules.forEach((rule, idx) => {
        for (const protocol of PROTOCOLS) {
          if (!ruleMayMatch(rule, protocol)) continue
          if (!rule.dports || rule.dports.negate) {
            always[protocol].push(idx)
            continue
          }
          const starts = classStarts[protocol]
          const seen = new Set<number>()
          for (const [a, b] of rule.dports.ranges) {
            for (
              let k = classOf(starts, Math.max(a, 1));
              k < starts.length && starts[k]! <= b;
              k++
            ) {
              if (seen.has(k)) continue
              seen.add(k)
              let list = buckets[protocol].get(k)
              if (!list) buckets[protocol].set(k, (list = []))
              list.push(idx)
            }
          }
        }
      })
      chains.set(chain.name, { chain, always, buckets })
    }
    const hook = (h: 'input' | 'output' | 'docker-user') =>
      [...chains.values()]
        .filter((c) => c.chain.hook === h)
        .sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0))
    return {
      config,
      chains,
      hooks: { input: hook('input'), output: hook('output'), 'docker-user': hook('docker-user') },
    }
  })
  return { configs, compiled, classStarts }
}

/** What a packet is, minus its remote address. */
export interface PacketShape {
  readonly direction: TrafficDirection
  readonly protocol: TransportProtocol
  readonly port: number
  readonly family: AddrFamily
  readonly state: PacketState
}

interface Ctx extends PacketShape {
  readonly cls: number
  readonly cc: CompiledConfig
}

function candidates(ch: CompiledChain, ctx: Ctx): number[] {
  const a = ch.always[ctx.protocol]
  const b = ch.buckets[ctx.protocol].get(ctx.cls)
  if (!b || b.length === 0) return a
  if (a.length === 0) return b
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!)
    else out.push(b[j++]!)
  }
  return out
}

function matchesShape(rule: FirewallRule, ctx: Ctx): boolean {
  if (rule.family !== undefined && rule.family !== ctx.family) return false
  if (rule.dports) {
    const inRange = rule.dports.ranges.some(([a, b]) => ctx.port >= a && ctx.port <= b)
    if (inRange === rule.dports.negate) return false
  }
  if (rule.states && !(ctx.state === 'new' ? rule.states.new : rule.states.established))
    return false
  return true
}

function remoteMatch(rule: FirewallRule, direction: TrafficDirection) {
  return direction === 'inbound' ? rule.saddr : rule.daddr
}

function matchedSet(rule: FirewallRule, set: AddrRanges, ctx: Ctx): AddrRanges {
  const m = remoteMatch(rule, ctx.direction)
  if (!m) return set
  const s = ctx.family === 4 ? m.ipv4 : m.ipv6
  return m.negate ? set.difference(s) : set.intersection(s)
}

interface ChainResult {
  acc: AddrRanges
  drop: AddrRanges
  ret: AddrRanges
}

/** Refuses a chain reached through more than {@link MAX_DEPTH} jumps (a loop of jumps, likely). */
function checkDepth(ch: CompiledChain, ctx: Ctx, depth: number): void {
  if (depth > MAX_DEPTH)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${ctx.cc.config.file}: chain '${ch.chain.name}': jumps nest deeper than ${MAX_DEPTH} (a loop?)`,
      { file: ctx.cc.config.file },
    )
}

function runChain(ch: CompiledChain, input: AddrRanges, ctx: Ctx, depth: number): ChainResult {
  checkDepth(ch, ctx, depth)
  const empty = AddrRanges.empty(ctx.family)
  let remaining = input
  let acc = empty
  let drop = empty
  let ret = empty
  const rules = ch.chain.rules
  for (const idx of candidates(ch, ctx)) {
    if (remaining.isEmpty) break
    const rule = rules[idx]!
    if (!matchesShape(rule, ctx)) continue
    const m = matchedSet(rule, remaining, ctx)
    if (m.isEmpty) continue
    const v = rule.verdict
    switch (v.kind) {
      case 'continue':
        break
      case 'accept':
        acc = acc.union(m)
        remaining = remaining.difference(m)
        break
      case 'drop':
        drop = drop.union(m)
        remaining = remaining.difference(m)
        break
      case 'return':
        ret = ret.union(m)
        remaining = remaining.difference(m)
        break
      case 'jump':
      case 'goto': {
        const target = ctx.cc.chains.get(v.target)
        if (!target) break
        const sub = runChain(target, m, ctx, depth + 1)
        acc = acc.union(sub.acc)
        drop = drop.union(sub.drop)
        if (v.kind === 'goto') {
          ret = ret.union(sub.ret)
          remaining = remaining.difference(m)
        } else remaining = remaining.difference(sub.acc).difference(sub.drop)
        break
      }
    }
  }
  return { acc, drop, ret: ret.union(remaining) }
}

/** The sources a base chain lets through: accepted, plus fall-through if the policy accepts. */
function baseReach(ch: CompiledChain, input: AddrRanges, ctx: Ctx): AddrRanges {
  const r = runChain(ch, input, ctx, 0)
  return (ch.chain.policy ?? 'accept') === 'accept' ? r.acc.union(r.ret) : r.acc
}

function hookReach(
  cc: CompiledConfig,
  hook: 'input' | 'output' | 'docker-user',
  set: AddrRanges,
  ctx: Omit<Ctx, 'cc'>,
): AddrRanges {
  let s = set
  for (const ch of cc.hooks[hook]) {
    if (ch.chain.family !== undefined && ch.chain.family !== ctx.family) continue
    s = baseReach(ch, s, { ...ctx, cc })
    if (s.isEmpty) break
  }
  return s
}

function decides(cc: CompiledConfig, shape: PacketShape): boolean {
  if (!cc.config.families.includes(shape.family)) return false
  const hook = shape.direction === 'inbound' ? 'input' : 'output'
  return cc.hooks[hook].some(
    (ch) => ch.chain.family === undefined || ch.chain.family === shape.family,
  )
}

/** Whether a published port of a compose file covers the packet (host IP of its family, not loopback). */
function publishedFor(cc: CompiledConfig, shape: PacketShape) {
  return cc.config.published.find((p) => {
    if (p.protocol !== shape.protocol || shape.port < p.ports[0] || shape.port > p.ports[1])
      return false
    if (p.hostIp === undefined || p.hostIp === '0.0.0.0' || p.hostIp === '::') return true
    const v6 = p.hostIp.includes(':')
    if ((v6 ? 6 : 4) !== shape.family) return false
    return !(p.hostIp.startsWith('127.') || p.hostIp === '::1')
  })
}

/**
 * The remote addresses (sources inbound, destinations outbound) that get through every layer,
 * or undefined when no config decides this family and direction.
 */
export function reachOf(cs: CompiledConfigs, shape: PacketShape): AddrRanges | undefined {
  const cls = classOf(cs.classStarts[shape.protocol], shape.port)
  const base = { ...shape, cls }
  let reach = AddrRanges.all(shape.family)
  let decided = false
  const hook = shape.direction === 'inbound' ? 'input' : 'output'
  const published =
    shape.direction === 'inbound' ? cs.compiled.find((cc) => publishedFor(cc, shape)) : undefined
  if (published) {
    // Docker DNATs published ports before INPUT: only DOCKER-USER chains filter them
    decided = true
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host') reach = hookReach(cc, 'docker-user', reach, base)
  } else
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host' && decides(cc, shape)) {
        decided = true
        reach = hookReach(cc, hook, reach, base)
      }
  for (const cc of cs.compiled)
    if (cc.config.layer === 'cloud' && decides(cc, shape)) {
      decided = true
      reach = hookReach(cc, hook, reach, base)
    }
  return decided ? reach : undefined
}

/** Where a single packet was decided, for a finding's file and line. */
export interface TraceStep {
  readonly file: string
  readonly line: number
  readonly text: string
  readonly accepted: boolean
  readonly layer: FirewallConfig['layer']
}

function traceChain(
  ch: CompiledChain,
  address: bigint,
  ctx: Ctx,
  depth: number,
): { verdict: 'accept' | 'drop' | 'return'; rule?: FirewallRule } {
  checkDepth(ch, ctx, depth)
  const single = AddrRanges.fromPairs(ctx.family, [[address, address + 1n]])
  for (const idx of candidates(ch, ctx)) {
    const rule = ch.chain.rules[idx]!
    if (!matchesShape(rule, ctx)) continue
    if (matchedSet(rule, single, ctx).isEmpty) continue
    const v = rule.verdict
    if (v.kind === 'accept' || v.kind === 'drop' || v.kind === 'return')
      return { verdict: v.kind, rule }
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = ctx.cc.chains.get(v.target)
      if (!target) continue
      const sub = traceChain(target, address, ctx, depth + 1)
      if (sub.verdict !== 'return') return sub
      if (v.kind === 'goto') return { verdict: 'return', rule }
    }
  }
  return { verdict: 'return' }
}

/**
 * Follows one remote address through the layers; returns each deciding step (an accepting or
 * dropping rule, a chain policy, a compose `ports:` line), in path order, up to the first drop.
 */
export function traceAddress(
  cs: CompiledConfigs,
  shape: PacketShape,
  address: bigint,
): TraceStep[] {
  const cls = classOf(cs.classStarts[shape.protocol], shape.port)
  const steps: TraceStep[] = []
  const hook = shape.direction === 'inbound' ? 'input' : 'output'
  const walk = (cc: CompiledConfig, h: 'input' | 'output' | 'docker-user'): boolean => {
    for (const ch of cc.hooks[h]) {
      if (ch.chain.family !== undefined && ch.chain.family !== shape.family) continue
      const ctx: Ctx = { ...shape, cls, cc }
      const r = traceChain(ch, address, ctx, 0)
      const file = cc.config.file
      if (r.verdict === 'accept' || r.verdict === 'drop') {
        const rule = r.rule!
        steps.push({
          file: rule.file,
          line: rule.line,
          text: rule.text,
          accepted: r.verdict === 'accept',
          layer: cc.config.layer,
        })
        if (r.verdict === 'drop') return false
      } else {
        const accepted = (ch.chain.policy ?? 'accept') === 'accept'
        if (h !== 'docker-user' || !accepted)
          steps.push({
            file,
            line: ch.chain.policyLine ?? 1,
            text: `chain ${ch.chain.name} policy ${ch.chain.policy ?? 'accept'}`,
            accepted,
            layer: cc.config.layer,
          })
        if (!accepted) return false
      }
    }
    return true
  }
  const published =
    shape.direction === 'inbound' ? cs.compiled.find((cc) => publishedFor(cc, shape)) : undefined
  if (published) {
    const p = publishedFor(published, shape)!
    steps.push({
      file: published.config.file,
      line: p.line,
      text: `the ports: entry of service '${p.service}' (${p.ports[0] === p.ports[1] ? p.ports[0] : `${p.ports[0]}-${p.ports[1]}`}/${p.protocol}; Docker's NAT skips INPUT)`,
      accepted: true,
      layer: 'docker',
    })
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host' && !walk(cc, 'docker-user')) return steps
  } else
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host' && decides(cc, shape) && !walk(cc, hook)) return steps
  for (const cc of cs.compiled)
    if (cc.config.layer === 'cloud' && decides(cc, shape) && !walk(cc, hook)) return steps
  return steps
}

/** The classes (port sub-ranges) that overlap `range`, clipped to it. */
export function classesIn(
  cs: CompiledConfigs,
  protocol: TransportProtocol,
  range: PortRange,
): PortRange[] {
  const starts = cs.classStarts[protocol]
  const out: PortRange[] = []
  for (let k = classOf(starts, range[0]); k < starts.length && starts[k]! <= range[1]; k++) {
    const end = k + 1 < starts.length ? starts[k + 1]! - 1 : 65535
    out.push([Math.max(starts[k]!, range[0]), Math.min(end, range[1])])
  }
  return out
}

/**
 * Checks configs against a policy. The configs are layered: a packet must pass every host
 * config that decides its family, the published-port path (docker-compose, restricted only by
 * DOCKER-USER chains), and every cloud config (AWS security groups).
 */
export function evaluatePolicy(
  policy: Policy,
  configs: readonly FirewallConfig[] | CompiledConfigs,
  options: EvaluateOptions = {},
): Evaluation {
  const cs = 'compiled' in configs ? configs : compileConfigs(configs)
  return findingsFor(policy, cs, options)
}
