/**
 * @module Posting the policy result on the PR's head commit: a check run carrying every finding
 * with a file and line as an annotation (most severe first; GitHub takes 50 a request, so the
 * rest follow in updates), or a commit status where check runs are not allowed. The check run's
 * external id is a digest of what it says: a run that finds it already posted writes nothing.
 */
import { createHash } from 'node:crypto'
import { GitHubApiError, type CheckAnnotation, type GitHubClient } from './github.ts'
import type { PolicyResult } from './policy-check.ts'
import { policySection, policyVerdict } from './report-sections.ts'

/** The check run's (or commit status's) name. */
export const CHECK_NAME = 'allowlist-sync / port policy'
/** GitHub takes this many annotations per request. */
export const ANNOTATION_BATCH = 50
/** The most annotations one check run gets (the job summary lists every finding). */
export const MAX_ANNOTATIONS = 1000
/** GitHub's limit on a check run's summary is 65,535 characters. */
const SUMMARY_LIMIT = 65_000

/** The check run this policy result implies. */
export interface CheckRunPlan {
  readonly conclusion: 'success' | 'failure' | 'neutral'
  readonly title: string
  readonly summary: string
  readonly annotations: readonly CheckAnnotation[]
  /** A digest of all of the above. */
  readonly externalId: string
}

const LEVEL = { error: 'failure', warning: 'warning', note: 'notice' } as const

/** The check run for a policy result (pure). */
export function checkRunFor(policy: PolicyResult | undefined): CheckRunPlan {
  const verdict = policyVerdict(policy)
  const conclusion = policy?.errors.length ? 'neutral' : verdict.fails ? 'failure' : 'success'
  const title = `Port policy: ${verdict.text}`
  const full = policySection(policy, Number.MAX_SAFE_INTEGER, true)
  const summary =
    full.length <= SUMMARY_LIMIT
      ? full
      : `${full.slice(0, SUMMARY_LIMIT - 60)}\n\n… (the rest is in the job summary)\n`
  const annotations: CheckAnnotation[] = (policy?.findings ?? [])
    .filter((f) => f.file !== undefined && f.line !== undefined)
    .slice(0, MAX_ANNOTATIONS)
    .map((f) => ({
      path: f.file!,
      start_line: f.line!,
      end_line: f.line!,
      annotation_level: LEVEL[f.severity],
      title: `${f.policy}: ${f.rule}`,
      message: `${f.message}${f.hint ? `\n${f.hint}` : ''}`,
    }))
  const externalId = createHash('sha256')
    .update(JSON.stringify([conclusion, title, summary, annotations]))
    .digest('hex')
    .slice(0, 40)
  return { conclusion, title, summary, annotations, externalId }
}

/** Posts the check run, in batches of annotations. */
async function postCheckRun(client: GitHubClient, sha: string, plan: CheckRunPlan): Promise<void> {
  const batches: CheckAnnotation[][] = []
  for (let i = 0; i < plan.annotations.length; i += ANNOTATION_BATCH)
    batches.push(plan.annotations.slice(i, i + ANNOTATION_BATCH))
  const output = (annotations: readonly CheckAnnotation[] = []) => ({
    title: plan.title,
    summary: plan.summary,
    annotations,
  })
  const done = { status: 'completed', conclusion: plan.conclusion } as const
  const id = await client.createCheckRun(sha, CHECK_NAME, {
    ...(batches.length <= 1 ? done : { status: 'in_progress' }),
    externalId: plan.externalId,
    output: output(batches[0]),
  })
  for (const [i, batch] of batches.slice(1).entries())
    await client.updateCheckRun(
      id,
      { ...(i === batches.length - 2 ? done : {}), output: output(batch) },
      (i + 1) * ANNOTATION_BATCH,
    )
}

/** How the result was posted: already there, a check run, a commit status, or not at all. */
export type PostedAs = 'current' | 'check-run' | 'status' | 'none'

const forbidden = (e: unknown) => e instanceof GitHubApiError && e.status === 403

/** Posts the policy result on `sha` unless the same result is already there. */
export async function postPolicyResult(
  client: GitHubClient,
  sha: string,
  policy: PolicyResult | undefined,
): Promise<PostedAs> {
  const plan = checkRunFor(policy)
  try {
    const found = await client.findCheckRun(sha, CHECK_NAME)
    if (found?.externalId === plan.externalId && found.status === 'completed') return 'current'
    await postCheckRun(client, sha, plan)
    return 'check-run'
  } catch (error) {
    if (!forbidden(error)) throw error
  }
  const status = {
    context: CHECK_NAME,
    state: plan.conclusion === 'failure' ? ('failure' as const) : ('success' as const),
    description: plan.title.slice(0, 140),
  }
  try {
    const found = await client.findStatus(sha, CHECK_NAME).catch((e: unknown) => {
      if (forbidden(e)) return undefined
      throw e
    })
    if (found?.state === status.state && found.description === status.description) return 'current'
    await client.createStatus(sha, status)
    return 'status'
  } catch (error) {
    if (forbidden(error)) return 'none'
    throw error
  }
}
