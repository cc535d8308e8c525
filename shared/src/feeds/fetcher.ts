/**
 * @module The fetcher: Web fetch only, with a timeout, a body size cap, conditional requests,
 * same-host-only redirects, the project's User-Agent, a GitHub token for api.github.com only,
 * and UPSTREAM_MIRROR.
 */
import { errorMessage } from '../error-message.ts'
import { VERSION } from '../version.ts'
import { quote } from './extract.ts'
import { sha256Hex } from './snapshot.ts'
import type {
  BodyMemory,
  ByobReaderLike,
  CacheEntry,
  FetchInit,
  FetchLike,
  FetchRecord,
  GuardName,
  ResponseLike,
  StreamReaderLike,
} from './types.ts'

/** The User-Agent sent upstream unless the caller gives another. */
export const USER_AGENT = `allowlist-sync/${VERSION} (+https://github.com/allowlist-sync/allowlist-sync)`

/** Same-host redirects followed before `redirect` refuses. */
const MAX_REDIRECTS = 3

interface UrlLike {
  readonly protocol: string
  readonly host: string
  readonly hostname: string
  readonly href: string
}

// URL, AbortController and timers exist in every runtime shared/ targets (Node, workerd,
// browsers) but not in its ES2022-only type environment; reach them through one typed view.
const web = globalThis as unknown as {
  URL: new (url: string, base?: string) => UrlLike
  AbortController: new () => { readonly signal: AbortSignal; abort(reason?: unknown): void }
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(id: unknown): void
}

function mirrorError(mirror: string): TypeError {
  const error = new TypeError(
    `UPSTREAM_MIRROR ${JSON.stringify(mirror)} is not an http(s) URL`,
  ) as TypeError & { code: string }
  error.code = 'ERR_MIRROR'
  return error
}

/**
 * Where `url` is fetched from when `UPSTREAM_MIRROR` is `mirror`: `https://HOST/PATH?Q` becomes
 * `${mirror}/HOST/PATH?Q` (one trailing slash of `mirror` ignored). Without a mirror, `url`.
 * Throws a TypeError (`ERR_MIRROR`) when `mirror` is not an http(s) URL.
 */
export function mirrorUrl(url: string, mirror: string | undefined): string {
  if (mirror === undefined || mirror === '') return url
  let base: UrlLike
  try {
    base = new web.URL(mirror)
  } catch (cause) {
    throw Object.assign(mirrorError(mirror), { cause })
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw mirrorError(mirror)
  return `${mirror.replace(/\/$/, '')}/${url.replace(/^https?:\/\//, '')}`
}

/** How one upstream URL is fetched. */
export interface FetchSourceOptions {
  readonly fetch: FetchLike
  readonly mirror: string | undefined
  readonly githubToken: string | undefined
  readonly userAgent: string
  readonly maxBodyBytes: number
  readonly timeoutMs: number
  /** Validators to send (If-None-Match / If-Modified-Since); none for an unconditional fetch. */
  readonly validators: CacheEntry | undefined
  /** Default `GET`. A `POST` is never conditional (validators are ignored). */
  readonly method?: 'GET' | 'POST'
  /**
   * The SHA-256 of a body read from this URL before (the cache's): a body with it was UTF-8
   * then, and is decoded only when its text is asked for (an unchanged body is hashed, not read).
   */
  readonly knownSha256?: string
  /**
   * Decode any body only when its text is first read, and throw then (a TypeError) if it is not
   * UTF-8: for a body that may be read in slices, which check their own bytes (sliced.ts); the
   * caller turns that throw into the `wrong-content` refusal ({@link NOT_UTF8}) otherwise.
   */
  readonly decodeLater?: boolean
  /** Memory to read the body into, when it is a byte stream (SyncOptions.bodyMemory). */
  readonly bodyMemory?: BodyMemory
}

/** Why a body that is not UTF-8 is refused (`wrong-content`). */
export const NOT_UTF8 = 'the body is not UTF-8 text'

/**
 * The body of a 2xx response, decoded as UTF-8 (a BOM removed), its bytes and their SHA-256. A
 * body with the known hash (FetchSourceOptions.knownSha256), or any with `decodeLater`, is decoded
 * when `text` is first read.
 */
export interface FetchedBody {
  readonly kind: 'body'
  readonly text: string
  /** The body as received (fast readers scan it: aws-scan.ts). */
  readonly bytes: Uint8Array<ArrayBuffer>
  /** Lower-case hex SHA-256 of `bytes`. */
  readonly sha256: string
  readonly contentType: string
  readonly validators: CacheEntry
}

/** A 304 answer to a conditional request: the body was neither read nor parsed. */
export interface NotModified {
  readonly kind: 'not-modified'
  readonly validators: CacheEntry
}

/** A fetch-level guard refusal. */
export interface FetchRefusal {
  readonly kind: 'refused'
  readonly guard: GuardName
  readonly reason: string
}

/** The result of {@link fetchSource}, with the record of what was requested. */
export type FetchSourceResult = (FetchedBody | NotModified | FetchRefusal) & {
  readonly record: FetchRecord
}

class TimeoutSignal extends Error {}

/** What the record of a fetch reports, updated as the fetch goes. */
interface FetchState {
  status: number
  bytes: number
  /** The URL requested last (the mirror's, or a redirect's). */
  current: string
  /** The body being read, to cancel on a timeout. */
  reader?: Pick<StreamReaderLike, 'cancel'>
}

/** The whole fetch's time limit: an abort signal, and a race for every await. */
interface Deadline {
  readonly signal: FetchInit['signal']
  readonly timedOut: () => boolean
  readonly race: <T>(p: Promise<T>) => Promise<T>
  readonly clear: () => void
}

function startDeadline(ms: number): Deadline {
  const controller = new web.AbortController()
  let timedOut = false
  let onTimeout: (() => void) | undefined
  const timeout = new Promise<never>((_, reject) => {
    onTimeout = () => reject(new TimeoutSignal())
  })
  // Without a handler, a timeout that fires after a result is settled would be unhandled.
  timeout.catch(() => undefined)
  const timer = web.setTimeout(() => {
    timedOut = true
    controller.abort()
    onTimeout?.()
  }, ms)
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    race: (p) => Promise.race([p, timeout]),
    clear: () => web.clearTimeout(timer),
  }
}

/** Whether validators are sent: the request is conditional. */
const isConditional = (sent: CacheEntry | undefined) => Boolean(sent?.etag ?? sent?.lastModified)

const refusal = (guard: GuardName, reason: string): FetchRefusal => ({
  kind: 'refused',
  guard,
  reason,
})

/**
 * Fetches one upstream URL through the guards that need no parsing, in order: network error,
 * timeout, redirect, HTTP error, oversized body, wrong content (not UTF-8). Never throws.
 * A `POST` follows only 307 and 308 redirects (the others would turn it into a GET).
 */
export async function fetchSource(url: string, o: FetchSourceOptions): Promise<FetchSourceResult> {
  const method = o.method ?? 'GET'
  const sent = method === 'GET' ? o.validators : undefined
  const conditional = isConditional(sent)
  const state: FetchState = { status: 0, bytes: 0, current: mirrorUrl(url, o.mirror) }
  // assigned, not spread: a known body's text stays undecoded until asked for
  const done = (result: FetchedBody | NotModified | FetchRefusal): FetchSourceResult =>
    Object.assign(result, {
      record: {
        url,
        requested: state.current,
        status: state.status,
        bytes: state.bytes,
        conditional,
      },
    })
  const deadline = startDeadline(o.timeoutMs)
  try {
    const response = await follow(o, sent, state, deadline)
    if ('kind' in response) return done(response)
    return done(await receive(response, o, sent, state, deadline))
  } catch (error) {
    // The timer sets timedOut before it rejects, so this also covers TimeoutSignal.
    if (deadline.timedOut()) {
      await state.reader?.cancel().catch(() => undefined)
      return done(refusal('timeout', `the body did not arrive within ${o.timeoutMs} ms`))
    }
    return done(refusal('network-error', `reading ${state.current} failed: ${errorMessage(error)}`))
  } finally {
    deadline.clear()
  }
}

/** The request's headers: who asks, what it accepts, its validators, GitHub's token. */
function requestHeaders(o: FetchSourceOptions, sent: CacheEntry | undefined, target: UrlLike) {
  const headers: Record<string, string> = {
    'user-agent': o.userAgent,
    accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
  }
  if (sent?.etag) headers['if-none-match'] = sent.etag
  if (sent?.lastModified) headers['if-modified-since'] = sent.lastModified
  // The token goes to GitHub's API itself only: never to a mirror or another host.
  if (o.githubToken && target.protocol === 'https:' && target.host === 'api.github.com')
    headers.authorization = `Bearer ${o.githubToken}`
  return headers
}

/** Requests the URL and follows same-host redirects: the final response, or a refusal. */
async function follow(
  o: FetchSourceOptions,
  sent: CacheEntry | undefined,
  state: FetchState,
  deadline: Deadline,
): Promise<ResponseLike | FetchRefusal> {
  const method = o.method ?? 'GET'
  for (let hop = 0; ; hop++) {
    const current = state.current
    const target = new web.URL(current)
    let response: ResponseLike
    try {
      response = await deadline.race(
        o.fetch(current, {
          method,
          ...(method === 'POST' ? { body: '' } : {}),
          headers: requestHeaders(o, sent, target),
          redirect: 'manual',
          signal: deadline.signal,
        }),
      )
    } catch (error) {
      if (deadline.timedOut()) return refusal('timeout', `no response within ${o.timeoutMs} ms`)
      return refusal('network-error', `request to ${current} failed: ${errorMessage(error)}`)
    }
    const status = (state.status = response.status)
    if (status < 300 || status > 399 || status === 304) return response
    await cancelBody(response)
    if (method === 'POST' && status !== 307 && status !== 308)
      return refusal('redirect', `HTTP ${status} to a POST (only 307 and 308 keep it one)`)
    const location = response.headers.get('location')
    if (location === null) return refusal('redirect', `HTTP ${status} without a Location`)
    let next: UrlLike
    try {
      next = new web.URL(location, current)
    } catch {
      return refusal('redirect', `HTTP ${status} to an invalid Location ${quote(location)}`)
    }
    if (next.host !== target.host || next.protocol !== target.protocol)
      return refusal(
        'redirect',
        `HTTP ${status} from ${target.host} to another host or scheme: ${quote(next.href)}`,
      )
    if (hop + 1 > MAX_REDIRECTS) return refusal('redirect', `more than ${MAX_REDIRECTS} redirects`)
    state.current = next.href
  }
}

/** The final response: not modified, an HTTP error, or the body through the size and UTF-8 guards. */
async function receive(
  response: ResponseLike,
  o: FetchSourceOptions,
  sent: CacheEntry | undefined,
  state: FetchState,
  deadline: Deadline,
): Promise<FetchedBody | NotModified | FetchRefusal> {
  const { status, current } = state
  const validators: CacheEntry = {
    ...(response.headers.get('etag') ? { etag: response.headers.get('etag')! } : {}),
    ...(response.headers.get('last-modified')
      ? { lastModified: response.headers.get('last-modified')! }
      : {}),
  }
  if (status === 304) {
    await cancelBody(response)
    // validators were sent (a conditional request): they stay the cached ones
    if (!isConditional(sent)) return refusal('http-error', 'HTTP 304 to an unconditional request')
    return { kind: 'not-modified', validators: sent! }
  }
  if (status < 200 || status > 299) {
    await cancelBody(response)
    return refusal('http-error', `HTTP ${status} from ${current}`)
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN')
  if (declared > o.maxBodyBytes) {
    await cancelBody(response)
    return refusal(
      'oversized',
      `Content-Length ${declared} is over the limit of ${o.maxBodyBytes} bytes`,
    )
  }
  const all = await readBody(response, o, declared, state, deadline)
  if (all === undefined)
    return refusal('oversized', `the body is over the limit of ${o.maxBodyBytes} bytes`)
  const contentType = response.headers.get('content-type') ?? ''
  const sha256 = await sha256Hex(all)
  const decode = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(all)
  // The body read before (it was UTF-8 then), or one the caller decodes later: decoded only if
  // its text is asked for.
  if (sha256 === o.knownSha256 || o.decodeLater === true) {
    let text: string | undefined
    return Object.defineProperty(
      { kind: 'body', bytes: all, sha256, contentType, validators },
      'text',
      { get: () => (text ??= decode()), enumerable: true },
    ) as FetchedBody
  }
  try {
    return { kind: 'body', text: decode(), bytes: all, sha256, contentType, validators }
  } catch {
    return refusal('wrong-content', NOT_UTF8)
  }
}

/**
 * The body's bytes, counted into the record; undefined once they pass `max` (then cancelled). A
 * byte stream, with memory lent, is read straight into it (BYOB); anything else by chunks.
 */
async function readBody(
  response: ResponseLike,
  o: FetchSourceOptions,
  declared: number,
  state: FetchState,
  deadline: Deadline,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const body = response.body
  if (body === null) return new Uint8Array(0)
  const memory = o.bodyMemory
  if (memory !== undefined) {
    let reader: StreamReaderLike | ByobReaderLike | undefined
    try {
      reader = body.getReader({ mode: 'byob' })
    } catch {
      // not a byte stream: read by chunks below
    }
    const Byob = (globalThis as { ReadableStreamBYOBReader?: new (...a: never[]) => unknown })
      .ReadableStreamBYOBReader
    if (Byob !== undefined && reader instanceof Byob)
      return readInto(reader as ByobReaderLike, memory, o.maxBodyBytes, declared, state, deadline)
  }
  return readChunks(body.getReader() as StreamReaderLike, o.maxBodyBytes, state, deadline)
}

/** Bytes a BYOB read asks for when the length is not declared, and the least a buffer grows by. */
const BYOB_STEP = 64 * 1024

/**
 * A body read into memory lent (a view of its buffer): a buffer of the declared length at least
 * (a server that declares more than it sends holds at most `max`, as a body may anyway), or taken
 * larger when more arrives (a gzip body's Content-Length is the compressed one).
 */
async function readInto(
  reader: ByobReaderLike,
  memory: BodyMemory,
  max: number,
  declared: number,
  state: FetchState,
  deadline: Deadline,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  state.reader = reader
  let buffer = memory.take(declared >= 0 && declared <= max ? declared : BYOB_STEP)
  let at = 0
  for (;;) {
    // A full buffer reads into a spare byte: the end of the body, or a byte past its length.
    const full = at === buffer.byteLength
    const view = full ? new Uint8Array(1) : new Uint8Array(buffer, at)
    // The declared rest in one read: the runtime fills the view without a turn of JavaScript
    // per socket read (workerd: 2 reads of Azure's 4.1 MB instead of 24, about 1.4 ms of CPU less).
    const min = Math.max(1, Math.min(view.byteLength, declared - at || 1))
    const { done: end, value } = await deadline.race(reader.read(view, { min }))
    /* v8 ignore next: only a cancelled stream ends without a view, and only a timeout cancels */
    if (value === undefined) break
    // The read transferred the view's buffer; it comes back as the value's.
    if (!full) buffer = value.buffer
    // A read that ends the stream holds the bytes that came before the end (fewer than `min`).
    state.bytes += value.byteLength
    if (state.bytes > max) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    if (full && value.byteLength > 0) {
      const grown = new Uint8Array(
        memory.take(Math.min(max + 1, at + Math.max(BYOB_STEP, at >> 1))),
      )
      grown.set(new Uint8Array(buffer, 0, at))
      grown.set(value, at)
      buffer = grown.buffer
    }
    at += value.byteLength
    if (end) break
  }
  state.reader = undefined
  memory.keep(buffer)
  return new Uint8Array(buffer, 0, at)
}

/** A body of chunks, joined (one chunk is used as it is). */
async function readChunks(
  reader: StreamReaderLike,
  max: number,
  state: FetchState,
  deadline: Deadline,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Uint8Array[] = []
  state.reader = reader
  for (;;) {
    const { done: end, value } = await deadline.race(reader.read())
    if (end) break
    if (value === undefined) continue
    state.bytes += value.byteLength
    if (state.bytes > max) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  state.reader = undefined
  // A body read in one chunk is that chunk: a multi-megabyte copy less (fetch bodies are
  // ArrayBuffer-backed).
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>
  const all = new Uint8Array(state.bytes)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.byteLength
  }
  return all
}

async function cancelBody(response: ResponseLike): Promise<void> {
  try {
    await response.body?.getReader().cancel()
  } catch {
    // A body that cannot be cancelled is already gone.
  }
}
