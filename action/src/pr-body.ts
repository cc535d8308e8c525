/**
 * @module The pull request's body, in the order a reviewer decides: held updates first (what they
 * remove or add, why, and that marking the PR ready confirms them), the policy result, refusals
 * and warnings, then per feed its source, publisher's version, fetch time, sha256, CIDRs and
 * files, then how to roll back and pause, and the workflow's `body-footer`. Feed-derived text is
 * escaped; the body stays under GitHub's 65,536-character cap by collapsing lists to counts.
 */
import { DEFAULT_LOCK_PATH } from './config.ts'
import type { FeedState } from './feed-state.ts'
import { fileChanges } from './file-changes.ts'
import { heldMarker, type HoldDecision } from './held.ts'
import { code, link, plural } from './markdown.ts'
import type { PlannedFile } from './plan.ts'
import type { PolicyResult } from './policy-check.ts'
import {
  attentionSection,
  feedSection,
  heldSection,
  policySection,
  rollbackSection,
  type ListMode,
} from './report-sections.ts'

export { escapeMarkdown, formatCidr } from './markdown.ts'

/** The hidden marker that identifies the action's own PRs and comments. */
export const PR_MARKER = '<!-- allowlist-sync -->'

/** GitHub refuses a PR body of 65,536 characters or more; stay well under. */
export const PR_BODY_LIMIT = 65_000

/** Everything the body and the summary describe. */
export interface Report {
  readonly state: FeedState
  readonly files: readonly PlannedFile[]
  readonly policy: PolicyResult | undefined
  /**
   * When the published commit was made (ISO), shown as the feeds' fetch time: the same plan
   * gives the same body on every run, so an unchanged PR is not rewritten.
   */
  readonly asOf?: string
  /** Held candidates and what this run made of them. */
  readonly hold?: HoldDecision
  /** The lock file's path (default .github/allowlist-sync.lock.json). */
  readonly lock?: string
  /** Markdown the workflow appends (the `body-footer` input), as given. */
  readonly footer?: string
  /** Warnings of the run besides refusals. */
  readonly warnings?: readonly string[]
}

/** Each changed file with its feeds and CIDR counts. */
export function changedFiles(report: Report) {
  const counts = fileChanges(report.files, report.state)
  return new Map(
    report.files
      .filter((f) => f.changed)
      .map((f) => [
        f.path,
        { feeds: f.feeds, change: counts.get(f.path) ?? { added: 0, removed: 0 } },
      ]),
  )
}

/** The feeds' sections, and a line for changed files no changed feed explains. */
export function changesSection(report: Report, mode: ListMode): string {
  const files = changedFiles(report)
  const ids = [...report.state.changes.keys()].sort()
  const lock = report.lock ?? DEFAULT_LOCK_PATH
  const other = [...files.keys()].filter(
    (p) => p !== lock && !files.get(p)!.feeds.some((id) => report.state.changes.has(id)),
  )
  const origin = report.state.origin
  return [
    `## Changes: ${plural(ids.length, 'feed')}, ${plural(files.size, 'file')}`,
    '',
    origin === 'upstream' ? '' : `Read from the allowlist-sync worker ${link(origin)}.\n`,
    ...ids.map((id) => feedSection(report.state, id, files, mode, report.asOf)),
    other.length > 0
      ? `Rendered again (the config changed, or the file was edited): ${other.map(code).join(', ')}\n`
      : '',
  ].join('\n')
}

/** The PR body; collapses CIDR lists to counts if the full body would exceed the limit. */
export function renderPrBody(report: Report, limit = PR_BODY_LIMIT): string {
  const lock = report.lock ?? DEFAULT_LOCK_PATH
  const footer = report.footer ? `\n---\n\n${report.footer}\n` : ''
  const build = (full: boolean) =>
    [
      PR_MARKER,
      report.hold ? heldMarker(report.hold) : '',
      '',
      heldSection(report.hold, lock),
      policySection(report.policy),
      attentionSection(report.state, report.warnings ?? []),
      changesSection(report, { full, elsewhere: 'the full list is in the job summary' }),
      rollbackSection(lock),
    ]
      .filter((s) => s !== '')
      .join('\n')
  const full = build(true)
  if (full.length + footer.length <= limit) return full + footer
  const short = build(false)
  if (short.length + footer.length <= limit) return short + footer
  return `${short.slice(0, Math.max(0, limit - footer.length - 80))}\n\n… (truncated; see the job summary)\n${footer}`.slice(
    0,
    limit,
  )
}
