/**
 * @module The plan: each target rendered from its feeds' accepted snapshots into its file's new
 * content (line-oriented formats spliced into their managed block, the others owning the file),
 * plus the lock file. Shared by the Action (files read through the API) and `allowlist-sync sync`
 * (files read from the working tree). A target file that cannot take its block (no markers,
 * misplaced markers, hand edits) stops the whole plan before anything is written.
 */
import { createHash } from 'node:crypto'
import {
  errorMessage,
  formatInfo,
  IpSet,
  RenderError,
  renderFormat,
  spliceManagedBlock,
  type FeedRef,
} from '../../shared/src/index.ts'
import type { SyncConfig, Target } from './config.ts'
import { formatLock, type FeedState } from './feed-state.ts'

/** Reads the files the plan starts from (the base branch, or the working tree). */
export interface FileReader {
  /** The file's content, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>
  /** Whether the file exists with exactly this content (may avoid reading it). */
  same(path: string, content: string): Promise<boolean>
}

/** One file of the plan. */
export interface PlannedFile {
  readonly path: string
  /** The new content; undefined when the target was skipped (see `skipped`). */
  readonly content: string | undefined
  /** Whether the content differs from the file as it is. */
  readonly changed: boolean
  /** Why the target was left as it is (a feed refused with no accepted snapshot, a render error). */
  readonly skipped?: string
  /** The feeds it renders (empty for the lock file). */
  readonly feeds: readonly string[]
}

/** How to plan. */
export interface PlanOptions {
  /** Overwrite managed blocks edited by hand (the Action's `overwrite-hand-edits`). */
  readonly force?: boolean
}

/**
 * Target files that cannot take their block: `lines` are `PATH:LINE: reason` (or `PATH: reason`
 * followed by the marker lines to place). Thrown by planFiles before anything is written.
 */
export class PlanError extends Error {
  readonly lines: readonly string[]
  constructor(lines: readonly string[]) {
    super(lines.join('\n'))
    this.name = 'PlanError'
    this.lines = lines
  }
}

/** The refusal of one target file as PlanError lines, or undefined for other errors. */
function fileProblem(path: string, error: unknown): string[] | undefined {
  if (!(error instanceof RenderError)) return undefined
  if (error.line === undefined && error.code !== 'ERR_RENDER_NO_BLOCK') return undefined
  const [first = '', ...rest] = error.message.replace(/^line \d+: /, '').split('\n')
  return [`${path}${error.line === undefined ? '' : `:${error.line}`}: ${first}`, ...rest]
}

/** The git blob id of a UTF-8 text (what a tree listing holds). */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8')
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex')
}

async function planTarget(
  target: Target,
  state: FeedState,
  reader: FileReader,
  options: PlanOptions,
): Promise<PlannedFile & { readonly problem?: readonly string[] }> {
  const base = { path: target.path, feeds: target.feeds }
  const missing = target.feeds.filter((id) => !state.snapshots.has(id))
  if (missing.length > 0) {
    const why = missing
      .map((id) => state.refusals.find((r) => r.feed === id))
      .map((r, i) => (r ? `${r.feed} refused (${r.guard})` : `${missing[i]!} has no snapshot`))
    return {
      ...base,
      content: undefined,
      changed: false,
      skipped: `left as it is: ${why.join('; ')}`,
    }
  }
  let ipv4 = IpSet.empty(4)
  let ipv6 = IpSet.empty(6)
  const refs: FeedRef[] = []
  for (const id of target.feeds) {
    const s = state.snapshots.get(id)!
    ipv4 = ipv4.union(IpSet.fromCidrs(4, s.ipv4))
    ipv6 = ipv6.union(IpSet.fromCidrs(6, s.ipv6))
    refs.push({
      id,
      version: String(s.version),
      sha256: s.sha256,
      source: s.source,
      ...(s.upstreamVersion === undefined ? {} : { upstreamVersion: s.upstreamVersion }),
    })
  }
  const lineOriented = formatInfo(target.format).lineOriented
  const existing = lineOriented ? await reader.read(target.path) : undefined
  let content: string
  try {
    const rendered = renderFormat(
      target.format,
      { feeds: refs, ipv4: ipv4.toCidrs(), ipv6: ipv6.toCidrs() },
      {
        ports: target.ports,
        ...(target.name === undefined ? {} : { name: target.name }),
        ...(target.comment === undefined ? {} : { comment: target.comment }),
        ...(target.ipStrategy === undefined ? {} : { ipStrategy: target.ipStrategy }),
        ...(target.limits === undefined ? {} : { limits: target.limits }),
        ...(existing === undefined ? {} : { previous: existing }),
        ...(target.table === undefined ? {} : { table: target.table }),
        ...(target.exemptLoopback === undefined ? {} : { exemptLoopback: target.exemptLoopback }),
        ...(target.exemptPrivate === undefined ? {} : { exemptPrivate: target.exemptPrivate }),
      },
    )
    if (lineOriented) {
      content = spliceManagedBlock(existing ?? '', rendered, {
        format: target.format,
        force: options.force === true,
      })
      return { ...base, content, changed: existing !== content }
    }
    content = rendered
  } catch (cause) {
    const problem = fileProblem(target.path, cause)
    if (problem !== undefined) return { ...base, content: undefined, changed: false, problem }
    return {
      ...base,
      content: undefined,
      changed: false,
      skipped: `left as it is: ${errorMessage(cause)}`,
    }
  }
  return { ...base, content, changed: !(await reader.same(target.path, content)) }
}

/**
 * Plans every target and the lock file, in config order (lock last). Throws PlanError, listing
 * every target file that cannot take its block (no markers in a non-empty file, markers where the
 * format cannot work, a block edited by hand without options.force), so nothing is written.
 */
export async function planFiles(
  config: SyncConfig,
  state: FeedState,
  reader: FileReader,
  options: PlanOptions = {},
): Promise<PlannedFile[]> {
  const planned = await Promise.all(
    config.targets.map((t) => planTarget(t, state, reader, options)),
  )
  const problems = planned.flatMap((f) => f.problem ?? [])
  if (problems.length > 0) throw new PlanError(problems)
  const files: PlannedFile[] = planned
  const lock = formatLock(state.snapshots, state.cursor)
  files.push({
    path: config.lock,
    content: lock,
    changed: !(await reader.same(config.lock, lock)),
    feeds: [],
  })
  return files
}
