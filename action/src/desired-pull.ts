/**
 * @module The pull request a plan implies, given the open one: title, body, labels (with
 * `allowlist-sync:held` while a held update waits), people, and the draft state. A held update
 * makes it a draft; a reviewer marking it ready with the same candidates confirms them and it is
 * never made a draft again for them; a hold that went away unconfirmed gives the PR back the
 * configured state; otherwise people's choice of draft state is left alone.
 */
import type { FeedState } from './feed-state.ts'
import type { PullInfo } from './github.ts'
import { decideHold, HELD_LABEL, readHeldMarker, type HoldDecision } from './held.ts'
import type { PlannedFile } from './plan.ts'
import type { PolicyResult } from './policy-check.ts'
import { renderPrBody } from './pr-body.ts'
import type { DesiredPull } from './upsert-pull.ts'

/** What {@link desiredPull} needs. */
export interface DesiredPullInput {
  readonly state: FeedState
  readonly files: readonly PlannedFile[]
  readonly policy: PolicyResult | undefined
  /** The hold decision the plan was made with. */
  readonly hold: HoldDecision
  readonly lock: string
  readonly warnings: readonly string[]
  readonly title: string
  readonly footer: string
  readonly labels: readonly string[]
  readonly reviewers: readonly string[]
  readonly teamReviewers: readonly string[]
  readonly assignees: readonly string[]
  /** The `draft` input or config, if set. */
  readonly configuredDraft: boolean | undefined
  /** The open PR as it is now. */
  readonly open: PullInfo | undefined
  /** When the branch's commit was made (the body's fetch time). */
  readonly asOf: string
}

/** The pull request to converge to. */
export function desiredPull(d: DesiredPullInput): DesiredPull {
  // Decided again on the PR as it is now: a reviewer may have marked it ready since the plan.
  const pending = d.hold.pending.length > 0 && decideHold(d.state.held, d.open).pending.length > 0
  const hold: HoldDecision = pending
    ? d.hold
    : { pending: [], confirmed: [...d.hold.confirmed, ...d.hold.pending] }
  const weDrafted =
    d.open !== undefined && [...readHeldMarker(d.open.body).values()].some((m) => !m.confirmed)
  const draft = pending
    ? true
    : !d.open || (weDrafted && hold.confirmed.length === 0)
      ? (d.configuredDraft ?? false)
      : undefined
  return {
    title: d.title,
    body: renderPrBody({
      state: d.state,
      files: d.files,
      policy: d.policy,
      hold,
      lock: d.lock,
      warnings: d.warnings,
      ...(d.footer ? { footer: d.footer } : {}),
      asOf: d.asOf,
    }),
    labels: [...d.labels, ...(pending ? [HELD_LABEL] : [])],
    reviewers: d.reviewers,
    teamReviewers: d.teamReviewers,
    assignees: d.assignees,
    draft,
  }
}
