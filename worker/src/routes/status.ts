/**
 * @module GET /: the status page, server-rendered HTML with an inline SVG chart of each feed's
 * size over time. No scripts, no external assets (a CSP says so); every feed-derived string is
 * escaped, since feed ids, reasons and URLs come from configuration and from upstream.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app.ts'
import { getHistory } from '../db/snapshots.ts'
import type { HistoryPoint } from '../db/snapshots.ts'
import { listFeeds } from './feed-catalogue.ts'
import type { FeedSummary } from './feed-catalogue.ts'

/** Escapes text for HTML (and SVG) content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) =>
    ch === '&'
      ? '&amp;'
      : ch === '<'
        ? '&lt;'
        : ch === '>'
          ? '&gt;'
          : ch === '"'
            ? '&quot;'
            : '&#39;',
  )
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
]

const W = 820
const H = 280
const PAD = { left: 56, right: 16, top: 16, bottom: 36 }

/**
 * The chart: CIDRs (IPv4 + IPv6) per feed over time, one step line per feed, log scale (feeds
 * range from a handful of ranges to thousands). Pure function of its input; numbers only in
 * coordinates, escaped text in labels.
 */
export function renderChart(history: readonly HistoryPoint[], nowMs: number): string {
  const byFeed = new Map<string, HistoryPoint[]>()
  for (const p of history) byFeed.set(p.feed, [...(byFeed.get(p.feed) ?? []), p])
  const times = history.map((p) => Date.parse(p.changedAt))
  const t0 = times.length === 0 ? nowMs - 86_400_000 : Math.min(...times)
  const t1 = Math.max(nowMs, t0 + 60_000)
  const maxCount = Math.max(10, ...history.map((p) => p.ipv4Count + p.ipv6Count))
  const decades = Math.ceil(Math.log10(maxCount))
  const x = (t: number): number => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right)
  const y = (n: number): number =>
    H - PAD.bottom - (Math.log10(Math.max(1, n)) / decades) * (H - PAD.top - PAD.bottom)
  const grid: string[] = []
  for (let d = 0; d <= decades; d++) {
    const gy = y(10 ** d).toFixed(1)
    grid.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${gy}" y2="${gy}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${(10 ** d).toLocaleString('en-US')}</text>`,
    )
  }
  const lines: string[] = []
  const legend: string[] = []
  ;[...byFeed.entries()].forEach(([feed, points], i) => {
    const color = PALETTE[i % PALETTE.length]!
    const coords: string[] = []
    points.forEach((p, j) => {
      const n = p.ipv4Count + p.ipv6Count
      const start = Date.parse(p.changedAt)
      const end = j + 1 < points.length ? Date.parse(points[j + 1]!.changedAt) : t1
      coords.push(
        `${x(start).toFixed(1)},${y(n).toFixed(1)}`,
        `${x(end).toFixed(1)},${y(n).toFixed(1)}`,
      )
    })
    const last = points.at(-1)!
    lines.push(
      `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"><title>${escapeHtml(`${feed}: ${last.ipv4Count + last.ipv6Count} CIDRs at version ${last.version}`)}</title></polyline>`,
    )
    legend.push(
      `<li><span class="swatch" style="background:${color}"></span>${escapeHtml(feed)}</li>`,
    )
  })
  const label = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ')
  return `<figure>
<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">CIDRs per feed over time (log scale)</title>
${grid.join('\n')}
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" class="axis"/>
<text x="${PAD.left}" y="${H - 12}">${escapeHtml(label(t0))}</text>
<text x="${W - PAD.right}" y="${H - 12}" text-anchor="end">${escapeHtml(label(t1))} UTC</text>
${lines.join('\n')}
</svg>
<figcaption>CIDRs (IPv4 + IPv6) in each feed's current snapshot, over time; log scale.</figcaption>
<ul class="legend">${legend.join('')}</ul>
</figure>`
}

function cell(value: string | null | undefined): string {
  return value === null || value === undefined
    ? '<td class="none">—</td>'
    : `<td>${escapeHtml(value)}</td>`
}

/** The held marker of a feed row: what is held, why, and how far its confirmation is. */
function heldMarker(f: FeedSummary): string {
  const h = f.held
  if (h === null) return ''
  const state =
    h.confirms === null
      ? `rejected ${h.rejectedAt ?? ''}`
      : `seen ${h.seenCount} of ${h.confirms.fetches} times, not before ${h.confirms.notBefore}`
  return `<div class="held" data-held="${escapeHtml(h.status)}"><strong>${escapeHtml(h.status)}: ${escapeHtml(h.guard)}</strong> ${escapeHtml(`+${h.added.ipv4.length + h.added.ipv6.length} −${h.removed.ipv4.length + h.removed.ipv6.length} CIDRs, ${state}`)}<div class="when">${escapeHtml(h.reason)}</div></div>`
}

function row(f: FeedSummary): string {
  const outcome = f.lastOutcome
  const refusal = f.lastRefusal
  return `<tr data-feed="${escapeHtml(f.id)}">
<td><a href="/v1/feeds/${escapeHtml(f.id)}">${escapeHtml(f.id)}</a><div class="title">${escapeHtml(f.title)}</div>${heldMarker(f)}</td>
${cell(f.version === null ? null : String(f.version))}
${cell(f.counts === null ? null : String(f.counts.ipv4))}
${cell(f.counts === null ? null : String(f.counts.ipv6))}
${outcome === null ? cell(null) : `<td class="outcome-${escapeHtml(outcome.outcome)}">${escapeHtml(outcome.outcome)}${outcome.guard === undefined ? '' : ` (${escapeHtml(outcome.guard)})`}<div class="when">${escapeHtml(f.lastCheckedAt ?? '')}</div></td>`}
${cell(f.lastChangedAt)}
${refusal === null ? cell(null) : `<td class="refusal"><strong>${escapeHtml(refusal.guard)}</strong>: ${escapeHtml(refusal.reason)}<div class="when">${escapeHtml(refusal.at)}</div></td>`}
</tr>`
}

/** The whole page. */
export function renderStatusPage(
  feeds: readonly FeedSummary[],
  history: readonly HistoryPoint[],
  nowMs: number,
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>allowlist-sync status</title>
<link rel="icon" href="data:,">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
.title,.when{color:#666;font-size:12px}.held{color:#8a5a00}.none{color:#aaa}.outcome-refused,.outcome-error,.refusal{color:#b00020}
.chart text{font-size:11px;fill:#555}.chart .grid{stroke:#eee}.chart .axis{stroke:#888}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
</style>
</head>
<body>
<h1>allowlist-sync</h1>
<p>${feeds.length} feeds. JSON: <a href="/v1/feeds">/v1/feeds</a>, changes: <a href="/v1/changes">/v1/changes</a>, <a href="/v1/changes.atom">Atom</a>.</p>
${renderChart(history, nowMs)}
<table>
<thead><tr><th>feed</th><th>version</th><th>IPv4 CIDRs</th><th>IPv6 CIDRs</th><th>last check</th><th>last change</th><th>last refusal</th></tr></thead>
<tbody>
${feeds.map(row).join('\n')}
</tbody>
</table>
</body>
</html>
`
}

/** The status sub-app. */
export const status = new Hono<AppEnv>().get('/', async (c) => {
  const [feeds, history] = await Promise.all([listFeeds(c.env.DB, c.env), getHistory(c.env.DB)])
  return c.html(renderStatusPage(feeds, history, Date.now()), 200, {
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'cache-control': 'no-cache',
  })
})
