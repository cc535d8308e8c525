/**
 * @module The Octokit instance behind GitHubClient: GITHUB_API_URL as base, the shared network
 * (proxies), a timeout on every request and the run's deadline over all of them, retries of
 * server errors and timeouts (plugin-retry) and GitHub's rate-limit answers (plugin-throttling,
 * on every server, loopback included), each retried by one plugin only.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling'

/** How the client talks to the API. */
export interface OctokitSettings {
  readonly token: string
  readonly baseUrl: string
  /** The network (createNetFetch: proxies honoured). */
  readonly fetch: typeof fetch
  /** Retries of one request (server errors, timeouts, rate limits). */
  readonly retries: number
  /** Per request, headers and body. */
  readonly requestTimeoutMs: number
  /** Aborted when the run's deadline passes: no request starts or goes on after it. */
  readonly deadline: AbortSignal | undefined
  /** Milliseconds left before the deadline (Infinity without one). */
  readonly remainingMs: () => number
  /** Milliseconds per second of GitHub's `retry-after` and of the retry backoff (1000). */
  readonly retryAfterBaseMs: number
  /**
   * Space content-creating requests as GitHub asks (a second apart; three for those that notify).
   * Off against a loopback server (a test double, a local proxy), which has no such limit.
   */
  readonly spaceWrites: boolean
  readonly warn: (message: string) => void
}

/** What {@link createOctokit} returns. */
export type Octokit = ReturnType<typeof getOctokit>

/**
 * Status codes neither plugin-retry nor anything else retries. 429 is here because
 * plugin-throttling retries it after GitHub's `retry-after` (plugin-retry's default list lacks it,
 * so both retried it: up to twice as many attempts, the second without waiting).
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

type Group = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>

/** A Bottleneck group stand-in that runs every job at once (no spacing). */
const UNSPACED = {
  key: () => ({
    schedule: <T>(_options: unknown, job: (...args: unknown[]) => Promise<T>, ...args: unknown[]) =>
      job(...args),
  }),
} as unknown as Group

/** Whether a URL is a loopback server. */
export function isLoopback(url: string): boolean {
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)
}

/** Builds the Octokit instance. */
export function createOctokit(s: OctokitSettings): Octokit {
  const timedFetch = (url: string, init: RequestInit = {}): Promise<Response> => {
    const signals = [AbortSignal.timeout(s.requestTimeoutMs)]
    if (init.signal) signals.push(init.signal)
    if (s.deadline) {
      if (s.deadline.aborted) return Promise.reject(s.deadline.reason as Error)
      signals.push(s.deadline)
    }
    return s.fetch(url, { ...init, signal: AbortSignal.any(signals) })
  }
  const onLimit =
    (kind: string) =>
    (after: number, opts: { method: string; url: string }, _o: unknown, count: number) => {
      if (count >= s.retries) return false
      if (after * s.retryAfterBaseMs >= s.remainingMs()) {
        s.warn(`${kind} on ${opts.method} ${opts.url}; waiting ${after} s would pass the deadline`)
        return false
      }
      s.warn(`${kind} on ${opts.method} ${opts.url}; retrying after ${after} s`)
      return true
    }
  return getOctokit(
    s.token,
    {
      baseUrl: s.baseUrl,
      request: { fetch: timedFetch },
      retry: {
        retries: s.retries,
        doNotRetry: DO_NOT_RETRY,
        retryAfterBaseValue: s.retryAfterBaseMs,
      },
      throttle: {
        retryAfterBaseValue: s.retryAfterBaseMs,
        ...(s.spaceWrites ? {} : { write: UNSPACED, notifications: UNSPACED }),
        onRateLimit: onLimit('rate limited'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    },
    retry,
    throttling,
  )
}
