/**
 * @module The fetcher: Web fetch only, with a timeout, a body size cap, conditional requests,
 * same-host-only redirects, the project's User-Agent, a GitHub token for api.github.com only,
 * and UPSTREAM_MIRROR.
 */
import { quote } from './extract.ts'
import { sha256Hex } from './snapshot.ts'
import type {
  CacheEntry,
  FetchLike,
  FetchRecord,
  GuardName,
  ResponseLike,
  StreamReaderLike,
} from './types.ts'

/** The User-Agent sent upstream unless the caller gives another. */
export const USER_AGENT = 'allowlist-sync/0.1.0 (+https://github.com/allowlist-sync/allowlist-sync)'

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
}

/** The body of a 2xx response, decoded as UTF-8 (a BOM removed), its bytes and their SHA-256. */
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

/** A rejection's message: a custom `fetch` may reject with anything, not only an Error. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Fetches one upstream URL through the guards that need no parsing, in order: network error,
 * timeout, redirect, HTTP error, oversized body, wrong content (not UTF-8). Never throws.
 * A `POST` follows only 307 and 308 redirects (the others would turn it into a GET).
 */
export async function fetchSource(url: string, o: FetchSourceOptions): Promise<FetchSourceResult> {
  const requested = mirrorUrl(url, o.mirror)
  const method = o.method ?? 'GET'
  const sent = method === 'GET' ? o.validators : undefined
  const conditional = Boolean(sent?.etag ?? sent?.lastModified)
  let status = 0
  let bytes = 0
  const done = (
    result: FetchedBody | NotModified | FetchRefusal,
    finalUrl = requested,
  ): FetchSourceResult => ({
    ...result,
    record: { url, requested: finalUrl, status, bytes, conditional },
  })
  const refuse = (guard: GuardName, reason: string, finalUrl?: string) =>
    done({ kind: 'refused', guard, reason }, finalUrl)

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
  }, o.timeoutMs)
  const withTimeout = <T>(p: Promise<T>): Promise<T> => Promise.race([p, timeout])

  let current = requested
  let reader: StreamReaderLike | undefined
  try {
    let response: ResponseLike
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        'user-agent': o.userAgent,
        accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
      }
      if (sent?.etag) headers['if-none-match'] = sent.etag
      if (sent?.lastModified) headers['if-modified-since'] = sent.lastModified
      const target = new web.URL(current)
      // The token goes to GitHub's API itself only: never to a mirror or another host.
      if (o.githubToken && target.protocol === 'https:' && target.host === 'api.github.com')
        headers.authorization = `Bearer ${o.githubToken}`
      try {
        response = await withTimeout(
          o.fetch(current, {
            method,
            ...(method === 'POST' ? { body: '' } : {}),
            headers,
            redirect: 'manual',
            signal: controller.signal,
          }),
        )
      } catch (error) {
        // The timer sets timedOut before it rejects `timeout`, so this also covers TimeoutSignal.
        if (timedOut) return refuse('timeout', `no response within ${o.timeoutMs} ms`, current)
        return refuse('network-error', `request to ${current} failed: ${messageOf(error)}`, current)
      }
      status = response.status
      if (status < 300 || status > 399 || status === 304) break
      await cancelBody(response)
      if (method === 'POST' && status !== 307 && status !== 308)
        return refuse(
          'redirect',
          `HTTP ${status} to a POST (only 307 and 308 keep it one)`,
          current,
        )
      const location = response.headers.get('location')
      if (location === null) return refuse('redirect', `HTTP ${status} without a Location`, current)
      let next: UrlLike
      try {
        next = new web.URL(location, current)
      } catch {
        return refuse(
          'redirect',
          `HTTP ${status} to an invalid Location ${quote(location)}`,
          current,
        )
      }
      if (next.host !== target.host || next.protocol !== target.protocol)
        return refuse(
          'redirect',
          `HTTP ${status} from ${target.host} to another host or scheme: ${quote(next.href)}`,
          current,
        )
      if (hop + 1 > MAX_REDIRECTS)
        return refuse('redirect', `more than ${MAX_REDIRECTS} redirects`, current)
      current = next.href
    }

    const validators: CacheEntry = {
      ...(response.headers.get('etag') ? { etag: response.headers.get('etag')! } : {}),
      ...(response.headers.get('last-modified')
        ? { lastModified: response.headers.get('last-modified')! }
        : {}),
    }
    if (status === 304) {
      await cancelBody(response)
      if (!conditional) return refuse('http-error', 'HTTP 304 to an unconditional request', current)
      // `conditional` means validators were sent: they stay the cached ones.
      return done({ kind: 'not-modified', validators: sent! }, current)
    }
    if (status < 200 || status > 299) {
      await cancelBody(response)
      return refuse('http-error', `HTTP ${status} from ${current}`, current)
    }
    const declared = Number(response.headers.get('content-length') ?? 'NaN')
    if (declared > o.maxBodyBytes) {
      await cancelBody(response)
      return refuse(
        'oversized',
        `Content-Length ${declared} is over the limit of ${o.maxBodyBytes} bytes`,
        current,
      )
    }
    const chunks: Uint8Array[] = []
    if (response.body !== null) {
      reader = response.body.getReader()
      for (;;) {
        const { done: end, value } = await withTimeout(reader.read())
        if (end) break
        if (value === undefined) continue
        bytes += value.byteLength
        if (bytes > o.maxBodyBytes) {
          await reader.cancel().catch(() => undefined)
          return refuse(
            'oversized',
            `the body is over the limit of ${o.maxBodyBytes} bytes`,
            current,
          )
        }
        chunks.push(value)
      }
      reader = undefined
    }
    const all = new Uint8Array(bytes)
    let at = 0
    for (const chunk of chunks) {
      all.set(chunk, at)
      at += chunk.byteLength
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(all)
    } catch {
      return refuse('wrong-content', 'the body is not UTF-8 text', current)
    }
    const contentType = response.headers.get('content-type') ?? ''
    const sha256 = await sha256Hex(all)
    return done({ kind: 'body', text, bytes: all, sha256, contentType, validators }, current)
  } catch (error) {
    // As above: timedOut is set before the TimeoutSignal rejection.
    if (timedOut) {
      await reader?.cancel().catch(() => undefined)
      return refuse('timeout', `the body did not arrive within ${o.timeoutMs} ms`, current)
    }
    return refuse('network-error', `reading ${current} failed: ${messageOf(error)}`, current)
  } finally {
    web.clearTimeout(timer)
  }
}

async function cancelBody(response: ResponseLike): Promise<void> {
  try {
    await response.body?.getReader().cancel()
  } catch {
    // A body that cannot be cancelled is already gone.
  }
}
