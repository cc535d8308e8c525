/**
 * @module The evaluator: for every port, protocol and interface, the exact set of sources that
 * reach this host or a container behind it through the configs (first match, jumps and returns,
 * default policies, connection state, interfaces, destination NAT), and tracing one address
 * along the same path for findings.
 */
import { IpSet } from '../ip/index.ts'
import { compileConfigs, type CompiledConfig, type CompiledConfigs } from './compile-configs.ts'
import { findingsFor } from './findings.ts'
import {
  COMPOSE_BRIDGE,
  bridgeOf,
  containerPort,
  decides,
  forFamily,
  hookReach,
  natConfigs,
  pathCtx,
  publishedFor,
  runChain,
  traceChain,
  translated,
  type PacketShape,
  type PathCtx,
  type Translation,
} from './run-chain.ts'
import type { ChainHook, EvaluateOptions, Evaluation, FirewallConfig, Policy } from './types.ts'

/** Inbound reach arriving on one interface, or undefined when no config decides it. */
function inboundReach(cs: CompiledConfigs, shape: PacketShape, iface: string) {
  const f = shape.family
  const base = pathCtx(cs, shape, { iif: iface, oif: '' })
  let decided = false
  let reach: IpSet
  let plain = IpSet.all(f)
  const nat = natConfigs(cs, f)
  const groups: { set: IpSet; to: Translation }[] = []
  for (const cc of nat)
    for (const ch of cc.hooks.prerouting) {
      if (!forFamily(ch, f)) continue
      const r = runChain(ch, plain, { ...base, cc }, 0)
      groups.push(...r.nat)
      // a filter chain on prerouting (nft's raw priority) may drop, or drop by its policy
      plain = ch.chain.policy === 'drop' ? r.acc : r.acc.union(r.ret)
    }
  const local = (set: IpSet, ctx: PathCtx) => {
    let s = set
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host' && decides(cc, 'input', f)) {
        decided = true
        s = hookReach(cc, 'input', s, ctx)
      }
    return s
  }
  const published = cs.dnat ? undefined : publishedFor(cs, shape)
  if (published) {
    // Docker DNATs published ports before INPUT: only DOCKER-USER chains filter them
    decided = true
    const ctx = pathCtx(cs, shape, {
      iif: iface,
      oif: COMPOSE_BRIDGE,
      port: containerPort(published.p, shape.port),
      container: 'unknown',
    })
    let s = plain
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host') s = hookReach(cc, 'docker-user', s, ctx)
    reach = s
  } else reach = local(plain, base)
  for (const { set, to } of groups) {
    decided = true
    const t = translated(to, f, shape.port)
    if (to.addr === undefined || t.local === undefined) {
      reach = reach.union(local(set, pathCtx(cs, shape, { iif: iface, oif: '', port: t.port })))
      continue
    }
    const ctx = pathCtx(cs, shape, {
      iif: iface,
      oif: bridgeOf(to),
      port: t.port,
      container: t.local,
    })
    let s = set
    for (const cc of cs.compiled)
      if (cc.config.layer === 'host' && decides(cc, 'forward', f))
        s = hookReach(cc, 'forward', s, ctx)
    reach = reach.union(s)
  }
  for (const cc of cs.compiled)
    if (cc.config.layer === 'cloud' && decides(cc, 'input', f)) {
      decided = true
      reach = hookReach(cc, 'input', reach, base)
    }
  return decided ? reach : undefined
}

/** Outbound reach leaving by one interface, or undefined when no config decides it. */
function outboundReach(cs: CompiledConfigs, shape: PacketShape, iface: string) {
  const ctx = pathCtx(cs, shape, { iif: '', oif: iface })
  let decided = false
  let reach = IpSet.all(shape.family)
  for (const layer of ['host', 'cloud'] as const)
    for (const cc of cs.compiled)
      if (cc.config.layer === layer && decides(cc, 'output', shape.family)) {
        decided = true
        reach = hookReach(cc, 'output', reach, ctx)
      }
  return decided ? reach : undefined
}

/**
 * The points a shape is evaluated at: each interface taken as public (or the shape's own) with
 * each class of this host's own address (or the shape's own), the interface's label beside it.
 */
export function evaluationPoints(
  cs: CompiledConfigs,
  shape: PacketShape,
): { iface: string; label: string; local?: bigint }[] {
  const ifaces =
    shape.iface !== undefined
      ? [{ name: shape.iface, label: shape.iface }]
      : cs.publicInterfaces.map((c) => ({ name: c.name, label: c.label }))
  const locals =
    shape.local !== undefined ? [shape.local] : cs.hostAddresses[shape.direction][shape.family]
  return ifaces.flatMap((i) =>
    locals.map((local) => ({
      iface: i.name,
      label: i.label,
      ...(local !== undefined ? { local } : {}),
    })),
  )
}

/**
 * The remote addresses (sources inbound, destinations outbound) that get through every layer on
 * the shape's interface and to its local address (by default: on any public interface, to any
 * class of this host's own address), or undefined when no config decides this family and
 * direction.
 */
export function reachOf(cs: CompiledConfigs, shape: PacketShape): IpSet | undefined {
  const one = shape.direction === 'inbound' ? inboundReach : outboundReach
  let out: IpSet | undefined
  for (const p of evaluationPoints(cs, shape)) {
    const r = one(cs, { ...shape, ...(p.local !== undefined ? { local: p.local } : {}) }, p.iface)
    if (r === undefined) return undefined
    out = out === undefined ? r : out.union(r)
  }
  // every interface taken as internal: nothing arrives from the Internet
  return out ?? (one(cs, shape, '') && IpSet.empty(shape.family))
}

/** Where a single packet was decided, for a finding's file and line. */
export interface TraceStep {
  readonly file: string
  readonly line: number
  readonly text: string
  readonly accepted: boolean
  readonly layer: FirewallConfig['layer']
}

/**
 * The evaluation point one address is traced at: the first ({@link evaluationPoints}) where the
 * reach holds it, else the first (where it is kept out, as on all); undefined when there is none
 * (no interface is public). `label` names the interface for a finding. With one point, that one.
 */
export function pointFor(
  cs: CompiledConfigs,
  shape: PacketShape,
  address: bigint,
): { shape: PacketShape; label: string } | undefined {
  const points = evaluationPoints(cs, shape).map((p) => ({
    shape: { ...shape, iface: p.iface, ...(p.local !== undefined ? { local: p.local } : {}) },
    label: p.label,
  }))
  // one point (one public interface, one class of this host's address): no reach to compute
  if (points.length === 1) return points[0]
  return points.find((p) => reachOf(cs, p.shape)?.containsValue(address)) ?? points[0]
}

/**
 * Follows one remote address through the layers at one evaluation point ({@link pointFor} when
 * the shape leaves the interface or this host's address open); returns each deciding step (an
 * accepting or dropping rule, a chain policy, a DNAT rule or a compose `ports:` line), in path
 * order, up to the first drop.
 */
export function traceAddress(
  cs: CompiledConfigs,
  given: PacketShape,
  address: bigint,
): TraceStep[] {
  const open = given.iface === undefined || given.local === undefined
  const shape = (open ? pointFor(cs, given, address)?.shape : given) ?? given
  const iface = shape.iface ?? ''
  const f = shape.family
  const steps: TraceStep[] = []
  const walk = (cc: CompiledConfig, hook: ChainHook, ctx: PathCtx): boolean => {
    for (const ch of cc.hooks[hook]) {
      if (!forFamily(ch, f)) continue
      const r = traceChain(ch, address, { ...ctx, cc }, 0)
      if (r.verdict === 'accept' || r.verdict === 'drop') {
        const rule = r.rule!
        const accepted = r.verdict === 'accept'
        steps.push({
          file: rule.file,
          line: rule.line,
          text: rule.text,
          accepted,
          layer: cc.config.layer,
        })
        if (!accepted) return false
        continue
      }
      const accepted = (ch.chain.policy ?? 'accept') === 'accept'
      if (hook !== 'docker-user' || !accepted)
        steps.push({
          file: cc.config.file,
          line: ch.chain.policyLine ?? 1,
          text: `chain ${ch.chain.name} policy ${ch.chain.policy ?? 'accept'}`,
          accepted,
          layer: cc.config.layer,
        })
      if (!accepted) return false
    }
    return true
  }
  const layers = (layer: 'host' | 'cloud', hook: ChainHook, ctx: PathCtx, all = false) => {
    for (const cc of cs.compiled)
      if (cc.config.layer === layer && (all || decides(cc, hook, f)) && !walk(cc, hook, ctx))
        return false
    return true
  }
  if (shape.direction === 'outbound') {
    const ctx = pathCtx(cs, shape, { iif: '', oif: iface })
    if (layers('host', 'output', ctx)) layers('cloud', 'output', ctx)
    return steps
  }
  const base = pathCtx(cs, shape, { iif: iface, oif: '' })
  if (!inboundHost(cs, shape, address, iface, steps, base, layers)) return steps
  layers('cloud', 'input', base)
  return steps
}

/** The host part of {@link traceAddress} inbound: NAT, then INPUT, FORWARD or DOCKER-USER. */
function inboundHost(
  cs: CompiledConfigs,
  shape: PacketShape,
  address: bigint,
  iface: string,
  steps: TraceStep[],
  base: PathCtx,
  layers: (layer: 'host', hook: ChainHook, ctx: PathCtx, all?: boolean) => boolean,
): boolean {
  const f = shape.family
  const nat = natConfigs(cs, f)
  for (const cc of nat)
    for (const ch of cc.hooks.prerouting) {
      if (!forFamily(ch, f)) continue
      const r = traceChain(ch, address, { ...base, cc }, 0)
      if (r.verdict === 'drop') {
        const rule = r.rule!
        steps.push({
          file: rule.file,
          line: rule.line,
          text: rule.text,
          accepted: false,
          layer: 'host',
        })
        return false
      }
      if (r.verdict === 'return' && ch.chain.policy === 'drop') {
        steps.push({
          file: cc.config.file,
          line: ch.chain.policyLine ?? 1,
          text: `chain ${ch.chain.name} policy drop`,
          accepted: false,
          layer: 'host',
        })
        return false
      }
      if (r.verdict !== 'dnat') continue
      const rule = r.rule!
      const to = { ...(rule.verdict as Omit<Translation, 'rule'>), rule }
      const t = translated(to, f, shape.port)
      steps.push({
        file: rule.file,
        line: rule.line,
        text: `${rule.text} (destination NAT${to.addr === undefined ? '' : ` to ${to.addr}`}${to.port === undefined ? '' : ` port ${to.port}`}${t.local === undefined ? '' : ': it skips INPUT'})`,
        accepted: true,
        layer: 'docker',
      })
      if (to.addr === undefined || t.local === undefined)
        return layers('host', 'input', pathCtx(cs, shape, { iif: iface, oif: '', port: t.port }))
      return layers(
        'host',
        'forward',
        pathCtx(cs, shape, { iif: iface, oif: bridgeOf(to), port: t.port, container: t.local }),
      )
    }
  const published = cs.dnat ? undefined : publishedFor(cs, shape)
  if (!published) return layers('host', 'input', base)
  const { p } = published
  steps.push({
    file: published.cc.config.file,
    line: p.line,
    text: `the ports: entry of service '${p.service}' (${p.ports[0] === p.ports[1] ? p.ports[0] : `${p.ports[0]}-${p.ports[1]}`}/${p.protocol}; Docker's NAT skips INPUT)`,
    accepted: true,
    layer: 'docker',
  })
  const ctx = pathCtx(cs, shape, {
    iif: iface,
    oif: COMPOSE_BRIDGE,
    port: containerPort(p, shape.port),
    container: 'unknown',
  })
  return layers('host', 'docker-user', ctx, true)
}

/**
 * Checks configs against a policy. The configs are layered: a packet must pass every host
 * config that decides its family (after destination NAT, the FORWARD chains for a container),
 * the published-port path (docker-compose, restricted only by DOCKER-USER chains), and every
 * cloud config (AWS security groups). Reach is computed for traffic arriving on the interfaces
 * taken as public.
 */
export function evaluatePolicy(
  policy: Policy,
  configs: readonly FirewallConfig[] | CompiledConfigs,
  options: EvaluateOptions = {},
): Evaluation {
  const cs =
    'compiled' in configs
      ? configs
      : compileConfigs(configs, {
          interfaces: { ...policy.interfaces, ...options.interfaces },
        })
  return findingsFor(policy, cs, options)
}
