/**
 * @module `verify` over big configs runs in a worker thread whose young generation is capped.
 * Reading a dump makes garbage at a steady rate, and V8 grows a process's young generation to
 * 32 MB semi-spaces under it however little survives: 64 MB, six times a 10 MB dump, before
 * anything is kept. A worker's heap takes its limits at start (a process's only from the command
 * line, which an installed executable does not control), so the command runs there, whole and
 * unchanged: the same arguments, output and exit code.
 */
import { errorMessage } from '../../../shared/src/error-message.ts'

const { statSync } = process.getBuiltinModule('node:fs')
const { parseArgs } = process.getBuiltinModule('node:util')

/** Configs of at least this many bytes together are verified in a worker thread. */
export const THREAD_FROM_BYTES = 4 * 1024 * 1024

/**
 * The worker's young generation in MB: garbage is collected young, a MB at a time (2 and 4
 * peaked higher on a 10 MB dump, and were no faster).
 */
const YOUNG_GENERATION_MB = 1

/**
 * Whether `argv` (the arguments after the executable) is a `verify` whose `--config` files come
 * to `from` bytes or more (ALLOWLIST_SYNC_VERIFY_THREAD_FROM; default {@link THREAD_FROM_BYTES},
 * 0 always). A verify that reads standard input (`--config -`, `--feed-file ID=-`) stays in the
 * main thread, which has it (a worker's stdin is empty); files that cannot be read count nothing
 * (the command itself reports them).
 */
export function wantsThread(argv: readonly string[], from: string | undefined): boolean {
  if (argv[0] !== 'verify') return false
  const fromBytes = /^\d+$/.test(from ?? '') ? Number(from) : THREAD_FROM_BYTES
  const { values } = parseArgs({
    args: argv.slice(1),
    options: {
      config: { type: 'string', multiple: true },
      'feed-file': { type: 'string', multiple: true },
    },
    strict: false,
    allowPositionals: true,
  })
  if ((values['feed-file'] ?? []).some((spec) => typeof spec === 'string' && spec.endsWith('=-')))
    return false
  let total = 0
  for (const file of values.config ?? []) {
    if (file === '-') return false
    if (typeof file !== 'string') continue
    total += statSync(file, { throwIfNoEntry: false })?.size ?? 0
  }
  return total >= fromBytes
}

/**
 * Runs the executable at `entry` with `argv` in a worker thread with a capped young generation;
 * resolves to its exit code (70, as for any crash, if the worker fails to run at all).
 */
export function runInThread(entry: URL, argv: readonly string[]): Promise<number> {
  const { Worker } = process.getBuiltinModule('node:worker_threads')
  // V8 allocates objects from a code site straight into the old generation once most of them
  // have survived (pretenuring): a dump's first rules are kept, the millions after them are
  // garbage at once, yet they would all land in the old generation and wait for a full
  // collection there. A heuristic of the collector, never of the result; this process runs
  // nothing else after the command.
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-allocation-site-pretenuring')
  return new Promise((resolve) => {
    const worker = new Worker(entry, {
      argv: [...argv],
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    })
    worker.on('error', (error: unknown) => {
      process.stderr.write(`allowlist-sync ${argv[0]}: unexpected error: ${errorMessage(error)}\n`)
      resolve(70)
    })
    worker.on('exit', resolve)
  })
}
