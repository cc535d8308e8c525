/**
 * @module The worker's configuration, read from its vars and secrets (wrangler.toml `[vars]`,
 * `wrangler secret put`, `.dev.vars`), validated all at once, with defaults. A bad value is a
 * {@link ConfigError} naming every bad var and its value; it is cached per env object, so each
 * isolate validates once.
 */

import { secretsKeyProblem } from './secrets/secrets-key-problem.ts'

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
  /** `WEBHOOK_EXTRA_PORTS`: ports besides 443 that public webhook targets may use (80, 8443). */
  readonly webhookExtraPorts: readonly number[]
  /** `GITHUB_API_URL` without a trailing slash. */
  readonly githubApiUrl: string
  /** `PUBLIC_URL` without a trailing slash, or undefined (then taken from each request). */
  readonly publicUrl: string | undefined
  /** `CHECK_RETENTION_DAYS`: checks older than this are pruned (the last 100 per feed stay). */
  readonly checkRetentionDays: number
  /** `READ_CACHE_TTL_SECONDS`: how long a cached "current version" pointer is trusted. */
  readonly readCacheTtlSeconds: number
  /** `DEV_COUNTERS` is "true": count D1 queries and serve them at /__dev/counters (npm start). */
  readonly devCounters: boolean
  /** `ADMIN_TOKEN`, or undefined when unset or empty (the admin API then answers 503). */
  readonly adminToken: string | undefined
  /** `GITHUB_TOKEN` for upstream fetches of api.github.com, or undefined. */
  readonly githubToken: string | undefined
  /** `SECRETS_KEY` (validated: base64 keys of 32 bytes, current first), or undefined. */
  readonly secretsKey: string | undefined
}

/**
 * The env fields the config reads, as plain strings (tests and `.dev.vars` override them).
 * `GITHUB_TOKEN` is an optional secret, so `wrangler types` does not declare it.
 */
export type ConfigEnv = {
  readonly [K in keyof Env]?: Env[K] extends string ? string : Env[K]
} & { readonly GITHUB_TOKEN?: string }

/** One bad var. `value` is what was set (secrets: only their length). */
export interface ConfigProblem {
  readonly name: string
  readonly value: string
  readonly message: string
}

/** Thrown by {@link readConfig} when any var is bad; lists every bad var. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG'
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `bad configuration: ${problems.map((p) => `${p.name}=${JSON.stringify(p.value)}: ${p.message}`).join('; ')}`,
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Longest value quoted back in a problem. */
const MAX_QUOTED = 200

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/** Collects problems while reading; each reader returns a usable fallback after a problem. */
class Reader {
  readonly problems: ConfigProblem[] = []
  private readonly env: ConfigEnv

  constructor(env: ConfigEnv) {
    this.env = env
  }

  raw(name: keyof ConfigEnv): string | undefined {
    const value = this.env[name]
    return typeof value === 'string' ? text(value) : undefined
  }

  fail(name: string, value: string, message: string): void {
    const quoted = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value
    this.problems.push({ name, value: quoted, message })
  }

  number(
    name: keyof ConfigEnv,
    fallback: number,
    { max = Infinity, integer = false }: { max?: number; integer?: boolean } = {},
  ): number {
    const raw = this.raw(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
      this.fail(name, raw, `must be ${integer ? 'an integer' : 'a number'} in (0, ${max}]`)
      return fallback
    }
    return n
  }

  whole(name: keyof ConfigEnv, fallback: number, min: number): number {
    const raw = this.raw(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < min) {
      this.fail(name, raw, `must be a whole number ≥ ${min}`)
      return fallback
    }
    return n
  }

  boolean(name: keyof ConfigEnv): boolean {
    const raw = this.raw(name)?.toLowerCase()
    if (raw === undefined || raw === 'false') return false
    if (raw === 'true') return true
    this.fail(name, this.raw(name)!, 'must be "true" or "false"')
    return false
  }

  url(name: keyof ConfigEnv): string | undefined {
    const raw = this.raw(name)
    if (raw === undefined) return undefined
    let parsed: URL
    try {
      parsed = new URL(raw)
    } catch {
      this.fail(name, raw, 'must be an absolute http(s) URL')
      return undefined
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      this.fail(name, raw, 'must be an absolute http(s) URL')
    } else if (parsed.username !== '' || parsed.password !== '') {
      this.fail(name, raw, 'must not carry credentials')
    } else if (parsed.search !== '' || parsed.hash !== '') {
      this.fail(name, raw, 'must not have a query or fragment')
    } else {
      return raw.replace(/\/+$/, '')
    }
    return undefined
  }
}

/** Ports a public webhook target may use besides 443, when the operator opts in. */
const OPTIONAL_WEBHOOK_PORTS = [80, 8443]

function readPorts(r: Reader): number[] {
  const raw = r.raw('WEBHOOK_EXTRA_PORTS')
  if (raw === undefined) return []
  const ports = raw.split(',').map((p) => p.trim())
  if (ports.some((p) => !OPTIONAL_WEBHOOK_PORTS.includes(Number(p)) || !/^\d+$/.test(p))) {
    r.fail('WEBHOOK_EXTRA_PORTS', raw, 'may list only 80 and 8443, comma-separated')
    return []
  }
  return [...new Set(ports.map(Number))]
}

function readSecretsKey(r: Reader): string | undefined {
  const raw = r.raw('SECRETS_KEY')
  if (raw === undefined) return undefined
  const problem = secretsKeyProblem(raw)
  if (problem === undefined) return raw
  // Never quote a secret: only its shape.
  r.fail('SECRETS_KEY', `(${raw.length} characters, not shown)`, `${problem}; see worker/README.md`)
  return undefined
}

/** Shortest ADMIN_TOKEN accepted: a guessable token opens the subscription API. */
export const MIN_ADMIN_TOKEN_LENGTH = 16

function readAdminToken(r: Reader): string | undefined {
  const raw = r.raw('ADMIN_TOKEN')
  if (raw === undefined || raw.length >= MIN_ADMIN_TOKEN_LENGTH) return raw
  r.fail(
    'ADMIN_TOKEN',
    `(${raw.length} characters, not shown)`,
    `use at least ${MIN_ADMIN_TOKEN_LENGTH} characters, e.g. \`openssl rand -base64 32\``,
  )
  return undefined
}

function readEnabledFeeds(r: Reader): string[] | undefined {
  const feeds = r.raw('ENABLED_FEEDS')
  if (feeds === undefined || feeds === '*') return undefined
  return feeds
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
}

function build(env: ConfigEnv): Config {
  const r = new Reader(env)
  const config: Config = {
    upstreamMirror: r.url('UPSTREAM_MIRROR'),
    enabledFeeds: readEnabledFeeds(r),
    maxRemovalShare: r.number('GUARD_MAX_REMOVAL_SHARE', 0.5, { max: 1 }),
    confirmFetches: r.whole('GUARD_CONFIRM_FETCHES', 3, 1),
    confirmMinutes: r.whole('GUARD_CONFIRM_MINUTES', 30, 0),
    maxBodyBytes: r.number('GUARD_MAX_BODY_BYTES', 8 * 1024 * 1024, { integer: true }),
    fetchTimeoutMs: r.number('FETCH_TIMEOUT_MS', 20_000, { max: 600_000, integer: true }),
    allowPrivateTargets: r.boolean('ALLOW_PRIVATE_WEBHOOK_TARGETS'),
    webhookExtraPorts: readPorts(r),
    githubApiUrl: r.url('GITHUB_API_URL') ?? 'https://api.github.com',
    publicUrl: r.url('PUBLIC_URL'),
    checkRetentionDays: r.number('CHECK_RETENTION_DAYS', 30, { max: 3650, integer: true }),
    readCacheTtlSeconds: r.number('READ_CACHE_TTL_SECONDS', 60, { max: 3600, integer: true }),
    devCounters: r.boolean('DEV_COUNTERS'),
    adminToken: readAdminToken(r),
    githubToken: r.raw('GITHUB_TOKEN'),
    secretsKey: readSecretsKey(r),
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems)
  return config
}

const cache = new WeakMap<object, Config | ConfigError>()

/**
 * Reads and validates the config; throws a {@link ConfigError} naming every bad var. The result
 * (or the error) is cached per env object: workerd passes the same env to every request of an
 * isolate.
 */
export function readConfig(env: ConfigEnv): Config {
  let entry = cache.get(env)
  if (entry === undefined) {
    try {
      entry = build(env)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      entry = error
    }
    cache.set(env, entry)
  }
  if (entry instanceof ConfigError) throw entry
  return entry
}
