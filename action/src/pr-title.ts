/**
 * @module The pull request's title, as a reviewer scans a list of PRs: the feeds and what they
 * gain and lose ("allowlists: github/hooks +2 −1, coolify/cloud +1"), whether an update is held,
 * and whether the policy check fails.
 */
import type { FeedState } from './feed-state.ts'
import type { HoldDecision } from './held.ts'
import { plural } from './markdown.ts'
import type { PolicyResult } from './policy-check.ts'
import { policyVerdict } from './report-sections.ts'

/** GitHub's limit is 256 characters; a title longer than this one is no longer scanned. */
export const TITLE_LIMIT = 120

function counts(state: FeedState, id: string): string {
  const c = state.changes.get(id)!
  const add = c.added.ipv4.length + c.added.ipv6.length
  const rem = c.removed.ipv4.length + c.removed.ipv6.length
  return [add > 0 ? `+${add}` : '', rem > 0 ? `−${rem}` : ''].filter(Boolean).join(' ') || '±0'
}

/** The generated title for this plan. `changedFiles` counts the files the PR changes. */
export function prTitle(
  state: FeedState,
  changedFiles: number,
  policy: PolicyResult | undefined,
  hold: HoldDecision | undefined,
): string {
  const ids = [...state.changes.keys()].sort()
  const prefix =
    hold && hold.pending.length > 0 ? 'allowlists (held: mark ready to confirm): ' : 'allowlists: '
  const verdict = policyVerdict(policy)
  const suffix = verdict.fails
    ? `; policy check ${verdict.text === 'could not run' ? 'could not run' : `fails (${verdict.text})`}`
    : ''
  if (ids.length === 0) return `${prefix}re-render ${plural(changedFiles, 'file')}${suffix}`
  const parts = ids.map((id) => `${id} ${counts(state, id)}`)
  const title = (n: number) =>
    `${prefix}${parts.slice(0, n).join(', ')}${n < parts.length ? ` and ${plural(parts.length - n, 'more feed')}` : ''}${suffix}`
  let n = parts.length
  while (n > 1 && title(n).length > TITLE_LIMIT) n--
  return title(n)
}
