/**
 * @module The orchestrator: config and files read through the API at the base branch's head,
 * feeds fetched (worker or upstream, guarded), targets rendered, and then exactly one commit on
 * top of base on the action's branch (Git Data API: blobs, one tree, one commit), one PR created,
 * updated or closed, and the policy result posted on the head commit. Never moves a branch that
 * holds someone else's commits; compares the branch head before moving it and retries on races.
 */
import { createHash } from 'node:crypto'
import { ConfigError, parseConfig, type SyncConfig } from './config.ts'
import { getFeedState, lockCursor, parseLock, type FeedState } from './feed-state.ts'
import type { CommitInfo, GitHubClient } from './github.ts'
import type { Inputs } from './inputs.ts'
import { gitBlobSha, planFiles, type PlannedFile } from './plan.ts'
import {
  checkPolicies,
  loadPolicies,
  policyFeeds,
  type PolicyFinding,
  type PolicyResult,
} from './policy-check.ts'
import { escapeMarkdown, PR_MARKER, renderPrBody } from './pr-body.ts'
import { renderSummary, type RunOutcome } from './summary.ts'
import type { SarifLog } from '../../shared/src/index.ts'

/** The action's version, in SARIF and the User-Agent. */
export const ACTION_VERSION = '0.1.0'
/** The default branch name the action commits to. */
export const DEFAULT_BRANCH = 'allowlist-sync/update'
/** The check run's (or commit status's) name. */
export const CHECK_NAME = 'allowlist-sync / port policy'

const TRAILER_TREE = 'Allowlist-Sync-Tree'
const TRAILER_PLAN = 'Allowlist-Sync-Plan'
const TRAILER_TIME = 'Allowlist-Sync-Time'
const ATTEMPTS = 3

/** What the runner tells the action besides inputs. */
export interface RunEnv {
  /** UPSTREAM_MIRROR */
  readonly mirror?: string
  /** The repository's default branch from the event payload, saving an API call. */
  readonly defaultBranch?: string
  /** The commit `verify` checks: the PR head from the event, else GITHUB_SHA. */
  readonly verifySha?: string
  readonly runUrl?: string
}

/** Everything the orchestrator needs; tests pass their own. */
export interface SyncDeps {
  readonly inputs: Inputs
  readonly client: GitHubClient
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly env: RunEnv
  readonly log: { info(message: string): void; warning(message: string): void }
}

/** The Action's outputs, before they are strings. */
export interface SyncOutputs {
  readonly changed: boolean
  readonly pullRequestNumber?: number
  readonly pullRequestUrl?: string
  readonly operation: RunOutcome['operation']
  readonly added: number
  readonly removed: number
  readonly violations: number
}

/** What a run produced: outputs, the job summary, findings to annotate, a SARIF log to write. */
export interface SyncResult {
  readonly outputs: SyncOutputs
  readonly summary: string
  readonly findings: readonly PolicyFinding[]
  readonly sarif: SarifLog | undefined
  readonly warnings: readonly string[]
}

/** Reads files of one commit through the API: one tree listing, then one blob per file read. */
class TreeReader {
  readonly #client: GitHubClient
  readonly #blobs = new Map<string, Promise<string>>()
  readonly entries: ReadonlyMap<string, string>
  constructor(client: GitHubClient, entries: ReadonlyMap<string, string>) {
    this.#client = client
    this.entries = entries
  }
  static async at(client: GitHubClient, commit: CommitInfo): Promise<TreeReader> {
    const tree = await client.getTree(commit.tree)
    return new TreeReader(client, new Map(tree.map((e) => [e.path, e.sha])))
  }
  read = (path: string): Promise<string | undefined> => {
    const sha = this.entries.get(path)
    if (sha === undefined) return Promise.resolve(undefined)
    let p = this.#blobs.get(sha)
    if (!p) {
      p = this.#client.getBlob(sha)
      this.#blobs.set(sha, p)
    }
    return p
  }
  same = (path: string, content: string): Promise<boolean> =>
    Promise.resolve(this.entries.get(path) === gitBlobSha(content))
}

function trailer(message: string, key: string): string | undefined {
  return new RegExp(`^${key}: (\\S+)$`, 'm').exec(message)?.[1]
}

/** A commit the action made: one parent, and a tree trailer equal to its tree (not amended). */
export function isOwnCommit(commit: CommitInfo): boolean {
  return commit.parents.length === 1 && trailer(commit.message, TRAILER_TREE) === commit.tree
}

/** A digest of what a plan writes: changed paths and their blob ids, sorted. */
export function planDigest(files: readonly PlannedFile[]): string {
  const lines = files
    .filter((f) => f.changed && f.content !== undefined)
    .map((f) => `${f.path}\0${gitBlobSha(f.content!)}`)
    .sort()
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32)
}

async function readConfig(reader: TreeReader, path: string, where: string): Promise<SyncConfig> {
  const text = await reader.read(path)
  if (text === undefined)
    throw new ConfigError([
      `${path}: no such file at ${where} (set the 'config' input, or add the file)`,
    ])
  return parseConfig(text, path)
}

function countChanges(state: FeedState | undefined): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const c of state?.changes.values() ?? []) {
    added += c.added.ipv4.length + c.added.ipv6.length
    removed += c.removed.ipv4.length + c.removed.ipv6.length
  }
  return { added, removed }
}

function violations(policy: PolicyResult | undefined): number {
  return policy?.findings.filter((f) => f.severity === 'error').length ?? 0
}

/** `verify` mode: check the policies against the files of one commit; no writes. */
async function runVerify(deps: SyncDeps): Promise<SyncResult> {
  const { client, inputs, env } = deps
  const sha =
    env.verifySha ??
    (await client.getBranchSha(
      inputs.base || env.defaultBranch || (await client.getDefaultBranch()),
    ))
  if (!sha) throw new Error('verify: no commit to check (GITHUB_SHA is not set)')
  const commit = await client.getCommit(sha)
  const reader = await TreeReader.at(client, commit)
  const config = await readConfig(reader, inputs.config, sha.slice(0, 12))
  const { loaded, errors } = await loadPolicies(config.policies, reader.read)
  const previous = parseLockSafe(await reader.read(config.lock), deps)
  const snapshots = new Map(Object.entries(previous))
  const missing = policyFeeds(loaded).filter((id) => !snapshots.has(id))
  let state: FeedState | undefined
  if (missing.length > 0) {
    state = await getFeedState(missing, feedOptions(deps, config, previous))
    for (const [id, s] of state.snapshots) snapshots.set(id, s)
  }
  const policy = await checkPolicies(
    loaded,
    errors,
    [...reader.entries.keys()],
    reader.read,
    snapshots,
    ACTION_VERSION,
  )
  const outputs: SyncOutputs = {
    changed: false,
    operation: 'none',
    added: 0,
    removed: 0,
    violations: violations(policy),
  }
  const warnings = policy.errors.map((e) => `policy check could not run: ${e}`)
  return {
    outputs,
    summary: renderSummary(
      { operation: 'none', dryRun: inputs.dryRun, warnings },
      state,
      [],
      policy,
    ),
    findings: policy.findings,
    sarif: policy.sarif,
    warnings,
  }
}

function parseLockSafe(text: string | undefined, deps: SyncDeps): ReturnType<typeof parseLock> {
  try {
    return parseLock(text, new Date(deps.now()).toISOString())
  } catch (cause) {
    deps.log.warning(
      `the lock file is unreadable and is rebuilt: ${cause instanceof Error ? cause.message : String(cause)}`,
    )
    return {}
  }
}

function feedOptions(
  deps: SyncDeps,
  config: SyncConfig,
  previous: ReturnType<typeof parseLock>,
  cursor?: ReturnType<typeof lockCursor>,
) {
  const source = deps.inputs.source || config.source || ''
  return {
    userFeeds: config.userFeeds,
    source,
    fetch: deps.fetch,
    now: deps.now,
    ...(deps.env.mirror ? { mirror: deps.env.mirror } : {}),
    maxRemovalPercent: deps.inputs.maxRemovalPercent,
    allowMassRemoval: deps.inputs.allowMassRemoval,
    previous,
    ...(cursor ? { cursor } : {}),
  }
}

/** Runs the Action's plan against GitHub. Throws on configuration and API errors. */
export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  const { client, inputs, log } = deps
  if (inputs.mode === 'verify') return runVerify(deps)
  const verify = inputs.mode === 'sync-and-verify'
  const base = inputs.base || deps.env.defaultBranch || (await client.getDefaultBranch())
  const baseSha = await client.getBranchSha(base)
  if (!baseSha) throw new Error(`the base branch '${base}' does not exist`)
  const baseCommit = await client.getCommit(baseSha)
  const reader = await TreeReader.at(client, baseCommit)
  const config = await readConfig(reader, inputs.config, `${base} (${baseSha.slice(0, 12)})`)
  const { loaded, errors } = verify
    ? await loadPolicies(config.policies, reader.read)
    : { loaded: [], errors: [] }
  const lockText = await reader.read(config.lock)
  const previous = parseLockSafe(lockText, deps)
  const ids = [...new Set([...config.targets.flatMap((t) => t.feeds), ...policyFeeds(loaded)])]
  const state = await getFeedState(ids, feedOptions(deps, config, previous, lockCursor(lockText)))
  for (const r of state.refusals) log.warning(`feed ${r.feed} refused (${r.guard}): ${r.reason}`)
  const files = await planFiles(config, state, reader, { force: inputs.overwriteHandEdits })
  const changedFiles = files.filter((f) => f.changed && f.content !== undefined)
  const newContent = new Map(changedFiles.map((f) => [f.path, f.content!]))
  const policy = verify
    ? await checkPolicies(
        loaded,
        errors,
        [...new Set([...reader.entries.keys(), ...newContent.keys()])],
        (p) => (newContent.has(p) ? Promise.resolve(newContent.get(p)) : reader.read(p)),
        state.snapshots,
        ACTION_VERSION,
      )
    : undefined
  const warnings: string[] = [
    ...state.refusals.map((r) => `feed ${r.feed} refused (${r.guard}): ${r.reason}`),
    ...(policy?.errors ?? []).map((e) => `policy check could not run: ${e}`),
  ]
  const counts = countChanges(state)
  const report = { state, files, policy, ...(deps.env.runUrl ? { runUrl: deps.env.runUrl } : {}) }
  const finish = (
    operation: RunOutcome['operation'],
    pr?: { number: number; url: string },
  ): SyncResult => ({
    outputs: {
      changed: changedFiles.length > 0,
      operation,
      ...(pr ? { pullRequestNumber: pr.number, pullRequestUrl: pr.url } : {}),
      ...counts,
      violations: violations(policy),
    },
    summary: renderSummary(
      { operation, dryRun: inputs.dryRun, warnings, ...(pr ? { pullRequestUrl: pr.url } : {}) },
      state,
      files,
      policy,
    ),
    findings: policy?.findings ?? [],
    sarif: policy?.sarif,
    warnings,
  })
  if (inputs.dryRun) return finish('none')

  const pr = config.pullRequest
  const branch = inputs.branch || pr.branch || DEFAULT_BRANCH
  if (branch === base)
    throw new Error(`the branch '${branch}' is the base branch; set the 'branch' input`)
  const digest = planDigest(files)
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const open = await client.findOpenPull(branch, base)
    const headSha = await client.getBranchSha(branch)
    const head = headSha === undefined ? undefined : await client.getCommit(headSha)
    const ours = head !== undefined && isOwnCommit(head)

    if (changedFiles.length === 0) {
      if (open) {
        await client.comment(
          open.number,
          `${PR_MARKER}\nClosed by allowlist-sync: the files on ${escapeMarkdown(base)} already match the feeds.`,
        )
        await client.closePull(open.number)
        log.info(`closed #${open.number}: the files on ${base} already match the feeds`)
      }
      if (head && ours) await client.deleteBranch(branch)
      else if (head)
        log.warning(`left branch '${branch}' alone: it holds commits the action did not make`)
      return finish(open ? 'closed' : 'none', open)
    }

    if (head && !ours && !inputs.resetBranch) {
      const message = `branch '${branch}' holds commits the action did not make; not overwriting them (set 'reset-branch: true' to replace them)`
      warnings.push(message)
      log.warning(message)
      const marker = `<!-- plan ${digest} -->`
      if (open && !(await client.listComments(open.number)).some((c) => c.includes(marker))) {
        const what = changedFiles.map((f) => `- ${escapeMarkdown(f.path)}`).join('\n')
        await client.comment(
          open.number,
          `${PR_MARKER}\n${marker}\nThe feeds changed, but this branch holds commits allowlist-sync did not make, so it was left as it is. These files would change:\n\n${what}\n\nPush the changes yourself, or delete the branch (or set \`reset-branch: true\`) to let the action update it.`,
        )
      }
      return finish('none', open)
    }

    const current =
      ours && head.parents[0] === baseSha && trailer(head.message, TRAILER_PLAN) === digest
    let commitSha = headSha
    if (!current) {
      const newer = ours ? trailer(head.message, TRAILER_TIME) : undefined
      if (newer !== undefined && Date.parse(newer) > deps.now()) {
        log.warning(`branch '${branch}' was updated by a newer run (${newer}); leaving it`)
        return finish('none', open)
      }
      const entries = await Promise.all(
        changedFiles.map(async (f) => ({ path: f.path, sha: await client.createBlob(f.content!) })),
      )
      const tree = await client.createTree(baseCommit.tree, entries)
      const title = inputs.commitMessage || pr.commitMessage || 'Update allowlists from their feeds'
      const message = `${title}\n\n${[...state.changes.keys()].sort().join(', ') || 'regenerated'}\n\n${TRAILER_PLAN}: ${digest}\n${TRAILER_TREE}: ${tree}\n${TRAILER_TIME}: ${new Date(deps.now()).toISOString()}\n`
      commitSha = await client.createCommit(message, tree, [baseSha])
      if (headSha === undefined) {
        if (!(await client.createBranch(branch, commitSha))) {
          log.info(`branch '${branch}' appeared meanwhile; retrying (${attempt}/${ATTEMPTS})`)
          continue
        }
      } else {
        // GitHub's ref API has no compare-and-swap: compare right before the forced move.
        if ((await client.getBranchSha(branch)) !== headSha) {
          log.info(`branch '${branch}' moved meanwhile; retrying (${attempt}/${ATTEMPTS})`)
          continue
        }
        await client.moveBranch(branch, commitSha)
      }
    }

    const fields = {
      title: inputs.title || pr.title || 'Update allowlists from their feeds',
      body: renderPrBody(report),
    }
    let operation: RunOutcome['operation']
    let target: { number: number; url: string }
    if (open) {
      target = open
      if (current) operation = 'none'
      else {
        await client.updatePull(open.number, fields)
        operation = 'updated'
      }
      const labels = (inputs.labels ?? pr.labels ?? []).filter((l) => !open.labels.includes(l))
      if (labels.length > 0) await client.addLabels(open.number, labels)
    } else {
      const created = await client.createPull(
        branch,
        base,
        fields,
        inputs.draft ?? pr.draft ?? false,
      )
      if (!created) {
        log.info(
          `a pull request for '${branch}' appeared meanwhile; retrying (${attempt}/${ATTEMPTS})`,
        )
        continue
      }
      target = created
      operation = 'created'
      const labels = inputs.labels ?? pr.labels ?? []
      if (labels.length > 0) await client.addLabels(created.number, labels)
      const reviewers = inputs.reviewers ?? pr.reviewers ?? []
      const teams = inputs.teamReviewers ?? pr.teamReviewers ?? []
      if (reviewers.length + teams.length > 0)
        await client.requestReviewers(created.number, reviewers, teams)
      const assignees = inputs.assignees ?? pr.assignees ?? []
      if (assignees.length > 0) await client.addAssignees(created.number, assignees)
    }
    if (verify && operation !== 'none' && commitSha) {
      const v = violations(policy)
      const kind = await client.postCheck(commitSha, {
        name: CHECK_NAME,
        conclusion: policy?.errors.length ? 'neutral' : v > 0 ? 'failure' : 'success',
        title: policy?.errors.length
          ? 'The policy check could not run'
          : v > 0
            ? `${v} port-policy violation${v === 1 ? '' : 's'}`
            : 'Port policy: compliant',
        summary: renderSummary({ operation, dryRun: false, warnings: [] }, undefined, [], policy),
      })
      if (kind === 'status')
        log.info('checks: write is not granted; posted a commit status instead of a check run')
      if (kind === 'none') {
        const message =
          'the policy result was not posted on the PR: grant `checks: write` (or `statuses: write`) to the job'
        warnings.push(message)
        log.warning(message)
      }
    }
    return finish(operation, target)
  }
  throw new Error(
    `gave up after ${ATTEMPTS} attempts: '${branch}' or its pull request kept changing under this run`,
  )
}
