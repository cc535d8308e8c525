/** @module Findings for people (text) and for machines (JSON), and the CLI's exit code for them. */
import type { Evaluation, Finding, Policy } from './types.ts'

/** What an evaluation says beside its findings: the interfaces taken, what went unchecked. */
export type EvaluationSummary = Pick<Evaluation, 'interfaces' | 'unchecked' | 'verdict'>

/** `inbound IPv6, outbound IPv4`. */
function uncheckedText(summary: EvaluationSummary): string {
  return summary.unchecked.map((u) => `${u.direction} IPv${u.family}`).join(', ')
}

/** The JSON output of `verify --format json`. */
export interface FindingsJson {
  readonly policy: string
  /** True only when the verdict is `compliant` (no errors, and something was checked). */
  readonly compliant: boolean
  readonly verdict?: Evaluation['verdict']
  /** The interfaces the findings are about (public) and those left out (internal). */
  readonly interfaces?: Evaluation['interfaces']
  /** What the policy asks about that no config decides. */
  readonly unchecked?: Evaluation['unchecked']
  readonly counts: { readonly error: number; readonly warning: number; readonly note: number }
  readonly findings: readonly {
    readonly rule: string
    readonly severity: Finding['severity']
    readonly port: string | null
    readonly protocol: string | null
    readonly direction: string | null
    readonly file: string | null
    readonly line: number | null
    readonly message: string
    readonly hint: string
    readonly sources?: readonly string[]
  }[]
}

function counts(findings: readonly Finding[]) {
  const c = { error: 0, warning: 0, note: 0 }
  for (const f of findings) c[f.severity]++
  return c
}

/**
 * One finding a paragraph: `FILE:LINE: severity [rule] message`, the hint indented below; then
 * the interfaces taken as public and a summary line, which says when nothing (or not everything)
 * was checked. Control characters in messages (which may quote config text) are escaped.
 */
export function formatFindingsText(
  findings: readonly Finding[],
  policy: Policy,
  summary?: EvaluationSummary,
): string {
  const clean = (s: string) =>
    s.replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
  const lines: string[] = []
  for (const f of findings) {
    const where =
      f.file === undefined ? '' : `${f.file}${f.line === undefined ? '' : `:${f.line}`}: `
    lines.push(`${clean(where)}${f.severity} [${f.rule}] ${clean(f.message)}`)
    lines.push(`    fix: ${clean(f.hint)}`)
    if (f.sources && f.sources.length > 0 && f.severity !== 'note')
      lines.push(`    sources: ${f.sources.join(' ')}`)
  }
  const c = counts(findings)
  const verdict =
    c.error > 0
      ? 'NOT compliant'
      : summary?.verdict === 'nothing-checked'
        ? `NOTHING CHECKED: no config decides ${uncheckedText(summary)} traffic (a fragment, or a file that only includes others?)`
        : summary && summary.unchecked.length > 0
          ? `compliant where checked (not checked: ${uncheckedText(summary)})`
          : 'compliant'
  if (summary)
    lines.push(
      `interfaces taken as public: ${clean(summary.interfaces.public.join(', ') || 'none')}${summary.interfaces.internal.length > 0 ? ` (internal: ${clean(summary.interfaces.internal.join(', '))})` : ''}`,
    )
  lines.push(
    `policy ${policy.id}: ${verdict} (${c.error} error(s), ${c.warning} warning(s), ${c.note} note(s))`,
  )
  return `${lines.join('\n')}\n`
}

/** The findings as {@link FindingsJson}. */
export function toFindingsJson(
  findings: readonly Finding[],
  policy: Policy,
  summary?: EvaluationSummary,
): FindingsJson {
  const c = counts(findings)
  return {
    policy: policy.id,
    compliant: c.error === 0 && summary?.verdict !== 'nothing-checked',
    ...(summary
      ? { verdict: summary.verdict, interfaces: summary.interfaces, unchecked: summary.unchecked }
      : {}),
    counts: c,
    findings: findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      port: f.port ?? null,
      protocol: f.protocol ?? null,
      direction: f.direction ?? null,
      file: f.file ?? null,
      line: f.line ?? null,
      message: f.message,
      hint: f.hint,
      ...(f.sources ? { sources: f.sources } : {}),
    })),
  }
}

/**
 * 1 when any finding is an error; else 2 when nothing was checked (no config decides what the
 * policy asks about: never a silent 0); else 0.
 */
export function exitCodeFor(findings: readonly Finding[], summary?: EvaluationSummary): 0 | 1 | 2 {
  if (findings.some((f) => f.severity === 'error')) return 1
  return summary?.verdict === 'nothing-checked' ? 2 : 0
}
