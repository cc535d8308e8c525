/**
 * @module The config file (YAML, `.github/allowlist-sync.yml` by default): parsed with `yaml`,
 * validated against the config schema (config-schema.ts), every name in it (format, preset, feed
 * id, policy file) checked against what exists, every path against what may be written, and
 * errors reported as `FILE:LINE:COLUMN: reason`, with the closest valid name for a misspelt one.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import {
  BUILTIN_FEEDS,
  defineUserFeed,
  findFeed,
  FORMAT_IDS,
  parsePort,
  PRESET_IDS,
  type FeedDefinition,
  type FormatId,
  type PortSpec,
  type RenderLimits,
  type TraefikIpStrategy,
  type UserParserSpec,
} from '../../shared/src/index.ts'
import { didYouMean } from './closest-name.ts'
import { globToRegExp } from './glob-to-reg-exp.ts'
import { configSchema, MAX_TARGETS } from './config-schema.ts'
import { parentFolders, repoPathProblem } from './repo-path.ts'

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
  /** Traefik formats behind another proxy. */
  readonly ipStrategy?: TraefikIpStrategy
  /** Platform limits raised with the provider. */
  readonly limits?: RenderLimits
  /** nftables without ports: the table holding the sets (RenderOptions.table). */
  readonly table?: string
  /** RenderOptions.exemptLoopback (`exempt-loopback`). */
  readonly exemptLoopback?: boolean
  /** RenderOptions.exemptPrivate (`exempt-private`). */
  readonly exemptPrivate?: boolean
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

/** What is at a path of the repository the config belongs to. */
export type RepoEntryKind = 'file' | 'link' | 'submodule'

/** The repository's files, for checks that need them (the Action: the base tree; the CLI: --root). */
export interface RepoFiles {
  kind(path: string): RepoEntryKind | undefined
  /** Every file path, for suggestions and for globs that match nothing. */
  readonly paths: readonly string[]
}

/** Options of {@link parseConfig}. */
export interface ConfigOptions {
  /** Let targets lie under `.github/workflows/` (the input `allow-workflow-files`). */
  readonly allowWorkflowFiles?: boolean
  /** Check policy files, links on target paths and policy globs against these files. */
  readonly files?: RepoFiles
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

interface RawFeed {
  id: string
  url: string
  parser: UserParserSpec['kind']
  path?: string
  column?: string | number
  address?: string[]
  where?: Record<string, string[]>
  family?: 4 | 6
  version?: string
  title?: string
  'allow-reserved'?: boolean
}

/** The keys each user parser kind needs beside `parser`. */
const PARSER_NEEDS: Readonly<Record<UserParserSpec['kind'], readonly (keyof RawFeed)[]>> = {
  lines: [],
  geofeed: [],
  prefixes: [],
  json: ['path'],
  csv: ['column'],
  records: ['path', 'address'],
}

/** A user feed's parser from its config keys (the schema checked their types). */
function userParserOf(f: RawFeed): UserParserSpec {
  const family = f.family ? { family: f.family } : {}
  const where = f.where ? { where: f.where } : {}
  switch (f.parser) {
    case 'lines':
    case 'geofeed':
      return { kind: f.parser, ...family }
    case 'json':
      return { kind: 'json', path: f.path! }
    case 'csv':
      return { kind: 'csv', column: f.column!, ...family }
    case 'records':
      return { kind: 'records', path: f.path!, address: f.address!, ...where }
    case 'prefixes':
      return { kind: 'prefixes', ...where }
  }
}

interface RawTarget {
  path: string
  format: string
  feeds: string[]
  ports?: string[]
  name?: string
  comment?: string
  'ip-strategy'?: { depth?: number; 'excluded-ips'?: string[] }
  limits?: RenderLimits
  table?: string
  'exempt-loopback'?: boolean
  'exempt-private'?: boolean
}

/** The config's `ip-strategy` as RenderOptions.ipStrategy (the renderer validates it). */
function ipStrategyOf(raw: RawTarget['ip-strategy']): { ipStrategy?: TraefikIpStrategy } {
  if (raw === undefined) return {}
  return {
    ipStrategy: {
      ...(raw.depth === undefined ? {} : { depth: raw.depth }),
      ...(raw['excluded-ips'] === undefined ? {} : { excludedIPs: raw['excluded-ips'] }),
    },
  }
}

interface RawConfig {
  version: 1
  source?: string
  lock?: string
  feeds?: RawFeed[]
  targets: RawTarget[]
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

type Path = readonly (string | number)[]

/** Positions of a parsed document's nodes as `FILE:LINE:COLUMN`. */
interface Positions {
  /** The value at `path` (or its nearest existing ancestor). */
  at(path: Path): string
  /** The key `key` of the map at `path`. */
  keyAt(path: Path, key: string): string
}

function positions(doc: Document, counter: LineCounter, file: string): Positions {
  const pos = (offset: number) => {
    const p = counter.linePos(offset)
    return `${file}:${p.line}:${p.col}`
  }
  const at = (path: Path): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) return pos(node.range[0])
    }
    return `${file}:1:1`
  }
  const keyAt = (path: Path, key: string): string => {
    const map = path.length === 0 ? doc.contents : doc.getIn(path, true)
    if (isMap(map))
      for (const pair of map.items)
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range)
          return pos(pair.key.range[0])
    return at(path)
  }
  return { at, keyAt }
}

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

let validator: ValidateFunction | undefined

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p]
  return v
}

function describe(e: ErrorObject, path: Path, raw: unknown): string {
  const at = path.length === 0 ? 'the config' : `'${path.join('.')}'`
  const last = path[path.length - 1]
  if (e.keyword === 'enum' && (last === 'format' || last === 'preset')) {
    const value = String(valueAt(raw, path))
    const list = last === 'format' ? FORMAT_IDS : PRESET_IDS
    const command = last === 'format' ? 'formats' : 'policies'
    return `${at}: unknown ${last} '${value}'${didYouMean(value, list)} (\`allowlist-sync ${command}\` lists them)`
  }
  switch (e.keyword) {
    case 'required':
      return `${at}: missing '${String(e.params.missingProperty)}'`
    case 'additionalProperties':
      return `${at}: unknown key '${String(e.params.additionalProperty)}'`
    case 'enum':
      return `${at}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'const':
      return `${at}: must be ${JSON.stringify(e.params.allowedValue)}`
    case 'maxItems':
      return last === 'targets'
        ? `${at}: ${(valueAt(raw, path) as unknown[]).length} targets; at most ${MAX_TARGETS} are allowed (one reviewable pull request; GitHub limits content-creating API calls to about 80 a minute)`
        : `${at}: ${e.message ?? 'has too many items'}`
    default:
      return `${at}: ${e.message ?? 'is invalid'}`
  }
}

function schemaErrors(raw: unknown, where: Positions): string[] {
  // The schema is checked against the meta-schema by the tests; skipping it here saves start-up.
  validator ??= new Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    code: { optimize: false },
  }).compile(configSchema())
  if (validator(raw)) return []
  const lines = new Set<string>()
  for (const e of validator.errors ?? []) {
    // A policy with a misspelt preset also fails `oneOf`; the enum error says it better.
    if (e.keyword === 'oneOf') continue
    const path = e.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
    const place =
      e.keyword === 'additionalProperties'
        ? where.keyAt(path, String(e.params.additionalProperty))
        : where.at(path)
    lines.add(`${place}: ${describe(e, path, raw)}`)
  }
  return [...lines]
}

function userFeedsOf(cfg: RawConfig, where: Positions, problems: string[]): FeedDefinition[] {
  const out: FeedDefinition[] = []
  for (const [i, f] of (cfg.feeds ?? []).entries()) {
    const missing = PARSER_NEEDS[f.parser].filter((key) => f[key] === undefined)
    if (missing.length > 0) {
      problems.push(
        `${where.at(['feeds', i])}: feed '${f.id}': the ${f.parser} parser needs ${missing.map((k) => `'${k}'`).join(' and ')}`,
      )
      continue
    }
    try {
      out.push(
        defineUserFeed({
          id: f.id,
          url: f.url,
          parser: userParserOf(f),
          ...(f.title ? { title: f.title } : {}),
          ...(f.version === undefined ? {} : { version: f.version }),
          ...(f['allow-reserved'] === true ? { allowReserved: true } : {}),
        }),
      )
    } catch (cause) {
      problems.push(`${where.at(['feeds', i])}: ${message(cause)}`)
    }
  }
  return out
}

/** Problems of a path the sync writes: its form, and links or submodules on the way to it. */
function writablePathProblem(path: string, o: ConfigOptions): string | undefined {
  const problem = repoPathProblem(path, o.allowWorkflowFiles)
  if (problem !== undefined || !o.files) return problem
  for (const p of [...parentFolders(path), path]) {
    const kind = o.files.kind(p)
    if (kind === 'link')
      return `${p === path ? 'is' : `lies in '${p}', which is`} a symbolic link in the repository; allowlist-sync writes regular files only, never through links`
    if (kind === 'submodule') return `${p === path ? 'is' : `lies in '${p}', which is`} a submodule`
  }
  return undefined
}

function targetsOf(
  cfg: RawConfig,
  feeds: readonly FeedDefinition[],
  where: Positions,
  o: ConfigOptions,
  problems: string[],
): Target[] {
  const known = [...BUILTIN_FEEDS.map((f) => f.id), ...feeds.map((f) => f.id)]
  const paths = new Map<string, number>()
  return cfg.targets.map((t, i): Target => {
    const pathProblem = writablePathProblem(t.path, o)
    if (pathProblem)
      problems.push(
        `${where.at(['targets', i, 'path'])}: 'targets.${i}.path': '${t.path}' ${pathProblem}`,
      )
    if (paths.has(t.path))
      problems.push(
        `${where.at(['targets', i, 'path'])}: '${t.path}' is already target ${paths.get(t.path)! + 1}`,
      )
    paths.set(t.path, i)
    for (const [j, id] of t.feeds.entries())
      if (!findFeed(id, feeds))
        problems.push(
          `${where.at(['targets', i, 'feeds', j])}: 'targets.${i}.feeds.${j}': unknown feed '${id}'${didYouMean(id, known)} (\`allowlist-sync feeds\` lists them)`,
        )
    const strategy = t['ip-strategy']
    if (strategy !== undefined && !t.format.startsWith('traefik'))
      problems.push(
        `${where.at(['targets', i, 'ip-strategy'])}: ip-strategy is for the Traefik formats`,
      )
    if (strategy?.depth !== undefined && strategy['excluded-ips'] !== undefined)
      problems.push(
        `${where.at(['targets', i, 'ip-strategy'])}: give depth or excluded-ips, not both (Traefik ignores excluded-ips when depth is set)`,
      )
    const ports: PortSpec[] = []
    for (const [j, p] of (t.ports ?? []).entries()) {
      try {
        ports.push(parsePort(p))
      } catch (cause) {
        problems.push(`${where.at(['targets', i, 'ports', j])}: ${message(cause)}`)
      }
    }
    return {
      path: t.path,
      format: t.format as FormatId,
      feeds: t.feeds,
      ports,
      ...(t.name === undefined ? {} : { name: t.name }),
      ...(t.comment === undefined ? {} : { comment: t.comment }),
      ...ipStrategyOf(t['ip-strategy']),
      ...(t.limits === undefined ? {} : { limits: t.limits }),
      ...(t.table === undefined ? {} : { table: t.table }),
      ...(t['exempt-loopback'] === undefined ? {} : { exemptLoopback: t['exempt-loopback'] }),
      ...(t['exempt-private'] === undefined ? {} : { exemptPrivate: t['exempt-private'] }),
    }
  })
}

function policiesOf(
  cfg: RawConfig,
  targets: readonly Target[],
  where: Positions,
  o: ConfigOptions,
  problems: string[],
): PolicyCheck[] {
  const files = o.files
  const written = [...targets.map((t) => t.path)]
  return (cfg.policies ?? []).map((p, i) => {
    if (files && p.file !== undefined && files.kind(p.file) !== 'file')
      problems.push(
        `${where.at(['policies', i, 'file'])}: 'policies.${i}.file': no file '${p.file}' in the repository${didYouMean(p.file, files.paths)}`,
      )
    if (files)
      for (const [j, glob] of p.configs.entries()) {
        const re = globToRegExp(glob)
        if (!files.paths.some((f) => re.test(f)) && !written.some((f) => re.test(f)))
          problems.push(
            `${where.at(['policies', i, 'configs', j])}: 'policies.${i}.configs.${j}': '${glob}' matches no file, so the policy would check nothing${didYouMean(glob, files.paths)}`,
          )
      }
    return { ...p }
  })
}

/**
 * Parses and validates a config. Throws ConfigError with one `FILE:LINE:COLUMN: reason` line per
 * problem: YAML syntax, schema violations (at the offending key or value), unknown formats,
 * presets and feed ids (with the closest valid one), bad ports, duplicate target paths, paths
 * that may not be written, more than {@link MAX_TARGETS} targets, bad user feeds; with
 * `options.files`, missing policy files, targets on links, and policy globs matching nothing.
 */
export function parseConfig(text: string, file: string, options: ConfigOptions = {}): SyncConfig {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0)
    throw new ConfigError(
      doc.errors.map((e) => {
        const p = counter.linePos(e.pos[0])
        return `${file}:${p.line}:${p.col}: ${e.message.split('\n')[0]!}`
      }),
    )
  const where = positions(doc, counter, file)
  const raw: unknown = doc.toJS()
  const invalid = schemaErrors(raw, where)
  if (invalid.length > 0) throw new ConfigError(invalid)
  const cfg = raw as RawConfig
  const problems: string[] = []
  const userFeeds = userFeedsOf(cfg, where, problems)
  const targets = targetsOf(cfg, userFeeds, where, options, problems)
  const lock = cfg.lock ?? DEFAULT_LOCK_PATH
  const lockProblem = writablePathProblem(lock, options)
  if (lockProblem) problems.push(`${where.at(['lock'])}: 'lock': '${lock}' ${lockProblem}`)
  if (targets.some((t) => t.path === lock))
    problems.push(`${where.at(['lock'])}: 'lock': '${lock}' is also a target`)
  const policies = policiesOf(cfg, targets, where, options, problems)
  if (problems.length > 0) throw new ConfigError(problems)
  const pr = cfg['pull-request'] ?? {}
  return {
    ...(cfg.source === undefined ? {} : { source: cfg.source }),
    lock,
    userFeeds,
    targets,
    policies,
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
