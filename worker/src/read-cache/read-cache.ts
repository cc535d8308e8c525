/**
 * @module The cache in front of D1 for feed reads, in two tiers: a bounded in-isolate memory map
 * and the Cache API (a named cache; it works on custom domains, and does nothing on
 * `*.workers.dev`, where the memory tier still spares D1). It holds two kinds of entries:
 *
 * - a **pointer** per feed: its current version, sha256 and fetchedAt, trusted until `expiresAt`
 *   (READ_CACHE_TTL_SECONDS). A read resolves the pointer without D1 while it is fresh, and
 *   refreshes it from the head board in KV (head-board.ts; D1 only where there is no board yet);
 *   the sync overwrites it when it stores an outcome, so in the isolate and data center where the
 *   sync ran the next read sees the change, and everywhere else within the TTL plus KV's
 *   propagation (about 60 seconds).
 * - the **head board** itself, in memory only, for the TTL: one KV read refreshes every feed.
 * - **bodies**, keyed by feed, version, sha256, fetchedAt and the representation (format, ports,
 *   name), so a new version or a new fetch is a new key: nothing ever needs purging.
 *
 * A failing Cache API never fails a read: it is skipped.
 */
import type { HeadBoard } from './head-board.ts'
import { MemoryLru } from './memory-lru.ts'

/** What a read needs to know about a feed's current version, without D1. */
export interface FeedPointer {
  readonly feed: string
  /** null when the feed has no snapshot (yet). */
  readonly version: number | null
  readonly sha256: string | null
  readonly fetchedAt: string | null
  /**
   * A tag of the feed's held (or rejected) candidate: its sha256 prefix, count and status; null
   * when nothing is held. The current snapshot's JSON carries `held`, so its ETag and cache key
   * follow this tag.
   */
  readonly held?: string | null
  /** Epoch milliseconds after which the pointer must be read from D1 again. */
  readonly expiresAt: number
}

/** The current head of a feed as D1 has it, or null when it has no version. */
export type FeedHead = Pick<FeedPointer, 'version' | 'sha256' | 'fetchedAt' | 'held'> | null

/** A cached representation. */
export interface CachedBody {
  readonly body: string
  readonly contentType: string
  readonly etag: string
}

/** Default memory budget: well inside a 128 MB isolate. */
const DEFAULT_MEMORY_BYTES = 16 * 1024 * 1024
/** Base URL of the Cache API keys (never fetched). */
const KEY_BASE = 'https://read-cache.allowlist-sync.internal'
/** The named cache of the Cache API tier. */
const CACHE_NAME = 'allowlist-sync-reads'
/** Cache API lifetime of a body; its key changes whenever its content could. */
const BODY_MAX_AGE_S = 86_400

type Entry = { kind: 'pointer'; pointer: FeedPointer } | { kind: 'body'; body: CachedBody }

/** Options of a {@link ReadCache}; tests pass small or absent tiers. */
export interface ReadCacheOptions {
  /** Memory tier budget in bytes; 0 disables the tier. */
  readonly memoryBytes?: number
  /** The Cache API tier; undefined disables it. Defaults to the named cache. */
  readonly edge?: (() => Promise<Cache>) | undefined
  /** First path segment of Cache API keys (tests keep theirs apart); default `g0`. */
  readonly keyPrefix?: string
}

/** The two-tier cache; one per isolate (see {@link READ_CACHE}). */
export class ReadCache {
  private memory: MemoryLru<Entry>
  private readonly memoryBytes: number
  /** Prefix of this cache's Cache API keys; {@link clear} moves to a new one. */
  private generation: string
  private readonly edge: (() => Promise<Cache>) | undefined
  /** Loads in flight, so a miss under load costs one D1 query, not one per request. */
  private readonly loading = new Map<string, Promise<unknown>>()
  /** The head board as last read, and when it must be read again. */
  private board: { readonly value: HeadBoard | undefined; readonly expiresAt: number } | undefined

  constructor(options: ReadCacheOptions = {}) {
    this.memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES
    this.generation = options.keyPrefix ?? 'g0'
    this.memory = this.newMemory()
    this.edge = 'edge' in options ? options.edge : () => caches.open(CACHE_NAME)
  }

  private newMemory(): MemoryLru<Entry> {
    return new MemoryLru<Entry>(this.memoryBytes, (key, e) =>
      e.kind === 'pointer' ? key.length + 200 : key.length + e.body.body.length + 100,
    )
  }

  /** Forgets everything (tests that wipe D1 between cases): memory, and every edge key. */
  clear(): void {
    this.memory = this.newMemory()
    this.board = undefined
    this.generation = `g${crypto.randomUUID()}`
  }

  /**
   * The feed's pointer: from memory or the Cache API while fresh at `now`, else from `load` (D1),
   * then cached for `ttlMs`. Concurrent misses of one feed share one load.
   */
  async resolvePointer(
    feed: string,
    now: number,
    ttlMs: number,
    load: () => Promise<FeedHead>,
  ): Promise<FeedPointer> {
    const cached = await this.getPointer(feed, now)
    if (cached !== undefined) return cached
    return this.once(`pointer ${feed}`, async () => {
      const head = await load()
      const pointer: FeedPointer = {
        feed,
        version: head?.version ?? null,
        sha256: head?.sha256 ?? null,
        fetchedAt: head?.fetchedAt ?? null,
        held: head?.held ?? null,
        expiresAt: now + ttlMs,
      }
      await this.putPointer(pointer, ttlMs)
      return pointer
    })
  }

  /** The body under `key`, or `load()`'s, cached; concurrent misses share one load. */
  async resolveBody(key: string, load: () => Promise<CachedBody>): Promise<CachedBody> {
    const cached = await this.getBody(key)
    if (cached !== undefined) return cached
    return this.once(`body ${key}`, async () => {
      const body = await load()
      await this.putBody(key, body)
      return body
    })
  }

  /**
   * The head board: from memory while fresh at `now`, else from `load` (KV), kept for `ttlMs`.
   * Concurrent misses share one load.
   */
  async resolveBoard(
    now: number,
    ttlMs: number,
    load: () => Promise<HeadBoard | undefined>,
  ): Promise<HeadBoard | undefined> {
    if (this.board !== undefined && this.board.expiresAt > now) return this.board.value
    return this.once('board', async () => {
      const value = await load()
      this.board = { value, expiresAt: now + ttlMs }
      return value
    })
  }

  /** Drops the board kept in memory (this isolate just published a newer one). */
  forgetBoard(): void {
    this.board = undefined
  }

  private once<T extends FeedPointer | CachedBody | HeadBoard | undefined>(
    key: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    let pending: Promise<T> | undefined = this.loading.get(key) as Promise<T> | undefined
    if (pending === undefined) {
      pending = fn().finally(() => this.loading.delete(key))
      this.loading.set(key, pending)
    }
    return pending
  }

  /** The pointer if one is cached and fresh at `now`. */
  async getPointer(feed: string, now: number): Promise<FeedPointer | undefined> {
    const key = this.key('pointer', feed)
    const entry = this.memory.get(key)
    if (entry?.kind === 'pointer' && entry.pointer.expiresAt > now) return entry.pointer
    const res = await this.edgeMatch(key)
    if (res === undefined) return undefined
    const pointer = await res.json<FeedPointer>()
    if (pointer.expiresAt <= now) return undefined
    this.memory.set(key, { kind: 'pointer', pointer })
    return pointer
  }

  /** Stores a pointer valid for `ttlMs` in both tiers, replacing the feed's previous one. */
  async putPointer(pointer: FeedPointer, ttlMs: number): Promise<void> {
    const key = this.key('pointer', pointer.feed)
    this.memory.set(key, { kind: 'pointer', pointer })
    const maxAge = Math.max(1, Math.ceil(ttlMs / 1000))
    await this.edgePut(
      key,
      new Response(JSON.stringify(pointer), {
        headers: { 'content-type': 'application/json', 'cache-control': `max-age=${maxAge}` },
      }),
    )
  }

  /** A cached body. */
  async getBody(key: string): Promise<CachedBody | undefined> {
    const k = this.key('body', key)
    const entry = this.memory.get(k)
    if (entry?.kind === 'body') return entry.body
    const res = await this.edgeMatch(k)
    if (res === undefined) return undefined
    const body: CachedBody = {
      body: await res.text(),
      contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      etag: res.headers.get('x-representation-etag') ?? '',
    }
    this.memory.set(k, { kind: 'body', body })
    return body
  }

  /** Stores a body in both tiers. */
  async putBody(key: string, body: CachedBody): Promise<void> {
    const k = this.key('body', key)
    this.memory.set(k, { kind: 'body', body })
    await this.edgePut(
      k,
      new Response(body.body, {
        headers: {
          'content-type': body.contentType,
          'x-representation-etag': body.etag,
          'cache-control': `max-age=${BODY_MAX_AGE_S}`,
        },
      }),
    )
  }

  /** The memory key; the Cache API key is derived from it only when that tier is used. */
  private key(kind: 'pointer' | 'body', name: string): string {
    return `${kind} ${name}`
  }

  private edgeUrl(key: string): string {
    const space = key.indexOf(' ')
    return `${KEY_BASE}/${this.generation}/${key.slice(0, space)}/${encodeURIComponent(key.slice(space + 1))}`
  }

  private async edgeMatch(key: string): Promise<Response | undefined> {
    if (this.edge === undefined) return undefined
    try {
      return await (await this.edge()).match(this.edgeUrl(key))
    } catch {
      return undefined
    }
  }

  private async edgePut(key: string, res: Response): Promise<void> {
    if (this.edge === undefined) return
    try {
      await (await this.edge()).put(this.edgeUrl(key), res)
    } catch {
      // The Cache API is an optimisation: a read still works from memory or D1.
    }
  }
}

/** The isolate's read cache: requests and the cron in one isolate share it. */
export const READ_CACHE = new ReadCache()
