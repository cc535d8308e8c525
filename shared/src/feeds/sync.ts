/**
 * @module The sync: fetch each upstream URL once, parse every feed read from it, guard, and
 * turn the result into snapshots and changes against the previous snapshots.
 */
import { scanAwsIpRanges } from './aws-scan.ts'
import {
  awsEntries,
  Entries,
  extractJson,
  extractMetaKey,
  extractText,
  GITHUB_META_ADDRESS_KEYS,
  GITHUB_META_OTHER_KEYS,
  isJsonParser,
  looksLikeHtml,
  quote,
  type AwsService,
  type ExtractRefusal,
  type MetaParser,
} from './extract.ts'
import { discoverSources, type PageResult } from './discover.ts'
import { fetchSource, mirrorUrl, NOT_UTF8, USER_AGENT, type FetchSourceResult } from './fetcher.ts'
import { refusal, type GuardPart } from './guard.ts'
import { cacheEntryAfter, summarise } from './cache-entry.ts'
import { guardPart, judgeParts } from './judge.ts'
import { canSlice } from './sliced.ts'
import { readPlainObject, type PlainObject } from './plain-object.ts'
import { confirmedSnapshot } from './snapshot.ts'
import { readPlainLines, readStringArray, type PlainLines } from './string-array.ts'
import { afterBom, OBJECT_OPEN, skipJsonSpace } from './json-bytes.ts'
import { isObject } from './json-path.ts'
import { combineUpstreamVersions, readUpstreamVersion } from './upstream-version.ts'
import {
  DEFAULT_GUARD_OPTIONS,
  type BodyMemory,
  type CacheEntry,
  type FeedDefinition,
  type FeedNote,
  type FeedSource,
  type FeedOutcome,
  type FetchRecord,
  type GuardOptions,
  type SlicedFetch,
  type Snapshot,
  type SyncOptions,
  type SyncResult,
  type UnknownKey,
} from './types.ts'

const KNOWN_META_KEYS = new Set<string>([...GITHUB_META_ADDRESS_KEYS, ...GITHUB_META_OTHER_KEYS])

type ParsedJson = { readonly document: unknown } | ExtractRefusal

/** What every feed of one sync shares. */
interface SyncRun {
  readonly guards: GuardOptions
  readonly options: SyncOptions
  readonly cache: Readonly<Record<string, CacheEntry>>
  /** URLs whose body is the one cached for them: {@link sameBodies}. */
  readonly sameBody: ReadonlySet<string>
  /** An ip-ranges.json body's index by the byte scanner, once per URL; undefined: read JSON. */
  readonly scanAws: (
    url: string,
    bytes: Uint8Array,
    text: string,
  ) => Map<string, AwsService> | undefined
  /** The bodies read from their bytes ({@link readBytes}), by URL. */
  readonly read: ReadonlyMap<string, ReadFromBytes>
  /** The URL a catalogue URL is read from: itself, or the file its page links to. */
  readonly target: (url: string) => string
  /** By feed id, the hash of the entries read this sync ({@link entriesHash}), filled by syncOne. */
  readonly entries: Map<string, string>
}

/**
 * Syncs `feeds`: each distinct upstream URL is fetched once (the 13 GitHub feeds share one
 * request), conditionally when validators are cached and every feed from it has a previous
 * snapshot. Never throws for upstream trouble: each feed gets a `changed`, `unchanged` or
 * `refused` outcome. Throws only for a bad `mirror` (TypeError, `ERR_MIRROR`), or an
 * IpParseError for a `previous` snapshot whose lists are not CIDRs (stored state, not upstream
 * data: callers that read snapshots from users validate them first, as `fetch --previous` does).
 *
 * A feed whose sources answered partly 304 and partly 200 (coolify's two files) has its 304 URLs
 * fetched again unconditionally, since a snapshot is built from all of its sources at once.
 * A 304 gives each feed its previous snapshot (`unchanged`, `notModified`), or repeats the
 * refusal cached for that body (so a bad body stays reported, not hidden behind a 304).
 */
export async function syncFeeds(
  feeds: readonly FeedDefinition[],
  options: SyncOptions,
): Promise<SyncResult> {
  const guards: GuardOptions = { ...DEFAULT_GUARD_OPTIONS, ...options.guards }
  mirrorUrl('https://example.com/', options.mirror)
  const previous = options.previous ?? {}
  const cache = options.cache ?? {}
  const byUrl = groupByUrl(feeds)
  const fetches: FetchRecord[] = []
  const { results, target } = await fetchAll(
    feeds,
    byUrl,
    { options, guards, cache, previous },
    fetches,
  )
  const sameBody = sameBodies(results, byUrl.feeds, cache, previous)

  const parsed = new Map<string, ParsedJson>()
  const parseJsonOnce = (url: string, text: string, contentType: string): ParsedJson => {
    let result = parsed.get(url)
    if (result === undefined) {
      result = parseJsonBody(text, contentType)
      parsed.set(url, result)
    }
    return result
  }
  const scanned = new Map<string, Map<string, AwsService> | undefined>()
  const scanAwsOnce = (url: string, bytes: Uint8Array, text: string) => {
    if (!scanned.has(url)) scanned.set(url, scanAwsIpRanges(bytes, text))
    return scanned.get(url)
  }

  const sliced = slicedBodies(results, byUrl.feeds, sameBody, options, target)
  const read = readBytes(results, byUrl.feeds, sameBody, options.bodyMemory)
  const outcomes: FeedOutcome[] = []
  const entries = new Map<string, string>()
  for (const feed of feeds)
    if (!feed.sources.some((s) => sliced.has(s.url)))
      outcomes.push(
        await syncOne(feed, previous[feed.id], results, parseJsonOnce, {
          guards,
          options,
          cache,
          sameBody,
          scanAws: scanAwsOnce,
          read,
          target,
          entries,
        }),
      )
  const nextCache: Record<string, CacheEntry> = { ...cache }
  for (const [url, result] of results) {
    // A sliced body's entry is written by the step that judges it (sliced.ts).
    if (sliced.has(url)) continue
    delete nextCache[url]
    const entry = cacheEntryAfter(
      result,
      byUrl.feeds.get(url)!,
      outcomes.map(summarise),
      cache[url],
      entries,
    )
    if (entry !== undefined) nextCache[url] = entry
  }
  return {
    outcomes,
    cache: nextCache,
    unknownKeys: unknownMetaKeys(byUrl.feeds, parsed, read),
    fetches,
    ...(sliced.size > 0 ? { sliced: [...sliced.values()] } : {}),
  }
}

/**
 * The new bodies of more than `sliceOver` bytes whose feeds can all be read in slices (canSlice),
 * by URL: they are left to the caller (SyncResult.sliced), not read here. Never an HTML page or
 * anything else that does not open a JSON object (it is read whole, and refused as it is). The
 * other bodies fetched to be decoded later are decoded here, or refused as not UTF-8.
 */
function slicedBodies(
  results: Map<string, FetchSourceResult>,
  feedsByUrl: ReadonlyMap<string, readonly FeedDefinition[]>,
  sameBody: ReadonlySet<string>,
  options: SyncOptions,
  target: (url: string) => string,
): Map<string, SlicedFetch> {
  const sliced = new Map<string, SlicedFetch>()
  if (options.sliceOver === undefined) return sliced
  for (const [url, r] of results) {
    const feeds = feedsByUrl.get(url)!
    // Only these were fetched to be decoded later; the same body as before is not read at all.
    if (r.kind !== 'body' || sameBody.has(url) || !canSlice(feeds)) continue
    if (
      r.bytes.length > options.sliceOver &&
      !/html/i.test(r.contentType) &&
      startsLikeJson(r.bytes)
    )
      sliced.set(url, {
        url,
        target: target(url),
        feeds: feeds.map((f) => f.id),
        sha256: r.sha256,
        bytes: r.bytes,
        validators: r.validators,
        fetchedAt: new Date(options.now()).toISOString(),
      })
    // Read whole after all.
    else decodeOrRefuse(results, url, r)
  }
  return sliced
}

/** A body fetched to be decoded later, read whole after all: decoded now, or refused as not UTF-8. */
function decodeOrRefuse(
  results: Map<string, FetchSourceResult>,
  url: string,
  r: Extract<FetchSourceResult, { kind: 'body' }>,
): void {
  try {
    void r.text
  } catch {
    const { record } = r
    results.set(url, { kind: 'refused', guard: 'wrong-content', reason: NOT_UTF8, record })
  }
}

/** A body read from its bytes: an array of strings (plain or not), or an object's plain arrays. */
type ReadFromBytes = PlainLines | string[] | PlainObject

/**
 * How the feeds reading `url` let its body be read from its bytes: as a JSON array of strings
 * (Firezone's relays), or as an object of plain arrays (GitHub's meta, whose keys are all its
 * feeds read); undefined when some feed reads it otherwise, or reads a version from its payload.
 */
function bytesReader(
  feeds: readonly FeedDefinition[],
  url: string,
): 'strings' | 'object' | undefined {
  const parsers = feeds.flatMap((f) =>
    f.sources.filter((s) => s.url === url).map((s) => (s.version === undefined ? s.parser : null)),
  )
  if (parsers.every((p) => p?.kind === 'firezone-relays')) return 'strings'
  if (parsers.every((p) => p?.kind === 'github-meta')) return 'object'
  return undefined
}

/**
 * The new bodies of the URLs that have a {@link bytesReader}, read from their bytes: an array as
 * plain lines when every string is a plain CIDR (else as strings), an object as its keys and
 * plain arrays, the lines in `memory` when it is lent. One that is something else (the relays'
 * 2024 layout, an escape in the meta document, an HTML page, bad JSON) is decoded (or refused as
 * not UTF-8) and read whole, which names what is wrong.
 */
function readBytes(
  results: Map<string, FetchSourceResult>,
  feedsByUrl: ReadonlyMap<string, readonly FeedDefinition[]>,
  sameBody: ReadonlySet<string>,
  memory: BodyMemory | undefined,
): Map<string, ReadFromBytes> {
  const take = (size: number) => {
    if (memory === undefined) return new Uint8Array(size)
    const buffer = memory.take(size)
    memory.keep(buffer)
    return new Uint8Array(buffer, 0, size)
  }
  const read = new Map<string, ReadFromBytes>()
  for (const [url, r] of results) {
    const reader = bytesReader(feedsByUrl.get(url)!, url)
    if (r.kind !== 'body' || sameBody.has(url) || reader === undefined) continue
    const value = /html/i.test(r.contentType)
      ? undefined
      : reader === 'object'
        ? readPlainObject(r.bytes, take)
        : (readPlainLines(r.bytes, take) ?? readStringArray(r.bytes))
    if (value === undefined) decodeOrRefuse(results, url, r)
    else read.set(url, value)
  }
  return read
}

/** Whether the first byte after whitespace (and a BOM) is `{`: not an HTML page, maybe JSON. */
function startsLikeJson(bytes: Uint8Array): boolean {
  return bytes[skipJsonSpace(bytes, afterBom(bytes))] === OBJECT_OPEN
}

/** The feeds reading each URL, and the source whose method and discovery the URL's request uses. */
interface ByUrl {
  readonly feeds: ReadonlyMap<string, readonly FeedDefinition[]>
  readonly source: ReadonlyMap<string, FeedSource>
}

function groupByUrl(feeds: readonly FeedDefinition[]): ByUrl {
  const feedsByUrl = new Map<string, FeedDefinition[]>()
  // Sources sharing a URL share its request: the first one's method and discovery.
  const sourceByUrl = new Map<string, FeedSource>()
  for (const feed of feeds)
    for (const source of feed.sources) {
      const list = feedsByUrl.get(source.url) ?? []
      if (!list.includes(feed)) list.push(feed)
      feedsByUrl.set(source.url, list)
      if (!sourceByUrl.has(source.url)) sourceByUrl.set(source.url, source)
    }
  return { feeds: feedsByUrl, source: sourceByUrl }
}

/**
 * Fetches every URL once (after discovering the files pages link to): conditionally where
 * {@link canReuse} allows, then unconditionally again the 304s of a feed whose other sources
 * answered a body. Each request's record goes to `fetches`.
 */
async function fetchAll(
  feeds: readonly FeedDefinition[],
  byUrl: ByUrl,
  run: Pick<SyncRun, 'options' | 'guards' | 'cache'> & {
    previous: Readonly<Record<string, Snapshot>>
  },
  fetches: FetchRecord[],
) {
  const { options, guards, cache } = run
  const fetchOptions = (
    validators: CacheEntry | undefined,
    method?: 'GET' | 'POST',
    knownSha256?: string,
  ) => ({
    fetch: options.fetch,
    mirror: options.mirror,
    githubToken: options.githubToken,
    userAgent: options.userAgent ?? USER_AGENT,
    maxBodyBytes: guards.maxBodyBytes,
    timeoutMs: guards.timeoutMs,
    validators,
    ...(method === undefined ? {} : { method }),
    ...(knownSha256 === undefined ? {} : { knownSha256 }),
    ...(options.bodyMemory === undefined ? {} : { bodyMemory: options.bodyMemory }),
  })
  const discovered = await discoverSources(
    [...byUrl.source.values()],
    options.sourceUrls ?? {},
    // Without validators fetchSource answers a body or a refusal (a 304 is an http-error).
    // Read as bytes (discover.ts, findLinkedFile), not decoded.
    (url) =>
      fetchSource(url, { ...fetchOptions(undefined), decodeLater: true }) as Promise<PageResult>,
    fetches,
  )
  const target = (url: string): string => {
    const found = discovered.get(url)
    return found !== undefined && 'url' in found ? found.url : url
  }
  // A body that may be read in slices, or from its bytes, is not decoded here (its bytes are
  // read: slicedBodies, readBytes).
  const later = (url: string) =>
    (options.sliceOver !== undefined && canSlice(byUrl.feeds.get(url)!)) ||
    bytesReader(byUrl.feeds.get(url)!, url) !== undefined
  const fetchOne = (url: string, conditional: boolean) =>
    fetchSource(target(url), {
      ...fetchOptions(
        conditional ? cache[url] : undefined,
        byUrl.source.get(url)!.method,
        cache[url]?.body?.sha256,
      ),
      ...(later(url) ? { decodeLater: true } : {}),
    })
  const results = new Map<string, FetchSourceResult>()
  for (const [url, found] of discovered)
    if ('guard' in found)
      results.set(url, {
        kind: 'refused',
        guard: found.guard,
        reason: found.reason,
        record: { url, requested: url, status: 0, bytes: 0, conditional: false },
      })
  const fetchEach = async (urls: readonly string[], conditional: (url: string) => boolean) => {
    const got = await Promise.all(urls.map((url) => fetchOne(url, conditional(url))))
    urls.forEach((url, i) => {
      results.set(url, got[i]!)
      fetches.push(got[i]!.record)
    })
  }
  const urls = [...byUrl.feeds.keys()].filter((url) => !results.has(url))
  await fetchEach(urls, (url) => canReuse(cache[url], byUrl.feeds.get(url)!, run.previous))
  await fetchEach(mixedAnswers(feeds, results), () => false)
  return { results, target }
}

/** Whether a URL may be asked conditionally: validators cached, and each feed has its result. */
function canReuse(
  entry: CacheEntry | undefined,
  feeds: readonly FeedDefinition[],
  previous: Readonly<Record<string, Snapshot>>,
): boolean {
  if (!entry || !(entry.etag ?? entry.lastModified)) return false
  return feeds.every(
    (f) => (entry.refused && Object.hasOwn(entry.refused, f.id)) || previous[f.id] !== undefined,
  )
}

/** The 304 URLs of feeds whose other sources answered a body: a snapshot needs all at once. */
function mixedAnswers(
  feeds: readonly FeedDefinition[],
  results: ReadonlyMap<string, FetchSourceResult>,
): string[] {
  const refetch = new Set<string>()
  for (const feed of feeds) {
    const kinds = feed.sources.map((s) => results.get(s.url)!.kind)
    if (kinds.includes('not-modified') && kinds.includes('body'))
      for (const s of feed.sources)
        if (results.get(s.url)!.kind === 'not-modified') refetch.add(s.url)
  }
  return [...refetch]
}

/** Top-level keys of GitHub's meta document that the catalogue does not know. */
function unknownMetaKeys(
  feedsByUrl: ReadonlyMap<string, readonly FeedDefinition[]>,
  parsed: ReadonlyMap<string, ParsedJson>,
  read: ReadonlyMap<string, ReadFromBytes>,
): UnknownKey[] {
  const unknownKeys: UnknownKey[] = []
  for (const [url, list] of feedsByUrl) {
    if (!list.some((f) => f.sources.some((s) => s.parser.kind === 'github-meta'))) continue
    const object = read.get(url)
    const doc = parsed.get(url)
    const keys =
      object !== undefined && 'arrays' in object
        ? object.keys
        : doc && 'document' in doc && isObject(doc.document)
          ? Object.keys(doc.document)
          : []
    for (const key of keys) if (!KNOWN_META_KEYS.has(key)) unknownKeys.push({ url, key })
  }
  return unknownKeys
}

/**
 * The URLs whose body has the SHA-256 cached for them, where every feed reading the URL still has
 * the snapshot that body produced (or a cached refusal of it): they are not parsed again.
 */
function sameBodies(
  results: ReadonlyMap<string, FetchSourceResult>,
  feedsByUrl: ReadonlyMap<string, readonly FeedDefinition[]>,
  cache: Readonly<Record<string, CacheEntry>>,
  previous: Readonly<Record<string, Snapshot>>,
): Set<string> {
  const same = new Set<string>()
  for (const [url, result] of results) {
    const entry = cache[url]
    const body = entry?.body
    if (result.kind !== 'body' || body?.sha256 !== result.sha256) continue
    const known = feedsByUrl
      .get(url)!
      .every(
        (f) =>
          (entry!.refused !== undefined && Object.hasOwn(entry!.refused, f.id)) ||
          (previous[f.id] !== undefined && previous[f.id]!.sha256 === body.snapshots[f.id]),
      )
    if (known) same.add(url)
  }
  return same
}

function parseJsonBody(text: string, contentType: string): ParsedJson {
  if (/html/i.test(contentType) || looksLikeHtml(text))
    return {
      guard: 'wrong-content',
      reason: `an HTML page (${contentType || 'no Content-Type'}) where JSON was expected: ${quote(text.trim())}`,
    }
  try {
    return { document: JSON.parse(text) as unknown }
  } catch (error) {
    // JSON.parse of a string throws only Errors (a SyntaxError for bad input).
    return { guard: 'unparseable', reason: `the body is not JSON (${(error as Error).message})` }
  }
}

async function syncOne(
  feed: FeedDefinition,
  prev: Snapshot | undefined,
  results: ReadonlyMap<string, FetchSourceResult>,
  parseJsonOnce: (url: string, text: string, contentType: string) => ParsedJson,
  run: SyncRun,
): Promise<FeedOutcome> {
  const { guards, options, cache, sameBody, target } = run
  const notes: FeedNote[] = []
  const refused = (guard: ExtractRefusal['guard'], reason: string) =>
    refusal(feed.id, guard, reason, prev, notes)
  const fetchedAt = new Date(options.now()).toISOString()
  const sourceResults = feed.sources.map((s) => results.get(s.url)!)
  for (const r of sourceResults) if (r.kind === 'refused') return refused(r.guard, r.reason)
  // Every source answered 304, or the body its cached hash names: nothing to parse.
  const notModified = sourceResults.every((r) => r.kind === 'not-modified')
  const reused = sourceResults.every(
    (r, i) => r.kind === 'not-modified' || sameBody.has(feed.sources[i]!.url),
  )
  const why = notModified ? 'HTTP 304' : 'the same body, by SHA-256'
  if (reused)
    for (const s of feed.sources) {
      const again = cache[s.url]?.refused?.[feed.id]
      if (again) return refused(again.guard, `${again.reason} (unchanged upstream: ${why})`)
    }
  if (prev && reused)
    return {
      kind: 'unchanged',
      feed: feed.id,
      snapshot: confirmedSnapshot(prev, fetchedAt),
      notModified,
      ...(notModified ? {} : { sameBody: true as const }),
      notes,
    }

  const parts: GuardPart[] = []
  const versions = []
  for (const [i, source] of feed.sources.entries()) {
    const r = sourceResults[i]!
    /* v8 ignore next: a 304 that survived the refetch pass has no body to parse */
    if (r.kind !== 'body') return refused('http-error', `${source.url}: no body to parse`)
    const { extracted, document } = extractSource(source, r, run, parseJsonOnce)
    if ('guard' in extracted) return refused(extracted.guard, `${source.url}: ${extracted.reason}`)
    versions.push(readUpstreamVersion(document, source.version, r.validators))
    parts.push(guardPart(source, extracted.entries))
  }
  const judged = await judgeParts(feed, prev, parts, combineUpstreamVersions(versions), {
    guards,
    cache,
    fetchedAt,
    notes,
    source: [...new Set(feed.sources.map((s) => target(s.url)))].join(' '),
  })
  run.entries.set(feed.id, judged.entriesHash)
  return judged.outcome
}

/** One source's entries from its body: AWS's byte scanner, the JSON readers, or the text ones. */
function extractSource(
  source: FeedSource,
  r: Extract<FetchSourceResult, { kind: 'body' }>,
  run: Pick<SyncRun, 'scanAws' | 'read'>,
  parseJsonOnce: (url: string, text: string, contentType: string) => ParsedJson,
): { extracted: ReturnType<typeof extractText>; document?: unknown } {
  const { parser } = source
  const read = run.read.get(source.url)
  if (read !== undefined && 'arrays' in read) {
    // Only github-meta sources read a body as an object (bytesReader).
    const extracted = extractMetaKey(read, parser as MetaParser)
    if (extracted !== undefined) return { extracted }
  } else if (read !== undefined) {
    // As extractJson reads a flat array (collect): every entry found at `$[i]`.
    if (!Array.isArray(read))
      return { extracted: { entries: Entries.fromPlainLines(read.lines, read.count, '$') } }
    const entries = new Entries(false)
    entries.addAll(read, '$')
    return { extracted: { entries } }
  }
  // The byte scanner reads AWS's usual shape; anything else (HTML, or a version to read from
  // the payload) goes to JSON.parse.
  const index =
    parser.kind === 'aws' && source.version === undefined && !/html/i.test(r.contentType)
      ? run.scanAws(source.url, r.bytes, r.text)
      : undefined
  if (parser.kind === 'aws' && index !== undefined)
    return { extracted: awsEntries(index, parser.service, parser.regions) }
  if (isJsonParser(parser)) {
    const doc = parseJsonOnce(source.url, r.text, r.contentType)
    return 'document' in doc
      ? { extracted: extractJson(doc.document, parser), document: doc.document }
      : { extracted: doc }
  }
  if (/html/i.test(r.contentType))
    return {
      extracted: {
        guard: 'wrong-content',
        reason: `an HTML page (${r.contentType}) where a list was expected: ${quote(r.text.trim())}`,
      },
    }
  return { extracted: extractText(r.text, source.parser) }
}
