/**
 * @module The CLI's `--policy PRESET|FILE`: a preset by id or a policy file read and parsed, a
 * PolicyError turned into an input error (exit 2) that names file:line; shared by verify and probe.
 */
import {
  isPresetId,
  parsePolicy,
  PolicyError,
  presetPolicy,
  type Policy,
} from '../../../shared/src/index.ts'
import { InputError, UsageError, readInputFile, type CliIo } from './io.ts'

/** Rethrows a PolicyError as an InputError naming file:line (once); anything else as it is. */
export function policyInputError(error: unknown): never {
  if (error instanceof PolicyError) {
    const msg = error.message
    throw new InputError(
      [
        error.line !== undefined && !msg.includes(`:${error.line}:`)
          ? `${error.file ?? ''}:${error.line}: ${msg}`
          : msg,
      ],
      { cause: error },
    )
  }
  throw error
}

/**
 * The policy `spec` names: a preset id, else a file (a name with '.', '/' or '\' in it, '-' for
 * stdin is not accepted); anything else is a usage error pointing at `allowlist-sync policies`.
 */
export async function loadPolicy(io: CliIo, spec: string): Promise<Policy> {
  if (isPresetId(spec)) return presetPolicy(spec)
  if (!/[./\\]/.test(spec))
    throw new UsageError(
      `'${spec}' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets`,
    )
  const text = await readInputFile(io, spec)
  try {
    return parsePolicy(text, spec)
  } catch (error) {
    return policyInputError(error)
  }
}
