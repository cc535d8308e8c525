/**
 * @module The evaluator: for every port and protocol, the exact set of sources that reach it
 * through the configs (first match, jumps and returns, default policies, connection state), and
 * the findings of a policy against it.
 */
import type { EvaluateOptions, Evaluation, FirewallConfig, Policy } from './types.ts'

/** Configs compiled once (port classes, chain indexes) to evaluate many policies against. */
export interface CompiledConfigs {
  readonly configs: readonly FirewallConfig[]
}

/** Precomputes what evaluation needs; pass the result to {@link evaluatePolicy} repeatedly. */
export function compileConfigs(configs: readonly FirewallConfig[]): CompiledConfigs {
  return { configs }
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
  throw new Error(`not implemented ${policy.id} ${String(configs)} ${String(options)}`)
}
