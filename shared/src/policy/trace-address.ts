/**
 * @module Tracing one remote address along the reach's path, for a finding's deciding file and
 * line: the evaluation point it is let in at (or kept out at), and each deciding step on the way.
 */
import type { CompiledConfig, CompiledConfigs } from './compile-configs.ts'
import { evaluationPoints, reachOf } from './reach-of.ts'
import {
  COMPOSE_BRIDGE,
  containerPort,
  decides,
  egressOf,
  forFamily,
  natConfigs,
  pathCtx,
  publishedFor,
  traceChain,
  translated,
  type PacketShape,
  type PathCtx,
  type Translation,
} from './run-chain.ts'
import type { ChainHook, FirewallConfig } from './types.ts'

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
      // the first way out that accepts it, else the first where it is kept out
      const mark = steps.length
      let kept: TraceStep[] | undefined
      for (const oif of egressOf(cs, to)) {
        const ctx = pathCtx(cs, shape, { iif: iface, oif, port: t.port, container: t.local })
        if (layers('host', 'forward', ctx)) return true
        kept ??= steps.slice(mark)
        steps.length = mark
      }
      steps.push(...kept!)
      return false
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
