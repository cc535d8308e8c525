/**
 * @module What every CLI command shares: the process edges as an injectable object, exit codes,
 * and the two error kinds that the dispatcher turns into exit codes and stderr lines.
 */
import type { ParseArgsConfig } from 'node:util'
import { errorMessage } from '../../../shared/src/error-message.ts'

// Built-ins through process.getBuiltinModule, not `import ... from 'node:fs'`: an ES import of a
// built-in evaluates every export of its namespace (fs.promises and with it readline and the
// streams; all of node:util), which costs every command about 10 ms of start-up.
const { readFileSync, writeSync } = process.getBuiltinModule('node:fs')
const { parseArgs } = process.getBuiltinModule('node:util')
const { isatty } = process.getBuiltinModule('node:tty')

/** Exit codes across the whole CLI. */
export const EXIT = {
  ok: 0,
  /** A refusal (a guard said no) or a violation (a policy check failed). */
  refused: 1,
  /** A usage error or unreadable input. */
  usage: 2,
  /** An unexpected crash (a bug): sysexits.h EX_SOFTWARE, never the usage code. */
  software: 70,
} as const

/** The process edges a command may touch; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Reads a whole file; `-` reads standard input. */
  readonly readText: (path: string) => Promise<string>
  /** Reads a whole file as bytes; `-` reads standard input. Optional: fakes may omit it. */
  readonly readBytes?: (path: string) => Promise<Uint8Array>
  readonly env: Readonly<Record<string, string | undefined>>
  readonly fetch: typeof fetch
  readonly now: () => number
  /** Whether stderr is a terminal (progress lines are drawn only there). Absent: it is not. */
  readonly stderrIsTTY?: boolean
  /** Calls `fn` every `ms` until the returned function is called (progress redraws). */
  readonly every?: (ms: number, fn: () => void) => () => void
}

/** A command's entry: arguments after the command name, the io; resolves to the exit code. */
export type CommandRun = (args: string[], io: CliIo) => Promise<number>

/** Bad arguments: exit 2 and the message, then a pointer to `--help`. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage
}

/** Input that cannot be used: exit 2 with `FILE:LINE: reason` lines on stderr. */
export class InputError extends Error {
  readonly exitCode = EXIT.usage
  readonly lines: string[]
  constructor(lines: string[], options?: ErrorOptions) {
    super(lines.join('\n'), options)
    this.lines = lines
  }
}

/** The real process edges. */
export function processIo(): CliIo {
  return {
    stdout: writeStdout,
    stderr: (text) => process.stderr.write(text),
    // Synchronous on purpose: one read into one buffer, decoded once. The promise API reads in
    // chunks through a string decoder, which costs a big list milliseconds and garbage.
    readText: async (path) =>
      path === '-' ? (await readStdin()).toString('utf8') : readFileSync(path, 'utf8'),
    readBytes: async (path) => (path === '-' ? readStdin() : readFileSync(path)),
    env: process.env,
    fetch: netFetch,
    now: Date.now,
    stderrIsTTY: isatty(2),
    every: (ms, fn) => {
      const timer = setInterval(fn, ms)
      timer.unref()
      return () => clearInterval(timer)
    },
  }
}

let net: Promise<typeof fetch> | undefined

/**
 * The network, with the proxy variables honoured as the Action honours them (net-fetch.ts),
 * loaded on the first request so that commands that never fetch do not pay for undici.
 */
const netFetch: typeof fetch = async (url, init) => {
  net ??= import('../net-fetch.ts').then((m) => m.createNetFetch(process.env))
  return (await net)(url, init)
}

/**
 * Standard output through fs.writeSync on descriptor 1: creating process.stdout loads Node's
 * stream modules, several milliseconds of every command's start-up. Where fd 1 is non-blocking
 * (EAGAIN), the rest goes through process.stdout, which then makes writes synchronous. A closed
 * reader (EPIPE, as in `| head`) ends the output quietly, as SIGPIPE ends other tools.
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text, 'utf8')
  let at = 0
  try {
    while (at < bytes.length) at += writeSync(1, bytes, at)
  } catch (cause) {
    const code = cause instanceof Error && 'code' in cause ? cause.code : undefined
    if (code === 'EAGAIN') process.stdout.write(bytes.subarray(at))
    else if (code !== 'EPIPE') throw cause
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * Reads a file named on the command line; a missing or unreadable one is an InputError naming it.
 */
export async function readInputFile(io: CliIo, path: string): Promise<string> {
  return readInput(() => io.readText(path), path)
}

/**
 * Like readInputFile, but as bytes where the io can read them (`io.readBytes`), for parsers that
 * take UTF-8 bytes and so spare a big file the decoding into a string; else as text.
 */
export async function readInputBytes(io: CliIo, path: string): Promise<string | Uint8Array> {
  const { readBytes } = io
  return readInput<string | Uint8Array>(
    () => (readBytes ? readBytes(path) : io.readText(path)),
    path,
  )
}

async function readInput<T>(read: () => Promise<T>, path: string): Promise<T> {
  try {
    return await read()
  } catch (cause) {
    const reason = cause instanceof Error && 'code' in cause ? String(cause.code) : 'unreadable'
    throw new InputError([`${path}: cannot read (${reason})`], { cause })
  }
}

/**
 * `node:util` parseArgs with `--help` built in; a parse failure becomes a UsageError.
 * Returns `undefined` after printing the help text when `--help` or `-h` is given.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  help: string,
  io: CliIo,
) {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(help.endsWith('\n') ? help : `${help}\n`)
    return undefined
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (cause) {
    throw new UsageError(errorMessage(cause), { cause })
  }
}
