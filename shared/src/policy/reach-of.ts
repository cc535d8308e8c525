/**
 * @module The reach: for a port, protocol and interface, the exact set of remote addresses that
 * get to this host or a container behind it through the configs (first match, jumps and returns,
 * default policies, connection state, interfaces, destination NAT), at each evaluation point.
 */
import { IpSet } from '../ip/index.ts'
import type { CompiledConfigs } from './compile-configs.ts'
import {
  COMPOSE_BRIDGE,
  containerPort,
  decides,
  egressOf,
  forFamily,
  hookReach,
  natConfigs,
  pathCtx,
  publishedFor,
  runChain,
  translated,
  type PacketShape,
  type PathCtx,
  type Translation,
} from './run-chain.ts'

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
    for (const oif of egressOf(cs, to)) {
      const ctx = pathCtx(cs, shape, { iif: iface, oif, port: t.port, container: t.local })
      let s = set
      for (const cc of cs.compiled)
        if (cc.config.layer === 'host' && decides(cc, 'forward', f))
          s = hookReach(cc, 'forward', s, ctx)
      reach = reach.union(s)
    }
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
