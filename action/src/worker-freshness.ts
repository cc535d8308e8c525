/**
 * @module How fresh a worker's feeds are, from its catalogue (`GET /v1/feeds`: each feed's last
 * check, when upstream last confirmed its lists, and the last outcome). A snapshot read answers
 * 304 by its sha256 alone, so a worker whose syncs stopped finishing (an invocation over the
 * Workers Free CPU limit, say) would serve its last lists as current for ever, and the Action
 * would call them unchanged: these warnings say so instead.
 */
import { errorMessage } from '../../shared/src/index.ts'

/** Older than this (24 of the worker's 15-minute cron runs), a feed's data gets a warning. */
export const MAX_SOURCE_AGE_MS = 6 * 60 * 60 * 1000

/** The longest text taken from the worker into a warning (its reasons are upstream text). */
const MAX_REASON = 200

/** The fields of a catalogue entry read here (worker/src/routes/feed-catalogue.ts). */
interface CatalogueEntry {
  readonly id: string
  readonly enabled: boolean
  readonly fetchedAt: string | null
  readonly lastCheckedAt: string | null
  readonly lastOutcome: {
    readonly outcome: string
    readonly guard?: string
    readonly reason?: string
  } | null
}

/**
 * One warning per feed of `ids` whose data from the worker at `source` is not fresh at `nowMs`:
 * the worker does not sync it, has not checked it yet, has not checked it for MAX_SOURCE_AGE_MS,
 * or has refused its upstream for as long; one warning when the catalogue cannot be read.
 */
export async function workerFreshness(
  source: string,
  ids: readonly string[],
  fetchFn: typeof fetch,
  nowMs: number,
): Promise<string[]> {
  const url = `${source.replace(/\/+$/, '')}/v1/feeds`
  let entries: unknown
  try {
    const res = await fetchFn(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(15_000),
    })
    if (res.status !== 200) throw new Error(`answered ${res.status}`)
    entries = ((await res.json()) as { feeds?: unknown }).feeds
    if (!Array.isArray(entries)) throw new Error('no feeds array in its body')
  } catch (cause) {
    return [`${url}: ${errorMessage(cause)}; how fresh the worker's feeds are was not checked`]
  }
  const byId = new Map<string, unknown>()
  for (const e of entries as unknown[]) {
    const id = (e as { id?: unknown } | null)?.id
    if (typeof id === 'string') byId.set(id, e)
  }
  const warnings: string[] = []
  for (const id of ids) {
    const entry = byId.get(id)
    if (entry === undefined) {
      warnings.push(`feed ${id}: not in the worker's catalogue (${url})`)
      continue
    }
    const warning = isEntry(entry)
      ? staleness(entry, nowMs)
      : `the worker's catalogue entry is not what allowlist-sync's worker serves`
    if (warning !== undefined) warnings.push(`feed ${id}: ${warning}`)
  }
  return warnings
}

function isEntry(e: unknown): e is CatalogueEntry {
  const o = e as Record<string, unknown>
  const time = (v: unknown) => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
  const last = o['lastOutcome'] as Record<string, unknown> | null | undefined
  return (
    typeof o['enabled'] === 'boolean' &&
    time(o['fetchedAt']) &&
    time(o['lastCheckedAt']) &&
    (last === null ||
      (typeof last === 'object' &&
        last !== undefined &&
        typeof last['outcome'] === 'string' &&
        ['guard', 'reason'].every((k) => last[k] === undefined || typeof last[k] === 'string')))
  )
}

/** What is stale about one feed, or undefined. */
function staleness(e: CatalogueEntry, nowMs: number): string | undefined {
  const asOf = e.fetchedAt === null ? 'it has no lists yet' : `its lists are as of ${e.fetchedAt}`
  if (!e.enabled) return `the worker does not sync it (not in its ENABLED_FEEDS); ${asOf}`
  if (e.lastCheckedAt === null) return `the worker has not checked it yet; ${asOf}`
  const checked = Date.parse(e.lastCheckedAt)
  if (nowMs - checked > MAX_SOURCE_AGE_MS)
    return `the worker has not checked it for ${hours(nowMs - checked)} (last check ${e.lastCheckedAt}): its syncs are not finishing (see its status page and logs); ${asOf}`
  const fetched = e.fetchedAt === null ? NaN : Date.parse(e.fetchedAt)
  const last = e.lastOutcome
  if (
    nowMs - fetched > MAX_SOURCE_AGE_MS &&
    last !== null &&
    last.outcome !== 'changed' &&
    last.outcome !== 'unchanged'
  ) {
    const why = `${last.guard ?? last.outcome}${last.reason === undefined ? '' : `: ${last.reason}`}`
    return `upstream has not confirmed its lists for ${hours(nowMs - fetched)}: the worker's last check was ${last.outcome} (${cut(why)}); ${asOf}`
  }
  return undefined
}

function hours(ms: number): string {
  const h = Math.floor(ms / 3_600_000)
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} d`
}

function cut(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text
}
