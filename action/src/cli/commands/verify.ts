/** @module `allowlist-sync verify`: placeholder until its issue lands. */
import { UsageError, type CliIo } from '../io.ts'

export function run(_args: string[], _io: CliIo): Promise<number> {
  return Promise.reject(new UsageError('verify: not implemented yet'))
}
