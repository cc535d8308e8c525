/**
 * @module A body too large to read within one invocation's CPU (AWS's ip-ranges.json, 2.6 MB;
 * Azure's service tags, 4.2 MB) read in slices, one invocation each: a slice reads whole elements
 * of the document's top-level arrays (json-slices.ts) and keeps, per feed, the entries it found,
 * as plain JSON the caller stores between invocations; the last step judges each feed from its
 * slices exactly as the whole-body sync does (judge.ts), with the same messages for the same
 * drift. syncFeeds hands such a body over (SyncOptions.sliceOver) instead of reading it.
 */
import { Entries, quote, type ExtractRefusal, type StagedEntries } from './entries.ts'
import { addAwsItem, awsEntries, AWS_LISTS, type AwsService } from './extract.ts'
import { NOT_UTF8, type FetchSourceResult } from './fetcher.ts'
import { refusal } from './guard.ts'
import { guardPart, judgeParts } from './judge.ts'
import { readSlice, type SliceRead, type SliceState } from './json-slices.ts'
import { extractRecords, recordReader } from './records.ts'
import { combineUpstreamVersions, readUpstreamVersion } from './upstream-version.ts'
import type {
  CacheEntry,
  FeedDefinition,
  FeedOutcome,
  FeedSource,
  GuardOptions,
  SlicedFetch,
  Snapshot,
} from './types.ts'

/** A feed's part of one slice: the entries read in it, or the drift that refuses the feed. */
export type FeedSlice = StagedEntries | ExtractRefusal

/** What one slice read: where the next starts, the top-level values, and each feed's part. */
export interface SliceOfFeeds {
  readonly next: SliceState
  /** Top-level keys whose value is not an array, completed in this slice, parsed. */
  readonly values: SliceRead['values']
  /** Top-level keys whose value is an array, opened in this slice. */
  readonly arrays: readonly string[]
  /**
   * By feed id. An aws feed has a part only in the slices where its service appears (none at all
   * is drift, as in the whole body); a records feed has one in every slice.
   */
  readonly feeds: Readonly<Record<string, FeedSlice>>
}

/** The top-level arrays `source` reads its records from, when it can be read in slices. */
function slicedArrays(source: FeedSource): readonly string[] | undefined {
  const { parser } = source
  if (source.exclude === true) return undefined
  if (parser.kind === 'aws') return AWS_LISTS.map(([key]) => key)
  if (parser.kind !== 'records' && parser.kind !== 'prefixes') return undefined
  const [first, second, ...rest] = recordReader(parser).path
  return first?.kind === 'key' && second?.kind === 'all' && rest.length === 0
    ? [first.key]
    : undefined
}

/** Whether the feeds reading one URL can all be read from it in slices. */
export function canSlice(feeds: readonly FeedDefinition[]): boolean {
  return feeds.every((f) => f.sources.length === 1 && slicedArrays(f.sources[0]!) !== undefined)
}

/** The AWS index of the runs' elements (their indexes in the whole lists), or the first drift. */
function indexAwsRuns(runs: SliceRead['runs']): Map<string, AwsService> | ExtractRefusal {
  const index = new Map<string, AwsService>()
  for (const run of runs) {
    const list = AWS_LISTS.find(([key]) => key === run.key)
    if (list === undefined) continue
    for (let i = 0; i < run.elements.length; i++) {
      const refused = addAwsItem(index, list, run.first + i, run.elements[i])
      if (refused) return refused
    }
  }
  return index
}

/**
 * Reads one slice of a body for `feeds` (canSlice): from `state`, at least `budget` bytes of
 * whole values (json-slices.ts, readSlice, which `window` and `final` are passed to). Returns
 * `{ more: true }` when the window ends inside a value, or a refusal of every feed naming the
 * byte: `wrong-content` for a body that is not UTF-8, `unparseable` for one that is not a JSON
 * object.
 */
export function readFeedsSlice(
  feeds: readonly FeedDefinition[],
  window: Uint8Array,
  windowStart: number,
  state: SliceState,
  budget: number,
  final: boolean,
): SliceOfFeeds | { readonly more: true } | ExtractRefusal {
  const read = readSlice(window, windowStart, state, budget, final)
  if ('more' in read) return read
  if ('error' in read)
    // As the whole-body sync refuses it: not UTF-8 is wrong content, the rest is not JSON.
    return read.notUtf8 === true
      ? { guard: 'wrong-content', reason: `${NOT_UTF8} (${read.error})` }
      : { guard: 'unparseable', reason: `the body is not JSON (${read.error})` }
  const parts: Record<string, FeedSlice> = {}
  let aws: ReturnType<typeof indexAwsRuns> | undefined
  for (const feed of feeds) {
    const { parser } = feed.sources[0]!
    if (parser.kind === 'aws') {
      aws ??= indexAwsRuns(read.runs)
      if (!(aws instanceof Map)) parts[feed.id] = aws
      else {
        const found = awsEntries(aws, parser.service, parser.regions)
        if ('entries' in found) parts[feed.id] = found.entries.toStaged()
      }
      continue
    }
    /* v8 ignore next: canSlice admits records and prefixes parsers only */
    if (parser.kind !== 'records' && parser.kind !== 'prefixes') continue
    const [array] = slicedArrays(feed.sources[0]!)!
    const reader = recordReader(parser)
    const entries = new Entries(false)
    let problem: string | undefined
    for (const run of read.runs) {
      if (run.key !== array) continue
      const base = `$[${JSON.stringify(array)}]`
      for (let i = 0; i < run.elements.length && problem === undefined; i++)
        problem = reader.read(run.elements[i], `${base}[${run.first + i}]`, entries)
    }
    parts[feed.id] =
      problem === undefined ? entries.toStaged() : { guard: 'schema-drift', reason: problem }
  }
  return { next: read.next, values: read.values, arrays: read.arrays, feeds: parts }
}

/** What the last step knows of a body read in slices: its fetch, and its top level. */
export interface SlicedBody {
  readonly fetch: Pick<SlicedFetch, 'url' | 'target' | 'validators' | 'fetchedAt'>
  /** Every top-level key, in document order (the last slice's `next.keys`). */
  readonly keys: readonly string[]
  /** The top-level values that are not arrays, by key. */
  readonly values: Readonly<Record<string, unknown>>
  /** The top-level keys whose value is an array. */
  readonly arrays: ReadonlySet<string>
}

/** The top level of a body from what each of its slices read, in order. */
export function topLevel(
  slices: Iterable<Pick<SliceOfFeeds, 'values' | 'arrays'>>,
): Pick<SlicedBody, 'values' | 'arrays'> {
  const values: Record<string, unknown> = {}
  const arrays = new Set<string>()
  for (const slice of slices) {
    for (const [key, value] of slice.values) values[key] = value
    for (const key of slice.arrays) arrays.add(key)
  }
  return { values, arrays }
}

/**
 * Judges one feed from its parts of every slice, in order, as syncFeeds judges it from the whole
 * body: the same refusals (first the shape, then the first record that drifts), the same
 * upstream version, the same guards against `previous`.
 */
export async function judgeSlicedFeed(
  feed: FeedDefinition,
  parts: readonly FeedSlice[],
  body: SlicedBody,
  previous: Snapshot | undefined,
  context: {
    readonly guards: GuardOptions
    readonly cache: Readonly<Record<string, CacheEntry>>
  },
): Promise<{ outcome: FeedOutcome; entriesHash?: string }> {
  const source = feed.sources[0]!
  const { parser } = source
  const refused = (r: ExtractRefusal) => ({
    outcome: refusal(feed.id, r.guard, `${source.url}: ${r.reason}`, previous),
  })
  // The top level with every array empty: what the whole-body reader checks before any record.
  const skeleton = Object.fromEntries(
    body.keys.map((key) => [key, body.arrays.has(key) ? [] : body.values[key]]),
  )
  let first: Entries | undefined
  if (parser.kind === 'records' || parser.kind === 'prefixes') {
    // A records path that reaches an object, not an array, reads it here (it was not sliced).
    const shape = extractRecords(skeleton, parser)
    if ('guard' in shape) return refused(shape)
    first = shape.entries
  }
  const drift = parts.find((p): p is ExtractRefusal => 'guard' in p)
  if (drift) return refused(drift)
  if (parser.kind === 'aws') {
    const missing = AWS_LISTS.find(([key]) => !body.arrays.has(key))
    if (missing)
      return refused({
        guard: 'schema-drift',
        reason: `key ${quote(missing[0])} is missing or not an array`,
      })
    if (parts.length === 0)
      return refused({
        guard: 'schema-drift',
        reason: `no entry has service ${quote(parser.service)}`,
      })
  }
  const staged = parts as readonly StagedEntries[]
  const entries = Entries.fromStaged(first ? [first.toStaged(), ...staged] : staged)
  const version = readUpstreamVersion(skeleton, source.version, body.fetch.validators)
  return judgeParts(
    feed,
    previous,
    [guardPart(source, entries)],
    combineUpstreamVersions([version]),
    {
      ...context,
      fetchedAt: body.fetch.fetchedAt,
      notes: [],
      source: body.fetch.target,
    },
  )
}

/** The fetch result a sliced body's cache entry is made from. */
export function slicedAnswer(fetch: Pick<SlicedFetch, 'sha256' | 'validators'>) {
  return {
    kind: 'body',
    sha256: fetch.sha256,
    validators: fetch.validators,
  } as const satisfies Pick<
    Extract<FetchSourceResult, { kind: 'body' }>,
    'kind' | 'sha256' | 'validators'
  >
}
