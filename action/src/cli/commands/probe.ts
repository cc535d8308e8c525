/** @module `allowlist-sync probe`: placeholder until its issue lands. */
import { UsageError, type CliIo } from '../io.ts'

export function run(_args: string[], _io: CliIo): Promise<number> {
  return Promise.reject(new UsageError('probe: not implemented yet'))
}
