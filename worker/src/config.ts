/**
 * @module The worker's configuration, read once per request or event from its vars and secrets
 * (wrangler.toml `[vars]`, `wrangler secret put`, `.dev.vars`), validated, with defaults.
 */

/** The typed configuration; see worker/README.md for each var. */
export interface Config {
  /** `UPSTREAM_MIRROR` without a trailing slash, or undefined for real upstream. */
  readonly upstreamMirror: string | undefined
  /** `ENABLED_FEEDS`: feed ids to sync, or undefined for every built-in feed. */
  readonly enabledFeeds: readonly string[] | undefined
  /** `GUARD_MAX_REMOVAL_SHARE`: 0..1. */
  readonly maxRemovalShare: number
  /** `GUARD_CONFIRM_FETCHES`: identical fetches in a row that confirm a held candidate (≥ 1). */
  readonly confirmFetches: number
  /** `GUARD_CONFIRM_MINUTES`: minutes from a held candidate's first fetch to its confirmation (≥ 0). */
  readonly confirmMinutes: number
  /** `GUARD_MAX_BODY_BYTES`. */
  readonly maxBodyBytes: number
  /** `FETCH_TIMEOUT_MS`. */
  readonly fetchTimeoutMs: number
  /** `ALLOW_PRIVATE_WEBHOOK_TARGETS` is "true". */
  readonly allowPrivateTargets: boolean
  /** `GITHUB_API_URL` without a trailing slash. */
  readonly githubApiUrl: string
  /** `PUBLIC_URL` without a trailing slash, or undefined (then taken from each request). */
  readonly publicUrl: string | undefined
  /** `ADMIN_TOKEN`, or undefined when unset or empty (the admin API then answers 503). */
  readonly adminToken: string | undefined
  /** `GITHUB_TOKEN` for upstream fetches of api.github.com, or undefined. */
  readonly githubToken: string | undefined
}

/** The env fields the config reads, as plain strings (tests and `.dev.vars` override them). */
export type ConfigEnv = { readonly [K in keyof Env]?: Env[K] extends string ? string : Env[K] }

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

function positive(
  name: string,
  value: string | undefined,
  fallback: number,
  max = Infinity,
): number {
  const raw = text(value)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new RangeError(`${name} must be a number in (0, ${max}], got "${raw}"`)
  }
  return n
}

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  const raw = text(value)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min) {
    throw new RangeError(`${name} must be a whole number ≥ ${min}, got "${raw}"`)
  }
  return n
}

/** Reads and validates the config; throws a RangeError naming the var on a bad value. */
export function readConfig(env: ConfigEnv): Config {
  const feeds = text(env.ENABLED_FEEDS)
  return {
    upstreamMirror: text(env.UPSTREAM_MIRROR)?.replace(/\/+$/, ''),
    enabledFeeds:
      feeds === undefined || feeds === '*'
        ? undefined
        : feeds
            .split(',')
            .map((f) => f.trim())
            .filter((f) => f !== ''),
    maxRemovalShare: positive('GUARD_MAX_REMOVAL_SHARE', env.GUARD_MAX_REMOVAL_SHARE, 0.5, 1),
    confirmFetches: whole('GUARD_CONFIRM_FETCHES', env.GUARD_CONFIRM_FETCHES, 3, 1),
    confirmMinutes: whole('GUARD_CONFIRM_MINUTES', env.GUARD_CONFIRM_MINUTES, 30, 0),
    maxBodyBytes: positive('GUARD_MAX_BODY_BYTES', env.GUARD_MAX_BODY_BYTES, 8 * 1024 * 1024),
    fetchTimeoutMs: positive('FETCH_TIMEOUT_MS', env.FETCH_TIMEOUT_MS, 20_000),
    allowPrivateTargets: text(env.ALLOW_PRIVATE_WEBHOOK_TARGETS)?.toLowerCase() === 'true',
    githubApiUrl: (text(env.GITHUB_API_URL) ?? 'https://api.github.com').replace(/\/+$/, ''),
    publicUrl: text(env.PUBLIC_URL)?.replace(/\/+$/, ''),
    adminToken: text(env.ADMIN_TOKEN),
    githubToken: text(env.GITHUB_TOKEN),
  }
}
