/**
 * @module Configs compiled once for the evaluator: port classes (ranges of ports that every rule
 * treats alike), per chain the rules that can match each class, base chains per hook, and the
 * classes of interface names with their roles.
 */
import { IpSet, type Family } from '../ip/index.ts'
import { interfaceClasses, type InterfaceClass } from './interfaces.ts'
import type {
  ChainHook,
  FirewallChain,
  FirewallConfig,
  FirewallRule,
  InterfaceRoles,
  PortRange,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

/** Addresses that can be one of this host's own unicast addresses. */
export const HOST_UNICAST: Readonly<Record<Family, IpSet>> = {
  4: IpSet.fromCidrs(4, ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/3']).complement(),
  6: IpSet.fromCidrs(6, ['::/127', 'ff00::/8']).complement(),
}

/** Beyond this many classes of this host's own address, rules on it are taken to match. */
const MAX_HOST_CLASSES = 32

const PROTOCOLS: readonly TransportProtocol[] = ['tcp', 'udp']
const HOOKS: readonly ChainHook[] = ['input', 'output', 'forward', 'prerouting', 'docker-user']

/** A chain and its rule index. */
export interface CompiledChain {
  readonly chain: FirewallChain
  /** Per protocol: indices of rules that may match any port, ascending. */
  readonly always: Record<TransportProtocol, number[]>
  /** Per protocol, per class: indices of port-specific rules that match the class. */
  readonly buckets: Record<TransportProtocol, Map<number, number[]>>
}

/** One config, compiled. */
export interface CompiledConfig {
  readonly config: FirewallConfig
  readonly chains: ReadonlyMap<string, CompiledChain>
  /** Base chains per hook, by priority. */
  readonly hooks: Readonly<Record<ChainHook, readonly CompiledChain[]>>
}

/** Configs compiled once (port classes, chain indexes) to evaluate many policies against. */
export interface CompiledConfigs {
  readonly configs: readonly FirewallConfig[]
  /** @internal */
  readonly compiled: readonly CompiledConfig[]
  /** Per protocol: class start ports, ascending, starting at 1; class k is [starts[k], starts[k+1]-1]. */
  readonly classStarts: Readonly<Record<TransportProtocol, readonly number[]>>
  /** The classes of interface names the configs tell apart, with their roles. */
  readonly interfaces: readonly InterfaceClass[]
  /** Those of them taken as public: reach is what arrives on any of them. */
  readonly publicInterfaces: readonly InterfaceClass[]
  /**
   * This host's own address, which no config states, as classes of addresses that the rules on
   * it (`-d` inbound, `-s` outbound, before DNAT) treat alike: one address of each class that can
   * be a unicast address of a host, and reach is what gets to any of them. `[undefined]` when no
   * rule names it, or when they split it into too many classes (then such a rule is taken to
   * match when it admits some unicast address).
   */
  /**
   * Whether a host config has DNAT rules: then it says where published ports go, and a compose
   * file's `ports:` (the same ports, seen from the other side) add nothing.
   */
  readonly dnat: boolean
  readonly hostAddresses: Readonly<
    Record<TrafficDirection, Record<Family, readonly (bigint | undefined)[]>>
  >
}

/** Whether a rule may match a protocol at all. */
export function ruleMayMatch(rule: FirewallRule, protocol: TransportProtocol): boolean {
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

function portClasses(configs: readonly FirewallConfig[]) {
  const classStarts = {} as Record<TransportProtocol, number[]>
  for (const protocol of PROTOCOLS) {
    const points = new Set<number>([1])
    const add = ([a, b]: PortRange) => {
      points.add(Math.max(a, 1))
      if (b < 65535) points.add(b + 1)
    }
    for (const c of configs) {
      for (const chain of c.chains)
        for (const rule of chain.rules)
          if (ruleMayMatch(rule, protocol)) {
            rule.dports?.ranges.forEach(add)
            rule.origDports?.ranges.forEach(add)
          }
      for (const p of c.published) if (p.protocol === protocol) add(p.ports)
    }
    classStarts[protocol] = [...points].sort((x, y) => x - y)
  }
  return classStarts
}

function compileChain(chain: FirewallChain, classStarts: Record<TransportProtocol, number[]>) {
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
        for (let k = classOf(starts, Math.max(a, 1)); k < starts.length && starts[k]! <= b; k++) {
          if (seen.has(k)) continue
          seen.add(k)
          let list = buckets[protocol].get(k)
          if (!list) buckets[protocol].set(k, (list = []))
          list.push(idx)
        }
      }
    }
  })
  return { chain, always, buckets }
}

/** The chains a hook's base chains reach by jumps and gotos. */
function reachedFrom(config: FirewallConfig, hooks: readonly ChainHook[]): FirewallChain[] {
  const byName = new Map(config.chains.map((c) => [c.name, c]))
  const out = config.chains.filter((c) => c.hook !== undefined && hooks.includes(c.hook))
  for (let k = 0; k < out.length; k++)
    for (const rule of out[k]!.rules) {
      const v = rule.verdict
      const target = v.kind === 'jump' || v.kind === 'goto' ? byName.get(v.target) : undefined
      if (target && !out.includes(target)) out.push(target)
    }
  return out
}

/**
 * Classes of this host's own address for one direction and family: addresses that every rule on
 * the local end (reached before DNAT) treats alike, one unicast address for each.
 */
function hostClasses(
  configs: readonly FirewallConfig[],
  direction: TrafficDirection,
  family: Family,
): (bigint | undefined)[] {
  const sets: IpSet[] = []
  const hooks: ChainHook[] = direction === 'inbound' ? ['input', 'prerouting'] : ['output']
  for (const c of configs)
    for (const chain of reachedFrom(c, hooks))
      for (const rule of chain.rules) {
        const m = direction === 'inbound' ? rule.daddr : rule.saddr
        if (m && rule.family !== (family === 4 ? 6 : 4)) sets.push(family === 4 ? m.ipv4 : m.ipv6)
      }
  if (sets.length === 0) return [undefined]
  if (sets.length > 4 * MAX_HOST_CLASSES) return [undefined]
  const unicast = HOST_UNICAST[family]
  const points = new Set<bigint>(unicast.toValueRanges())
  for (const s of sets) for (const b of s.toValueRanges()) points.add(b)
  const classes = new Map<string, bigint>()
  // distinct points: no two compare equal
  for (const p of [...points].sort((a, b) => (a < b ? -1 : 1))) {
    // each interval between boundaries starts at a boundary; only unicast ones can be the host
    if (!unicast.containsValue(p)) continue
    const key = sets.map((s) => (s.containsValue(p) ? '1' : '0')).join('')
    if (!classes.has(key)) classes.set(key, p)
    if (classes.size > MAX_HOST_CLASSES) return [undefined]
  }
  return [...classes.values()]
}

/** The interface names and patterns the configs' rules match on. */
function usedInterfaces(configs: readonly FirewallConfig[]): Set<string> {
  const used = new Set<string>()
  for (const c of configs)
    for (const chain of c.chains)
      for (const rule of chain.rules)
        for (const m of [rule.iif, rule.oif]) for (const n of m?.names ?? []) used.add(n)
  return used
}

/**
 * Precomputes what evaluation needs; pass the result to {@link evaluatePolicy} repeatedly.
 * `interfaces` sets roles over the default classification by name.
 */
export function compileConfigs(
  configs: readonly FirewallConfig[],
  options: { interfaces?: InterfaceRoles } = {},
): CompiledConfigs {
  const classStarts = portClasses(configs)
  const compiled = configs.map((config): CompiledConfig => {
    const chains = new Map<string, CompiledChain>()
    for (const chain of config.chains) chains.set(chain.name, compileChain(chain, classStarts))
    const hooks = {} as Record<ChainHook, CompiledChain[]>
    for (const h of HOOKS)
      hooks[h] = [...chains.values()]
        .filter((c) => c.chain.hook === h)
        .sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0))
    return { config, chains, hooks }
  })
  const interfaces = interfaceClasses(usedInterfaces(configs), options.interfaces)
  return {
    configs,
    compiled,
    classStarts,
    interfaces,
    publicInterfaces: interfaces.filter((c) => c.role === 'public'),
    dnat: configs.some(
      (c) =>
        c.layer === 'host' &&
        c.chains.some((ch) => ch.rules.some((r) => r.verdict.kind === 'dnat')),
    ),
    hostAddresses: {
      inbound: { 4: hostClasses(configs, 'inbound', 4), 6: hostClasses(configs, 'inbound', 6) },
      outbound: { 4: hostClasses(configs, 'outbound', 4), 6: hostClasses(configs, 'outbound', 6) },
    },
  }
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
