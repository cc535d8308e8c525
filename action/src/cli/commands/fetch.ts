/**
 * @module `allowlist-sync fetch`: fetch feeds through the guards and print their snapshots, and
 * with `--previous` the change against an earlier snapshot.
 */
import {
  errorMessage,
  IpSet,
  snapshotSchema,
  type FeedOutcome,
  type Snapshot,
} from '../../../../shared/src/index.ts'
import { timeoutOption } from '../duration.ts'
import { fetchFeeds } from '../fetch-feeds.ts'
import { heldNotice } from '../held-notice.ts'
import { EXIT, InputError, parseCommandArgs, readInputFile, UsageError, type CliIo } from '../io.ts'

const HELP = `allowlist-sync fetch: fetch feeds, guard them, print snapshots

Usage: allowlist-sync fetch FEED... [--json] [--previous SNAPSHOT.json] [options]

Fetches each FEED (ids from 'allowlist-sync feeds'; each upstream URL once), runs the guards
(HTTP error, HTML instead of a list, unparseable body, schema drift, invalid entries, 0.0.0.0/0,
empty lists, special-purpose space, prefixes broader than the feed's limit) and prints the
canonical snapshot. With --previous, the snapshot is versioned after the previous one and the
change (+ added, - removed) is printed too.
A refusal prints 'refused: <guard>: <feed>: <reason>' on stderr and exits 1; the previous
snapshot (if given) is then printed unchanged.
A well-formed list that removes more than the limit, or more than doubles a family (by more
than a /16 of IPv4 or a /40 of IPv6), is held, not refused: it is printed as the new snapshot
('held (<guard>), applied'; in --json an outcome of kind "held" with its "candidate"), exit 0,
and 'held: <guard>: <feed>: <reason>' on stderr says to review it before you apply it.

Options:
  --json                    print { outcomes, unknownKeys } as JSON (outcome: kind, snapshot
                            or candidate, change, guard, reason, notes)
  --previous FILE           earlier snapshot(s): one Snapshot, an array of them, or the output
                            of 'fetch --json'
  --allow-mass-removal      a change that removes more than the limit is a plain change
  --allow-mass-addition     a change that more than doubles a family is a plain change
  --max-removal-share N     the removal limit, 0..1 of one family's addresses (default 0.5)
  --timeout DURATION        per request: 30s, 2m, 500ms; a bare number is seconds
                            (default 10s; --timeout-ms N is the deprecated spelling)
  --max-bytes N             largest body accepted (default 8388608)

Environment:
  UPSTREAM_MIRROR   fetch https://HOST/PATH from $UPSTREAM_MIRROR/HOST/PATH instead
  GITHUB_TOKEN      sent as a bearer token to https://api.github.com only

Examples:
  allowlist-sync fetch github/hooks coolify/cloud
  allowlist-sync fetch github/actions --json > actions.json
  allowlist-sync fetch github/actions --previous actions.json
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync fetch aws/CLOUDFRONT aws/EC2@us-east-1
`

const OPTIONS = {
  json: { type: 'boolean' },
  previous: { type: 'string' },
  'allow-mass-removal': { type: 'boolean' },
  'allow-mass-addition': { type: 'boolean' },
  'max-removal-share': { type: 'string' },
  timeout: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-bytes': { type: 'string' },
} as const

function number(name: string, text: string | undefined, min: number, max: number) {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw new UsageError(
      `--${name} ${JSON.stringify(text)}: expected a number from ${min} to ${max}`,
    )
  return value
}

/** Reads `--previous`: a Snapshot, an array of them, or a `fetch --json` output. */
async function readPrevious(io: CliIo, file: string): Promise<Record<string, Snapshot>> {
  const text = await readInputFile(io, file)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new InputError([`${file}: not JSON (${errorMessage(cause)})`], { cause })
  }
  let candidates: unknown[]
  if (Array.isArray(value)) candidates = value
  else if (typeof value === 'object' && value !== null && 'outcomes' in value) {
    const outcomes = value.outcomes
    if (!Array.isArray(outcomes)) throw new InputError([`${file}: "outcomes" is not an array`])
    candidates = outcomes.map((o: unknown) => {
      const r = o as { snapshot?: unknown; candidate?: unknown; previous?: unknown }
      return r.snapshot ?? r.candidate ?? r.previous
    })
  } else candidates = [value]
  const out: Record<string, Snapshot> = {}
  candidates.forEach((candidate, i) => {
    if (candidate === undefined) return
    const parsed = snapshotSchema.safeParse(candidate)
    if (!parsed.success)
      throw new InputError([
        `${file}: item ${i + 1}: not a snapshot (needs feed, version, sha256, fetchedAt, changedAt, source, ipv4, ipv6)`,
      ])
    const c: Snapshot = parsed.data
    for (const [family, list] of [
      [4, c.ipv4],
      [6, c.ipv6],
    ] as const)
      try {
        IpSet.fromCidrs(family, list)
      } catch (cause) {
        throw new InputError(
          [`${file}: item ${i + 1} (${c.feed}): ipv${family}: ${errorMessage(cause)}`],
          { cause },
        )
      }
    out[c.feed] = c
  })
  return out
}

/** The snapshot an outcome leaves current for this command: a held candidate is applied. */
function appliedSnapshot(outcome: FeedOutcome): Snapshot | undefined {
  if (outcome.kind === 'refused') return outcome.previous
  return outcome.kind === 'held' ? outcome.candidate : outcome.snapshot
}

// Lists are joined, never spread into push(): a 500,000-entry feed would overflow the stack.
function textFor(outcome: FeedOutcome): string {
  const snapshot = appliedSnapshot(outcome)
  const blocks: string[] = []
  if (snapshot) {
    const state =
      outcome.kind === 'refused'
        ? 'kept (refused)'
        : outcome.kind === 'held'
          ? `held (${outcome.guard}), applied`
          : outcome.kind === 'unchanged'
            ? `unchanged${outcome.notModified ? ' (304)' : ''}`
            : 'changed'
    blocks.push(
      `# ${snapshot.feed} version ${snapshot.version} ${state}: ${snapshot.ipv4.length} IPv4 + ${snapshot.ipv6.length} IPv6 CIDRs`,
      `# sha256 ${snapshot.sha256} changed ${snapshot.changedAt} fetched ${snapshot.fetchedAt}`,
      `# source ${snapshot.source}`,
      ...[snapshot.ipv4, snapshot.ipv6].filter((l) => l.length > 0).map((l) => l.join('\n')),
    )
  }
  if (
    (outcome.kind === 'changed' || outcome.kind === 'held') &&
    outcome.change.previousVersion > 0
  ) {
    const { added, removed } = outcome.change
    blocks.push(
      `# change ${outcome.change.previousVersion} -> ${outcome.change.version}: +${added.ipv4.length + added.ipv6.length} -${removed.ipv4.length + removed.ipv6.length}`,
      ...[added.ipv4, added.ipv6, removed.ipv4, removed.ipv6].flatMap((l, i) =>
        l.length > 0 ? [`${i < 2 ? '+' : '-'} ${l.join(`\n${i < 2 ? '+' : '-'} `)}`] : [],
      ),
    )
  }
  for (const note of outcome.notes) blocks.push(`# note: ${note.message}`)
  return blocks.length > 0 ? `${blocks.join('\n')}\n` : ''
}

/** Fetches the named feeds and prints snapshots (and changes); exit 1 if any was refused. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (!parsed) return EXIT.ok
  const { values, positionals } = parsed
  if (positionals.length === 0) throw new UsageError('name at least one FEED')
  const share = number('max-removal-share', values['max-removal-share'], 0, 1)
  const timeoutMs = timeoutOption(values, { min: 1, max: 600_000 }, io)
  const maxBodyBytes = number('max-bytes', values['max-bytes'], 1, 1 << 30)
  const previous = values.previous ? await readPrevious(io, values.previous) : {}
  const { outcomes, unknownKeys } = await fetchFeeds(io, positionals, {
    unknownFeed: (id) => new UsageError(`unknown feed '${id}' (see 'allowlist-sync feeds')`),
    timeoutMs,
    previous,
    guards: {
      ...(share !== undefined ? { maxRemovalShare: share } : {}),
      ...(values['allow-mass-removal'] ? { allowMassRemoval: true } : {}),
      ...(values['allow-mass-addition'] ? { allowMassAddition: true } : {}),
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    },
  })
  if (values.json) io.stdout(`${JSON.stringify({ outcomes, unknownKeys }, null, 2)}\n`)
  else for (const outcome of outcomes) io.stdout(textFor(outcome))
  for (const { url, key } of unknownKeys)
    io.stderr(`note: ${url} has a key the catalogue does not know: ${JSON.stringify(key)}\n`)
  let refused = false
  for (const o of outcomes)
    if (o.kind === 'refused') {
      refused = true
      io.stderr(`refused: ${o.guard}: ${o.feed}: ${o.reason}\n`)
    } else if (o.kind === 'held') io.stderr(heldNotice(o))
  return refused ? EXIT.refused : EXIT.ok
}
