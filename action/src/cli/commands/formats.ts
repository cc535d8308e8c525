/** @module `allowlist-sync formats`: the output formats `render` (and the worker's `?format=`) know. */
import { FORMATS } from '../../../../shared/src/index.ts'
import { EXIT, UsageError, parseCommandArgs, type CliIo } from '../io.ts'

const HELP = `Usage: allowlist-sync formats [--json]

Lists the output formats of 'allowlist-sync render': id, title, and whether the output is a
line-oriented managed block (usable with 'render --into FILE').

Options:
  --json    print the catalogue as JSON (id, title, lineOriented, families, usesPorts,
            extension, mediaType, description)

Examples:
  allowlist-sync formats
  allowlist-sync formats --json | jq -r '.[].id'
`

/** Prints the format catalogue as a table or JSON. */
export function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean', default: false } }, HELP, io)
  if (parsed === undefined) return Promise.resolve(EXIT.ok)
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`)
  }
  if (parsed.values.json) {
    io.stdout(`${JSON.stringify(FORMATS, null, 2)}\n`)
    return Promise.resolve(EXIT.ok)
  }
  const width = Math.max(...FORMATS.map((f) => f.id.length))
  const lines = FORMATS.map(
    (f) => `${f.id.padEnd(width)}  ${f.lineOriented ? 'block' : 'file '}  ${f.title}`,
  )
  io.stdout(`${lines.join('\n')}\n`)
  return Promise.resolve(EXIT.ok)
}
