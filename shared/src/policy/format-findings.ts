/** @module Findings for people (text) and for machines (JSON), and the CLI's exit code for them. */
import type { Finding, Policy } from './types.ts'

/** The JSON output of `verify --format json`. */
export interface FindingsJson {
  readonly policy: string
  readonly compliant: boolean
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
 * One finding a paragraph: `FILE:LINE: severity [rule] message`, the hint indented below; then a
 * summary line. Control characters in messages (which may quote config text) are escaped.
 */
export function formatFindingsText(findings: readonly Finding[], policy: Policy): string {
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
  const verdict = c.error > 0 ? 'NOT compliant' : 'compliant'
  lines.push(
    `policy ${policy.id}: ${verdict} (${c.error} error(s), ${c.warning} warning(s), ${c.note} note(s))`,
  )
  return `${lines.join('\n')}\n`
}

/** The findings as {@link FindingsJson}. */
export function toFindingsJson(findings: readonly Finding[], policy: Policy): FindingsJson {
  const c = counts(findings)
  return {
    policy: policy.id,
    compliant: c.error === 0,
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

/** 1 when any finding is an error, else 0. */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === 'error') ? 1 : 0
}
