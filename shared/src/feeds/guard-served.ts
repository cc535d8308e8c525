/**
 * @module A snapshot served by an allowlist-sync worker (`GET /v1/feeds/:provider/:list`), read as
 * untrusted input and put through exactly the guards of an upstream fetch ({@link guardFeed}),
 * against the caller's own last accepted snapshot (the Action's lock file).
 */
import { Entries } from './extract.ts'
import { guardFeed, refusal, type GuardPart } from './guard.ts'
import { isObject } from './json-path.ts'
import type { FeedDefinition, FeedOutcome, GuardOptions, Snapshot } from './types.ts'

/** What {@link guardServedSnapshot} needs besides the body. */
export interface ServedSnapshotOptions {
  readonly feed: FeedDefinition
  /** The URL the body came from, for messages and as `source` when the body's is unusable. */
  readonly url: string
  /** The caller's last accepted snapshot of the feed. */
  readonly previous: Snapshot | undefined
  readonly guards: GuardOptions
  /** ISO time of this read. */
  readonly fetchedAt: string
}

const SOURCE = /^https:\/\/[^\s]{1,2000}(?: https:\/\/[^\s]{1,2000}){0,15}$/

/**
 * Guards a served snapshot: `ipv4` and `ipv6` must be arrays of strings (else `schema-drift`);
 * each entry must be a plain CIDR of its list's family; then allow-all, mapped, empty,
 * reserved-space, too-broad and the holds, as for any source. The worker's `version` is kept
 * when it is a positive integer (the lock then names the worker's version) and its `source` when
 * it is a list of https:// URLs; times are the caller's (`fetchedAt`), never the body's.
 */
export function guardServedSnapshot(body: unknown, o: ServedSnapshotOptions): Promise<FeedOutcome> {
  const drift = (reason: string): Promise<FeedOutcome> =>
    Promise.resolve(refusal(o.feed.id, 'schema-drift', `${o.url}: ${reason}`, o.previous))
  if (!isObject(body)) return drift('the body is not a JSON object')
  const parts: GuardPart[] = []
  for (const [key, family] of [
    ['ipv4', 4],
    ['ipv6', 6],
  ] as const) {
    const list = body[key]
    if (!Array.isArray(list)) return drift(`"${key}" is not an array: not a snapshot`)
    for (let i = 0; i < list.length; i++)
      if (typeof list[i] !== 'string') return drift(`$["${key}"][${i}] is not a string`)
    const entries = new Entries(false)
    entries.addAll(list as string[], `$["${key}"]`)
    parts.push({ entries, family, label: o.url, mayBeEmpty: true })
  }
  const version = body.version
  const source = body.source
  return guardFeed({
    feed: o.feed,
    parts,
    previous: o.previous,
    guards: o.guards,
    fetchedAt: o.fetchedAt,
    source: typeof source === 'string' && SOURCE.test(source) ? source : o.url,
    ...(Number.isSafeInteger(version) && (version as number) > 0
      ? { version: version as number }
      : {}),
  })
}
