/** @module `allowlist-sync policies`: placeholder until its issue lands. */
import { UsageError, type CliIo } from '../io.ts'

export function run(_args: string[], _io: CliIo): Promise<number> {
  return Promise.reject(new UsageError('policies: not implemented yet'))
}
