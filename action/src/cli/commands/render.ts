/**
 * @module `allowlist-sync render`: feeds (fetched through the feed sync, honouring
 * UPSTREAM_MIRROR) or a CIDR list file into one output format, optionally spliced into a file.
 */
import path from 'node:path'
import {
  errorMessage,
  DEFAULT_LIMITS,
  formatInfo,
  IpSet,
  isFormatId,
  parseCidrList,
  parsePort,
  RenderError,
  renderFormat,
  spliceManagedBlock,
  type FeedRef,
  type PortSpec,
  type RenderLimits,
  type TraefikIpStrategy,
} from '../../../../shared/src/index.ts'
import { timeoutOption } from '../duration.ts'
import { fetchFeeds } from '../fetch-feeds.ts'
import { heldNotice } from '../held-notice.ts'
import { EXIT, InputError, UsageError, parseCommandArgs, readInputFile, type CliIo } from '../io.ts'

const HELP = `Usage: allowlist-sync render FEED... --format FORMAT [options]
       allowlist-sync render --from FILE --format FORMAT [options]

Fetches the feeds (honouring UPSTREAM_MIRROR), merges them, and prints them in FORMAT
('allowlist-sync formats' lists the formats). With --from, reads a CIDR list file instead
(one address or CIDR a line, '#' comments): no network needed.

Options:
  --format FORMAT      output format (required)
  --port N[/tcp|/udp]  a port to guard, repeatable; also ranges: 8000-8100/tcp
  --name NAME          set, chain, list or middleware name (default allowlist-sync)
  --comment TEXT       a comment for the header (ufw: the rule comment; aws-sg: Description)
  --into FILE          print FILE with its managed block (the one named --name) replaced;
                       a FILE without that block is refused with the two marker lines to
                       place and where they go (an empty or missing FILE gets the block alone)
  --force              with --into: overwrite a block that was edited by hand
  --from FILE          read CIDRs from FILE ('-' for stdin) instead of fetching feeds
  --removed FILE       CIDRs a change removed (ufw renders 'ufw delete allow' lines for them;
                       with --into, ufw also deletes what the previous block allowed and the
                       new list does not)
  --ip-strategy-depth N        Traefik behind another proxy: the client address is the N-th
                               from the right of X-Forwarded-For
  --ip-strategy-exclude CIDR   Traefik behind another proxy: skip these proxies' addresses in
                               X-Forwarded-For (repeatable; not with --ip-strategy-depth)
  --limit NAME=N       raise a platform limit after raising it with the provider, e.g.
                       --limit awsRulesPerGroup=200 (repeatable; a wrong NAME lists the names)
  --table 'FAMILY NAME'  nftables without ports: the table of your own that holds the sets
                       (default 'inet filter')
  --no-exempt-loopback packet filters: guard loopback (lo) too; by default it is exempt
  --exempt-private     docker-user: also let private sources through (10/8, 172.16/12,
                       192.168/16, fc00::/7); by default only the allowlist
  --timeout DURATION   per feed request: 30s, 2m, 500ms; a bare number is seconds (default
                       10s; --timeout-ms N is the deprecated spelling)

A feed whose new list is held (it removes more than half a family, or more than doubles one) is
rendered as published, with a 'held: ...' line on stderr: review the output before you apply it.

Exit codes: 0 printed, 1 refused (a feed guard said no, or a platform limit), 2 usage or input
(including --into refusals: no block, misplaced markers, a hand-edited block).

Examples:
  allowlist-sync render github/hooks --format nftables --port 443/tcp
  allowlist-sync render coolify/cloud --format ufw --port 22 --port 8000/tcp
  allowlist-sync render github/hooks --format nginx --into /etc/nginx/snippets/hooks.conf
  allowlist-sync render --from office.txt --format caddy --name office
  allowlist-sync render coolify/cloud --format traefik-labels --ip-strategy-depth 1
  allowlist-sync render github/hooks --format terraform-hcloud --port 443/tcp > hooks.tf
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync render github/hooks --format json
`

const OPTIONS = {
  format: { type: 'string' },
  port: { type: 'string', multiple: true },
  name: { type: 'string' },
  comment: { type: 'string' },
  into: { type: 'string' },
  force: { type: 'boolean', default: false },
  from: { type: 'string' },
  removed: { type: 'string' },
  'ip-strategy-depth': { type: 'string' },
  'ip-strategy-exclude': { type: 'string', multiple: true },
  limit: { type: 'string', multiple: true },
  table: { type: 'string' },
  'no-exempt-loopback': { type: 'boolean' },
  'exempt-private': { type: 'boolean' },
  timeout: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const

/** The bounds of --timeout, per request (fetch's). */
const FETCH_TIMEOUT = { min: 1, max: 600_000 }

/** `--ip-strategy-*` into RenderOptions.ipStrategy (validated by the renderer). */
function ipStrategy(values: {
  'ip-strategy-depth'?: string
  'ip-strategy-exclude'?: string[]
}): TraefikIpStrategy | undefined {
  const depth = values['ip-strategy-depth']
  const exclude = values['ip-strategy-exclude']
  if (depth === undefined && exclude === undefined) return undefined
  if (depth !== undefined && !/^\d+$/.test(depth))
    throw new UsageError(`--ip-strategy-depth '${depth}' is not a whole number`)
  return {
    ...(depth === undefined ? {} : { depth: Number(depth) }),
    ...(exclude === undefined ? {} : { excludedIPs: exclude }),
  }
}

/** `--limit NAME=N` into RenderLimits; unknown names and bad numbers are usage errors. */
function limits(specs: readonly string[] | undefined): RenderLimits | undefined {
  if (specs === undefined) return undefined
  const out: Record<string, number> = {}
  for (const spec of specs) {
    const m = /^(\w+)=(\d+)$/.exec(spec)
    if (m === null || !(m[1]! in DEFAULT_LIMITS))
      throw new UsageError(
        `--limit '${spec}' is not NAME=N with NAME one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      )
    out[m[1]!] = Number(m[2])
  }
  return out
}

interface Sets {
  readonly feeds: FeedRef[]
  readonly ipv4: string[]
  readonly ipv6: string[]
}

async function readList(io: CliIo, file: string): Promise<{ ipv4: string[]; ipv6: string[] }> {
  const list = parseCidrList(await readInputFile(io, file))
  if (list.rejected.length > 0) {
    throw new InputError(list.rejected.map((r) => `${file}:${r.line}: ${r.reason}`))
  }
  return { ipv4: list.ipv4.toCidrs(), ipv6: list.ipv6.toCidrs() }
}

function fileFeedId(file: string): string {
  const base = file === '-' ? 'stdin' : path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')
  return `file/${base.replace(/^[._-]+/, '') || 'list'}`
}

async function fetchedSets(
  io: CliIo,
  ids: string[],
  timeoutMs: number | undefined,
): Promise<Sets | string> {
  const { refused, usable } = await fetchFeeds(io, ids, {
    unknownFeed: (id) => new UsageError(`unknown feed '${id}'; 'allowlist-sync feeds' lists them`),
    timeoutMs,
  })
  if (refused.length > 0) {
    return refused.map((o) => `${o.feed}: refused (${o.guard}): ${o.reason}`).join('\n')
  }
  // Sets, not arrays: a 500,000-entry feed spread into push() would overflow the stack.
  let ipv4 = IpSet.empty(4)
  let ipv6 = IpSet.empty(6)
  const feedRefs: FeedRef[] = []
  for (const { snapshot: s, held } of usable) {
    if (held) io.stderr(heldNotice(held))
    // No version: without a history (the worker's, or a lock file) every fetch would be "1".
    feedRefs.push({
      id: s.feed,
      sha256: s.sha256,
      source: s.source,
      ...(s.upstreamVersion === undefined ? {} : { upstreamVersion: s.upstreamVersion }),
    })
    ipv4 = ipv4.union(IpSet.fromCidrs(4, s.ipv4))
    ipv6 = ipv6.union(IpSet.fromCidrs(6, s.ipv6))
  }
  return { feeds: feedRefs, ipv4: ipv4.toCidrs(), ipv6: ipv6.toCidrs() }
}

/** Renders feeds or a list file; prints the text, or the spliced --into file. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (parsed === undefined) return EXIT.ok
  const { values, positionals } = parsed
  const format = values.format
  if (format === undefined) throw new UsageError('--format is required')
  if (!isFormatId(format)) {
    throw new UsageError(`unknown format '${format}'; 'allowlist-sync formats' lists them`)
  }
  if (values.from === undefined && positionals.length === 0) {
    throw new UsageError('name at least one feed, or --from FILE')
  }
  if (values.from !== undefined && positionals.length > 0) {
    throw new UsageError('give feeds or --from FILE, not both')
  }
  if (values.into !== undefined && !formatInfo(format).lineOriented) {
    throw new UsageError(`--into needs a line-oriented format; '${format}' is a whole file`)
  }
  let ports: PortSpec[]
  try {
    ports = (values.port ?? []).map(parsePort)
  } catch (error) {
    throw new UsageError(errorMessage(error), { cause: error })
  }
  const strategy = ipStrategy(values)
  const raised = limits(values.limit)
  const timeoutMs = timeoutOption(values, FETCH_TIMEOUT, io)
  let sets: Sets
  if (values.from !== undefined) {
    const list = await readList(io, values.from)
    sets = { feeds: [{ id: fileFeedId(values.from), source: values.from }], ...list }
  } else {
    const fetched = await fetchedSets(io, positionals, timeoutMs)
    if (typeof fetched === 'string') {
      io.stderr(`${fetched}\n`)
      return EXIT.refused
    }
    sets = fetched
  }
  const removed = values.removed === undefined ? undefined : await readList(io, values.removed)
  const existing = values.into === undefined ? undefined : await readTarget(io, values.into)
  let text: string
  try {
    text = renderFormat(format, sets, {
      ports,
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.comment === undefined ? {} : { comment: values.comment }),
      ...(removed === undefined ? {} : { removed }),
      ...(strategy === undefined ? {} : { ipStrategy: strategy }),
      ...(raised === undefined ? {} : { limits: raised }),
      ...(existing === undefined ? {} : { previous: existing }),
      ...(values.table === undefined ? {} : { table: values.table }),
      ...(values['no-exempt-loopback'] === true ? { exemptLoopback: false } : {}),
      ...(values['exempt-private'] === true ? { exemptPrivate: true } : {}),
    })
    if (existing !== undefined) {
      text = spliceManagedBlock(existing, text, { format, force: values.force })
    }
  } catch (error) {
    if (!(error instanceof RenderError)) throw error
    if (error.code === 'ERR_RENDER_LIMIT' || error.code === 'ERR_RENDER_EMPTY') {
      io.stderr(`allowlist-sync render: ${error.message}\n`)
      return EXIT.refused
    }
    if (
      values.into !== undefined &&
      (error.line !== undefined || error.code === 'ERR_RENDER_NO_BLOCK')
    ) {
      throw new InputError(intoProblem(values.into, error), { cause: error })
    }
    throw new UsageError(error.message, { cause: error })
  }
  io.stdout(text)
  return EXIT.ok
}

/** The --into file; a missing one is empty (it then gets the block alone). */
async function readTarget(io: CliIo, file: string): Promise<string> {
  try {
    return await io.readText(file)
  } catch (cause) {
    if (cause instanceof Error && 'code' in cause && cause.code === 'ENOENT') return ''
    return readInputFile(io, file)
  }
}

/** `FILE:LINE: reason` (or `FILE: reason` and the marker lines) for a refused splice. */
function intoProblem(file: string, error: RenderError): string[] {
  const [first = '', ...rest] = error.message.replace(/^line \d+: /, '').split('\n')
  return [`${file}${error.line === undefined ? '' : `:${error.line}`}: ${first}`, ...rest]
}
