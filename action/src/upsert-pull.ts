/**
 * @module Upserting the pull request: open it, or converge an open one to what the plan implies,
 * writing only what differs: draft state (before the body, so a held marker is never on a PR that
 * is not yet a draft), title and body, labels (its own held label removed when nothing is held;
 * other labels are never removed), reviewers not yet asked (nor having reviewed), assignees.
 */
import type { GitHubClient, PullInfo } from './github.ts'
import { HELD_LABEL } from './held.ts'

/** The pull request the plan implies. */
export interface DesiredPull {
  readonly title: string
  readonly body: string
  readonly labels: readonly string[]
  readonly reviewers: readonly string[]
  readonly teamReviewers: readonly string[]
  readonly assignees: readonly string[]
  /** Draft state to set; undefined leaves an open PR's as people set it. */
  readonly draft: boolean | undefined
}

/** What {@link upsertPull} needs. */
export interface UpsertInput {
  readonly client: GitHubClient
  /** The open PR from the branch into base, if any. */
  readonly open: PullInfo | undefined
  readonly branch: string
  readonly base: string
  /** The branch head the PR shows. */
  readonly head: string
  readonly desired: DesiredPull
}

/** What upserting did. */
export type UpsertOutcome =
  | { readonly kind: 'created' | 'updated' | 'unchanged'; readonly pull: PullInfo }
  /** Another PR for the branch appeared meanwhile: plan again. */
  | { readonly kind: 'raced' }

async function converge(
  client: GitHubClient,
  pull: PullInfo,
  desired: DesiredPull,
  fresh: boolean,
): Promise<boolean> {
  let wrote = false
  const missingLabels = desired.labels.filter((l) => !pull.labels.includes(l))
  if (missingLabels.length > 0) {
    await client.addLabels(pull.number, missingLabels)
    wrote = true
  }
  if (pull.labels.includes(HELD_LABEL) && !desired.labels.includes(HELD_LABEL)) {
    await client.removeLabel(pull.number, HELD_LABEL)
    wrote = true
  }
  if (desired.reviewers.length + desired.teamReviewers.length > 0) {
    const reviewed = fresh ? [] : await client.listReviewers(pull.number)
    const people = desired.reviewers.filter(
      (r) => !pull.reviewers.includes(r) && !reviewed.includes(r),
    )
    // A team's request ends when one member reviews; with reviews in, asking again is noise.
    const teams =
      reviewed.length > 0
        ? []
        : desired.teamReviewers.filter((t) => !pull.teamReviewers.includes(t))
    if (people.length + teams.length > 0) {
      await client.requestReviewers(pull.number, people, teams)
      wrote = true
    }
  }
  const assignees = desired.assignees.filter((a) => !pull.assignees.includes(a))
  if (assignees.length > 0) {
    await client.addAssignees(pull.number, assignees)
    wrote = true
  }
  return wrote
}

/** Opens the PR or converges the open one (see the module note). */
export async function upsertPull(u: UpsertInput): Promise<UpsertOutcome> {
  const { client, desired } = u
  if (!u.open) {
    const created = await client.createPull(
      u.branch,
      u.base,
      { title: desired.title, body: desired.body },
      desired.draft ?? false,
      u.head,
    )
    if (!created) return { kind: 'raced' }
    await converge(client, created, desired, true)
    return { kind: 'created', pull: created }
  }
  const open = u.open
  let wrote = false
  if (desired.draft !== undefined && desired.draft !== open.draft) {
    await client.setDraft(open, desired.draft)
    wrote = true
  }
  const fields = {
    ...(open.title === desired.title ? {} : { title: desired.title }),
    ...(open.body === desired.body ? {} : { body: desired.body }),
  }
  if (Object.keys(fields).length > 0) {
    await client.updatePull(open.number, fields)
    wrote = true
  }
  if (await converge(client, open, desired, false)) wrote = true
  const pull = { ...open, ...fields, draft: desired.draft ?? open.draft }
  return { kind: wrote ? 'updated' : 'unchanged', pull }
}
