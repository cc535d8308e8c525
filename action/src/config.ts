/**
 * @module The config file (YAML, `.github/allowlist-sync.yml` by default): parsed with `yaml`,
 * validated against action/allowlist-sync.schema.json (the schema editors complete from), and
 * errors reported as `FILE:LINE:COLUMN: reason`.
 */
import { Ajv, type ErrorObject } from 'ajv'
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml'
import {
  defineUserFeed,
  findFeed,
  isFormatId,
  parsePort,
  type FeedDefinition,
  type FormatId,
  type PortSpec,
  type UserParserSpec,
} from '../../shared/src/index.ts'
import schema from '../allowlist-sync.schema.json' with { type: 'json' }

/** The default config path. */
export const DEFAULT_CONFIG_PATH = '.github/allowlist-sync.yml'
/** The default lock path (last accepted snapshot per feed). */
export const DEFAULT_LOCK_PATH = '.github/allowlist-sync.lock.json'

/** One file to keep true to its feeds. */
export interface Target {
  readonly path: string
  readonly format: FormatId
  readonly feeds: readonly string[]
  readonly ports: readonly PortSpec[]
  readonly name?: string
  readonly comment?: string
}

/** One policy check: a preset or a policy file, over configs matched by globs. */
export interface PolicyCheck {
  readonly preset?: string
  readonly file?: string
  readonly configs: readonly string[]
  /** Interface roles (`eth1: internal`) over the policy file's and the defaults. */
  readonly interfaces?: Readonly<Record<string, 'public' | 'internal'>>
}

/** Pull-request settings from the config file (the Action's inputs override them). */
export interface PullRequestConfig {
  readonly branch?: string
  readonly title?: string
  readonly commitMessage?: string
  readonly labels?: readonly string[]
  readonly reviewers?: readonly string[]
  readonly teamReviewers?: readonly string[]
  readonly assignees?: readonly string[]
  readonly draft?: boolean
}

/** A validated config. */
export interface SyncConfig {
  readonly source?: string
  readonly lock: string
  readonly userFeeds: readonly FeedDefinition[]
  readonly targets: readonly Target[]
  readonly policies: readonly PolicyCheck[]
  readonly pullRequest: PullRequestConfig
}

/** A config that cannot be used; `lines` are `FILE:LINE:COLUMN: reason`. */
export class ConfigError extends Error {
  readonly lines: readonly string[]
  constructor(lines: readonly string[], options?: ErrorOptions) {
    super(lines.join('\n'), options)
    this.name = 'ConfigError'
    this.lines = lines
  }
}

interface RawConfig {
  version: 1
  source?: string
  lock?: string
  feeds?: {
    id: string
    url: string
    parser: 'lines' | 'json' | 'csv'
    path?: string
    column?: string | number
    family?: 4 | 6
    title?: string
  }[]
  targets: {
    path: string
    format: string
    feeds: string[]
    ports?: string[]
    name?: string
    comment?: string
  }[]
  policies?: {
    preset?: string
    file?: string
    configs: string[]
    interfaces?: Record<string, 'public' | 'internal'>
  }[]
  'pull-request'?: {
    branch?: string
    title?: string
    'commit-message'?: string
    labels?: string[]
    reviewers?: string[]
    'team-reviewers'?: string[]
    assignees?: string[]
    draft?: boolean
  }
}

let validator: ReturnType<Ajv['compile']> | undefined

function describe(e: ErrorObject): string {
  const at =
    e.instancePath === '' ? 'the config' : `'${e.instancePath.slice(1).replaceAll('/', '.')}'`
  switch (e.keyword) {
    case 'required':
      return `${at}: missing '${String(e.params.missingProperty)}'`
    case 'additionalProperties':
      return `${at}: unknown key '${String(e.params.additionalProperty)}'`
    case 'enum':
      return `${at}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'const':
      return `${at}: must be ${JSON.stringify(e.params.allowedValue)}`
    default:
      return `${at}: ${e.message ?? 'is invalid'}`
  }
}

/**
 * Parses and validates a config. Throws ConfigError with one `FILE:LINE:COLUMN: reason` line per
 * problem: YAML syntax, schema violations (positioned at the offending key or value), unknown
 * feed ids, unknown formats, bad ports, duplicate target paths, bad user feeds.
 */
export function parseConfig(text: string, file: string): SyncConfig {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  const pos = (offset: number) => {
    const p = counter.linePos(offset)
    return `${file}:${p.line}:${p.col}`
  }
  if (doc.errors.length > 0)
    throw new ConfigError(doc.errors.map((e) => `${pos(e.pos[0])}: ${e.message.split('\n')[0]!}`))
  const at = (path: readonly (string | number)[]): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) return pos(node.range[0])
    }
    return `${file}:1:1`
  }
  const keyAt = (path: readonly (string | number)[], key: string): string => {
    const map = path.length === 0 ? doc.contents : doc.getIn(path, true)
    if (isMap(map))
      for (const pair of map.items)
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range)
          return pos(pair.key.range[0])
    return at(path)
  }
  const raw: unknown = doc.toJS()
  // The schema is checked against the meta-schema by the tests; skipping it here saves start-up.
  validator ??= new Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    code: { optimize: false },
  }).compile(schema)
  if (!validator(raw)) {
    const errors = validator.errors ?? []
    const seen = new Set<string>()
    const lines: string[] = []
    for (const e of errors) {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      const line = `${e.keyword === 'additionalProperties' ? keyAt(path, String(e.params.additionalProperty)) : at(path)}: ${describe(e)}`
      if (!seen.has(line)) lines.push(line)
      seen.add(line)
    }
    throw new ConfigError(lines)
  }
  const cfg = raw as RawConfig
  const problems: string[] = []
  const userFeeds: FeedDefinition[] = []
  for (const [i, f] of (cfg.feeds ?? []).entries()) {
    const parser: UserParserSpec | undefined =
      f.parser === 'lines'
        ? { kind: 'lines', ...(f.family ? { family: f.family } : {}) }
        : f.parser === 'json'
          ? f.path === undefined
            ? undefined
            : { kind: 'json', path: f.path }
          : f.column === undefined
            ? undefined
            : { kind: 'csv', column: f.column, ...(f.family ? { family: f.family } : {}) }
    if (!parser) {
      problems.push(
        `${at(['feeds', i])}: feed '${f.id}': the ${f.parser} parser needs '${f.parser === 'json' ? 'path' : 'column'}'`,
      )
      continue
    }
    try {
      userFeeds.push(
        defineUserFeed({ id: f.id, url: f.url, parser, ...(f.title ? { title: f.title } : {}) }),
      )
    } catch (cause) {
      problems.push(
        `${at(['feeds', i])}: ${cause instanceof Error ? cause.message : String(cause)}`,
      )
    }
  }
  const targets: Target[] = []
  const paths = new Map<string, number>()
  for (const [i, t] of cfg.targets.entries()) {
    if (paths.has(t.path))
      problems.push(
        `${at(['targets', i, 'path'])}: '${t.path}' is already target ${paths.get(t.path)! + 1}`,
      )
    paths.set(t.path, i)
    if (!isFormatId(t.format))
      problems.push(`${at(['targets', i, 'format'])}: unknown format '${t.format}'`)
    for (const [j, id] of t.feeds.entries())
      if (!findFeed(id, userFeeds))
        problems.push(
          `${at(['targets', i, 'feeds', j])}: unknown feed '${id}' (see 'allowlist-sync feeds')`,
        )
    const ports: PortSpec[] = []
    for (const [j, p] of (t.ports ?? []).entries()) {
      try {
        ports.push(parsePort(p))
      } catch (cause) {
        problems.push(
          `${at(['targets', i, 'ports', j])}: ${cause instanceof Error ? cause.message : String(cause)}`,
        )
      }
    }
    targets.push({
      path: t.path,
      format: t.format as FormatId,
      feeds: t.feeds,
      ports,
      ...(t.name === undefined ? {} : { name: t.name }),
      ...(t.comment === undefined ? {} : { comment: t.comment }),
    })
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const pr = cfg['pull-request'] ?? {}
  return {
    ...(cfg.source === undefined ? {} : { source: cfg.source }),
    lock: cfg.lock ?? DEFAULT_LOCK_PATH,
    userFeeds,
    targets,
    policies: (cfg.policies ?? []).map((p) => ({ ...p })),
    pullRequest: {
      branch: pr.branch,
      title: pr.title,
      commitMessage: pr['commit-message'],
      labels: pr.labels,
      reviewers: pr.reviewers,
      teamReviewers: pr['team-reviewers'],
      assignees: pr.assignees,
      draft: pr.draft,
    },
  }
}
