/**
 * @module One feed's history as a small multiple: an inline SVG step line of its CIDR count over
 * its last versions, on its own linear scale (so a change of 2 in 3,000 still shows), with a
 * marker at each change: green for additions only, red for removals only, amber for both. Pure.
 */
import { escapeMarkup } from '../../../shared/src/index.ts'
import type { HistoryPoint } from '../db/history.ts'

/** Width and height of one sparkline, in CSS pixels. */
export const SPARK_W = 180
export const SPARK_H = 34
const PAD = 4

function markerClass(p: HistoryPoint): string {
  if (p.version === 1) return 'first'
  if (p.added > 0 && p.removed > 0) return 'both'
  return p.removed > 0 ? 'removed' : 'added'
}

/** The sparkline of one feed's `points` (oldest first) up to `nowMs`; '' when it has none. */
export function renderSparkline(points: readonly HistoryPoint[], nowMs: number): string {
  if (points.length === 0) return ''
  const times = points.map((p) => Date.parse(p.changedAt))
  const t0 = Math.min(...times)
  const t1 = Math.max(nowMs, t0 + 60_000)
  const counts = points.map((p) => p.ipv4Count + p.ipv6Count)
  const lo = Math.min(...counts)
  const hi = Math.max(...counts)
  const x = (t: number): number => PAD + ((t - t0) / (t1 - t0)) * (SPARK_W - 2 * PAD)
  const y = (n: number): number =>
    hi === lo ? SPARK_H / 2 : SPARK_H - PAD - ((n - lo) / (hi - lo)) * (SPARK_H - 2 * PAD)
  const coords: string[] = []
  points.forEach((p, i) => {
    const end = i + 1 < points.length ? times[i + 1]! : t1
    coords.push(`${x(times[i]!).toFixed(1)},${y(counts[i]!).toFixed(1)}`)
    coords.push(`${x(end).toFixed(1)},${y(counts[i]!).toFixed(1)}`)
  })
  const markers = points.map((p, i) => {
    const label = `version ${p.version}, ${p.changedAt}: ${counts[i]} CIDRs${p.version === 1 ? ' (first snapshot)' : ` (+${p.added} −${p.removed})`}`
    return `<circle class="change ${markerClass(p)}" cx="${x(times[i]!).toFixed(1)}" cy="${y(counts[i]!).toFixed(1)}" r="3"><title>${escapeMarkup(label)}</title></circle>`
  })
  const first = points[0]!
  const last = points.at(-1)!
  const summary = `${last.feed}: ${counts.at(-1)} CIDRs at version ${last.version}; ${points.length - (first.version === 1 ? 1 : 0)} change(s) since ${first.changedAt.slice(0, 10)}, from ${lo} to ${hi}`
  return `<svg class="spark" role="img" viewBox="0 0 ${SPARK_W} ${SPARK_H}" width="${SPARK_W}" height="${SPARK_H}" xmlns="http://www.w3.org/2000/svg"><title>${escapeMarkup(summary)}</title><polyline class="series" fill="none" points="${coords.join(' ')}"/>${markers.join('')}</svg>`
}
