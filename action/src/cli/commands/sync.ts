/**
 * @module `allowlist-sync sync`: the Action's plan run locally: the config and target files read
 * from the working tree, feeds fetched and guarded the same way, and the files it would write
 * printed (or, with `--write`, written).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ConfigError, DEFAULT_CONFIG_PATH, parseConfig } from '../../config.ts'
import { getFeedState, lockCursor, parseLock } from '../../feed-state.ts'
import { planFiles, type FileReader } from '../../plan.ts'
import { checkPolicies, loadPolicies, policyFeeds } from '../../policy-check.ts'
import { ACTION_VERSION } from '../../sync.ts'
import { heldNotice } from '../held-notice.ts'
import {
  EXIT_OK,
  EXIT_REFUSED,
  InputError,
  parseCommandArgs,
  readInputFile,
  UsageError,
  type CliIo,
} from '../io.ts'

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
  --source URL                a worker's base URL (overrides the config's source)
  --max-removal-percent N     refuse a feed update removing more than N% (default 50)
  --allow-mass-removal        make held updates (beyond --max-removal-percent, or a family
                              more than doubled) plain changes, without the 'held:' notice
  --json                      print a JSON report instead
  -h, --help                  this help

Exit codes: 0 nothing refused and no policy violation, 1 a feed was refused or a policy
violated, 2 a usage error or an unreadable config.

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

/** Runs `sync`; see HELP. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      root: { type: 'string', default: '.' },
      'dry-run': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      source: { type: 'string' },
      'max-removal-percent': { type: 'string', default: '50' },
      'allow-mass-removal': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    HELP,
    io,
  )
  if (!parsed) return EXIT_OK
  const o = parsed.values
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]!}'`)
  if (o.write && o['dry-run']) throw new UsageError('--write and --dry-run exclude each other')
  const pct = Number(o['max-removal-percent'])
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw new UsageError(`--max-removal-percent '${o['max-removal-percent']}' is not 0-100`)

  const text = await readInputFile(io, o.config)
  let config
  try {
    config = parseConfig(text, o.config)
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError([...error.lines], { cause: error })
    throw error
  }
  const local = (p: string) => path.join(o.root, p)
  const read = (p: string) => io.readText(local(p)).catch(() => undefined)
  const reader: FileReader = { read, same: async (p, content) => (await read(p)) === content }
  const { loaded, errors } = await loadPolicies(config.policies, read)
  let previous
  const lockText = await read(config.lock)
  const cursor = lockCursor(lockText)
  try {
    previous = parseLock(lockText, new Date(io.now()).toISOString())
  } catch (cause) {
    throw new InputError([
      `${config.lock}: ${cause instanceof Error ? cause.message : String(cause)}`,
    ])
  }
  const ids = [...new Set([...config.targets.flatMap((t) => t.feeds), ...policyFeeds(loaded)])]
  const source = o.source ?? config.source ?? ''
  const state = await getFeedState(ids, {
    userFeeds: config.userFeeds,
    source,
    fetch: io.fetch,
    now: io.now,
    ...(io.env.UPSTREAM_MIRROR ? { mirror: io.env.UPSTREAM_MIRROR } : {}),
    ...(io.env.GITHUB_TOKEN ? { githubToken: io.env.GITHUB_TOKEN } : {}),
    maxRemovalPercent: pct,
    allowMassRemoval: o['allow-mass-removal'],
    previous,
    ...(cursor ? { cursor } : {}),
  })
  const files = await planFiles(config, state, reader)
  const changed = new Map(
    files.filter((f) => f.changed && f.content !== undefined).map((f) => [f.path, f.content!]),
  )
  const policy =
    loaded.length + errors.length > 0
      ? await checkPolicies(
          loaded,
          errors,
          [...new Set([...(await listFiles(o.root)), ...files.map((f) => f.path)])],
          (p) => (changed.has(p) ? Promise.resolve(changed.get(p)) : read(p)),
          state.snapshots,
          ACTION_VERSION,
        )
      : undefined
  const violations = policy?.findings.filter((f) => f.severity === 'error').length ?? 0

  if (o.write)
    for (const [p, content] of changed) {
      await mkdir(path.dirname(local(p)), { recursive: true })
      await writeFile(local(p), content)
    }

  if (o.json) {
    io.stdout(
      `${JSON.stringify(
        {
          source: state.origin,
          written: o.write,
          files: files.map((f) => ({
            path: f.path,
            changed: f.changed,
            skipped: f.skipped ?? null,
            content: f.changed ? f.content : null,
          })),
          changes: [...state.changes.values()].map((c) => ({
            feed: c.feed,
            version: c.version,
            previousVersion: c.previousVersion,
            added: c.added.ipv4.length + c.added.ipv6.length,
            removed: c.removed.ipv4.length + c.removed.ipv6.length,
          })),
          refusals: state.refusals,
          held: state.held.map((h) => ({ feed: h.feed, guard: h.guard, reason: h.reason })),
          policy: policy ? { findings: policy.findings, errors: policy.errors } : null,
        },
        null,
        2,
      )}\n`,
    )
  } else {
    for (const r of state.refusals) io.stderr(`refused: ${r.feed}: ${r.guard}: ${r.reason}\n`)
    for (const h of state.held) io.stderr(heldNotice(h))
    for (const f of files) {
      if (f.skipped) io.stderr(`${f.path}: ${f.skipped}\n`)
      else if (f.changed)
        io.stdout(
          `--- ${o.write ? 'wrote' : 'would write'} ${f.path} (${Buffer.byteLength(f.content!)} bytes)\n${f.content!}${f.content!.endsWith('\n') ? '' : '\n'}`,
        )
    }
    if (policy) {
      for (const e of policy.errors) io.stderr(`policy: ${e}\n`)
      for (const f of policy.findings)
        io.stderr(
          `${f.file ?? '-'}:${f.line ?? 0}: ${f.severity} [${f.policy}/${f.rule}] ${f.message}\n`,
        )
    }
    io.stdout(
      `${changed.size} of ${files.length} files ${o.write ? 'written' : 'would change'}; ${state.refusals.length} feeds refused; ${violations} policy violations\n`,
    )
  }
  return state.refusals.length > 0 || violations > 0 ? EXIT_REFUSED : EXIT_OK
}
