/**
 * @module The one way `fetch`, `render` and `verify` get feeds: resolve the ids against the
 * catalogue, fetch them through the guards (UPSTREAM_MIRROR and GITHUB_TOKEN honoured, the
 * command's --timeout per request), a progress line on a terminal, and the refusals set apart
 * from the snapshots to use (a held feed's candidate, said so on stderr by the caller).
 */
import {
  findFeed,
  syncFeeds,
  type FeedDefinition,
  type FeedOutcome,
  type GuardOptions,
  type HeldOutcome,
  type RefusedOutcome,
  type Snapshot,
  type SyncResult,
} from '../../../shared/src/index.ts'
import { UsageError, type CliIo } from './io.ts'
import { startProgress } from './progress.ts'

/** What {@link fetchFeeds} needs besides the ids. */
export interface FetchFeedsOptions {
  /** The error for an id the catalogue does not have (each command words it for its case). */
  readonly unknownFeed: (id: string) => Error
  /** Milliseconds per request (the command's --timeout); absent: the guards' default. */
  readonly timeoutMs?: number | undefined
  readonly guards?: Partial<GuardOptions>
  readonly previous?: Readonly<Record<string, Snapshot>>
}

/** A feed that was not refused, with the snapshot to use (a held feed's candidate). */
export interface UsableFeed {
  readonly outcome: Exclude<FeedOutcome, RefusedOutcome>
  readonly snapshot: Snapshot
  readonly held?: HeldOutcome
}

/** The outcomes of {@link fetchFeeds}, the refused ones set apart. */
export interface FetchedFeeds {
  readonly outcomes: readonly FeedOutcome[]
  readonly unknownKeys: SyncResult['unknownKeys']
  readonly refused: readonly RefusedOutcome[]
  readonly usable: readonly UsableFeed[]
}

/** The catalogue's feeds for `ids`, each once, in order; an unknown id throws. */
export function resolveFeeds(ids: readonly string[], unknownFeed: (id: string) => Error) {
  const feeds: FeedDefinition[] = []
  for (const id of ids) {
    const feed = findFeed(id)
    if (!feed) throw unknownFeed(id)
    if (!feeds.some((f) => f.id === feed.id)) feeds.push(feed)
  }
  return feeds
}

/**
 * Resolves and fetches the feeds. A bad UPSTREAM_MIRROR is a UsageError; upstream trouble is a
 * refused outcome, never a throw.
 */
export async function fetchFeeds(
  io: CliIo,
  ids: readonly string[],
  o: FetchFeedsOptions,
): Promise<FetchedFeeds> {
  const feeds = resolveFeeds(ids, o.unknownFeed)
  const progress = startProgress(
    io,
    `fetching ${feeds.length} feed${feeds.length === 1 ? '' : 's'}`,
  )
  let asked = 0
  let answered = 0
  const counted: typeof fetch = async (input, init) => {
    asked++
    progress.update(`${answered} of ${asked} requests answered`)
    try {
      return await io.fetch(input, init)
    } finally {
      answered++
      progress.update(`${answered} of ${asked} requests answered`)
    }
  }
  const mirror = io.env.UPSTREAM_MIRROR || undefined
  const githubToken = io.env.GITHUB_TOKEN || undefined
  let result: SyncResult
  try {
    result = await syncFeeds(feeds, {
      fetch: counted,
      now: io.now,
      ...(o.previous ? { previous: o.previous } : {}),
      ...(mirror ? { mirror } : {}),
      ...(githubToken ? { githubToken } : {}),
      guards: { ...o.guards, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) },
    })
  } catch (cause) {
    if (cause instanceof TypeError && 'code' in cause && cause.code === 'ERR_MIRROR')
      throw new UsageError(cause.message, { cause })
    throw cause
  } finally {
    progress.stop()
  }
  const refused: RefusedOutcome[] = []
  const usable: UsableFeed[] = []
  for (const outcome of result.outcomes)
    if (outcome.kind === 'refused') refused.push(outcome)
    else if (outcome.kind === 'held')
      usable.push({ outcome, snapshot: outcome.candidate, held: outcome })
    else usable.push({ outcome, snapshot: outcome.snapshot })
  return { outcomes: result.outcomes, unknownKeys: result.unknownKeys, refused, usable }
}
