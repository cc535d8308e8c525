/**
 * @module The CLI dispatcher: finds the command, loads only its module (so `cidr merge` does not
 * pay for the GitHub client), and turns thrown errors into exit codes.
 */
import { errorMessage, VERSION } from '../../../shared/src/index.ts'
import { EXIT, InputError, UsageError, type CliIo, type CommandRun } from './io.ts'

interface CommandEntry {
  readonly summary: string
  readonly load: () => Promise<{ run: CommandRun }>
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  cidr: { summary: 'merge, diff and test CIDR lists', load: () => import('./commands/cidr.ts') },
  feeds: { summary: 'list the feed catalogue', load: () => import('./commands/feeds.ts') },
  fetch: {
    summary: 'fetch feeds, guard them, print snapshots',
    load: () => import('./commands/fetch.ts'),
  },
  formats: { summary: 'list the output formats', load: () => import('./commands/formats.ts') },
  render: {
    summary: 'render feeds into a firewall format',
    load: () => import('./commands/render.ts'),
  },
  policies: {
    summary: 'list the port-policy presets',
    load: () => import('./commands/policies.ts'),
  },
  verify: {
    summary: 'check firewall configs against a port policy',
    load: () => import('./commands/verify.ts'),
  },
  probe: {
    summary: "try TCP connects to a policy's ports on a host",
    load: () => import('./commands/probe.ts'),
  },
  sync: {
    summary: "run the Action's plan locally (--dry-run)",
    load: () => import('./commands/sync.ts'),
  },
}

const HELP = `allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`

/** Runs one CLI invocation; resolves to the process exit code. Never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`allowlist-sync ${VERSION}\n`)
    return EXIT.ok
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!entry) {
    io.stderr(`allowlist-sync: unknown command '${name}'\n\n${HELP}`)
    return EXIT.usage
  }
  try {
    const command = await entry.load()
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`allowlist-sync ${name}: ${error.message}\nRun 'allowlist-sync ${name} --help'.\n`)
      return error.exitCode
    }
    if (error instanceof InputError) {
      io.stderr(`${error.lines.join('\n')}\n`)
      return error.exitCode
    }
    return crashed(name, error, io)
  }
}

/** An error no command expected: one line naming it, a hint to report it, exit 70. */
function crashed(name: string, error: unknown, io: CliIo): number {
  const message = errorMessage(error).split('\n')[0]
  try {
    io.stderr(
      `allowlist-sync ${name}: unexpected error: ${message}\n` +
        `This is a bug in allowlist-sync ${VERSION}; please report it with the command you ran.\n`,
    )
  } catch {
    // stderr itself failed: the exit code still says what happened.
  }
  return EXIT.software
}
