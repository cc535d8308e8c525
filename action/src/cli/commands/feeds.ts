/** @module `allowlist-sync feeds`: the feed catalogue, as a table or as JSON. */
import { BUILTIN_FEEDS, type FeedDefinition } from '../../../../shared/src/index.ts'
import { EXIT_OK, parseCommandArgs, UsageError, type CliIo } from '../io.ts'

const HELP = `allowlist-sync feeds: list the feed catalogue

Usage: allowlist-sync feeds [--json]

Every built-in feed id, its title and the upstream URL(s) it reads. Besides the listed aws/
feeds, any aws/SERVICE[@REGION[,REGION...]] id works (service as AWS spells it in
ip-ranges.json, e.g. aws/EC2@us-east-1,eu-west-1 or aws/ROUTE53_HEALTHCHECKS@GLOBAL).

Options:
  --json   the catalogue as JSON: [{ id, title, docsUrl, sources: [{ url, parser }] }]

Examples:
  allowlist-sync feeds
  allowlist-sync feeds --json | jq -r '.[].id'
`

function describe(feed: FeedDefinition): string {
  return [...new Set(feed.sources.map((s) => s.url))].join(' ')
}

/** Prints the catalogue. */
export function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' } }, HELP, io)
  if (!parsed) return Promise.resolve(EXIT_OK)
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`)
  if (parsed.values.json) {
    io.stdout(`${JSON.stringify(BUILTIN_FEEDS, null, 2)}\n`)
    return Promise.resolve(EXIT_OK)
  }
  const width = Math.max(...BUILTIN_FEEDS.map((f) => f.id.length))
  const lines = BUILTIN_FEEDS.map(
    (f) => `${f.id.padEnd(width)}  ${f.title}\n${' '.repeat(width + 2)}${describe(f)}`,
  )
  lines.push(
    `${'aws/SERVICE[@REGION,...]'.padEnd(width)}  any service of ip-ranges.json, optionally by region`,
  )
  io.stdout(`${lines.join('\n')}\n`)
  return Promise.resolve(EXIT_OK)
}
