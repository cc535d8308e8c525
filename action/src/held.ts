/**
 * @module Held updates in the Action (issue 11): a candidate that tripped a hold guard (mass
 * removal or addition) goes into the pull request, which is then a draft labelled
 * `allowlist-sync:held`; a reviewer confirms it by marking the PR ready for review. The PR body
 * carries a hidden marker naming each held candidate by feed and sha256, written only once the PR
 * is a draft, so a ready PR whose marker names the same candidate was made ready by a person.
 */
import type { HeldOutcome } from '../../shared/src/index.ts'
import type { ConfirmableSnapshot, FeedState } from './feed-state.ts'
import type { PullInfo } from './github.ts'

/** The label of a pull request that holds an update needing confirmation. */
export const HELD_LABEL = 'allowlist-sync:held'

/** One held candidate as the marker records it. */
export interface MarkedCandidate {
  readonly sha256: string
  /** Seen with the PR ready for review: confirmed. */
  readonly confirmed: boolean
}

/** What this run makes of its held candidates. */
export interface HoldDecision {
  /** Waiting for a reviewer: the PR must be a draft. */
  readonly pending: readonly HeldOutcome[]
  /** Confirmed by a reviewer (the PR was made ready with this candidate in it). */
  readonly confirmed: readonly HeldOutcome[]
}

const MARKER = /<!-- allowlist-sync:held (\{.*?\}) -->/

/**
 * The hidden marker for a body: each held feed's candidate sha256 and whether it is confirmed.
 * `>` is escaped so that no value can close the comment.
 */
export function heldMarker(decision: HoldDecision): string {
  const entries: Record<string, MarkedCandidate> = {}
  for (const h of decision.confirmed)
    entries[h.feed] = { sha256: h.candidate.sha256, confirmed: true }
  for (const h of decision.pending)
    entries[h.feed] = { sha256: h.candidate.sha256, confirmed: false }
  if (Object.keys(entries).length === 0) return ''
  return `<!-- allowlist-sync:held ${JSON.stringify(entries).replaceAll('>', '\\u003e')} -->`
}

/** The candidates a body's marker names (empty without a marker or for a damaged one). */
export function readHeldMarker(body: string): ReadonlyMap<string, MarkedCandidate> {
  const m = MARKER.exec(body)
  if (!m) return new Map()
  try {
    const data = JSON.parse(m[1]!) as Record<string, Partial<MarkedCandidate>>
    return new Map(
      Object.entries(data).flatMap(([feed, c]) =>
        typeof c.sha256 === 'string'
          ? [[feed, { sha256: c.sha256, confirmed: c.confirmed === true }] as const]
          : [],
      ),
    )
  } catch {
    return new Map()
  }
}

/**
 * Which held candidates are confirmed: those the open PR's marker names with the same sha256,
 * and either marked confirmed already or seen now with the PR ready for review. A different
 * candidate for a feed (another sha256) is a new decision, so it is pending again.
 */
export function decideHold(held: readonly HeldOutcome[], open: PullInfo | undefined): HoldDecision {
  const marked = readHeldMarker(open?.body ?? '')
  const pending: HeldOutcome[] = []
  const confirmed: HeldOutcome[] = []
  for (const h of held) {
    const m = marked.get(h.feed)
    const same = m !== undefined && m.sha256 === h.candidate.sha256
    if (same && (m.confirmed || (open !== undefined && !open.draft))) confirmed.push(h)
    else pending.push(h)
  }
  return { pending, confirmed }
}

/**
 * The feed state with confirmed candidates recorded: their snapshots carry how the hold was
 * confirmed (the lock file keeps it) and their changes are marked `confirmedAfterHold`.
 */
export function recordConfirmations(
  state: FeedState,
  confirmed: readonly HeldOutcome[],
  pullRequest: number | undefined,
): FeedState {
  if (confirmed.length === 0 || pullRequest === undefined) return state
  const snapshots = new Map(state.snapshots)
  const changes = new Map(state.changes)
  for (const h of confirmed) {
    const s = snapshots.get(h.feed)
    if (s === undefined) continue
    const record: ConfirmableSnapshot = {
      ...s,
      confirmedAfterHold: { guard: h.guard, pullRequest },
    }
    snapshots.set(h.feed, record)
    const c = changes.get(h.feed)
    if (c) changes.set(h.feed, { ...c, confirmedAfterHold: true })
  }
  return { ...state, snapshots, changes }
}
