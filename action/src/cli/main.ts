/**
 * @module The CLI dispatcher: finds the command, loads only its module (so `cidr merge` does not
 * pay for the GitHub client), and turns thrown errors into exit codes.
 */
import { errorMessage } from '../../../shared/src/error-message.ts'
import { VERSION } from '../../../shared/src/version.ts'
import { EXIT, InputError, UsageError, type CliIo, type CommandRun } from './io.ts'

/**
 * Every command and its summary, in the order `--help` lists them. Command NAME is the module
 * ./commands/NAME.ts, loaded only when it runs.
 */
export const COMMANDS: Readonly<Record<string, string>> = {
  cidr: 'merge, diff and test CIDR lists',
  feeds: 'list the feed catalogue',
  fetch: 'fetch feeds, guard them, print snapshots',
  formats: 'list the output formats',
  render: 'render feeds into a firewall format',
  policies: 'list the port-policy presets',
  verify: 'check firewall configs against a port policy',
  probe: "try TCP connects to a policy's ports on a host",
  sync: "run the Action's plan locally (--dry-run)",
}

const HELP = `allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(COMMANDS)
  .map(([name, summary]) => `  ${name.padEnd(10)} ${summary}`)
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
  if (!Object.hasOwn(COMMANDS, name)) {
    io.stderr(`allowlist-sync: unknown command '${name}'\n\n${HELP}`)
    return EXIT.usage
  }
  try {
    const command = (await import(`./commands/${name}.ts`)) as { run: CommandRun }
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
