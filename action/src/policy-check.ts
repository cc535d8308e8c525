/**
 * @module Port-policy verification for the Action and `sync`: loads each configured policy
 * (preset or file), picks the firewall configs its globs match (the new content for files the
 * plan writes), evaluates them with shared/policy, and collects findings and SARIF.
 */
import {
  errorMessage,
  evaluatePolicy,
  IpSet,
  isPresetId,
  parsePolicy,
  presetPolicy,
  readFirewallConfigs,
  requiredFeeds,
  toSarif,
  type Finding,
  type Policy,
  type SarifLog,
  type Snapshot,
  VERSION,
} from '../../shared/src/index.ts'
import type { PolicyCheck } from './config.ts'
import { globToRegExp } from './glob-to-reg-exp.ts'

/** A finding with the policy it came from. */
export interface PolicyFinding extends Finding {
  readonly policy: string
}

/** The outcome of every policy check of a run. */
export interface PolicyResult {
  /** Policies checked, by id. */
  readonly policies: readonly string[]
  /** Most severe first. */
  readonly findings: readonly PolicyFinding[]
  /** Checks that could not run (unreadable policy or config): `what: reason`. */
  readonly errors: readonly string[]
  readonly sarif: SarifLog | undefined
  /** Files checked. */
  readonly files: readonly string[]
}

/** A loaded policy and the globs of its configs. */
export interface LoadedPolicy {
  readonly policy: Policy
  readonly configs: readonly string[]
  readonly interfaces?: PolicyCheck['interfaces']
}

/** Loads the configured policies; `read` gives a policy file's text. Errors are collected. */
export async function loadPolicies(
  checks: readonly PolicyCheck[],
  read: (path: string) => Promise<string | undefined>,
): Promise<{ loaded: LoadedPolicy[]; errors: string[] }> {
  const loaded: LoadedPolicy[] = []
  const errors: string[] = []
  for (const check of checks) {
    try {
      if (check.preset !== undefined) {
        if (!isPresetId(check.preset)) throw new Error(`unknown preset '${check.preset}'`)
        loaded.push({
          policy: presetPolicy(check.preset),
          configs: check.configs,
          ...(check.interfaces ? { interfaces: check.interfaces } : {}),
        })
      } else if (check.file !== undefined) {
        const text = await read(check.file)
        if (text === undefined) throw new Error(`${check.file}: no such file`)
        loaded.push({
          policy: parsePolicy(text, check.file),
          configs: check.configs,
          ...(check.interfaces ? { interfaces: check.interfaces } : {}),
        })
      }
    } catch (cause) {
      errors.push(`policy ${check.preset ?? check.file ?? '?'}: ${errorMessage(cause)}`)
    }
  }
  return { loaded, errors }
}

/** Feed ids the policies name (`feed:<id>` sources). */
export function policyFeeds(loaded: readonly LoadedPolicy[]): string[] {
  const ids = new Set<string>()
  for (const l of loaded) for (const id of requiredFeeds(l.policy)) ids.add(id)
  return [...ids]
}

const RANK = { error: 0, warning: 1, note: 2 } as const

/**
 * Evaluates each policy against the files its globs match among `paths`. `read` gives a file's
 * content as the PR would leave it.
 */
export async function checkPolicies(
  loaded: readonly LoadedPolicy[],
  loadErrors: readonly string[],
  paths: readonly string[],
  read: (path: string) => Promise<string | undefined>,
  snapshots: ReadonlyMap<string, Snapshot>,
): Promise<PolicyResult> {
  const findings: PolicyFinding[] = []
  const errors = [...loadErrors]
  const files = new Set<string>()
  const sarifFindings: Finding[] = []
  let sarifPolicy: Policy | undefined
  for (const { policy, configs, interfaces } of loaded) {
    const globs = configs.map(globToRegExp)
    const matched = paths.filter((p) => globs.some((g) => g.test(p))).sort()
    try {
      const inputs: { file: string; text: string }[] = []
      for (const file of matched) {
        const text = await read(file)
        if (text === undefined) continue
        inputs.push({ file, text })
        files.add(file)
      }
      // Together, so that an `ipset save` file supplies the sets that iptables rules name.
      const parsed = readFirewallConfigs(inputs)
      const feedSets = new Map<string, { ipv4: IpSet; ipv6: IpSet }>()
      for (const id of requiredFeeds(policy)) {
        const s = snapshots.get(id)
        if (s)
          feedSets.set(id, { ipv4: IpSet.fromCidrs(4, s.ipv4), ipv6: IpSet.fromCidrs(6, s.ipv6) })
      }
      const evaluation = evaluatePolicy(policy, parsed, {
        feedSets,
        ...(interfaces ? { interfaces } : {}),
      })
      const found = evaluation.findings
      // a fragment or an include-only file decides nothing: that is no pass
      if (evaluation.verdict === 'nothing-checked')
        errors.push(
          `policy ${policy.id}: nothing checked: no config among ${matched.join(', ') || '(none matched)'} decides ${evaluation.unchecked.map((u) => `${u.direction} IPv${u.family}`).join(', ')} traffic`,
        )
      for (const f of found) findings.push({ ...f, policy: policy.id })
      sarifFindings.push(...found)
      sarifPolicy ??= policy
    } catch (cause) {
      errors.push(`policy ${policy.id}: ${errorMessage(cause)}`)
    }
  }
  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity])
  let sarif: SarifLog | undefined
  if (sarifPolicy) {
    try {
      sarif = toSarif(sarifFindings, { toolVersion: VERSION, policy: sarifPolicy })
    } catch (cause) {
      errors.push(`SARIF: ${errorMessage(cause)}`)
    }
  }
  return { policies: loaded.map((l) => l.policy.id), findings, errors, sarif, files: [...files] }
}

/** Port-policy errors of a result. */
export function violations(policy: PolicyResult | undefined): number {
  return policy?.findings.filter((f) => f.severity === 'error').length ?? 0
}
