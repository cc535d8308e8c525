/** @module `allowlist-sync fetch`: placeholder until its issue lands. */
import { UsageError, type CliIo } from '../io.ts'

export function run(_args: string[], _io: CliIo): Promise<number> {
  return Promise.reject(new UsageError('fetch: not implemented yet'))
}
