/**
 * @module The status page, server-rendered HTML: a summary first (how many feeds are healthy,
 * held, refused, failing, withdrawn, and since when each problem has lasted), the last cron run
 * and delivery health, then one row per feed with its history as a small multiple. No scripts,
 * no external assets; every string that came from configuration or upstream is escaped.
 */
import type { CronRun } from '../db/cron-runs.ts'
import type { DeliveryHealth } from '../db/deliveries.ts'
import type { HistoryPoint } from '../db/history.ts'
import { VERSION } from '../../../shared/src/index.ts'
import { escapeMarkup as esc } from '../../../shared/src/index.ts'
import type { FeedSummary } from '../routes/feed-catalogue.ts'
import { classifyFeed, HEALTH_LABEL, HEALTH_ORDER } from './feed-health.ts'
import type { FeedHealth, HealthKind, HeldMap } from './feed-health.ts'
import { renderSparkline } from './render-sparkline.ts'

/** Everything the page shows; the route gathers it, tests build it by hand. */
export interface StatusPageInput {
  readonly feeds: readonly FeedSummary[]
  /** The last versions of each feed, oldest first. */
  readonly history: ReadonlyMap<string, readonly HistoryPoint[]>
  /** Held candidates by feed id (the guards' held table; empty where there is none). */
  readonly held: HeldMap
  readonly cron: { readonly last: CronRun | undefined; readonly lastOk: CronRun | undefined }
  readonly deliveries: DeliveryHealth
  /** The window of the failed and dead delivery counts, in days. */
  readonly deliveryWindowDays: number
  readonly nowMs: number
}

/** A cron run older than this means the schedule stopped (it fires every 15 minutes). */
export const CRON_STALE_MS = 35 * 60 * 1000
/** Problems listed by name in the summary; the rest are counted. */
const MAX_LISTED = 8
/** Longest reason shown in the summary. */
const MAX_DETAIL = 240

/** "3 h 12 min ago", "2 d 4 h ago", "just now". */
export function formatAge(iso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(iso)
  if (!Number.isFinite(ms)) return ''
  if (ms < 60_000) return 'just now'
  const min = Math.floor(ms / 60_000)
  const parts =
    min < 60
      ? [`${min} min`]
      : min < 1440
        ? [`${Math.floor(min / 60)} h`, `${min % 60} min`]
        : [`${Math.floor(min / 1440)} d`, `${Math.floor((min % 1440) / 60)} h`]
  return `${parts.filter((p) => !p.startsWith('0 ')).join(' ')} ago`
}

function when(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return ''
  return `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(formatAge(iso, nowMs))}</time>`
}

function cut(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text
}

function problemItem(f: FeedSummary, h: FeedHealth, nowMs: number): string {
  return `<li class="kind-${h.kind}" data-feed="${esc(f.id)}"><a href="#feed-${esc(f.id)}">${esc(f.id)}</a> <span class="badge kind-${h.kind}">${HEALTH_LABEL[h.kind]}</span>${h.since === undefined ? '' : ` since ${when(h.since, nowMs)} <span class="when">(${esc(h.since)})</span>`}${h.detail === undefined ? '' : `<div class="detail">${esc(cut(h.detail))}</div>`}</li>`
}

function renderCron(input: StatusPageInput): { html: string; bad: boolean } {
  const { last, lastOk } = input.cron
  if (last === undefined) {
    return { html: '<dd class="kind-waiting">no cron run yet</dd>', bad: false }
  }
  const stale = input.nowMs - Date.parse(last.startedAt) > CRON_STALE_MS
  const outcome = last.finishedAt === undefined ? 'running or killed' : (last.outcome ?? '')
  const failed = last.outcome === 'failed'
  const note =
    failed && typeof last.summary['error'] === 'string' ? `: ${cut(last.summary['error'])}` : ''
  const okNote =
    failed && lastOk !== undefined ? `; last good run ${when(lastOk.startedAt, input.nowMs)}` : ''
  return {
    html: `<dd class="${failed || stale ? 'kind-refused' : 'kind-healthy'}" id="cron">started ${when(last.startedAt, input.nowMs)}, ${esc(outcome)}${esc(note)}${okNote}${stale ? ' — the schedule looks stopped (it fires every 15 minutes)' : ''}</dd>`,
    bad: failed || stale,
  }
}

function renderDeliveries(input: StatusPageInput): { html: string; bad: boolean; warn: boolean } {
  const d = input.deliveries
  const bad = d.dead > 0
  const warn = d.failed > 0 || d.retrying > 0
  return {
    html: `<dd class="${bad ? 'kind-refused' : warn ? 'kind-held' : 'kind-healthy'}" id="deliveries">${d.pending} pending (${d.retrying} retrying${d.oldestDue === undefined ? '' : `, oldest due ${when(d.oldestDue, input.nowMs)}`}), ${d.failed} failed, ${d.dead} dead in the last ${input.deliveryWindowDays} days</dd>`,
    bad,
    warn,
  }
}

function renderSummary(input: StatusPageInput, health: ReadonlyMap<string, FeedHealth>): string {
  const counts = new Map<HealthKind, number>()
  for (const h of health.values()) counts.set(h.kind, (counts.get(h.kind) ?? 0) + 1)
  const problems = input.feeds
    .filter((f) => ['refused', 'error', 'stuck', 'held'].includes(health.get(f.id)!.kind))
    .sort(
      (a, b) =>
        HEALTH_ORDER.indexOf(health.get(a.id)!.kind) - HEALTH_ORDER.indexOf(health.get(b.id)!.kind),
    )
  const cron = renderCron(input)
  const deliveries = renderDeliveries(input)
  const bad =
    (counts.get('refused') ?? 0) + (counts.get('error') ?? 0) + (counts.get('stuck') ?? 0) > 0 ||
    cron.bad ||
    deliveries.bad
  const held = (counts.get('held') ?? 0) > 0
  const waiting = (counts.get('waiting') ?? 0) > 0
  const warn = held || waiting || deliveries.warn
  const overall = bad ? 'refused' : warn ? 'held' : 'healthy'
  const heading = bad
    ? 'Needs attention'
    : held
      ? 'Waiting for confirmation'
      : waiting
        ? 'Waiting for a first sync'
        : deliveries.warn
          ? 'Deliveries are retrying or failed'
          : 'All synced feeds are healthy'
  const tally = HEALTH_ORDER.filter((k) => (counts.get(k) ?? 0) > 0)
    .map((k) => `<span class="badge kind-${k}">${counts.get(k)} ${HEALTH_LABEL[k]}</span>`)
    .join(' ')
  const listed = problems.slice(0, MAX_LISTED)
  const more = problems.length - listed.length
  return `<section id="summary" class="summary kind-${overall}">
<h2>${heading}</h2>
<p class="tally">${tally}</p>
${listed.length === 0 ? '' : `<ul class="problems">${listed.map((f) => problemItem(f, health.get(f.id)!, input.nowMs)).join('')}</ul>`}
${more > 0 ? `<p class="more">and ${more} more below</p>` : ''}
<dl class="ops"><dt>Last cron run</dt>${cron.html}<dt>Deliveries</dt>${deliveries.html}</dl>
</section>`
}

function cell(value: string | null | undefined): string {
  return value === null || value === undefined
    ? '<td class="none">—</td>'
    : `<td>${esc(value)}</td>`
}

/** The publisher's version the current lists were read from, under the version number. */
function upstream(f: FeedSummary): string {
  const up = f.upstreamVersion
  return up === null ? '' : `<div class="title">${esc(`${up.field} ${cut(up.value)}`)}</div>`
}

function refusal(f: FeedSummary, nowMs: number): string {
  const r = f.lastRefusal
  if (r === null) return ''
  return `<div class="when refusal">last refusal ${when(r.at, nowMs)}: ${esc(cut(`${r.guard}: ${r.reason}`))}</div>`
}

function row(
  f: FeedSummary,
  h: FeedHealth,
  points: readonly HistoryPoint[],
  nowMs: number,
): string {
  const last = points.at(-1)
  const change = last === undefined || last.version === 1 ? '' : `+${last.added} −${last.removed} `
  return `<tr id="feed-${esc(f.id)}" data-feed="${esc(f.id)}" class="kind-${h.kind}">
<td><a href="/v1/feeds/${esc(f.id)}">${esc(f.id)}</a><div class="title">${esc(f.title)}</div></td>
<td><span class="badge kind-${h.kind}">${HEALTH_LABEL[h.kind]}</span>${h.since === undefined || h.kind === 'healthy' ? '' : `<div class="when">since ${when(h.since, nowMs)}</div>`}</td>
${f.version === null ? cell(null) : `<td>${f.version}${upstream(f)}</td>`}
${cell(f.counts === null ? null : String(f.counts.ipv4))}
${cell(f.counts === null ? null : String(f.counts.ipv6))}
<td class="history">${renderSparkline(points, nowMs)}</td>
${f.lastChangedAt === null ? cell(null) : `<td>${esc(change)}${when(f.lastChangedAt, nowMs)}</td>`}
${f.lastCheckedAt === null ? cell(null) : `<td>${esc(f.lastOutcome?.outcome ?? '')} ${when(f.lastCheckedAt, nowMs)}${refusal(f, nowMs)}</td>`}
</tr>`
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1rem 1.5rem;color:#222}
h1{font-size:20px;margin:.2rem 0}h2{font-size:16px;margin:.2rem 0 .4rem}
.summary{border:2px solid #ccc;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0 1rem}
.summary.kind-refused{border-color:#b00020}.summary.kind-held{border-color:#b26a00}.summary.kind-healthy{border-color:#2e7d32}
.problems{margin:.3rem 0;padding-left:1.2rem}.problems li{margin:.15rem 0}.detail{color:#444;font-size:12px;overflow-wrap:anywhere}
.ops{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0 0}.ops dt{font-weight:600}.ops dd{margin:0}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:12px;background:#eee}
.badge.kind-refused,.badge.kind-error,.badge.kind-stuck{background:#fde7ea;color:#b00020}.badge.kind-held{background:#fff3e0;color:#8a4b00}
.badge.kind-healthy{background:#e8f5e9;color:#1b5e20}.badge.kind-withdrawn,.badge.kind-disabled,.badge.kind-waiting{background:#f0f0f0;color:#555}
dd.kind-refused{color:#b00020}dd.kind-held{color:#8a4b00}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:middle}
tr.kind-disabled td,tr.kind-withdrawn td{color:#777}
.title,.when,.version{color:#666;font-size:12px}.none{color:#aaa}
.spark .series{stroke:#1f77b4;stroke-width:1.5}.spark .change{stroke:#fff;stroke-width:1}
.spark .first{fill:#999}.spark .added{fill:#2e7d32}.spark .removed{fill:#c62828}.spark .both{fill:#ef6c00}`

/** The whole page. */
export function renderStatusPage(input: StatusPageInput): string {
  const health = new Map(input.feeds.map((f) => [f.id, classifyFeed(f, input.held, input.nowMs)]))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>allowlist-sync status</title>
<link rel="icon" href="data:,">
<style>
${STYLE}
</style>
</head>
<body>
<h1>allowlist-sync</h1>
${renderSummary(input, health)}
<p>${input.feeds.length} feeds. JSON: <a href="/v1/feeds">/v1/feeds</a>, changes: <a href="/v1/changes">/v1/changes</a>, <a href="/v1/changes.atom">Atom</a>. History: the last versions of each feed on its own scale; markers are changes (green added, red removed, amber both).</p>
<table>
<thead><tr><th>feed</th><th>state</th><th>version</th><th>IPv4 CIDRs</th><th>IPv6 CIDRs</th><th>history</th><th>last change</th><th>last check</th></tr></thead>
<tbody>
${input.feeds.map((f) => row(f, health.get(f.id)!, input.history.get(f.id) ?? [], input.nowMs)).join('\n')}
</tbody>
</table>
<p class="version">allowlist-sync ${VERSION}</p>
</body>
</html>
`
}
