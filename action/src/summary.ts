/**
 * @module The job summary (Markdown for GITHUB_STEP_SUMMARY), policy result and decisions first:
 * what the run did, held updates, every policy finding with its hint, refusals and warnings,
 * every file, and the full per-feed diff; plus the choice of which findings become workflow
 * annotations (GitHub shows 10 errors and 10 warnings per step).
 */
import type { FeedState } from './feed-state.ts'
import type { HoldDecision } from './held.ts'
import { code, escapeMarkdown } from './markdown.ts'
import type { PlannedFile } from './plan.ts'
import type { PolicyFinding, PolicyResult } from './policy-check.ts'
import { changesSection } from './pr-body.ts'
import { attentionSection, heldSection, policySection } from './report-sections.ts'

/** GitHub shows at most this many error and this many warning annotations per step. */
export const ANNOTATIONS_PER_LEVEL = 10

/** The findings to annotate (most severe first, 10 per level) and the rest (summary only). */
export function selectAnnotations(findings: readonly PolicyFinding[]): {
  shown: PolicyFinding[]
  rest: PolicyFinding[]
} {
  const shown: PolicyFinding[] = []
  const rest: PolicyFinding[] = []
  const count = { error: 0, warning: 0, note: 0 }
  for (const f of findings) {
    if (count[f.severity] < ANNOTATIONS_PER_LEVEL) shown.push(f)
    else rest.push(f)
    count[f.severity]++
  }
  return { shown, rest }
}

/** What the run did, for the summary's first lines. */
export interface RunOutcome {
  readonly operation: 'created' | 'updated' | 'closed' | 'none'
  readonly pullRequestUrl?: string
  readonly dryRun: boolean
  readonly warnings: readonly string[]
  /** The PR title this run wanted (a headline for the summary). */
  readonly title?: string
  readonly hold?: HoldDecision
  readonly lock?: string
}

/** GitHub shows at most 1 MiB of job summary per step; stay under it. */
export const SUMMARY_LIMIT = 1_000_000

/**
 * The job summary's Markdown: every CIDR of every change when it fits in {@link SUMMARY_LIMIT},
 * else counts only (and a note saying so).
 */
export function renderSummary(
  outcome: RunOutcome,
  state: FeedState | undefined,
  files: readonly PlannedFile[],
  policy: PolicyResult | undefined,
): string {
  const full = buildSummary(outcome, state, files, policy, true)
  if (full.length <= SUMMARY_LIMIT) return full
  const short = buildSummary(outcome, state, files, policy, false)
  return short.length <= SUMMARY_LIMIT
    ? short
    : `${short.slice(0, SUMMARY_LIMIT - 100)}\n\n… (truncated at GitHub's summary size limit)\n`
}

function buildSummary(
  outcome: RunOutcome,
  state: FeedState | undefined,
  files: readonly PlannedFile[],
  policy: PolicyResult | undefined,
  lists: boolean,
): string {
  const lock = outcome.lock ?? '.github/allowlist-sync.lock.json'
  const pr = outcome.pullRequestUrl ? ` ([pull request](${encodeURI(outcome.pullRequestUrl)}))` : ''
  const out: string[] = [
    `# allowlist-sync${outcome.title ? `: ${escapeMarkdown(outcome.title)}` : ''}`,
    '',
    `Pull request: **${outcome.operation}**${pr}${outcome.dryRun ? ' (dry run: nothing was written)' : ''}`,
    '',
    heldSection(outcome.hold, lock),
    policySection(policy, Number.MAX_SAFE_INTEGER, true),
    attentionSection(state, outcome.warnings),
  ]
  if (files.length > 0) {
    out.push('## Files', '', '| file | result |', '| --- | --- |')
    for (const f of files)
      out.push(
        `| ${code(f.path).replaceAll('|', '\\|')} | ${f.skipped ? escapeMarkdown(f.skipped) : f.changed ? 'changed' : 'unchanged'} |`,
      )
    out.push('')
  }
  if (state && state.changes.size > 0)
    out.push(
      changesSection(
        { state, files, policy, lock },
        { full: lists, elsewhere: 'too long to list here' },
      ),
    )
  return `${out.join('\n')}\n`
}
