/**
 * @module The evaluator's chain walk as it was before runs of plain verdicts were swept together:
 * every rule of the chain in order, one union and one difference over the remaining set per rule
 * (quadratic in the rules). Kept as the oracle the sweep is checked against
 * (test/shared/policy/run-chain.test.ts) and as its peer in `npm run bench -- policy`.
 */
import { IpSet } from '../../shared/src/index.ts'
import { ruleMayMatch, type CompiledChain } from '../../shared/src/policy/compile-configs.ts'
import {
  matchedSet,
  matchesShape,
  type ChainResult,
  type Ctx,
} from '../../shared/src/policy/run-chain.ts'

export function runChainOracle(ch: CompiledChain, input: IpSet, ctx: Ctx, depth = 0): ChainResult {
  if (depth > 64) throw new Error(`chain '${ch.chain.name}': jumps nest deeper than 64`)
  const empty = IpSet.empty(ctx.family)
  const out: ChainResult = { acc: empty, drop: empty, ret: empty, nat: [] }
  let remaining = input
  for (const rule of ch.chain.rules) {
    if (remaining.isEmpty) break
    if (!ruleMayMatch(rule, ctx.protocol) || !matchesShape(rule, ctx)) continue
    const m = matchedSet(rule, remaining, ctx)
    if (m.isEmpty) continue
    const v = rule.verdict
    if (v.kind === 'continue') continue
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = ctx.cc.chains.get(v.target)
      if (!target) continue
      const sub = runChainOracle(target, m, ctx, depth + 1)
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
    if (v.kind === 'accept') out.acc = out.acc.union(m)
    else if (v.kind === 'drop') out.drop = out.drop.union(m)
    else if (v.kind === 'return') out.ret = out.ret.union(m)
    else out.nat.push({ set: m, to: { ...v, rule } })
  }
  out.ret = out.ret.union(remaining)
  return out
}
