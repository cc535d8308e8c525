/**
 * @module The sections the pull request body and the job summary share, in the order a reviewer
 * reads them: what needs a decision (held updates), the policy result, what was refused or
 * warned about (grouped across address families), each feed's change, how to roll back and pause.
 */
import { groupFamilies } from './family-groups.ts'
import type { FeedState } from './feed-state.ts'
import type { FileChange } from './file-changes.ts'
import type { HoldDecision } from './held.ts'
import { cidrList, code, escapeMarkdown, link, plural } from './markdown.ts'
import { violations, type PolicyResult } from './policy-check.ts'

/** The policy result in a few words, and whether it fails. */
export function policyVerdict(policy: PolicyResult | undefined): { text: string; fails: boolean } {
  if (!policy || (policy.policies.length === 0 && policy.errors.length === 0))
    return { text: 'not configured', fails: false }
  const errors = violations(policy)
  const warnings = policy.findings.filter((f) => f.severity === 'warning').length
  if (policy.errors.length > 0) return { text: 'could not run', fails: true }
  if (errors > 0) return { text: `${plural(errors, 'violation')}`, fails: true }
  return {
    text: `compliant${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}`,
    fails: false,
  }
}

/** The policy section: verdict, then findings (most severe first, grouped across families). */
export function policySection(policy: PolicyResult | undefined, max = 20, hints = false): string {
  const verdict = policyVerdict(policy)
  const head = `## Port policy: ${verdict.fails ? `**${verdict.text}**` : verdict.text}\n`
  if (!policy || verdict.text === 'not configured')
    return `${head}\nNo port policy is configured.\n`
  const checked = `Policies ${policy.policies.map(code).join(', ')} over ${plural(policy.files.length, 'file')}.`
  const problems = policy.errors.map((e) => `- **could not run**: ${escapeMarkdown(e)}`)
  const findings = groupFamilies(
    policy.findings.map((f) => {
      const where =
        f.file === undefined
          ? ''
          : ` ${code(`${f.file}${f.line === undefined ? '' : `:${f.line}`}`)}`
      const hint = hints && f.hint ? ` — ${escapeMarkdown(f.hint)}` : ''
      return `- **${f.severity}**${where} ${code(f.rule)} ${escapeMarkdown(f.message)}${hint}`
    }),
  )
  const shown = findings.slice(0, max)
  const more = findings.length > max ? [`- … ${findings.length - max} more in the job summary`] : []
  return [head, checked, '', ...problems, ...shown, ...more, ''].join('\n')
}

/** The held section: what is held and why, and that marking the PR ready is the confirmation. */
export function heldSection(hold: HoldDecision | undefined, lock: string): string {
  if (!hold || hold.pending.length + hold.confirmed.length === 0) return ''
  const line = (h: HoldDecision['pending'][number]) => {
    const add = h.change.added.ipv4.length + h.change.added.ipv6.length
    const rem = h.change.removed.ipv4.length + h.change.removed.ipv6.length
    const what = [
      rem > 0 ? `removes ${plural(rem, 'CIDR')}` : '',
      add > 0 ? `adds ${plural(add, 'CIDR')}` : '',
    ]
      .filter(Boolean)
      .join(' and ')
    return `- ${code(h.feed)} ${what || 'changes'} (${code(h.guard)}: ${escapeMarkdown(h.reason)})`
  }
  const out: string[] = []
  if (hold.pending.length > 0)
    out.push(
      '## Held: confirm by marking this pull request ready for review',
      '',
      '> [!CAUTION]',
      `> ${plural(hold.pending.length, 'feed update was', 'feed updates were')} held: ${hold.pending.length === 1 ? 'it removes or adds' : 'they remove or add'} more than the guards let through unconfirmed. Check the lists below against the publisher's announcement.`,
      '',
      ...hold.pending.map(line),
      '',
      `**Marking this pull request ready for review is the confirmation**: the next run records it in ${code(lock)} and leaves the pull request ready. To reject, close it. While it is a draft, nothing is applied.`,
      '',
    )
  if (hold.confirmed.length > 0)
    out.push(
      '## Held updates confirmed',
      '',
      ...hold.confirmed.map(line),
      '',
      `Confirmed by marking this pull request ready for review; ${code(lock)} records it.`,
      '',
    )
  return out.join('\n')
}

/** Refusals and warnings (grouped across address families), or nothing. */
export function attentionSection(
  state: FeedState | undefined,
  warnings: readonly string[],
): string {
  const refusals = (state?.refusals ?? []).map(
    (r) =>
      `- ${code(r.feed)} refused (${code(r.guard)}): ${escapeMarkdown(r.reason)}; its files are left as they are`,
  )
  const other = groupFamilies(warnings).map((w) => `- ${escapeMarkdown(w)}`)
  if (refusals.length + other.length === 0) return ''
  return ['## Needs attention', '', ...groupFamilies(refusals), ...other, ''].join('\n')
}

/** How lists are shown: in full, or counted with a pointer to where they are in full. */
export interface ListMode {
  readonly full: boolean
  readonly elsewhere: string
}

/** One feed's change: source links, publisher's version, fetch time, sha256, CIDRs, files. */
export function feedSection(
  state: FeedState,
  id: string,
  files: ReadonlyMap<string, { feeds: readonly string[]; change: FileChange }>,
  mode: ListMode,
  asOf?: string,
): string {
  const s = state.snapshots.get(id)
  const c = state.changes.get(id)
  if (!s || !c) return ''
  const added = [...c.added.ipv4, ...c.added.ipv6]
  const removed = [...c.removed.ipv4, ...c.removed.ipv6]
  const facts = [
    `- source: ${s.source.split(' ').filter(Boolean).map(link).join(', ')}`,
    ...(s.upstreamVersion
      ? [`- published version: ${code(`${s.upstreamVersion.field} ${s.upstreamVersion.value}`)}`]
      : []),
    `- fetched ${code(asOf || s.fetchedAt)}, sha256 ${code(s.sha256)}`,
    `- now ${plural(s.ipv4.length, 'IPv4 CIDR')} and ${plural(s.ipv6.length, 'IPv6 CIDR')}${c.previousVersion === 0 ? ' (first sync of this feed)' : ''}`,
    ...(c.confirmedAfterHold ? ['- held, then confirmed by marking this pull request ready'] : []),
  ]
  const mine = [...files].filter(([, f]) => f.feeds.includes(id))
  const fileLine =
    mine.length === 0
      ? []
      : [
          `- files: ${mine.map(([p, f]) => `${code(p)} (+${f.change.added} −${f.change.removed})`).join(', ')}`,
        ]
  return [
    `### ${code(id)}: +${added.length} −${removed.length}`,
    '',
    ...facts,
    ...fileLine,
    '',
    cidrList(added, 'Added', mode.full, mode.elsewhere),
    cidrList(removed, 'Removed', mode.full, mode.elsewhere),
  ].join('\n')
}

/** How to roll back and how to pause. */
export function rollbackSection(lock: string): string {
  return [
    '## Rolling back, pausing',
    '',
    `- **Roll back**: revert this pull request (or its merge commit). ${code(lock)} holds the previous snapshot of every feed, so the revert restores the files and the state the next run compares with; if the publisher still lists the change, that run proposes it again.`,
    '- **Pause**: disable the workflow that runs allowlist-sync (Actions → the workflow → ⋯ → Disable workflow, or `gh workflow disable NAME`). Open pull requests stay as they are.',
    '',
  ].join('\n')
}
