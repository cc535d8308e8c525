/**
 * @module The orchestrator: the config and files read through the API at the base branch's head,
 * feeds fetched (worker or upstream, guarded), targets rendered and policies checked; then three
 * parts, each converging what it owns to what the plan implies, so a run after any partial failure
 * heals: publish the branch (publish-branch.ts), upsert the pull request (upsert-pull.ts), post
 * the policy result (post-policy-result.ts). Nothing is written before the whole plan is known,
 * and nothing when every feed was refused.
 */
import { type SyncConfig } from './config.ts'
import { getFeedState, lockCursor, type FeedState } from './feed-state.ts'
import type { CommitInfo, PullInfo } from './github.ts'
import { desiredPull } from './desired-pull.ts'
import { decideHold, recordConfirmations, type HoldDecision } from './held.ts'
import { code } from './markdown.ts'
import { planFiles, type PlannedFile } from './plan.ts'
import { checkPolicies, loadPolicies, policyFeeds, violations } from './policy-check.ts'
import type { PolicyResult } from './policy-check.ts'
import { postPolicyResult } from './post-policy-result.ts'
import { PR_MARKER } from './pr-body.ts'
import { prTitle } from './pr-title.ts'
import { isOwnCommit, planDigest, publishBranch } from './publish-branch.ts'
import { runVerify } from './run-verify.ts'
import { renderSummary, type RunOutcome } from './summary.ts'
import { countChanges, DEFAULT_BRANCH, feedOptions, readConfig, readLock } from './sync-context.ts'
import type { SyncDeps, SyncResult } from './sync-context.ts'
import { TreeReader } from './tree-reader.ts'
import { upsertPull, type DesiredPull } from './upsert-pull.ts'

export { DEFAULT_BRANCH } from './sync-context.ts'
export type { RunEnv, SyncDeps, SyncOutputs, SyncResult } from './sync-context.ts'
export { CHECK_NAME } from './post-policy-result.ts'
export { isOwnCommit, planDigest } from './publish-branch.ts'

const ATTEMPTS = 3

/** Everything known before the first write. */
interface Plan {
  readonly deps: SyncDeps
  readonly base: string
  readonly baseSha: string
  readonly baseCommit: CommitInfo
  readonly reader: TreeReader
  readonly config: SyncConfig
  readonly branch: string
  readonly state: FeedState
  readonly hold: HoldDecision
  readonly files: readonly PlannedFile[]
  readonly changed: readonly PlannedFile[]
  readonly policy: PolicyResult | undefined
  readonly warnings: string[]
  readonly title: string
  /** Why the step fails even though nothing went wrong (every feed refused). */
  readonly failure?: string
}

async function readBase(deps: SyncDeps) {
  const { client, inputs } = deps
  const base = inputs.base || deps.env.defaultBranch || (await client.getDefaultBranch())
  const baseSha = await client.getBranchSha(base)
  if (!baseSha) throw new Error(`the base branch '${base}' does not exist`)
  const baseCommit = await client.getCommit(baseSha)
  const reader = await TreeReader.at(client, baseCommit)
  const config = await readConfig(deps, reader, `${base} (${baseSha.slice(0, 12)})`)
  const branch = inputs.branch || config.pullRequest.branch || DEFAULT_BRANCH
  if (branch === base)
    throw new Error(`the branch '${branch}' is the base branch; set the 'branch' input`)
  return { base, baseSha, baseCommit, reader, config, branch }
}

/** Reads, fetches, decides holds, renders and checks: the whole plan, no writes. */
async function makePlan(deps: SyncDeps): Promise<Plan> {
  const { client, inputs, log } = deps
  const { base, baseSha, baseCommit, reader, config, branch } = await readBase(deps)
  const verify = inputs.mode === 'sync-and-verify'
  const { loaded, errors } = verify
    ? await loadPolicies(config.policies, reader.read)
    : { loaded: [], errors: [] }
  const lockText = await reader.read(config.lock)
  const previous = readLock(lockText, deps)
  const ids = [...new Set([...config.targets.flatMap((t) => t.feeds), ...policyFeeds(loaded)])]
  const fetched = await getFeedState(ids, feedOptions(deps, config, previous, lockCursor(lockText)))
  for (const r of fetched.refusals) log.warning(`feed ${r.feed} refused (${r.guard}): ${r.reason}`)
  for (const w of fetched.warnings) log.warning(w)
  const open = fetched.held.length > 0 ? await client.findOpenPull(branch, base) : undefined
  const hold = decideHold(fetched.held, open)
  const state = recordConfirmations(fetched, hold.confirmed, open?.number)
  const allRefused = ids.length > 0 && ids.every((id) => state.refusals.some((r) => r.feed === id))
  const files = allRefused
    ? []
    : await planFiles(config, state, reader, { force: inputs.overwriteHandEdits })
  const changed = files.filter((f) => f.changed && f.content !== undefined)
  const newContent = new Map(changed.map((f) => [f.path, f.content!]))
  const policy = verify
    ? await checkPolicies(
        loaded,
        errors,
        [...new Set([...reader.paths, ...newContent.keys()])],
        (p) => (newContent.has(p) ? Promise.resolve(newContent.get(p)) : reader.read(p)),
        state.snapshots,
      )
    : undefined
  const warnings = [
    ...fetched.warnings,
    ...(policy?.errors ?? []).map((e) => `policy check could not run: ${e}`),
  ]
  const failure = allRefused
    ? `every feed was refused, so nothing was changed: ${state.refusals.map((r) => `${r.feed} (${r.guard})`).join(', ')}`
    : undefined
  if (failure && inputs.onAllRefused === 'warn') {
    warnings.push(failure)
    log.warning(failure)
  }
  const title =
    inputs.title || config.pullRequest.title || prTitle(state, changed.length, policy, hold)
  return {
    deps,
    base,
    baseSha,
    baseCommit,
    reader,
    config,
    branch,
    state,
    hold,
    files,
    changed,
    policy,
    warnings,
    title,
    ...(failure && inputs.onAllRefused === 'fail' ? { failure } : {}),
  }
}

function finish(
  plan: Plan,
  operation: RunOutcome['operation'],
  pr?: { number: number; url: string; headSha?: string },
): SyncResult {
  const { state, files, policy, warnings, deps, config } = plan
  return {
    outputs: {
      changed: plan.changed.length > 0,
      operation,
      ...(pr
        ? {
            pullRequestNumber: pr.number,
            pullRequestUrl: pr.url,
            pullRequestBranch: plan.branch,
            ...(pr.headSha ? { pullRequestHeadSha: pr.headSha } : {}),
          }
        : {}),
      ...countChanges(state),
      violations: violations(policy),
    },
    summary: renderSummary(
      {
        operation,
        dryRun: deps.inputs.dryRun,
        warnings,
        title: plan.title,
        hold: plan.hold,
        lock: config.lock,
        ...(pr ? { pullRequestUrl: pr.url } : {}),
      },
      state,
      files,
      policy,
    ),
    findings: policy?.findings ?? [],
    sarif: policy?.sarif,
    warnings,
    ...(plan.failure ? { failure: plan.failure } : {}),
  }
}

/** Nothing differs from base: close the open PR (once commented) and delete the branch. */
async function closeStale(plan: Plan, open: PullInfo | undefined, head: CommitInfo | undefined) {
  const { client, log, inputs } = plan.deps
  if (open) {
    const note = `${PR_MARKER}\n<!-- closed on ${plan.baseSha} -->\nClosed by allowlist-sync: the files on ${code(plan.base)} already match the feeds.`
    if (!(await client.listComments(open.number)).includes(note))
      await client.comment(open.number, note)
    await client.closePull(open.number)
    log.info(`closed #${open.number}: the files on ${plan.base} already match the feeds`)
  }
  if (head && isOwnCommit(head)) {
    if (inputs.deleteBranch) await client.deleteBranch(plan.branch)
  } else if (head)
    log.warning(`left branch '${plan.branch}' alone: it holds commits the action did not make`)
  return finish(plan, open ? 'closed' : 'none', open)
}

/** The branch holds someone's commits: say once on the PR what would change, and wait. */
async function waitForPeople(plan: Plan, open: PullInfo | undefined, headSha: string) {
  const { client, log } = plan.deps
  const message = `branch '${plan.branch}' holds commits the action did not make; not overwriting them (set 'reset-branch: true' to replace them)`
  plan.warnings.push(message)
  log.warning(message)
  const marker = `<!-- plan ${planDigest(plan.files)} -->`
  if (open && !(await client.listComments(open.number)).some((c) => c.includes(marker))) {
    const what = plan.changed.map((f) => `- ${code(f.path)}`).join('\n')
    await client.comment(
      open.number,
      `${PR_MARKER}\n${marker}\nThe feeds changed, but this branch holds commits allowlist-sync did not make, so it was left as it is. These files would change:\n\n${what}\n\nPush the changes yourself, or delete the branch (or set \`reset-branch: true\`) to let the action update it.`,
    )
  }
  return finish(plan, 'none', open ? { ...open, headSha } : undefined)
}

/** The PR this plan implies, given the open one. */
function desired(plan: Plan, open: PullInfo | undefined, asOf: string): DesiredPull {
  const { inputs } = plan.deps
  const pr = plan.config.pullRequest
  return desiredPull({
    state: plan.state,
    files: plan.files,
    policy: plan.policy,
    hold: plan.hold,
    lock: plan.config.lock,
    warnings: plan.warnings,
    title: plan.title,
    footer: inputs.bodyFooter,
    labels: inputs.labels ?? pr.labels ?? [],
    reviewers: inputs.reviewers ?? pr.reviewers ?? [],
    teamReviewers: inputs.teamReviewers ?? pr.teamReviewers ?? [],
    assignees: inputs.assignees ?? pr.assignees ?? [],
    configuredDraft: inputs.draft ?? pr.draft,
    open,
    asOf,
  })
}

/** One attempt at the writes; undefined when the branch or its PR changed meanwhile. */
async function attempt(plan: Plan): Promise<SyncResult | undefined> {
  const { client, inputs, log, now } = plan.deps
  const open = await client.findOpenPull(plan.branch, plan.base)
  const headSha = await client.getBranchSha(plan.branch)
  const head = headSha === undefined ? undefined : await client.getCommit(headSha)
  if (plan.changed.length === 0) return closeStale(plan, open, head)
  if (head && !isOwnCommit(head) && !inputs.resetBranch) return waitForPeople(plan, open, head.sha)
  const published = await publishBranch({
    client,
    branch: plan.branch,
    baseSha: plan.baseSha,
    baseTree: plan.baseCommit.tree,
    base: plan.reader,
    head,
    files: plan.changed,
    digest: planDigest(plan.files),
    message: `${inputs.commitMessage || plan.config.pullRequest.commitMessage || plan.title}\n\n${[...plan.state.changes.keys()].sort().join(', ') || 'regenerated'}`,
    now,
  })
  if (published.kind === 'raced') return undefined
  if (published.kind === 'newer') {
    log.warning(`branch '${plan.branch}' was updated by a newer run (${published.at}); leaving it`)
    return finish(plan, 'none', open ? { ...open, headSha: published.sha } : undefined)
  }
  const upsert = await upsertPull({
    client,
    open,
    branch: plan.branch,
    base: plan.base,
    head: published.sha,
    desired: desired(plan, open, published.at),
  })
  if (upsert.kind === 'raced') return undefined
  if (inputs.mode === 'sync-and-verify') {
    const posted = await postPolicyResult(client, published.sha, plan.policy)
    if (posted === 'status')
      log.info('checks: write is not granted; posted a commit status instead of a check run')
    if (posted === 'none') {
      const message =
        'the policy result was not posted on the PR: grant `checks: write` (or `statuses: write`) to the job'
      plan.warnings.push(message)
      log.warning(message)
    }
  }
  const operation =
    upsert.kind === 'created'
      ? 'created'
      : upsert.kind === 'updated' || published.kind === 'moved'
        ? 'updated'
        : 'none'
  return finish(plan, operation, { ...upsert.pull, headSha: published.sha })
}

/** Runs the Action's plan against GitHub. Throws on configuration and API errors. */
export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  if (deps.inputs.mode === 'verify') return runVerify(deps)
  const plan = await makePlan(deps)
  if (plan.failure || deps.inputs.dryRun) return finish(plan, 'none')
  if (plan.changed.length === 0 && plan.files.length === 0) return finish(plan, 'none')
  for (let n = 1; n <= ATTEMPTS; n++) {
    const result = await attempt(plan)
    if (result) return result
    deps.log.info(
      `'${plan.branch}' or its pull request changed meanwhile; planning the writes again (${n}/${ATTEMPTS})`,
    )
  }
  throw new Error(
    `gave up after ${ATTEMPTS} attempts: '${plan.branch}' or its pull request kept changing under this run`,
  )
}
