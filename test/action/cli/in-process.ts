/**
 * @module Runs the CLI's main() in-process, for the error paths of command tests: files from a
 * map (else the disk), no network, a fixed clock; resolves to the exit code and the output.
 */
import { readFileSync } from 'node:fs'
import { main } from '../../../action/src/cli/main.ts'
import type { CliIo } from '../../../action/src/cli/io.ts'

/** The result of one in-process run. */
export interface InProcessRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `allowlist-sync ARGV...` with `files` standing in for the disk where they name a path. */
export async function cliInProcess(
  argv: string[],
  files: Readonly<Record<string, string>> = {},
): Promise<InProcessRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    // A missing file rejects with the ENOENT error, as the real io does.
    readText: (p) => {
      try {
        return Promise.resolve(p in files ? files[p]! : readFileSync(p, 'utf8'))
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
    },
    env: {},
    fetch: () => Promise.reject(new Error('no network in this test')),
    now: () => Date.parse('2026-11-21T00:00:00Z'),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** An io with no files and no network, `overrides` on top (each test gives what it watches). */
export function testIo(overrides: Partial<CliIo>): CliIo {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    readText: () => Promise.reject(new Error('no files')),
    env: {},
    fetch: () => Promise.reject(new Error('no network')),
    now: () => 0,
    ...overrides,
  }
}
