/** @module The one error type of shared/src/policy, with a stable code for callers to branch on. */
import type { YamlProblem } from '../parse-yaml-document.ts'

/** Why a policy or a config could not be used. */
export type PolicyErrorCode =
  /** A policy file that is not valid YAML/JSON or breaks the model (the message names the field). */
  | 'ERR_POLICY_FILE'
  /** An unknown preset id. */
  | 'ERR_POLICY_PRESET'
  /** A firewall config that cannot be read (the message names file and line). */
  | 'ERR_POLICY_CONFIG'
  /** A config whose format cannot be detected. */
  | 'ERR_POLICY_FORMAT'
  /** A policy names a feed that {@link EvaluateOptions.feedSets} does not hold. */
  | 'ERR_POLICY_FEED'

/** Thrown by parsePolicy, presetPolicy, readFirewallConfig and evaluatePolicy. */
export class PolicyError extends TypeError {
  override readonly name = 'PolicyError'
  readonly code: PolicyErrorCode
  /** The file the error is about, when there is one. */
  readonly file: string | undefined
  /** 1-based line, when known. */
  readonly line: number | undefined
  constructor(code: PolicyErrorCode, message: string, options?: ErrorOptions & ErrorPlace) {
    super(message, options)
    this.code = code
    this.file = options?.file
    this.line = options?.line
  }
}

/** Where a {@link PolicyError} is: the file and its 1-based line, when known. */
export interface ErrorPlace {
  readonly file?: string
  readonly line?: number
}

/**
 * The ERR_POLICY_CONFIG error for a config file that does not parse (`kind`: what it should be),
 * at the problem's line: `FILE:LINE: not valid JSON (reason)`.
 */
export function syntaxError(
  file: string,
  problem: YamlProblem,
  kind: 'YAML' | 'JSON',
): PolicyError {
  const { line } = problem
  return new PolicyError(
    'ERR_POLICY_CONFIG',
    `${file}:${line}: not valid ${kind} (${problem.message})`,
    { file, line },
  )
}
