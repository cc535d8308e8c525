/**
 * @module The feed types every other piece relies on: catalogue entries, snapshots, changes,
 * guards and the outcome of one sync. Shapes of Snapshot and Change follow DESIGN.md.
 */
import type { Family } from '../ip/index.ts'
import type { BodyMemory, CacheEntry, FetchLike, FetchRecord, UnknownKey } from './fetch-types.ts'
import type { GuardName } from './guard-names.ts'

export { GUARD_NAMES, type GuardName } from './guard-names.ts'

export type {
  CacheEntry,
  CachedBody,
  FetchRecord,
  UnknownKey,
  HeadersLike,
  StreamReaderLike,
  ByobReaderLike,
  BodyMemory,
  ResponseLike,
  FetchInit,
  FetchLike,
} from './fetch-types.ts'

/**
 * Field filters of the `records` and `prefixes` parsers: relative path (syntax of
 * {@link parseJsonPath}) to the values a record is kept for. A record is kept when, for every
 * path, a value there equals one of the listed values (exactly, case included); a string, number
 * or boolean compares as its JSON text without quotes, an array when one of its items does.
 * A record without the field is not kept.
 */
export type RecordFilters = Readonly<Record<string, readonly string[]>>

/**
 * How one source's body becomes a list of address strings. Built-in feeds use every kind;
 * user-defined feeds use the six kinds of {@link UserParserSpec} (see {@link defineUserFeed}).
 *
 * - `lines`: one address or CIDR a line; blank lines and `#` comments (whole-line or trailing)
 *   are skipped; a UTF-8 BOM and CRLF line ends are accepted. `family` restricts the entries
 *   (an IPv6 entry in an IPv4-only file is an `invalid-entry` refusal).
 * - `json`: a path expression into the parsed JSON (syntax in {@link parseJsonPath}), e.g.
 *   `endpoints["app.firezone.dev"]` or `prefixes[*].ip_prefix`. Each value it reaches must be a
 *   string, an array of strings, or an object with `ipv4` / `ipv6` string arrays; anything else,
 *   or a path that reaches nothing, is `schema-drift`. IPv4 and IPv6 may mix, even in one field
 *   (Zscaler's `range`).
 * - `csv`: one column of a comma-separated file, by header name or 1-based index; the first row
 *   is a header when the column is given by name; `#` lines are skipped.
 * - `geofeed`: an RFC 8805 geofeed (`prefix,country,region,city,postal`, no header): the first
 *   field of every line that is not blank or a `#` comment. A line without a comma is still one
 *   prefix (RFC 8805 section 2.1.1 lets trailing fields go).
 * - `records`: the objects `path` reaches (e.g. `items[*]`; `''` is the document itself), kept
 *   when they pass `where`, and in each kept one every `address` path (relative, e.g. `cidr`,
 *   `cidrs[*].cidr`, `properties.addressPrefixes`) must reach strings or arrays of strings: a
 *   missing address field is `schema-drift` (a renamed key must not shrink a list silently).
 *   A `path` that reaches nothing, or a non-object where a record was expected, is
 *   `schema-drift`; records that all fail `where` leave the source empty (the `empty` guard).
 * - `prefixes`: Google's layout (goog.json, cloud.json, the crawler lists, OpenAI's bots,
 *   Bingbot): `prefixes[*]`, each record holding `ipv4Prefix` or `ipv6Prefix` (a record with
 *   neither is `schema-drift`), kept when it passes `where` (e.g. `{ scope: ['europe-west1'] }`).
 *   A payload without `prefixes` (Google's 2026 notices) is `schema-drift`.
 * - `github-meta`: one address key of `api.github.com/meta`. A missing `required` key is
 *   `schema-drift`; a missing optional key (only `dependabot`, which GitHub withdrew in 2025)
 *   is an empty list, which the `empty` guard then refuses.
 * - `firezone-relays`: `relay-ips.json` in either format it has used: an object keyed by region,
 *   each `{ ipv4, ipv6 }` (2024), or a flat array of CIDR strings (2025).
 * - `aws`: `ip-ranges.json` entries of one `service` (exact, upper case), optionally only those
 *   whose `region` is in `regions`. A service absent from the whole payload is `schema-drift`.
 *
 * The JSON kinds are declarative (what to read, not code that walks a tree) so that a byte
 * scanner can later read the big payloads (AWS, Azure) without building the object tree.
 */
export type ParserSpec =
  | { readonly kind: 'lines'; readonly family?: Family }
  | { readonly kind: 'json'; readonly path: string }
  | { readonly kind: 'csv'; readonly column: string | number; readonly family?: Family }
  | { readonly kind: 'geofeed'; readonly family?: Family }
  | {
      readonly kind: 'records'
      readonly path: string
      readonly address: readonly string[]
      readonly where?: RecordFilters
    }
  | { readonly kind: 'prefixes'; readonly where?: RecordFilters }
  | { readonly kind: 'github-meta'; readonly key: string; readonly required: boolean }
  | { readonly kind: 'firezone-relays' }
  | { readonly kind: 'aws'; readonly service: string; readonly regions: readonly string[] }

/** The parser kinds a user-defined feed may use. */
export type UserParserSpec = Extract<
  ParserSpec,
  { kind: 'lines' | 'json' | 'csv' | 'geofeed' | 'records' | 'prefixes' }
>

/**
 * One part of a feed: an upstream URL (always the real `https://` address; the mirror is applied
 * at fetch time) and how to read it. Several parts may share a URL (firezone/portal reads two
 * paths of one file); it is then fetched once.
 */
export interface FeedSource {
  readonly url: string
  readonly parser: ParserSpec
  /**
   * `POST` for a publisher that serves its list only to a POST (Imperva): sent with an empty
   * body, never conditionally, and a redirect other than 307/308 is refused. Default `GET`.
   */
  readonly method?: 'GET' | 'POST'
  /**
   * Where the publisher's own version or date is in a JSON payload (a path, e.g. `syncToken`,
   * `creationTime`, `changeNumber`), recorded as `Snapshot.upstreamVersion`. Without it, or when
   * the payload lacks it, the response's ETag (else Last-Modified) is recorded instead.
   */
  readonly version?: string
  /**
   * The addresses of this source are taken away from the feed's (Google's services are
   * goog.json minus cloud.json). It is fetched and guarded like any source: an excluded list
   * that fails or comes back empty refuses the feed, never widens it.
   */
  readonly exclude?: boolean
  /**
   * The list's own URL changes (Azure publishes a dated file every week): `url` is then the page
   * that links it, and the file fetched is the https link on that page to `host` whose last path
   * segment matches `file` (a regular expression source); of several, the one whose name sorts
   * last (the latest date). `SyncOptions.sourceUrls` can give the file's URL instead.
   */
  readonly discover?: { readonly host: string; readonly file: string }
}

/** One entry of the catalogue. */
export interface FeedDefinition {
  /** `provider/list`, e.g. `github/hooks`, `aws/EC2@us-east-1`, `user/office`. */
  readonly id: string
  readonly title: string
  /** Where the publisher documents the list. */
  readonly docsUrl: string
  /** Every part must yield at least one address (else the `empty` guard refuses). */
  readonly sources: readonly FeedSource[]
  /**
   * What allowing it is for: who connects from these addresses (or, for an egress list, what is
   * reached at them). Shown by `allowlist-sync feeds`.
   */
  readonly use?: string
  /** True for `defineUserFeed` results. */
  readonly user?: boolean
  /**
   * The broadest prefix the `too-broad` guard accepts per family: a canonical (merged) CIDR
   * shorter than this is refused. Default {@link DEFAULT_BROADEST_PREFIX} (/8, /20); built-in
   * feeds set theirs from the real fixtures (shared/src/feeds/README.md has the table).
   */
  readonly broadestPrefix?: BroadestPrefix
  /**
   * Accept entries in special-purpose space (private, loopback, documentation, ...): only a
   * user-defined feed may set it, for internal lists (`allow-reserved: true` in the config).
   */
  readonly allowReserved?: boolean
}

/** The broadest prefix length accepted per family (smaller numbers are broader). */
export interface BroadestPrefix {
  readonly ipv4: number
  readonly ipv6: number
}

/** The `too-broad` limit of a feed that sets none: nothing broader than a /8 or a /20. */
export const DEFAULT_BROADEST_PREFIX: BroadestPrefix = { ipv4: 8, ipv6: 20 }

/**
 * A publisher of built-in feeds: its listed feeds, and the ids it resolves on demand (a region,
 * a product, a service tag), each pattern with what it selects.
 */
export interface CatalogueProvider {
  /** The first part of its feed ids, e.g. `google`. */
  readonly id: string
  readonly name: string
  /** Listed by `allowlist-sync feeds`, synced by a worker that enables no list of its own. */
  readonly feeds: readonly FeedDefinition[]
  /** Ids beyond the listed ones, e.g. `{ id: 'google/cloud@REGION[,REGION...]', use: '...' }`. */
  readonly patterns: readonly { readonly id: string; readonly use: string }[]
  /**
   * The feed for `list` (the part of the id after `provider/`) when it is not a listed one, in
   * its canonical id (regions lower-cased, sorted, deduplicated); undefined if it names none.
   */
  readonly resolve: (list: string) => FeedDefinition | undefined
}

/**
 * The canonical state of a feed (DESIGN.md). `ipv4`/`ipv6` are canonical CIDRs (network address,
 * explicit prefix, IPv6 per RFC 5952), merged and sorted ascending.
 */
export interface Snapshot {
  readonly feed: string
  /** 1 for the first snapshot; `previous.version + 1` each time the canonical lists change. */
  readonly version: number
  /**
   * Lower-case hex SHA-256 of the UTF-8 bytes of `JSON.stringify([ipv4, ipv6])`: the canonical
   * lists only, so re-ordering, re-formatting or a new `generated_at` upstream is not a change.
   */
  readonly sha256: string
  /** ISO 8601 (UTC) time of the last successful fetch, including a 304 or an unchanged body. */
  readonly fetchedAt: string
  /** ISO 8601 (UTC) time at which this `version` was first seen. */
  readonly changedAt: string
  /** The upstream URL(s) read (never the mirror's), in catalogue order, separated by one space. */
  readonly source: string
  readonly ipv4: readonly string[]
  readonly ipv6: readonly string[]
  /**
   * The publisher's own version or date of what was read, where the payload or the response has
   * one: e.g. `{ field: 'syncToken', value: '1712345678' }` (AWS), `creationTime` (Google),
   * `createDate` (AWS), `changeNumber` (Azure), `ETag`. Display only: not part of `sha256`.
   */
  readonly upstreamVersion?: UpstreamVersion
}

/** A publisher's own version marker: the field it came from and its value, as published. */
export interface UpstreamVersion {
  /** The payload key or response header it was read from, e.g. `syncToken`, `ETag`. */
  readonly field: string
  readonly value: string
}

/** Canonical CIDRs per family. */
export interface FamilyLists {
  readonly ipv4: readonly string[]
  readonly ipv6: readonly string[]
}

/**
 * What changed between two versions of a feed (DESIGN.md). `added`/`removed` are the minimal CIDR
 * cover of the address-level difference (so `/24` -> `/23` adds one `/24`). A first snapshot is a
 * change from `previousVersion: 0` that adds everything.
 */
export interface Change {
  readonly feed: string
  readonly version: number
  readonly previousVersion: number
  /** ISO 8601; the new snapshot's `changedAt`. */
  readonly at: string
  readonly added: FamilyLists
  readonly removed: FamilyLists
  /**
   * True when this version was first held (a `mass-removal` or `mass-addition` candidate) and
   * became current only after it was confirmed: seen unchanged over enough fetches and time, or
   * confirmed by an admin (worker), or by a reviewer marking the draft PR ready (Action).
   */
  readonly confirmedAfterHold?: true
}

/** Tunables of the guards and the fetcher. */
export interface GuardOptions {
  /** Share (0..1) of one family's previous addresses that may go in one change. Default 0.5. */
  readonly maxRemovalShare: number
  /** Skip the `mass-removal` guard (an explicit operator override). Default false. */
  readonly allowMassRemoval: boolean
  /** Skip the `mass-addition` guard (an explicit operator override). Default false. */
  readonly allowMassAddition: boolean
  /** Largest body accepted, in bytes. Default 8 MiB (AWS ip-ranges.json is ~2.6 MB). */
  readonly maxBodyBytes: number
  /** Per request, headers and body together, in ms. Default 10 000. */
  readonly timeoutMs: number
}

/** Defaults for {@link GuardOptions}. */
export const DEFAULT_GUARD_OPTIONS: GuardOptions = {
  maxRemovalShare: 0.5,
  allowMassRemoval: false,
  allowMassAddition: false,
  maxBodyBytes: 8 * 1024 * 1024,
  timeoutMs: 10_000,
}

/**
 * The net growth in addresses of one family beyond which a more-than-doubling is a
 * `mass-addition`: 2^16 for IPv4 (a /16), 2^88 for IPv6 (a /40).
 */
export const MASS_ADDITION_MIN_GROWTH: { readonly ipv4: bigint; readonly ipv6: bigint } = {
  ipv4: 1n << 16n,
  ipv6: 1n << 88n,
}

/** A non-fatal remark about a fetch (host bits set, duplicates merged, a skipped source, ...). */
export interface FeedNote {
  readonly code: string
  readonly message: string
}

/** The lists are different from the previous snapshot's (or there was none). */
export interface ChangedOutcome {
  readonly kind: 'changed'
  readonly feed: string
  readonly snapshot: Snapshot
  readonly change: Change
  readonly notes: readonly FeedNote[]
}

/**
 * The lists are the same: the previous snapshot with a new `fetchedAt`. `notModified` is true
 * when every source answered 304 and no body was read or parsed; `sameBody` when every source
 * answered 304 or a body whose SHA-256 equals the one that earned the previous snapshot (the body
 * was read and hashed, not parsed); `sameEntries` when a new body gave the feed the entries that
 * earned it (read, not guarded again: {@link CachedBody.entries}).
 */
export interface UnchangedOutcome {
  readonly kind: 'unchanged'
  readonly feed: string
  readonly snapshot: Snapshot
  readonly notModified: boolean
  readonly sameBody?: true
  readonly sameEntries?: true
  readonly notes: readonly FeedNote[]
}

/** A guard said no: the previous snapshot (if any) stays current. */
export interface RefusedOutcome {
  readonly kind: 'refused'
  readonly feed: string
  readonly guard: GuardName
  /** One line, safe to print: upstream text in it is JSON-quoted and truncated. */
  readonly reason: string
  /** The last good snapshot, unchanged (not even `fetchedAt`), or undefined if there is none. */
  readonly previous: Snapshot | undefined
  readonly notes: readonly FeedNote[]
}

/** The guards whose verdict is a hold (wait for confirmation), never a refusal. */
export type HoldGuardName = Extract<GuardName, 'mass-removal' | 'mass-addition'>

/**
 * A well-formed list that tripped a hold guard: the previous snapshot stays current and the
 * candidate waits for confirmation (the worker: seen unchanged over enough fetches and time, or an
 * admin; the Action: a draft pull request that a reviewer marks ready).
 */
export interface HeldOutcome {
  readonly kind: 'held'
  readonly feed: string
  readonly guard: HoldGuardName
  /** One line, safe to print. */
  readonly reason: string
  /** The current snapshot, unchanged: a hold needs one to compare with. */
  readonly previous: Snapshot
  /** What would become current once confirmed (`version` = previous + 1). */
  readonly candidate: Snapshot
  /** previous -> candidate, with `confirmedAfterHold` unset. */
  readonly change: Change
  readonly notes: readonly FeedNote[]
}

/** The result of syncing (guarding) one feed. */
export type FeedOutcome = ChangedOutcome | UnchangedOutcome | RefusedOutcome | HeldOutcome

/** Everything a sync needs from its caller; only `fetch` and `now` are required. */
export interface SyncOptions {
  readonly fetch: FetchLike
  /** Milliseconds since the epoch; used for `fetchedAt` / `changedAt`. */
  readonly now: () => number
  /** The current snapshot of each feed, by feed id. */
  readonly previous?: Readonly<Record<string, Snapshot>>
  /**
   * `SyncResult.cache` of the last sync. Validators are sent only when every feed read from that
   * URL either has a previous snapshot or has a cached refusal (a 304 is useless otherwise).
   */
  readonly cache?: Readonly<Record<string, CacheEntry>>
  /** `UPSTREAM_MIRROR`: `https://HOST/PATH` is fetched from `${mirror}/HOST/PATH`. */
  readonly mirror?: string
  /** Sent as `Authorization: Bearer` only to `https://api.github.com` itself (never a mirror). */
  readonly githubToken?: string
  readonly guards?: Partial<GuardOptions>
  /** Defaults to {@link USER_AGENT}. */
  readonly userAgent?: string
  /**
   * Configured URLs of sources whose URL is otherwise discovered (`FeedSource.discover`), by the
   * catalogue URL: e.g. `{ [AZURE_SERVICE_TAGS_PAGE]: 'https://download.microsoft.com/.../
   * ServiceTags_Public_20260601.json' }`. The page is then not fetched.
   */
  readonly sourceUrls?: Readonly<Record<string, string>>
  /**
   * A new body of more than this many bytes, whose feeds can all be read in slices (sliced.ts:
   * AWS's and records feeds over a top-level array), is not read: its feeds get no outcome, and
   * `SyncResult.sliced` hands the body over, to be read across invocations. Default: never.
   */
  readonly sliceOver?: number
  /**
   * Memory the bodies are read into (a worker keeps it between invocations). The bytes of
   * `SyncResult.sliced` are in it: the caller gives it back only once it is done with them.
   */
  readonly bodyMemory?: BodyMemory
}

/** A new body syncFeeds left to be read in slices (SyncResult.sliced). */
export interface SlicedFetch {
  /** The catalogue URL (the cache's key). */
  readonly url: string
  /** The URL read: itself, or the file its page links to. */
  readonly target: string
  /** The feeds reading it, in catalogue order. */
  readonly feeds: readonly string[]
  readonly sha256: string
  readonly bytes: Uint8Array<ArrayBuffer>
  readonly validators: CacheEntry
  /** ISO time of the fetch: the snapshots' `fetchedAt`. */
  readonly fetchedAt: string
}

/** The result of {@link syncFeeds}. */
export interface SyncResult {
  /** One per requested feed, in the order requested. */
  readonly outcomes: readonly FeedOutcome[]
  /** Validators to pass as `cache` next time (entries for URLs not fetched are carried over). */
  readonly cache: Readonly<Record<string, CacheEntry>>
  /** New keys seen in GitHub's meta payload. */
  readonly unknownKeys: readonly UnknownKey[]
  /** One per request made, in order; each upstream URL appears once (twice only for a refetch). */
  readonly fetches: readonly FetchRecord[]
  /** The bodies left to be read in slices (SyncOptions.sliceOver), when there are any. */
  readonly sliced?: readonly SlicedFetch[]
}
