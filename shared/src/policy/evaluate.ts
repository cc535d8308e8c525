/**
 * @module evaluatePolicy: configs (read, or compiled once) checked against a policy; the reach
 * is in reach-of.ts, the tracing of one address in trace-address.ts, the findings in findings.ts.
 */
import { compileConfigs, type CompiledConfigs } from './compile-configs.ts'
import { findingsFor } from './findings.ts'
import type { EvaluateOptions, Evaluation, FirewallConfig, Policy } from './types.ts'

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
