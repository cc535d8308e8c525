/** @module Findings for people (text) and for machines (JSON), and the CLI's exit code for them. */
import type { Finding, Policy } from './types.ts'

/** The JSON output of `verify --format json`. */
export interface FindingsJson {
  readonly policy: string
  readonly compliant: boolean
  readonly findings: readonly {
    readonly rule: string
    readonly severity: Finding['severity']
    readonly port: string | null
    readonly protocol: string | null
    readonly file: string | null
    readonly line: number | null
    readonly message: string
    readonly hint: string
    readonly sources?: readonly string[]
  }[]
}

/** One finding a line or two, `FILE:LINE: severity [rule] message`, then a summary line. */
export function formatFindingsText(findings: readonly Finding[], policy: Policy): string {
  throw new Error(`not implemented ${findings.length} ${policy.id}`)
}

/** The findings as {@link FindingsJson}. */
export function toFindingsJson(findings: readonly Finding[], policy: Policy): FindingsJson {
  throw new Error(`not implemented ${findings.length} ${policy.id}`)
}

/** 1 when any finding is an error, else 0. */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === 'error') ? 1 : 0
}
