/**
 * @module The last step of every feed's sync, whole or sliced (sync.ts, staged.ts): the entries
 * read from its sources, as guard parts, judged against the previous snapshot: unchanged when
 * they are the entries recorded with it, else through the guards.
 */
import { quote, type Entries } from './extract.ts'
import { guardFeed, type GuardPart } from './guard.ts'
import { confirmedSnapshot, sha256Text } from './snapshot.ts'
import type {
  CacheEntry,
  FeedDefinition,
  FeedNote,
  FeedOutcome,
  FeedSource,
  GuardOptions,
  Snapshot,
  UpstreamVersion,
} from './types.ts'

/** What judging a feed's entries needs beyond them. */
export interface JudgeContext {
  readonly guards: GuardOptions
  /** The HTTP cache entries of the feed's URLs (the entries hash recorded with each body). */
  readonly cache: Readonly<Record<string, CacheEntry>>
  /** ISO time of the fetch. */
  readonly fetchedAt: string
  /** The new snapshot's `source`: the URLs read, space-separated. */
  readonly source: string
  readonly notes: FeedNote[]
}

/**
 * The outcome of `parts` against `prev`, and the hash of the entries judged (recorded in the
 * cache so the same entries from a later body are not guarded again).
 */
export async function judgeParts(
  feed: FeedDefinition,
  prev: Snapshot | undefined,
  parts: readonly GuardPart[],
  upstreamVersion: UpstreamVersion | undefined,
  context: JudgeContext,
): Promise<{ outcome: FeedOutcome; entriesHash: string }> {
  const { guards, cache, fetchedAt, notes, source } = context
  // The entries that earned the feed its snapshot, from a new body: its lists are the same.
  const hash = await entriesHash(feed, parts)
  const recorded = feed.sources.every((s) => {
    const body = cache[s.url]?.body
    return body?.entries?.[feed.id] === hash && body.snapshots[feed.id] === prev?.sha256
  })
  if (prev && recorded)
    return {
      entriesHash: hash,
      outcome: {
        kind: 'unchanged',
        feed: feed.id,
        snapshot: confirmedSnapshot(prev, fetchedAt, upstreamVersion),
        notModified: false,
        sameEntries: true,
        notes,
      },
    }
  const outcome = await guardFeed({
    feed,
    parts,
    previous: prev,
    guards,
    fetchedAt,
    notes,
    source,
    upstreamVersion,
  })
  return { outcome, entriesHash: hash }
}

/**
 * The SHA-256 of what the guards would judge: each part's label (its URL and parser), family,
 * exclusion and entries in order, with what the feed's definition lets through (its broadest
 * prefix, the reserved space it allows, whether a user defined it). Equal hashes, equal verdicts.
 * The hashed text is that description as JSON, then each part's entries framed by their length:
 * the newline-joined text the guard parses, when it splits back into exactly them (no JSON
 * escaping of 10,000 entries), else their list as JSON; a tag tells the two apart.
 */
async function entriesHash(feed: FeedDefinition, parts: readonly GuardPart[]): Promise<string> {
  const labels = parts.map((p) => [p.label, p.family ?? 0, p.exclude === true])
  const limits = [feed.broadestPrefix ?? null, feed.allowReserved ?? null, feed.user === true]
  // One text, written piece by piece: pieces meet at a newline, splitting no surrogate pair.
  const pieces: (string | (() => Uint8Array))[] = [JSON.stringify([feed.id, limits, labels])]
  for (const { entries } of parts) {
    const length = exactLength(entries)
    if (length === undefined) {
      const listed = JSON.stringify(entries.texts)
      pieces.push(`\njson ${listed.length}\n`, listed)
    } else pieces.push(`\nlines ${length}\n`, () => entries.bytes())
  }
  return sha256Text(...pieces)
}

/**
 * The length of the entries' newline-joined text if it splits back into exactly them, else
 * undefined: [] and [''] both join to '', so only a non-empty list whose texts hold no newline.
 */
function exactLength(entries: Entries): number | undefined {
  if (entries.length === 0) return undefined
  // Plain texts hold no newline: their joined bytes are the text.
  if (entries.plain) return entries.bytes().length
  const { texts } = entries
  let length = texts.length - 1
  // An index, not for...of: no iterator result per entry where the loop runs unoptimised.
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!
    if (text.includes('\n')) return undefined
    length += text.length
  }
  return length
}

/** A source's entries as the guards take them: its family, its label, whether it excludes. */
export function guardPart(source: FeedSource, entries: Entries): GuardPart {
  return {
    entries,
    family:
      source.parser.kind === 'lines' ||
      source.parser.kind === 'csv' ||
      source.parser.kind === 'geofeed'
        ? source.parser.family
        : undefined,
    label: `${source.url}${describeParser(source.parser)}`,
    ...(source.parser.kind === 'github-meta' && entries.length === 0
      ? { emptyHint: ' (the key is absent or empty)' }
      : {}),
    ...(source.exclude === true ? { exclude: true } : {}),
  }
}

function describeParser(parser: FeedDefinition['sources'][number]['parser']): string {
  switch (parser.kind) {
    case 'github-meta':
      return ` key ${quote(parser.key)}`
    case 'json':
      return ` at ${parser.path}`
    case 'aws':
      // A service is refused as schema-drift when it has no entry at all, so only a region
      // filter can leave an aws/ source empty.
      return ` for ${parser.service} in ${parser.regions.join(',')}`
    default:
      return ''
  }
}
