/**
 * @module `allowlist-sync sync`: the Action's plan run locally: the config and target files read
 * from the working tree, feeds fetched and guarded the same way, and the files it would write
 * printed (or, with `--write`, written).
 */
import { constants, lstatSync } from 'node:fs'
import { lstat, mkdir, open, readdir } from 'node:fs/promises'
import path from 'node:path'
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  parseConfig,
  type RepoEntryKind,
  type RepoFiles,
} from '../../config.ts'
import { getFeedState, lockCursor, parseLock, type FeedState } from '../../feed-state.ts'
import { PlanError, planFiles, type FileReader, type PlannedFile } from '../../plan.ts'
import {
  checkPolicies,
  loadPolicies,
  policyFeeds,
  violations,
  type PolicyResult,
} from '../../policy-check.ts'
import { heldNotice } from '../held-notice.ts'
import { EXIT, InputError, parseCommandArgs, readInputFile, UsageError, type CliIo } from '../io.ts'
import { errorMessage } from '../../../../shared/src/index.ts'

const HELP = `allowlist-sync sync: run the Action's plan locally

Usage: allowlist-sync sync [--config FILE] [--dry-run | --write] [options]

Reads the config and the target files from the working tree (paths relative to --root), fetches
the feeds with the same guards as the Action (a worker with --source, else upstream; honours
UPSTREAM_MIRROR), renders every target, and prints each file it would write. Nothing is written
unless --write is given.

Options:
  --config FILE               the config (default ${DEFAULT_CONFIG_PATH})
  --root DIR                  the repository root target paths are relative to (default .)
  --dry-run                   print the files it would write (the default)
  --write                     write the changed files
  --source URL                a worker's base URL (overrides the config's source); a feed
                              it has not checked for 6 hours, does not sync, or whose
                              upstream it has refused for as long is a warning on stderr
  --max-removal-percent N     refuse a feed update removing more than N% (default 50)
  --allow-mass-removal        make held updates (beyond --max-removal-percent, or a family
                              more than doubled) plain changes, without the 'held:' notice
  --force                     overwrite managed blocks that were edited by hand
  --allow-workflow-files      let targets lie under .github/workflows/
  --json                      print a JSON report instead
  -h, --help                  this help

Exit codes: 0 nothing refused and no policy violation, 1 a feed was refused or a policy
violated, 2 a usage error, an unreadable config, or a target file that cannot take its block
(no markers in a non-empty file, misplaced markers, a block edited by hand without --force):
then nothing is written.

Examples:
  allowlist-sync sync --config .github/allowlist-sync.yml --dry-run
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync sync --json
  allowlist-sync sync --write && git diff
`

/** Repository-relative paths of the working tree's files (without .git and node_modules). */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((p) => !/(^|\/)(\.git|node_modules)\//.test(p))
}

/** The working tree as the config checks see it: links are links, never followed. */
function workingTree(root: string, paths: readonly string[]): RepoFiles {
  const kind = (p: string): RepoEntryKind | undefined => {
    try {
      const st = lstatSync(path.join(root, p))
      return st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : undefined
    } catch {
      return undefined
    }
  }
  return { kind, paths }
}

/**
 * Writes `content` to `root/p` without following a symbolic link anywhere on the way: a link in
 * a parent folder is refused, and the file itself is opened with O_NOFOLLOW (a link put there
 * after the config was checked fails with ELOOP instead of being written through).
 */
async function writeInside(root: string, p: string, content: string): Promise<void> {
  let dir = root
  for (const part of p.split('/').slice(0, -1)) {
    dir = path.join(dir, part)
    const st = await lstat(dir).catch(() => undefined)
    if (st?.isSymbolicLink())
      throw new InputError([
        `${p}: '${path.relative(root, dir)}' is a symbolic link; not writing through it`,
      ])
    if (!st) await mkdir(dir)
  }
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW
  let file
  try {
    file = await open(path.join(root, p), flags, 0o644)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === 'ELOOP') throw new InputError([`${p}: is a symbolic link; not writing through it`])
    throw cause
  }
  try {
    await file.writeFile(content)
  } finally {
    await file.close()
  }
}

const OPTIONS = {
  config: { type: 'string', default: DEFAULT_CONFIG_PATH },
  root: { type: 'string', default: '.' },
  'dry-run': { type: 'boolean', default: false },
  write: { type: 'boolean', default: false },
  source: { type: 'string' },
  'max-removal-percent': { type: 'string', default: '50' },
  'allow-mass-removal': { type: 'boolean', default: false },
  'allow-workflow-files': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const

/** The config, checked against the working tree's files (which are returned too). */
async function readLocalConfig(io: CliIo, file: string, root: string, allowWorkflowFiles: boolean) {
  const text = await readInputFile(io, file)
  const treeFiles = await listFiles(root)
  try {
    const config = parseConfig(text, file, {
      files: workingTree(root, treeFiles),
      allowWorkflowFiles,
    })
    return { config, treeFiles }
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError([...error.lines], { cause: error })
    throw error
  }
}

/** The lock's snapshots and worker cursor; an unreadable lock is an input error here. */
function readLocalLock(lockText: string | undefined, path: string, io: CliIo) {
  try {
    return {
      previous: parseLock(lockText, new Date(io.now()).toISOString()),
      cursor: lockCursor(lockText),
    }
  } catch (cause) {
    throw new InputError([`${path}: ${errorMessage(cause)}`])
  }
}

interface LocalPlan {
  readonly state: FeedState
  readonly files: readonly PlannedFile[]
  readonly changed: ReadonlyMap<string, string>
  readonly policy: PolicyResult | undefined
  readonly written: boolean
}

function printJson(io: CliIo, p: LocalPlan): void {
  const report = {
    source: p.state.origin,
    written: p.written,
    files: p.files.map((f) => ({
      path: f.path,
      changed: f.changed,
      skipped: f.skipped ?? null,
      content: f.changed ? f.content : null,
    })),
    changes: [...p.state.changes.values()].map((c) => ({
      feed: c.feed,
      version: c.version,
      previousVersion: c.previousVersion,
      added: c.added.ipv4.length + c.added.ipv6.length,
      removed: c.removed.ipv4.length + c.removed.ipv6.length,
    })),
    refusals: p.state.refusals,
    warnings: p.state.warnings,
    held: p.state.held.map((h) => ({ feed: h.feed, guard: h.guard, reason: h.reason })),
    policy: p.policy ? { findings: p.policy.findings, errors: p.policy.errors } : null,
  }
  io.stdout(`${JSON.stringify(report, null, 2)}\n`)
}

function printText(io: CliIo, p: LocalPlan, failed: number): void {
  for (const r of p.state.refusals) io.stderr(`refused: ${r.feed}: ${r.guard}: ${r.reason}\n`)
  for (const w of p.state.warnings) io.stderr(`warning: ${w}\n`)
  for (const h of p.state.held) io.stderr(heldNotice(h))
  for (const f of p.files) {
    if (f.skipped) io.stderr(`${f.path}: ${f.skipped}\n`)
    else if (f.changed)
      io.stdout(
        `--- ${p.written ? 'wrote' : 'would write'} ${f.path} (${Buffer.byteLength(f.content!)} bytes)\n${f.content!}${f.content!.endsWith('\n') ? '' : '\n'}`,
      )
  }
  for (const e of p.policy?.errors ?? []) io.stderr(`policy: ${e}\n`)
  for (const f of p.policy?.findings ?? [])
    io.stderr(
      `${f.file ?? '-'}:${f.line ?? 0}: ${f.severity} [${f.policy}/${f.rule}] ${f.message}\n`,
    )
  io.stdout(
    `${p.changed.size} of ${p.files.length} files ${p.written ? 'written' : 'would change'}; ${p.state.refusals.length} feeds refused; ${failed} policy violations\n`,
  )
}

/** Runs `sync`; see HELP. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (!parsed) return EXIT.ok
  const o = parsed.values
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]!}'`)
  if (o.write && o['dry-run']) throw new UsageError('--write and --dry-run exclude each other')
  const pct = Number(o['max-removal-percent'])
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw new UsageError(`--max-removal-percent '${o['max-removal-percent']}' is not 0-100`)

  const { config, treeFiles } = await readLocalConfig(
    io,
    o.config,
    o.root,
    o['allow-workflow-files'],
  )
  const read = (p: string) => io.readText(path.join(o.root, p)).catch(() => undefined)
  const reader: FileReader = { read, same: async (p, content) => (await read(p)) === content }
  const { loaded, errors } = await loadPolicies(config.policies, read)
  const { previous, cursor } = readLocalLock(await read(config.lock), config.lock, io)
  const ids = [...new Set([...config.targets.flatMap((t) => t.feeds), ...policyFeeds(loaded)])]
  const state = await getFeedState(ids, {
    userFeeds: config.userFeeds,
    source: o.source ?? config.source ?? '',
    fetch: io.fetch,
    now: io.now,
    ...(io.env.UPSTREAM_MIRROR ? { mirror: io.env.UPSTREAM_MIRROR } : {}),
    ...(io.env.GITHUB_TOKEN ? { githubToken: io.env.GITHUB_TOKEN } : {}),
    maxRemovalPercent: pct,
    allowMassRemoval: o['allow-mass-removal'],
    previous,
    ...(cursor ? { cursor } : {}),
  })
  // A target that cannot take its block is the input's fault (exit 2), not a crash.
  const files = await planFiles(config, state, reader, { force: o.force }).catch(
    (error: unknown) => {
      throw error instanceof PlanError ? new InputError([...error.lines], { cause: error }) : error
    },
  )
  const changed = new Map(
    files.filter((f) => f.changed && f.content !== undefined).map((f) => [f.path, f.content!]),
  )
  const policy =
    loaded.length + errors.length > 0
      ? await checkPolicies(
          loaded,
          errors,
          [...new Set([...treeFiles, ...files.map((f) => f.path)])],
          (p) => (changed.has(p) ? Promise.resolve(changed.get(p)) : read(p)),
          state.snapshots,
        )
      : undefined
  const failed = violations(policy)
  if (o.write) for (const [p, content] of changed) await writeInside(o.root, p, content)
  const plan = { state, files, changed, policy, written: o.write }
  if (o.json) printJson(io, plan)
  else printText(io, plan, failed)
  return state.refusals.length > 0 || failed > 0 ? EXIT.refused : EXIT.ok
}
