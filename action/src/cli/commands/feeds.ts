/** @module `allowlist-sync feeds`: the feed catalogue grouped by provider, as text or as JSON. */
import {
  BUILTIN_FEEDS,
  CATALOGUE_PROVIDERS,
  type FeedDefinition,
} from '../../../../shared/src/index.ts'
import { EXIT, parseCommandArgs, UsageError, type CliIo } from '../io.ts'

const HELP = `allowlist-sync feeds: list the feed catalogue

Usage: allowlist-sync feeds [--json]

Every built-in feed, grouped by provider: its id, its title, who connects from its addresses
(or what is reached at them, for an egress list) and the upstream URL(s) it reads. Ids resolved
on demand are listed as patterns under their provider, e.g. aws/SERVICE[@REGION,...] (service as
AWS spells it in ip-ranges.json: aws/EC2@us-east-1,eu-west-1, aws/ROUTE53_HEALTHCHECKS@GLOBAL),
google/cloud@REGION, azure/<ServiceTag>.

Options:
  --json   the catalogue as JSON: [{ id, title, docsUrl, use, sources: [{ url, parser }] }]

Examples:
  allowlist-sync feeds
  allowlist-sync feeds --json | jq -r '.[].id'
`

function urls(feed: FeedDefinition): string {
  return [...new Set(feed.sources.map((s) => s.url))].join(' ')
}

/** Prints the catalogue. */
export function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' } }, HELP, io)
  if (!parsed) return Promise.resolve(EXIT.ok)
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`)
  if (parsed.values.json) {
    io.stdout(`${JSON.stringify(BUILTIN_FEEDS, null, 2)}\n`)
    return Promise.resolve(EXIT.ok)
  }
  const width = Math.max(
    ...CATALOGUE_PROVIDERS.flatMap((p) => [...p.feeds, ...p.patterns].map((f) => f.id.length)),
  )
  const indent = ' '.repeat(width + 4)
  const blocks = CATALOGUE_PROVIDERS.map((p) => {
    const lines = [`${p.name} (${p.id}/)`]
    for (const f of p.feeds) {
      lines.push(`  ${f.id.padEnd(width)}  ${f.title}`)
      if (f.use !== undefined) lines.push(`${indent}for: ${f.use}`)
      lines.push(`${indent}${urls(f)}`)
    }
    for (const pattern of p.patterns) lines.push(`  ${pattern.id.padEnd(width)}  ${pattern.use}`)
    return lines.join('\n')
  })
  io.stdout(`${blocks.join('\n\n')}\n`)
  return Promise.resolve(EXIT.ok)
}
