/**
 * @module Findings as SARIF 2.1.0 for GitHub code scanning, within its upload limits (5,000
 * results a run, 10 MB a file): beyond them the least severe results are dropped, most severe
 * kept, and a tool notification says how many were left out.
 */
import type { EvaluationSummary } from './format-findings.ts'
import type { Finding, Policy } from './types.ts'

/** GitHub code scanning keeps at most this many results of a run. */
export const SARIF_MAX_RESULTS = 5000
/** GitHub refuses SARIF files larger than this (uncompressed here, to be safe). */
export const SARIF_MAX_BYTES = 10_000_000

/** A SARIF 2.1.0 log (the subset this module writes). */
export interface SarifLog {
  readonly $schema: string
  readonly version: '2.1.0'
  readonly runs: readonly SarifRun[]
}

/** One run of a {@link SarifLog}. */
export interface SarifRun {
  readonly tool: {
    readonly driver: {
      readonly name: string
      readonly version: string
      readonly informationUri: string
      readonly rules: readonly SarifRule[]
    }
  }
  readonly results: readonly SarifResult[]
  /** The verdict and the interfaces taken as public (when the evaluation is given). */
  readonly properties?: {
    readonly verdict: EvaluationSummary['verdict']
    readonly interfaces: EvaluationSummary['interfaces']
    readonly unchecked: EvaluationSummary['unchecked']
  }
  readonly invocations: readonly {
    readonly executionSuccessful: boolean
    readonly toolExecutionNotifications: readonly {
      readonly level: 'warning'
      readonly message: { readonly text: string }
    }[]
  }[]
}

/** A reporting descriptor (one per policy rule that has results). */
export interface SarifRule {
  readonly id: string
  readonly name: string
  readonly shortDescription: { readonly text: string }
  readonly fullDescription: { readonly text: string }
  readonly help: { readonly text: string }
  readonly defaultConfiguration: { readonly level: 'error' | 'warning' | 'note' }
  readonly properties: { readonly tags: readonly string[]; readonly 'security-severity'?: string }
}

/** One result: a finding. */
export interface SarifResult {
  readonly ruleId: string
  readonly ruleIndex: number
  readonly level: 'error' | 'warning' | 'note'
  readonly message: { readonly text: string }
  readonly locations?: readonly {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string }
      readonly region: { readonly startLine: number }
    }
  }[]
  readonly partialFingerprints: { readonly primaryLocationLineHash: string }
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'

/** A relative URI for a path (SARIF wants URIs; GitHub matches them against the repository). */
function toUri(file: string): string {
  const rel = file.replace(/\\/g, '/').replace(/^\.\//, '')
  return rel
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/')
}

/** FNV-1a over the finding's identity, so the same finding keeps its alert across runs. */
function fingerprint(f: Finding): string {
  let h = 0x811c9dc5
  const text = `${f.rule}|${f.port ?? ''}|${f.protocol ?? ''}|${f.file ?? ''}|${f.message.replace(/e\.g\. \S+/, '')}`
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return `${h.toString(16).padStart(8, '0')}:1`
}

const LEVEL_SECURITY: Record<Finding['severity'], string> = {
  error: '7.5',
  warning: '5.0',
  note: '2.0',
}

/** The SARIF rules, built as findings name them: one per policy rule id, in order of first use. */
function ruleTable(policy: Policy): { rules: SarifRule[]; ruleFor: (f: Finding) => number } {
  const rules: SarifRule[] = []
  const ruleIndex = new Map<string, number>()
  const policyRules = new Map(policy.rules.map((r) => [r.id, r]))
  const ruleFor = (f: Finding): number => {
    const known = ruleIndex.get(f.rule)
    if (known !== undefined) return known
    const pr = policyRules.get(f.rule)
    const title = pr
      ? `${pr.kind} ${pr.direction} ${pr.ports[0] === pr.ports[1] ? pr.ports[0] : `${pr.ports[0]}-${pr.ports[1]}`}/${pr.protocol}: ${pr.title}`
      : f.rule
    rules.push({
      id: f.rule,
      name: f.rule
        .replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase())
        .replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: title },
      fullDescription: { text: `Policy ${policy.id} (${policy.source}): ${title}` },
      help: { text: f.hint },
      defaultConfiguration: { level: f.severity },
      properties: {
        tags: ['security', 'firewall', `policy:${policy.id}`],
        'security-severity': LEVEL_SECURITY[f.severity],
      },
    })
    ruleIndex.set(f.rule, rules.length - 1)
    return rules.length - 1
  }
  return { rules, ruleFor }
}

/** One finding as a SARIF result, located at its file and line when it has them. */
function sarifResult(f: Finding, ruleIndex: number): SarifResult {
  return {
    ruleId: f.rule,
    ruleIndex,
    level: f.severity,
    message: { text: `${f.message}\nFix: ${f.hint}` },
    ...(f.file !== undefined
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(f.file) },
                region: { startLine: Math.max(1, f.line ?? 1) },
              },
            },
          ],
        }
      : {}),
    partialFingerprints: { primaryLocationLineHash: fingerprint(f) },
  }
}

/**
 * The findings as a SARIF log; `toolVersion` is the allowlist-sync version. Results beyond
 * {@link SARIF_MAX_RESULTS}, or beyond {@link SARIF_MAX_BYTES} of output, are dropped (findings
 * come most severe first) and a notification in the run says how many.
 */
export function toSarif(
  findings: readonly Finding[],
  options: { toolVersion: string; policy: Policy; summary?: EvaluationSummary },
): SarifLog {
  const { rules, ruleFor } = ruleTable(options.policy)
  const results: SarifResult[] = []
  let bytes = 2000
  let dropped = 0
  for (const f of findings) {
    if (results.length >= SARIF_MAX_RESULTS) {
      dropped++
      continue
    }
    const result = sarifResult(f, ruleFor(f))
    const size = JSON.stringify(result).length + 2
    if (bytes + size > SARIF_MAX_BYTES - 200_000) {
      dropped++
      continue
    }
    bytes += size
    results.push(result)
  }
  const notifications: { level: 'warning'; message: { text: string } }[] = []
  if (dropped > 0)
    notifications.push({
      level: 'warning',
      message: {
        text: `${dropped} result(s) left out: GitHub code scanning accepts at most ${SARIF_MAX_RESULTS} results a run and ${SARIF_MAX_BYTES / 1_000_000} MB a file; the most severe are kept. Run allowlist-sync verify --format json for all of them.`,
      },
    })
  const { summary } = options
  if (summary?.verdict === 'nothing-checked')
    notifications.push({
      level: 'warning',
      message: {
        text: `Nothing was checked: no config decides ${summary.unchecked.map((u) => `${u.direction} IPv${u.family}`).join(', ')} traffic (a fragment, or a file that only includes others?).`,
      },
    })
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'allowlist-sync',
            version: options.toolVersion,
            informationUri: 'https://github.com/allowlist-sync/allowlist-sync',
            rules,
          },
        },
        results,
        ...(summary
          ? {
              properties: {
                verdict: summary.verdict,
                interfaces: summary.interfaces,
                unchecked: summary.unchecked,
              },
            }
          : {}),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
      },
    ],
  }
}
