/**
 * @module User policy files (YAML or JSON) into the {@link Policy} model, and the feeds a policy
 * names.
 */
import type { Policy, PortRange } from './types.ts'

/**
 * Parses a policy file, YAML or JSON. Errors are ERR_POLICY_FILE PolicyErrors whose message
 * starts with `FILE: field: reason` (e.g. `p.yml: inbound.require[1].port: '70000' is not a port`).
 */
export function parsePolicy(text: string, file: string): Policy {
  throw new Error(`not implemented ${text.length} ${file}`)
}

/** The feed ids a policy's `feed:<id>` sources name, sorted, deduplicated. */
export function requiredFeeds(policy: Policy): string[] {
  const ids = new Set<string>()
  for (const rule of policy.rules)
    for (const s of rule.sources ?? []) if (s.startsWith('feed:')) ids.add(s.slice(5))
  return [...ids].sort()
}

/** `443` or `49152-65535`. */
export function formatPortRange(range: PortRange): string {
  return range[0] === range[1] ? `${range[0]}` : `${range[0]}-${range[1]}`
}
