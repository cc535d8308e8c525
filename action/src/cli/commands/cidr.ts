/**
 * @module `allowlist-sync cidr merge|diff|contains`: CIDR list arithmetic on files, backed by
 * shared/src/ip. It imports shared/src/ip/index.ts directly, not shared/src/index.ts: the whole
 * `cidr merge` process is benchmarked against iprange, and this keeps the other shared areas
 * (feed schemas, renderers, policies) out of its bundle chunk.
 */
import {
  IpParseError,
  IpSet,
  parseCidrList,
  type LineIssue,
  type ParsedList,
} from '../../../../shared/src/ip/index.ts'
import {
  EXIT,
  InputError,
  parseCommandArgs,
  readInputBytes,
  UsageError,
  type CliIo,
} from '../io.ts'

const OPTIONS = {
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
} as const

const COMMON = `Input files hold one CIDR or bare address a line (IPv4 and IPv6 mixed); '#' starts a
comment; CRLF, a BOM and surrounding whitespace are accepted. A bad line stops the command with
exit 2 and 'FILE:LINE: reason' on stderr. Oddities that are accepted (host bits set, an empty line
between entries, an IPv4-mapped IPv6 address) are warned about on stderr ('FILE:LINE: warning:')
unless --quiet.

Options:
  --json       print JSON instead of lines
  -q, --quiet  no warnings on stderr
  -h, --help   this help`

const HELP = `allowlist-sync cidr: merge, diff and test CIDR lists

Usage:
  allowlist-sync cidr merge [FILE|-]          the minimal CIDR cover of a list
  allowlist-sync cidr diff OLD NEW            what NEW adds (+) and removes (-)
  allowlist-sync cidr contains FILE ADDR...   whether the list holds each address or CIDR

Run 'allowlist-sync cidr <subcommand> --help' for details and examples.
`

const HELP_MERGE = `allowlist-sync cidr merge [FILE|-] [--json] [--quiet]

Prints the minimal CIDR cover of the list: the fewest CIDRs holding exactly the same addresses,
IPv4 then IPv6, each ascending, canonical (network address, explicit prefix, IPv6 per RFC 5952),
one a line. Reads standard input when FILE is '-' or absent.
--json prints {"ipv4": [...], "ipv6": [...]}.

${COMMON}

Examples:
  allowlist-sync cidr merge ranges.txt
  curl -s https://www.cloudflare.com/ips-v4 | allowlist-sync cidr merge -
  allowlist-sync cidr merge --json ranges.txt
`

const HELP_DIFF = `allowlist-sync cidr diff OLD NEW [--json] [--quiet]

Compares two lists as sets of addresses: prints '+CIDR' for each CIDR of the minimal cover of
NEW minus OLD (what NEW adds), then '-CIDR' for OLD minus NEW (what it removes), IPv4 before
IPv6. Nothing is printed when both hold the same addresses, however they are written.
Exit 0 whether or not they differ. Either file may be '-' (standard input).
--json prints {"added": {"ipv4", "ipv6"}, "removed": {"ipv4", "ipv6"}}.

${COMMON}

Examples:
  allowlist-sync cidr diff hooks-old.txt hooks-new.txt
  allowlist-sync cidr diff --json old.txt new.txt
`

const HELP_CONTAINS = `allowlist-sync cidr contains FILE ADDRESS... [--json] [--quiet]

Tells, for each ADDRESS (or CIDR: contained when all its addresses are), whether the list in FILE
holds it: prints 'ADDRESS yes' or 'ADDRESS no', one a line.
Exit 0 when every one is contained, 1 when any is not, 2 on a bad list or a bad ADDRESS.
--json prints {"all": bool, "results": [{"address", "canonical", "contained"}]}.

${COMMON}

Examples:
  allowlist-sync cidr contains allowlist.txt 192.0.2.10
  allowlist-sync cidr contains allowlist.txt 198.51.100.0/24 2001:db8::1 || echo 'not all allowed'
`

type Values = { json: boolean; quiet: boolean }

/** `allowlist-sync cidr ...`: dispatches to merge, diff or contains. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args
  switch (sub) {
    case 'merge': {
      const parsed = parseCommandArgs(rest, OPTIONS, HELP_MERGE, io)
      if (!parsed) return EXIT.ok
      if (parsed.positionals.length > 1) throw new UsageError('merge takes one FILE (or -)')
      return merge(parsed.positionals[0] ?? '-', parsed.values, io)
    }
    case 'diff': {
      const parsed = parseCommandArgs(rest, OPTIONS, HELP_DIFF, io)
      if (!parsed) return EXIT.ok
      const [oldPath, newPath, extra] = parsed.positionals
      if (oldPath === undefined || newPath === undefined || extra !== undefined)
        throw new UsageError('diff takes two files: OLD NEW')
      if (oldPath === '-' && newPath === '-')
        throw new UsageError('only one of OLD and NEW can be standard input')
      return diff(oldPath, newPath, parsed.values, io)
    }
    case 'contains': {
      const parsed = parseCommandArgs(rest, OPTIONS, HELP_CONTAINS, io)
      if (!parsed) return EXIT.ok
      const [path, ...addresses] = parsed.positionals
      if (path === undefined || addresses.length === 0)
        throw new UsageError('contains takes a FILE and at least one ADDRESS')
      return contains(path, addresses, parsed.values, io)
    }
    case '--help':
    case '-h':
      io.stdout(HELP)
      return EXIT.ok
    case undefined:
      throw new UsageError('missing subcommand: merge, diff or contains')
    default:
      throw new UsageError(`unknown subcommand '${sub}' (merge, diff or contains)`)
  }
}

/** Most `FILE:LINE` lines printed for one file; the rest are counted. */
const MAX_REPORTED = 50

function report(label: string, issues: LineIssue[], prefix: string): string[] {
  const lines = issues
    .slice(0, MAX_REPORTED)
    .map(
      (i) =>
        `${label}:${i.line}: ${prefix}${i.reason}${i.text ? ` (${JSON.stringify(i.text)})` : ''}`,
    )
  if (issues.length > MAX_REPORTED)
    lines.push(
      `${label}: ${issues.length - MAX_REPORTED} more ${prefix ? 'warnings' : 'bad lines'}`,
    )
  return lines
}

/** Reads and parses one list; bad lines throw an InputError, notes go to stderr. */
async function readList(path: string, values: Values, io: CliIo): Promise<ParsedList> {
  const label = path === '-' ? '<stdin>' : path
  // Bytes where possible: a big list is then never decoded into a string (see parseCidrList).
  const list = parseCidrList(await readInputBytes(io, path))
  const warnings = values.quiet ? [] : report(label, list.notes, 'warning: ')
  if (list.rejected.length > 0)
    throw new InputError([...report(label, list.rejected, ''), ...warnings])
  if (warnings.length > 0) io.stderr(`${warnings.join('\n')}\n`)
  return list
}

function lines(items: string[]): string {
  return items.length === 0 ? '' : `${items.join('\n')}\n`
}

async function merge(path: string, values: Values, io: CliIo): Promise<number> {
  const list = await readList(path, values, io)
  const { ipv4, ipv6 } = list
  io.stdout(
    values.json
      ? `${JSON.stringify({ ipv4: ipv4.toCidrs(), ipv6: ipv6.toCidrs() })}\n`
      : ipv4.toCidrLines() + ipv6.toCidrLines(),
  )
  return EXIT.ok
}

async function diff(oldPath: string, newPath: string, values: Values, io: CliIo): Promise<number> {
  const [before, after] = await Promise.all([
    readList(oldPath, values, io).catch((e: unknown) => e),
    readList(newPath, values, io).catch((e: unknown) => e),
  ])
  // Report bad lines of both files at once; anything else is rethrown as it is.
  for (const r of [before, after]) if (r instanceof Error && !(r instanceof InputError)) throw r
  const bad = [before, after].filter((r) => r instanceof InputError)
  if (bad.length > 0) throw new InputError(bad.flatMap((e) => e.lines))
  const a = before as ParsedList
  const b = after as ParsedList
  const added = {
    ipv4: b.ipv4.difference(a.ipv4).toCidrs(),
    ipv6: b.ipv6.difference(a.ipv6).toCidrs(),
  }
  const removed = {
    ipv4: a.ipv4.difference(b.ipv4).toCidrs(),
    ipv6: a.ipv6.difference(b.ipv6).toCidrs(),
  }
  io.stdout(
    values.json
      ? `${JSON.stringify({ added, removed })}\n`
      : lines([
          ...added.ipv4.map((c) => `+${c}`),
          ...added.ipv6.map((c) => `+${c}`),
          ...removed.ipv4.map((c) => `-${c}`),
          ...removed.ipv6.map((c) => `-${c}`),
        ]),
  )
  return EXIT.ok
}

async function contains(
  path: string,
  addresses: string[],
  values: Values,
  io: CliIo,
): Promise<number> {
  // Check the arguments before reading the file: a typo is a usage error either way.
  const wanted = addresses.map((address) => {
    try {
      const family = address.includes(':') ? 6 : 4
      const set = IpSet.fromCidrs(family, [address])
      return { address, set, canonical: set.toCidrs()[0] ?? '' }
    } catch (cause) {
      if (cause instanceof IpParseError) throw new UsageError(cause.message, { cause })
      throw cause
    }
  })
  const list = await readList(path, values, io)
  const results = wanted.map(({ address, set, canonical }) => {
    const pool = set.family === 4 ? list.ipv4 : list.ipv6
    return { address, canonical, contained: pool.covers(set) }
  })
  const all = results.every((r) => r.contained)
  io.stdout(
    values.json
      ? `${JSON.stringify({ all, results })}\n`
      : lines(results.map((r) => `${r.address} ${r.contained ? 'yes' : 'no'}`)),
  )
  return all ? EXIT.ok : EXIT.refused
}
