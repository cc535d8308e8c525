/**
 * @module `mode: verify`: the policies checked against the files of one commit (the PR head from
 * the event, else GITHUB_SHA, else the base branch's head); no writes.
 */
import { getFeedState, type FeedState } from './feed-state.ts'
import { checkPolicies, loadPolicies, policyFeeds, violations } from './policy-check.ts'
import { renderSummary } from './summary.ts'
import { feedOptions, readConfig, readLock } from './sync-context.ts'
import type { SyncDeps, SyncResult } from './sync-context.ts'
import { TreeReader } from './tree-reader.ts'

/** Checks the policies against one commit's files. */
export async function runVerify(deps: SyncDeps): Promise<SyncResult> {
  const { client, inputs, env } = deps
  const sha =
    env.verifySha ??
    (await client.getBranchSha(
      inputs.base || env.defaultBranch || (await client.getDefaultBranch()),
    ))
  if (!sha) throw new Error('verify: no commit to check (GITHUB_SHA is not set)')
  const commit = await client.getCommit(sha)
  const reader = await TreeReader.at(client, commit)
  const config = await readConfig(deps, reader, sha.slice(0, 12))
  const { loaded, errors } = await loadPolicies(config.policies, reader.read)
  const previous = readLock(await reader.read(config.lock), deps)
  const snapshots = new Map(Object.entries(previous))
  const missing = policyFeeds(loaded).filter((id) => !snapshots.has(id))
  let state: FeedState | undefined
  if (missing.length > 0) {
    state = await getFeedState(missing, feedOptions(deps, config, previous))
    for (const [id, s] of state.snapshots) snapshots.set(id, s)
  }
  const policy = await checkPolicies(loaded, errors, reader.paths, reader.read, snapshots)
  const v = violations(policy)
  const warnings = [
    ...(state?.warnings ?? []),
    ...policy.errors.map((e) => `policy check could not run: ${e}`),
  ]
  return {
    outputs: { changed: false, operation: 'none', added: 0, removed: 0, violations: v },
    summary: renderSummary(
      { operation: 'none', dryRun: inputs.dryRun, warnings },
      state,
      [],
      policy,
    ),
    findings: policy.findings,
    sarif: policy.sarif,
    warnings,
    ...(v > 0
      ? { failure: `${v} port-policy violation(s); see the annotations and the job summary` }
      : policy.errors.length > 0
        ? { failure: `the policy check could not run: ${policy.errors.join('; ')}` }
        : {}),
  }
}
