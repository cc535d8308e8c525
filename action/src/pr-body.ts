/**
 * @module The pull request's body: per feed the added and removed CIDRs (in `<details>` when
 * long), counts, source, version, sha256 and fetch time; refusals; the policy result; a hidden
 * marker. Feed-derived text is escaped; the body stays under GitHub's 65,536-character cap by
 * collapsing lists to counts (the full diff goes to the job summary).
 */
import type { FeedState } from './feed-state.ts'
import type { PlannedFile } from './plan.ts'
import type { PolicyResult } from './policy-check.ts'

/** The hidden marker that identifies the action's own PRs and comments. */
export const PR_MARKER = '<!-- allowlist-sync -->'

/** GitHub refuses a PR body of 65,536 characters or more; stay well under. */
export const PR_BODY_LIMIT = 65_000

/** Lists longer than this go inside a collapsed `<details>`. */
const DETAILS_OVER = 10

/**
 * Escapes text for Markdown and HTML: every character that could start markup (including
 * `<`, `&`, `@` mentions, `#` references, backticks, brackets, pipes) becomes inert.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]()#!|~:]/g, (c) => `\\${c}`)
      // GitHub resolves mentions after Markdown: a zero-width space after @ keeps them inert.
      .replace(/@/g, '@\u200b')
  )
}

/** Everything the body and the summary describe. */
export interface Report {
  readonly state: FeedState
  readonly files: readonly PlannedFile[]
  readonly policy: PolicyResult | undefined
  /** The workflow run's URL, when known. */
  readonly runUrl?: string
}

/** A canonical CIDR in a code span (only hex digits, dots, colons, a slash); anything else escaped. */
export function formatCidr(cidr: string): string {
  return /^[0-9a-f.:]+\/\d{1,3}$/.test(cidr) ? `\`${cidr}\`` : escapeMarkdown(cidr)
}

function list(cidrs: readonly string[], label: string, full: boolean): string {
  if (cidrs.length === 0) return ''
  const items = cidrs.map((c) => `- ${formatCidr(c)}`).join('\n')
  if (!full) return `- ${label}: ${cidrs.length} (full list in the job summary)\n`
  return cidrs.length > DETAILS_OVER
    ? `<details><summary>${label}: ${cidrs.length}</summary>\n\n${items}\n\n</details>\n`
    : `${label}: ${cidrs.length}\n\n${items}\n`
}

function feedSection(state: FeedState, id: string, full: boolean): string {
  const s = state.snapshots.get(id)
  const c = state.changes.get(id)
  if (!s || !c) return ''
  const added = [...c.added.ipv4, ...c.added.ipv6]
  const removed = [...c.removed.ipv4, ...c.removed.ipv6]
  const sources = s.source
    .split(' ')
    .map((u) => escapeMarkdown(u))
    .join(', ')
  return [
    `### ${escapeMarkdown(id)}: +${added.length} / −${removed.length}`,
    '',
    `version ${c.previousVersion} → ${s.version} · ${s.ipv4.length} IPv4 and ${s.ipv6.length} IPv6 CIDRs · source ${sources} · sha256 ${s.sha256} · fetched ${state.fetchedAt}`,
    '',
    list(added, 'Added', full),
    list(removed, 'Removed', full),
  ].join('\n')
}

/** The policy part: counts and the first findings (escaped). */
export function policySection(policy: PolicyResult | undefined, max = 20): string {
  if (!policy || (policy.policies.length === 0 && policy.errors.length === 0))
    return 'No port policy is configured.\n'
  const errors = policy.findings.filter((f) => f.severity === 'error').length
  const warnings = policy.findings.filter((f) => f.severity === 'warning').length
  const verdict =
    policy.errors.length > 0
      ? `could not run: ${policy.errors.map(escapeMarkdown).join('; ')}`
      : errors > 0
        ? `**${errors} violation${errors === 1 ? '' : 's'}**, ${warnings} warning${warnings === 1 ? '' : 's'}`
        : `compliant (${warnings} warning${warnings === 1 ? '' : 's'})`
  const lines = policy.findings.slice(0, max).map((f) => {
    const where =
      f.file === undefined
        ? ''
        : ` ${escapeMarkdown(f.file)}${f.line === undefined ? '' : `:${f.line}`}`
    return `- ${f.severity}${where} \\[${escapeMarkdown(f.rule)}\\] ${escapeMarkdown(f.message)}`
  })
  const more =
    policy.findings.length > max
      ? `\n- … ${policy.findings.length - max} more in the job summary`
      : ''
  return `Policies ${policy.policies.map(escapeMarkdown).join(', ')}: ${verdict}\n\n${lines.join('\n')}${more}\n`
}

function refusalSection(state: FeedState): string {
  if (state.refusals.length === 0) return ''
  return [
    '## Refused feeds (their files are left as they are)',
    '',
    ...state.refusals.map(
      (r) => `- ${escapeMarkdown(r.feed)}: ${escapeMarkdown(r.guard)}: ${escapeMarkdown(r.reason)}`,
    ),
    '',
  ].join('\n')
}

/** The PR body; collapses CIDR lists to counts if the full body would exceed the limit. */
export function renderPrBody(report: Report, limit = PR_BODY_LIMIT): string {
  const build = (full: boolean) => {
    const changed = report.files.filter((f) => f.changed)
    return [
      PR_MARKER,
      `This pull request keeps ${changed.length} allowlist file${changed.length === 1 ? '' : 's'} true to ${report.state.changes.size} changed feed${report.state.changes.size === 1 ? '' : 's'} (from ${escapeMarkdown(report.state.origin)}).`,
      '',
      '## Files',
      '',
      ...changed.map(
        (f) =>
          `- ${escapeMarkdown(f.path)}${f.feeds.length ? ` (${f.feeds.map(escapeMarkdown).join(', ')})` : ''}`,
      ),
      '',
      '## Feeds',
      '',
      ...[...report.state.changes.keys()].sort().map((id) => feedSection(report.state, id, full)),
      refusalSection(report.state),
      '## Port policy',
      '',
      policySection(report.policy),
      report.runUrl ? `\n[Workflow run](${encodeURI(report.runUrl)})\n` : '',
    ].join('\n')
  }
  const full = build(true)
  if (full.length <= limit) return full
  const short = build(false)
  return short.length <= limit
    ? short
    : `${short.slice(0, limit - 80)}\n\n… (truncated; see the job summary)\n`
}
