/**
 * @module Findings as SARIF 2.1.0 for GitHub code scanning, within its upload limits (5,000
 * results a run, 10 MB a file): beyond them the least severe results are dropped and a
 * notification says how many.
 */
import type { Finding, Policy } from './types.ts'

/** GitHub code scanning keeps at most this many results of a run. */
export const SARIF_MAX_RESULTS = 5000
/** GitHub refuses SARIF files larger than this (uncompressed here, to be safe). */
export const SARIF_MAX_BYTES = 10_000_000

/** A SARIF 2.1.0 log (the subset this module writes). */
export interface SarifLog {
  readonly $schema: string
  readonly version: '2.1.0'
  readonly runs: readonly unknown[]
}

/** The findings as a SARIF log; `toolVersion` is the allowlist-sync version. */
export function toSarif(
  findings: readonly Finding[],
  options: { toolVersion: string; policy: Policy },
): SarifLog {
  throw new Error(`not implemented ${findings.length} ${options.toolVersion}`)
}
