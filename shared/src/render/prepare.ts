/**
 * @module What every renderer does first: validate the names, comment and feed references that
 * come from configuration, re-canonicalise the sets through the IP engine, and build the header.
 */
import { IpSet, type IpParseError, type Family } from '../ip/index.ts'
import { blockPlacement } from './block-placement.ts'
import { blockSum } from './block-sum.ts'
import { formatInfo, type FormatId } from './formats.ts'
import { beginMarker, END_MARKER } from './managed-block.ts'
import { formatPort } from './parse-port.ts'
import { RenderError } from './render-error.ts'
import {
  DEFAULT_LIMITS,
  type FeedRef,
  type PortSpec,
  type RenderInput,
  type RenderLimits,
  type RenderOptions,
  type TraefikIpStrategy,
} from './types.ts'

/** A render's inputs after validation: canonical sets and checked options. */
export interface Prepared {
  readonly format: FormatId
  readonly ipv4: readonly string[]
  readonly ipv6: readonly string[]
  readonly removedV4: readonly string[]
  readonly removedV6: readonly string[]
  /** RenderOptions.previous: the file whose block this output replaces, if known. */
  readonly previous: string | undefined
  /** The feed references, known fields only, in input order. */
  readonly feeds: readonly FeedRef[]
  readonly feedIds: readonly string[]
  /** The validated name (default `allowlist-sync`). */
  readonly name: string
  readonly ports: readonly PortSpec[]
  /** The validated comment, or undefined. */
  readonly comment: string | undefined
  readonly limits: Required<RenderLimits>
  /** Traefik's ipStrategy, validated (excludedIPs canonical), or undefined. */
  readonly ipStrategy:
    { readonly depth?: number; readonly excludedIPs?: readonly string[] } | undefined
  /** RenderOptions.exemptLoopback, default true. */
  readonly exemptLoopback: boolean
  /** RenderOptions.exemptPrivate, default false (only docker-user accepts true). */
  readonly exemptPrivate: boolean
  /** RenderOptions.table split into family and name, default `inet` `filter`. */
  readonly table: { readonly family: string; readonly name: string }
  /** `#` lines: the do-not-edit note, one line per feed, the comment. No marker lines. */
  readonly header: readonly string[]
}

type Writable<T> = { -readonly [K in keyof T]: T[K] }

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{0,23}$/
const FEED_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/
/** C0/C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const MAX_COMMENT = 200
/** An nftables table for the sets: a family that holds address sets, then an identifier. */
const TABLE_RE = /^(ip|ip6|inet) ([A-Za-z][A-Za-z0-9_]{0,31})$/

function fail(
  code: 'ERR_RENDER_NAME' | 'ERR_RENDER_COMMENT' | 'ERR_RENDER_FEED' | 'ERR_RENDER_OPTION',
  format: FormatId,
  msg: string,
): never {
  throw new RenderError(code, `${format}: ${msg}`, { format })
}

function quote(text: string): string {
  return JSON.stringify(text)
}

/**
 * Text for a `#` header line: control characters, backslashes (Apache joins a line that ends in
 * one with the next) and non-ASCII are written as `<U+XXXX>`, so nothing can end the comment.
 */
export function headerText(text: string): string {
  return text.replace(
    /[^\u0020-\u005b\u005d-\u007e]/gu,
    (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  )
}

function canonical(
  format: FormatId,
  family: Family,
  cidrs: readonly string[],
  what: string,
): string[] {
  try {
    return IpSet.fromCidrs(family, cidrs).toCidrs()
  } catch (cause) {
    // fromCidrs throws nothing but IpParseError.
    const { input, message } = cause as IpParseError
    throw new RenderError(
      'ERR_RENDER_CIDR',
      `${format}: ${what} IPv${family} entry ${quote(input)} rejected: ${message}`,
      { cause, format },
    )
  }
}

/** Throws ERR_RENDER_NAME unless `name` is a letter then letters, digits, `_`, `-` (at most 24). */
export function checkName(format: FormatId, name: string): void {
  if (!NAME_RE.test(name)) {
    fail(
      'ERR_RENDER_NAME',
      format,
      `name ${quote(name)} is not allowed: use a letter then letters, digits, '_' or '-', at most 24 characters`,
    )
  }
}

/** A comment is one line of at most MAX_COMMENT characters. */
function checkComment(format: FormatId, comment: string | undefined): string | undefined {
  if (comment === undefined) return undefined
  if (CONTROL_RE.test(comment))
    fail(
      'ERR_RENDER_COMMENT',
      format,
      `comment ${quote(comment)} contains a control or line-break character`,
    )
  if (comment.length > MAX_COMMENT)
    fail(
      'ERR_RENDER_COMMENT',
      format,
      `comment is ${comment.length} characters; at most ${MAX_COMMENT}`,
    )
  return comment
}

/** The do-not-edit line, then one `# feed` line per feed (ids checked, values made header-safe). */
function feedHeader(format: FormatId, lineOriented: boolean, feeds: readonly FeedRef[]): string[] {
  const header = [
    lineOriented
      ? '# Generated by allowlist-sync: do not edit by hand (sum= on the BEGIN line notices edits); this block is rewritten on every sync.'
      : '# Generated by allowlist-sync: do not edit by hand; this file is rewritten on every sync.',
  ]
  for (const feed of feeds) {
    if (!FEED_ID_RE.test(feed.id))
      fail('ERR_RENDER_FEED', format, `feed id ${quote(feed.id)} is not provider/list`)
    const parts = [`# feed ${feed.id}`]
    if (feed.version !== undefined) parts.push(`version ${headerText(feed.version)}`)
    const up = feed.upstreamVersion
    if (up !== undefined) parts.push(`upstream ${headerText(up.field)} ${headerText(up.value)}`)
    if (feed.sha256 !== undefined) parts.push(`sha256 ${headerText(feed.sha256)}`)
    if (feed.source !== undefined) parts.push(`source ${headerText(feed.source)}`)
    header.push(parts.join(' '))
  }
  return header
}

/** A copy of a feed reference with only its known fields. */
function copyFeedRef(f: FeedRef): FeedRef {
  const ref: Writable<FeedRef> = { id: f.id }
  if (f.version !== undefined) ref.version = f.version
  if (f.upstreamVersion !== undefined) {
    ref.upstreamVersion = { field: f.upstreamVersion.field, value: f.upstreamVersion.value }
  }
  if (f.sha256 !== undefined) ref.sha256 = f.sha256
  if (f.source !== undefined) ref.source = f.source
  return ref
}

/** `FAMILY NAME` of an nftables table. */
function checkTable(format: FormatId, text: string): Prepared['table'] {
  const table = TABLE_RE.exec(text)
  if (table === null)
    fail(
      'ERR_RENDER_NAME',
      format,
      `table ${quote(text)} is not allowed: use 'FAMILY NAME' with FAMILY ip, ip6 or inet and NAME a letter then letters, digits or '_' (at most 32)`,
    )
  return { family: table[1]!, name: table[2]! }
}

/** Validates everything that comes from configuration and canonicalises the sets. */
export function prepare(format: FormatId, input: RenderInput, options: RenderOptions): Prepared {
  const name = options.name ?? 'allowlist-sync'
  checkName(format, name)
  const comment = checkComment(format, options.comment)
  const info = formatInfo(format)
  const header = feedHeader(format, info.lineOriented, input.feeds)
  if (comment !== undefined && comment !== '') header.push(`# comment: ${headerText(comment)}`)
  const ports = options.ports ?? []
  for (const spec of ports) checkPort(format, spec)
  if (ports.length > 0 && info.usesPorts) header.push(`# ports ${ports.map(formatPort).join(' ')}`)
  if (options.exemptPrivate === true && format !== 'docker-user')
    fail(
      'ERR_RENDER_OPTION',
      format,
      'exemptPrivate (--exempt-private) is a docker-user option; list private ranges you trust in a feed of your own instead',
    )
  const table = checkTable(format, options.table ?? 'inet filter')
  const ipv4 = canonical(format, 4, input.ipv4, 'input')
  const ipv6 = canonical(format, 6, input.ipv6, 'input')
  return {
    format,
    ipv4,
    ipv6,
    removedV4: stale(canonical(format, 4, options.removed?.ipv4 ?? [], 'removed'), ipv4),
    removedV6: stale(canonical(format, 6, options.removed?.ipv6 ?? [], 'removed'), ipv6),
    previous: options.previous,
    feeds: input.feeds.map(copyFeedRef),
    feedIds: input.feeds.map((f) => f.id),
    name,
    ports,
    comment: comment === '' ? undefined : comment,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ipStrategy: checkIpStrategy(format, options.ipStrategy),
    exemptLoopback: options.exemptLoopback ?? true,
    exemptPrivate: options.exemptPrivate ?? false,
    table,
    header,
  }
}

/** Validates Traefik's ipStrategy: Traefik formats only, depth >= 1 or excludedIPs, not both. */
function checkIpStrategy(
  format: FormatId,
  strategy: TraefikIpStrategy | undefined,
): Prepared['ipStrategy'] {
  if (strategy === undefined) return undefined
  const bad = (msg: string): never => {
    throw new RenderError('ERR_RENDER_OPTION', `${format}: ipStrategy ${msg}`, { format })
  }
  if (!format.startsWith('traefik')) bad('is a Traefik option; this format has no use for it')
  const { depth, excludedIPs } = strategy
  if (depth !== undefined && excludedIPs !== undefined)
    bad('gives both depth and excludedIPs; Traefik ignores excludedIPs when depth is set')
  if (depth !== undefined) {
    if (!Number.isSafeInteger(depth) || depth < 1)
      bad(`depth ${quote(String(depth))} is not a whole number of 1 or more`)
    return { depth }
  }
  if (excludedIPs === undefined || excludedIPs.length === 0) bad('needs depth or excludedIPs')
  const v4: string[] = []
  const v6: string[] = []
  for (const ip of excludedIPs!) (ip.includes(':') ? v6 : v4).push(ip)
  return {
    excludedIPs: [
      ...canonical(format, 4, v4, 'ipStrategy.excludedIPs'),
      ...canonical(format, 6, v6, 'ipStrategy.excludedIPs'),
    ],
  }
}

/** `list` cut into consecutive pieces of at most `size` (none for an empty list). */
export function chunked<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** Throws ERR_RENDER_LIMIT with the format prefix; `message` names the limit and the fix. */
export function refuseLimit(format: FormatId, message: string): never {
  throw new RenderError('ERR_RENDER_LIMIT', `${format}: ${message}`, { format })
}

/** A name for platforms whose names take letters, digits and `-` only, lower-cased. */
export function dashedLower(name: string): string {
  return name.toLowerCase().replaceAll('_', '-')
}

/** Previous CIDRs that are not, as exact strings, in the new list: the rules to delete. */
function stale(previous: readonly string[], current: readonly string[]): string[] {
  const keep = new Set(current)
  return previous.filter((c) => !keep.has(c))
}

/** Throws ERR_RENDER_PORT for a port outside 1-65535, a reversed range or another protocol. */
export function checkPort(format: FormatId, spec: PortSpec): void {
  const [from, to] = typeof spec.port === 'number' ? [spec.port, spec.port] : spec.port
  const ok =
    Number.isInteger(from) &&
    Number.isInteger(to) &&
    from >= 1 &&
    to <= 65535 &&
    from <= to &&
    (spec.protocol === 'tcp' || spec.protocol === 'udp')
  if (!ok) {
    throw new RenderError('ERR_RENDER_PORT', `${format}: bad port ${quote(JSON.stringify(spec))}`, {
      format,
    })
  }
}

/** Refuses an empty allowlist: rendered as a firewall it would lock every source out. */
export function requireNonEmpty(p: Prepared, families: readonly Family[] = [4, 6]): void {
  const n = (families.includes(4) ? p.ipv4.length : 0) + (families.includes(6) ? p.ipv6.length : 0)
  if (n === 0) {
    const fam = families.length === 2 ? '' : ` IPv${families[0]}`
    throw new RenderError(
      'ERR_RENDER_EMPTY',
      `${p.format}: the allowlist has no${fam} addresses; refusing to render a rule that admits nobody`,
      { format: p.format },
    )
  }
}

/**
 * Wraps `#`-commentable body lines in a managed block: the BEGIN marker (name, feeds and the sum
 * of every line up to END), the header, `# place:` and `# reload:` lines saying where the block
 * must stand and what loading it again does (see blockPlacement), `extraHeader`, the body and
 * the END marker.
 */
export function managedText(
  p: Prepared,
  body: readonly string[],
  extraHeader: readonly string[] = [],
): string {
  const place = blockPlacement(p.format, p.name, body)
  const inner = [
    ...p.header,
    `# place: ${place.where}`,
    `# reload: ${place.reload}`,
    ...extraHeader,
    ...body,
  ]
  return [beginMarker(p.name, p.feedIds, blockSum(inner)), ...inner, END_MARKER, ''].join('\n')
}

/** Inclusive port range of a spec. */
export function portRange(spec: PortSpec): [number, number] {
  return typeof spec.port === 'number' ? [spec.port, spec.port] : [spec.port[0], spec.port[1]]
}

/** The name with `-` turned into `_`, for formats whose identifiers have no `-`. */
export function underscored(name: string): string {
  return name.replaceAll('-', '_')
}

/**
 * Throws ERR_RENDER_OPTION when `exemptLoopback: false` is asked of a format whose rules never see
 * loopback traffic (`why` says what lets it through), rather than render a file that would not do
 * what the option says.
 */
export function refuseLoopbackOff(p: Prepared, why: string): void {
  if (!p.exemptLoopback) {
    fail(
      'ERR_RENDER_OPTION',
      p.format,
      `exemptLoopback false (--no-exempt-loopback) cannot be honoured: ${why}`,
    )
  }
}
