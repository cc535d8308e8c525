/**
 * @module Walking the chains of compiled configs: which rules match a packet (ports, states,
 * interfaces, the local address), first-match walks of sets of sources through jumps, gotos,
 * returns and DNAT, and the walk of a single address for tracing.
 */
import { IpSet, type Family } from '../ip/index.ts'
import { cidrSet } from './cidr-set.ts'
import {
  classOf,
  HOST_UNICAST,
  type CompiledChain,
  type CompiledConfig,
  type CompiledConfigs,
} from './compile-configs.ts'
import { matchesInterface } from './interfaces.ts'
import { PolicyError } from './policy-error.ts'
import type {
  AddressMatch,
  ChainHook,
  FirewallRule,
  PublishedPort,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

/** A packet's connection state: a new connection, or a reply to one. */
export type PacketState = 'new' | 'established'

const MAX_DEPTH = 64

/**
 * The interface a compose file's published port leaves by: the project's network bridge
 * (`br-<id>`), whose id no config can know.
 */
export const COMPOSE_BRIDGE = 'br-\u0000'

/** What a packet is, minus its remote address. */
export interface PacketShape {
  readonly direction: TrafficDirection
  readonly protocol: TransportProtocol
  readonly port: number
  readonly family: Family
  readonly state: PacketState
  /**
   * The interface it arrives on (inbound) or leaves by (outbound); undefined: each interface
   * taken as public ({@link CompiledConfigs.publicInterfaces}), and reach is what gets in on any.
   */
  readonly iface?: string
  /**
   * This host's own address (inbound the destination, outbound the source); undefined: each
   * class of {@link CompiledConfigs.hostAddresses}, and reach is what gets to any.
   */
  readonly local?: bigint
}

/** A packet as the rules of one chain see it. */
export interface Ctx {
  readonly direction: TrafficDirection
  readonly protocol: TransportProtocol
  readonly family: Family
  readonly state: PacketState
  /** The destination port as `--dport` sees it here (after DNAT: the container's). */
  readonly port: number
  /** The destination port the client sent to (`--ctorigdstport`). */
  readonly origPort: number
  readonly cls: number
  readonly iif: string
  readonly oif: string
  /** The local end's address: this host's (a class of it), or a container's after DNAT. */
  readonly local?: bigint
  /** Whether the local end is this host (not a container behind it, not a remote end). */
  readonly toHost: boolean
  /** Whether a DNAT rule (or Docker's publishing) translated the destination (`ct status dnat`). */
  readonly dnat: boolean
  readonly cc: CompiledConfig
}

export type PathCtx = Omit<Ctx, 'cc'>

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

const hostMatches = new WeakMap<AddressMatch, Partial<Record<Family, boolean>>>()

/**
 * Whether a match on the local address fits: the known address (a class of this host's, a
 * container's after DNAT), or else taken to be any unicast address the match admits (so
 * `-d 127.0.0.0/8` and multicast destinations never match traffic from outside).
 */
function localFits(m: AddressMatch, ctx: Ctx): boolean {
  const set = ctx.family === 4 ? m.ipv4 : m.ipv6
  if (ctx.local !== undefined) return set.containsValue(ctx.local) !== m.negate
  const known = hostMatches.get(m) ?? {}
  let fits = known[ctx.family]
  if (fits === undefined) {
    fits = (m.negate ? set.complement() : set).intersects(HOST_UNICAST[ctx.family])
    hostMatches.set(m, { ...known, [ctx.family]: fits })
  }
  return fits
}

function inPorts(
  m: { ranges: readonly (readonly [number, number])[]; negate: boolean },
  p: number,
) {
  return m.ranges.some(([a, b]) => p >= a && p <= b) !== m.negate
}

export function matchesShape(rule: FirewallRule, ctx: Ctx): boolean {
  if (rule.family !== undefined && rule.family !== ctx.family) return false
  if (rule.dports && !inPorts(rule.dports, ctx.port)) return false
  if (rule.origDports && !inPorts(rule.origDports, ctx.origPort)) return false
  if (rule.states && !(ctx.state === 'new' ? rule.states.new : rule.states.established))
    return false
  if (rule.iif && !matchesInterface(rule.iif, ctx.iif)) return false
  if (rule.oif && !matchesInterface(rule.oif, ctx.oif)) return false
  // the destination is this host inbound (before DNAT to a container), never outbound
  if (rule.dstLocal !== undefined && rule.dstLocal !== ctx.toHost) return false
  if (rule.dnat !== undefined && rule.dnat !== ctx.dnat) return false
  const local = ctx.direction === 'inbound' ? rule.daddr : rule.saddr
  if (local && !localFits(local, ctx)) return false
  return true
}

export function matchedSet(rule: FirewallRule, set: IpSet, ctx: Ctx): IpSet {
  const m = ctx.direction === 'inbound' ? rule.saddr : rule.daddr
  if (!m) return set
  const s = ctx.family === 4 ? m.ipv4 : m.ipv6
  return m.negate ? set.difference(s) : set.intersection(s)
}

/** Where a DNAT rule sends what it takes. */
export interface Translation {
  readonly addr?: string
  readonly port?: number
  readonly rule: FirewallRule
}

export interface ChainResult {
  acc: IpSet
  drop: IpSet
  ret: IpSet
  nat: { set: IpSet; to: Translation }[]
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

/** A rule's remote-address match over the whole space (all when it has none), by family. */
const wholeMatches = new WeakMap<FirewallRule, Partial<Record<string, IpSet>>>()

function wholeMatch(rule: FirewallRule, ctx: Ctx): IpSet {
  const key = `${ctx.direction}${ctx.family}`
  const known = wholeMatches.get(rule) ?? {}
  let set = known[key]
  if (set === undefined) {
    set = matchedSet(rule, IpSet.all(ctx.family), ctx)
    wholeMatches.set(rule, { ...known, [key]: set })
  }
  return set
}

type Plain = 'accept' | 'drop' | 'return'

/** Runs of more plain rules than this are swept together; shorter ones go rule by rule. */
const SWEEP_FROM = 8

/**
 * First match over a run of rules with plain verdicts, in one sweep: for every address the
 * verdict of the first rule whose set holds it (a min-heap of the rules open at each boundary),
 * so n rules cost O(n log n), not n passes over a growing set.
 */
function firstMatch(
  sets: readonly IpSet[],
  verdicts: readonly Plain[],
  family: Family,
): Record<Plain, IpSet> {
  // one verdict for all (one rule, a block list, an allowlist): first match is their union
  if (verdicts.every((v) => v === verdicts[0])) {
    const empty = IpSet.empty(family)
    const out: Record<Plain, IpSet> = { accept: empty, drop: empty, return: empty }
    out[verdicts[0]!] = unionAll(sets, 0, sets.length)
    return out
  }
  // bounds are numbers (IPv4) or bigints (IPv6), never both in one sweep
  const events: { at: number | bigint; k: number; open: boolean }[] = []
  sets.forEach((set, k) => {
    const b = set.bounds
    for (let i = 0; i < b.length; i += 2)
      events.push({ at: b[i]!, k, open: true }, { at: b[i + 1]!, k, open: false })
  })
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))
  const open = new Array<boolean>(sets.length).fill(false)
  const heap = new MinHeap()
  // flat `[start, end, ...]` per verdict: ascending, and never touching (the verdict changes at
  // each end), so IpSet takes them as they are
  const bounds: Record<Plain, (number | bigint)[]> = { accept: [], drop: [], return: [] }
  let current: Plain | undefined
  let since: number | bigint = 0
  for (let e = 0; e < events.length;) {
    const at = events[e]!.at
    for (; e < events.length && events[e]!.at === at; e++) {
      const { k, open: opens } = events[e]!
      open[k] = opens
      if (opens) heap.push(k)
    }
    while (heap.size > 0 && !open[heap.peek()]) heap.pop()
    const now = heap.size > 0 ? verdicts[heap.peek()] : undefined
    if (now === current) continue
    if (current !== undefined) bounds[current].push(since, at)
    current = now
    since = at
  }
  const set = (b: (number | bigint)[]) => IpSet.fromRanges(family, b as number[] | bigint[])
  return { accept: set(bounds.accept), drop: set(bounds.drop), return: set(bounds.return) }
}

/** The union of `sets[from..to)`, halving: O(n log k) for k sets of n ranges in all. */
function unionAll(sets: readonly IpSet[], from: number, to: number): IpSet {
  if (to - from === 1) return sets[from]!
  const mid = (from + to) >> 1
  return unionAll(sets, from, mid).union(unionAll(sets, mid, to))
}

/** A binary min-heap of rule positions. */
class MinHeap {
  private readonly items: number[] = []
  get size(): number {
    return this.items.length
  }
  peek(): number {
    return this.items[0]!
  }
  push(v: number): void {
    const h = this.items
    h.push(v)
    for (let i = h.length - 1; i > 0;) {
      const up = (i - 1) >> 1
      if (h[up]! <= v) break
      h[i] = h[up]!
      h[up] = v
      i = up
    }
  }
  pop(): void {
    const h = this.items
    const last = h.pop()!
    if (h.length === 0) return
    h[0] = last
    for (let i = 0; ;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && h[l]! < h[m]!) m = l
      if (r < h.length && h[r]! < h[m]!) m = r
      if (m === i) return
      h[i] = h[m]!
      h[m] = last
      i = m
    }
  }
}

/**
 * Runs a chain over a set of remote addresses: what it accepts, drops, returns (by a RETURN, or
 * by falling off its end) and translates. Consecutive rules with plain verdicts (accept, drop,
 * return) are taken together in one first-match sweep; jumps, gotos and DNAT between them are
 * followed one at a time.
 */
export function runChain(ch: CompiledChain, input: IpSet, ctx: Ctx, depth: number): ChainResult {
  checkDepth(ch, ctx, depth)
  const empty = IpSet.empty(ctx.family)
  const out: ChainResult = { acc: empty, drop: empty, ret: empty, nat: [] }
  let remaining = input
  const rules = ch.chain.rules
  const sets: IpSet[] = []
  const verdicts: Plain[] = []
  const take = (set: IpSet, v: Plain) => {
    const m = remaining.intersection(set)
    if (m.isEmpty) return
    if (v === 'accept') out.acc = out.acc.union(m)
    else if (v === 'drop') out.drop = out.drop.union(m)
    else out.ret = out.ret.union(m)
    remaining = remaining.difference(m)
  }
  const flush = () => {
    // a few rules: one at a time (a big set among them costs no sort); many: one sweep
    if (sets.length > SWEEP_FROM) {
      const r = firstMatch(sets, verdicts, ctx.family)
      for (const v of ['accept', 'drop', 'return'] as const) take(r[v], v)
    } else sets.forEach((set, k) => take(set, verdicts[k]!))
    sets.length = 0
    verdicts.length = 0
  }
  for (const idx of candidates(ch, ctx)) {
    const rule = rules[idx]!
    const v = rule.verdict
    if (v.kind === 'continue' || !matchesShape(rule, ctx)) continue
    if (v.kind === 'accept' || v.kind === 'drop' || v.kind === 'return') {
      sets.push(wholeMatch(rule, ctx))
      verdicts.push(v.kind)
      continue
    }
    flush()
    if (remaining.isEmpty) break
    const m = remaining.intersection(wholeMatch(rule, ctx))
    if (m.isEmpty) continue
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = ctx.cc.chains.get(v.target)
      if (!target) continue
      const sub = runChain(target, m, ctx, depth + 1)
      out.acc = out.acc.union(sub.acc)
      out.drop = out.drop.union(sub.drop)
      out.nat.push(...sub.nat)
      if (v.kind === 'goto') {
        out.ret = out.ret.union(sub.ret)
        remaining = remaining.difference(m)
      } else remaining = remaining.difference(m).union(sub.ret)
      continue
    }
    remaining = remaining.difference(m)
    out.nat.push({ set: m, to: { ...v, rule } })
  }
  flush()
  out.ret = out.ret.union(remaining)
  return out
}

/** Whether a base chain applies to a family (ip/ip6 tables see one). */
export function forFamily(ch: CompiledChain, family: Family): boolean {
  return ch.chain.family === undefined || ch.chain.family === family
}

/** The sources that pass a hook's base chains: each accepts, or falls through an accept policy. */
export function hookReach(cc: CompiledConfig, hook: ChainHook, set: IpSet, p: PathCtx): IpSet {
  let s = set
  for (const ch of cc.hooks[hook]) {
    if (!forFamily(ch, p.family)) continue
    const r = runChain(ch, s, { ...p, cc }, 0)
    s = (ch.chain.policy ?? 'accept') === 'accept' ? r.acc.union(r.ret) : r.acc
    if (s.isEmpty) break
  }
  return s
}

/**
 * Whether a config decides a hook for a family: it has a base chain there, or it is a whole
 * ruleset (where no chain means the kernel accepts).
 */
export function decides(cc: CompiledConfig, hook: ChainHook, family: Family): boolean {
  if (!cc.config.families.includes(family)) return false
  return cc.config.whole === true || cc.hooks[hook].some((ch) => forFamily(ch, family))
}

/**
 * A path's context for a packet of `shape` with the given interfaces and destination port: to
 * (or from) this host at the shape's own address, or, with `container`, to a container after
 * DNAT (its address, or `unknown` behind a compose file's published port).
 */
export function pathCtx(
  cs: CompiledConfigs,
  shape: PacketShape,
  more: { iif: string; oif: string; port?: number; container?: bigint | 'unknown' },
): PathCtx {
  const port = more.port ?? shape.port
  const local =
    more.container === undefined
      ? shape.local
      : more.container === 'unknown'
        ? undefined
        : more.container
  return {
    direction: shape.direction,
    protocol: shape.protocol,
    family: shape.family,
    state: shape.state,
    port,
    origPort: shape.port,
    cls: classOf(cs.classStarts[shape.protocol], port),
    iif: more.iif,
    oif: more.oif,
    toHost: shape.direction === 'inbound' && more.container === undefined,
    // a translated port or a container as the local end: only a DNAT gets the packet there
    dnat: more.port !== undefined || more.container !== undefined,
    ...(local !== undefined ? { local } : {}),
  }
}

/** A compose file's `ports:` entry that publishes the packet's port (not on loopback). */
export function publishedFor(cs: CompiledConfigs, shape: PacketShape) {
  for (const cc of cs.compiled) {
    const p = cc.config.published.find((p) => {
      if (p.protocol !== shape.protocol || shape.port < p.ports[0] || shape.port > p.ports[1])
        return false
      if (p.families !== undefined && !p.families.includes(shape.family)) return false
      if (p.hostIp === undefined || p.hostIp === '0.0.0.0' || p.hostIp === '::') return true
      const v6 = p.hostIp.includes(':')
      if ((v6 ? 6 : 4) !== shape.family) return false
      return !(p.hostIp.startsWith('127.') || p.hostIp === '::1')
    })
    if (p) return { cc, p }
  }
  return undefined
}

/** The container port a published host port goes to. */
export function containerPort(p: PublishedPort, port: number): number {
  return p.target === undefined ? port : p.target + (port - p.ports[0])
}

/** Host configs with prerouting chains for the family (nat's DNAT, nft's raw filtering). */
export function natConfigs(cs: CompiledConfigs, family: Family): CompiledConfig[] {
  // only host configs have prerouting chains (a security group has none)
  return cs.compiled.filter((cc) => cc.hooks.prerouting.some((ch) => forFamily(ch, family)))
}

/**
 * A DNAT target as the path after it sees it: the port, and the address when it is not this
 * host's (a loopback target, or none as REDIRECT, is this host: `local` undefined).
 */
export function translated(to: Translation, family: Family, port: number) {
  const addr = to.addr === undefined ? undefined : cidrSet(family, to.addr).firstValue()
  const local = addr === undefined || !HOST_UNICAST[family].containsValue(addr) ? undefined : addr
  return { port: to.port ?? port, local }
}

/**
 * The interfaces a DNAT target's traffic may leave by: the bridge its rule names (`! -i BRIDGE`,
 * as Docker writes it), or else each class of interface (those the configs name, and any
 * other), since the host's routes, which no config holds, decide: a VM on `br0` behind a FORWARD
 * `-o br0 -j ACCEPT` is reached, and a port must not be called closed on a guess of the route.
 */
export function egressOf(cs: CompiledConfigs, to: Translation): readonly string[] {
  const bridge = bridgeOf(to)
  return bridge === undefined ? cs.interfaces.map((c) => c.name) : [bridge]
}

/** The bridge a DNAT rule's target sits behind, when it says: `! -i BRIDGE`, as Docker writes. */
export function bridgeOf(to: Translation): string | undefined {
  const m = to.rule.iif
  return m?.negate && m.names.length === 1 ? m.names[0] : undefined
}

export type TraceVerdict = 'accept' | 'drop' | 'return' | 'dnat'

export function traceChain(
  ch: CompiledChain,
  address: bigint,
  ctx: Ctx,
  depth: number,
): { verdict: TraceVerdict; rule?: FirewallRule } {
  checkDepth(ch, ctx, depth)
  const single = IpSet.fromValueRanges(ctx.family, [[address, address + 1n]])
  for (const idx of candidates(ch, ctx)) {
    const rule = ch.chain.rules[idx]!
    if (!matchesShape(rule, ctx)) continue
    if (matchedSet(rule, single, ctx).isEmpty) continue
    const v = rule.verdict
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = ctx.cc.chains.get(v.target)
      if (!target) continue
      const sub = traceChain(target, address, ctx, depth + 1)
      if (sub.verdict !== 'return') return sub
      if (v.kind === 'goto') return { verdict: 'return', rule }
    } else if (v.kind !== 'continue') return { verdict: v.kind, rule: memberOf(rule, address, ctx) }
  }
  return { verdict: 'return' }
}

/**
 * The rule of a run (rule-run.ts) that holds the packet's remote address, as its own line and
 * text. A run joins rules by their source: inbound, the remote end; outbound it is this host, and
 * the run's first rule stands for it.
 */
function memberOf(rule: FirewallRule, address: bigint, ctx: Ctx): FirewallRule {
  const member = ctx.direction === 'inbound' ? rule.run?.memberOf(ctx.family, address) : undefined
  return member === undefined ? rule : { ...rule, ...member }
}
