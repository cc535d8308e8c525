/**
 * @module The job summary (Markdown for GITHUB_STEP_SUMMARY): what the run did, every file, the
 * full per-feed diff, refusals and why, and every policy finding; plus the choice of which
 * findings become annotations (GitHub shows 10 errors and 10 warnings per step).
 */
import type { FeedState } from './feed-state.ts'
import type { PlannedFile } from './plan.ts'
import type { PolicyFinding, PolicyResult } from './policy-check.ts'
import { escapeMarkdown, formatCidr, policySection } from './pr-body.ts'

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

/** What the run did, for the summary's first line. */
export interface RunOutcome {
  readonly operation: 'created' | 'updated' | 'closed' | 'none'
  readonly pullRequestUrl?: string
  readonly dryRun: boolean
  readonly warnings: readonly string[]
}

/** The job summary's Markdown. */
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
  const out: string[] = ['## allowlist-sync', '']
  const pr = outcome.pullRequestUrl ? ` ([pull request](${encodeURI(outcome.pullRequestUrl)}))` : ''
  out.push(
    `Pull request: **${outcome.operation}**${pr}${outcome.dryRun ? ' (dry run: nothing was written)' : ''}`,
    '',
  )
  for (const w of outcome.warnings) out.push(`> [!WARNING]\n> ${escapeMarkdown(w)}`, '')
  if (state) {
    if (state.refusals.length > 0) {
      out.push(
        '### Refused feeds',
        '',
        'These feeds were refused; files built from them are left as they are.',
        '',
      )
      for (const r of state.refusals)
        out.push(
          `- ${escapeMarkdown(r.feed)}: **${escapeMarkdown(r.guard)}**: ${escapeMarkdown(r.reason)}`,
        )
      out.push('')
    }
    if (files.length > 0) {
      out.push('### Files', '', '| file | result |', '| --- | --- |')
      for (const f of files)
        out.push(
          `| ${escapeMarkdown(f.path)} | ${f.skipped ? escapeMarkdown(f.skipped) : f.changed ? 'changed' : 'unchanged'} |`,
        )
      out.push('')
    }
    for (const id of [...state.changes.keys()].sort()) {
      const c = state.changes.get(id)!
      const s = state.snapshots.get(id)!
      const added = [...c.added.ipv4, ...c.added.ipv6]
      const removed = [...c.removed.ipv4, ...c.removed.ipv6]
      out.push(
        `### ${escapeMarkdown(id)}: +${added.length} / −${removed.length} (version ${c.previousVersion} → ${s.version}, sha256 ${s.sha256})`,
        '',
      )
      for (const [label, cidrs] of [
        ['Added', added],
        ['Removed', removed],
      ] as const)
        if (cidrs.length > 0 && !lists)
          out.push(`- ${label}: ${cidrs.length} (too long to list here)`)
        else if (cidrs.length > 0)
          out.push(
            `<details><summary>${label}: ${cidrs.length}</summary>`,
            '',
            ...cidrs.map((x) => `- ${formatCidr(x)}`),
            '',
            '</details>',
            '',
          )
    }
  }
  out.push('### Port policy', '', policySection(policy, Number.MAX_SAFE_INTEGER))
  return `${out.join('\n')}\n`
}
