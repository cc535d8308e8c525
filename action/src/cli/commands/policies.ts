/** @module `allowlist-sync policies`: lists the port-policy presets and what each one checks. */
import {
  formatPortRange,
  PRESET_IDS,
  PRESETS,
  requiredFeeds,
} from '../../../../shared/src/index.ts'
import { EXIT, UsageError, parseCommandArgs, type CliIo } from '../io.ts'

const HELP = `Usage: allowlist-sync policies [--json] [PRESET]

Lists the port-policy presets (each built from a platform's firewall page), or with PRESET, its
rules: which ports must be reachable and from where, which may be, which must not be public,
and what happens to ports the policy does not name. Use a preset with
'allowlist-sync verify --policy PRESET', or start a policy file from one with 'extends: PRESET'.

Options:
  --json   print JSON (the full policy model)

Examples:
  allowlist-sync policies
  allowlist-sync policies oec
  allowlist-sync policies --json coolify-cloud
`

const OPTIONS = { json: { type: 'boolean' } } as const

/** Prints the presets, or one preset's rules. */
export function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (parsed === undefined) return Promise.resolve(EXIT.ok)
  const { values, positionals } = parsed
  if (positionals.length > 1) return Promise.reject(new UsageError('name at most one preset'))
  const wanted = positionals[0]
  if (wanted !== undefined && !(PRESET_IDS as readonly string[]).includes(wanted))
    return Promise.reject(new UsageError(`no preset '${wanted}'; known: ${PRESET_IDS.join(', ')}`))
  const ids = wanted === undefined ? PRESET_IDS : PRESET_IDS.filter((id) => id === wanted)
  if (values.json) {
    const out = ids.map((id) => ({ ...PRESETS[id], feeds: requiredFeeds(PRESETS[id]) }))
    io.stdout(`${JSON.stringify(wanted === undefined ? out : out[0], null, 2)}\n`)
    return Promise.resolve(EXIT.ok)
  }
  const lines: string[] = []
  if (wanted === undefined) {
    const width = Math.max(...ids.map((id) => id.length))
    for (const id of ids) lines.push(`${id.padEnd(width)}  ${PRESETS[id].title}`)
    lines.push('', "Run 'allowlist-sync policies PRESET' for a preset's rules.")
  } else {
    const p = PRESETS[wanted as (typeof PRESET_IDS)[number]]
    lines.push(`${p.id}: ${p.title}`, `source: ${p.source}`)
    const feeds = requiredFeeds(p)
    if (feeds.length > 0) lines.push(`feeds: ${feeds.join(', ')}`)
    lines.push(`unlisted ports: inbound ${p.unlisted.inbound}, outbound ${p.unlisted.outbound}`, '')
    for (const r of p.rules) {
      const from = r.sources
        ? ` ${r.direction === 'inbound' ? 'from' : 'to'} ${r.sources.join(', ')}`
        : ''
      lines.push(
        `  ${r.kind.padEnd(13)} ${r.direction.padEnd(8)} ${`${formatPortRange(r.ports)}/${r.protocol}`.padEnd(16)} ${r.title}${from}`,
      )
    }
    if (p.udpReturnTraffic)
      lines.push('', 'UDP return traffic must get back in (stateless firewalls).')
    for (const n of p.notes) lines.push('', `note: ${n}`)
  }
  io.stdout(`${lines.join('\n')}\n`)
  return Promise.resolve(EXIT.ok)
}
