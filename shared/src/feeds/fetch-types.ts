/**
 * @module The fetcher's side of the feed types: validators and accepted bodies remembered per
 * upstream URL, what happened to each URL, and the minimal Web `fetch` shapes the fetcher needs
 * (the global `fetch` and `Response` satisfy them). Re-exported by types.ts.
 */
import type { GuardName } from './guard-names.ts'

/**
 * Validators remembered per upstream URL for conditional requests, and the refusals that body
 * earned, so that a 304 reproduces them instead of hiding them. Treat it as opaque JSON: store
 * `SyncResult.cache` and pass it back as `SyncOptions.cache`.
 */
export interface CacheEntry {
  readonly etag?: string
  readonly lastModified?: string
  /**
   * Feeds this body was refused for by a guard that looks at the body alone (wrong-content,
   * unparseable, schema-drift, invalid-entry, allow-all, empty, reserved-space, too-broad), by
   * feed id. A hold (`mass-removal`, `mass-addition`) depends on the previous snapshot and the
   * options, so it is never cached: the URL is then fetched in full next time, and each fetch
   * sees the held candidate again (the worker counts them).
   */
  readonly refused?: Readonly<
    Record<string, { readonly guard: GuardName; readonly reason: string }>
  >
  /**
   * The last body accepted from this URL: its SHA-256 (lower-case hex) and, by feed id, the
   * snapshot hash it produced. A later body with the same hash is not parsed when every feed of
   * the URL still has that snapshot (or a cached refusal): the cheapest unchanged path.
   */
  readonly body?: CachedBody
}

/** {@link CacheEntry.body}. */
export interface CachedBody {
  readonly sha256: string
  readonly snapshots: Readonly<Record<string, string>>
  /**
   * By feed id, the SHA-256 of the entries the feed read from its sources, this body among them
   * (sync.ts, entriesHash). A later body that gives a feed the same entries, while the feed still
   * has the snapshot recorded here, leaves it unchanged without guarding it again: its lists
   * would be the same. Absent for feeds whose entries were not read (the same body, a 304).
   */
  readonly entries?: Readonly<Record<string, string>>
}

/** What happened to one upstream URL during a sync (for logs and tests). */
export interface FetchRecord {
  /** The upstream URL. */
  readonly url: string
  /** The URL actually requested (the mirror's, when one is set). */
  readonly requested: string
  /** HTTP status of the final response; 0 when there was none (network error, timeout). */
  readonly status: number
  /** Body bytes read (0 for 304). */
  readonly bytes: number
  /** Whether If-None-Match / If-Modified-Since were sent. */
  readonly conditional: boolean
}

/** A new top-level key in a payload that the catalogue does not know (reported, not fatal). */
export interface UnknownKey {
  readonly url: string
  readonly key: string
}

/** The minimal Headers shape the fetcher reads. */
export interface HeadersLike {
  get(name: string): string | null
}

/** The minimal stream reader shape the fetcher reads a body with. */
export interface StreamReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>
  cancel(reason?: unknown): Promise<void>
}

/**
 * A reader that fills the caller's buffer (a byte stream's BYOB reader): `read` transfers `view`'s
 * buffer and gives back a view of it holding what arrived.
 */
export interface ByobReaderLike {
  /** With `min`, the read resolves once that many bytes are in the view (or the stream ends). */
  read<T extends ArrayBufferView<ArrayBuffer>>(
    view: T,
    options?: { readonly min?: number },
  ): Promise<{ done: boolean; value?: T | undefined }>
  cancel(reason?: unknown): Promise<void>
}

/** The minimal Response shape the fetcher needs; the global `Response` satisfies it. */
export interface ResponseLike {
  readonly status: number
  readonly headers: HeadersLike
  /**
   * Read a chunk at a time; or, with {@link BodyMemory} lent, into its buffer through a BYOB
   * reader when the body is a byte stream (a fetch body is; a custom body keeps the chunk path).
   */
  readonly body: {
    getReader(options?: { mode: 'byob' }): StreamReaderLike | ByobReaderLike
  } | null
}

/**
 * Memory lent to the fetcher for the bodies it reads, by a caller that keeps it between calls: a
 * worker isolate, where a multi-megabyte body read into fresh memory costs more CPU in page faults
 * than its hashing (worker/src/jobs/body-memory.ts). The bytes of a body read into it (a body's
 * `bytes`, its lazily decoded `text`, `SlicedFetch.bytes`) are valid until the lender takes the
 * memory back: nothing that outlives that may hold them.
 */
export interface BodyMemory {
  /** A buffer of at least `size` bytes that nothing else uses. */
  take(size: number): ArrayBuffer
  /** The buffer a body ended in (a BYOB read transfers the one taken: this is its new handle). */
  keep(buffer: ArrayBuffer): void
}

declare global {
  // Merges with the real AbortSignal where lib.dom, @types/node or workers-types declare it, so
  // FetchInit stays assignable to RequestInit; in shared/ alone it is an opaque token.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AbortSignal {}
}

/** The request options the fetcher passes; a subset of `RequestInit`. */
export interface FetchInit {
  readonly method: 'GET' | 'POST'
  /** Only with `POST`: the empty string (the publishers that need a POST want no body). */
  readonly body?: string
  readonly headers: Record<string, string>
  readonly redirect: 'manual'
  readonly signal: AbortSignal
}

/** A Web `fetch`: pass `globalThis.fetch` (Node, workerd) or a test double. */
export type FetchLike = (url: string, init: FetchInit) => Promise<ResponseLike>
