/**
 * @module GET /: the status page (status/render-status-page.ts). Four indexed reads, each a
 * fixed number of rows per feed: the feed listing, the last versions of each feed, the last cron
 * runs and the delivery counts. A CSP forbids scripts and every external asset.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { getLastCronRuns } from '../db/cron-runs.ts'
import { getDeliveryHealth } from '../db/deliveries.ts'
import { getRecentHistory } from '../db/history.ts'
import type { HeldInfo, HeldMap } from '../status/feed-health.ts'
import { renderStatusPage } from '../status/render-status-page.ts'
import { listFeeds } from './feed-catalogue.ts'
import type { FeedSummary } from './feed-catalogue.ts'

/** Versions of each feed drawn in its history. */
export const HISTORY_VERSIONS = 30
/** Window of the failed and dead delivery counts. */
export const DELIVERY_WINDOW_DAYS = 7

/** The candidates waiting for confirmation, from the listing (rejected ones wait for nothing). */
export function heldOf(feeds: readonly FeedSummary[]): HeldMap {
  const held = new Map<string, HeldInfo>()
  for (const f of feeds) {
    if (f.held?.status === 'held')
      held.set(f.id, {
        firstSeenAt: f.held.firstSeenAt,
        seenCount: f.held.seenCount,
        guard: f.held.guard,
        reason: f.held.reason,
        ...(f.held.confirms === null ? {} : { confirms: f.held.confirms }),
      })
  }
  return held
}

/** The status sub-app. */
export const status = new Hono<AppEnv>().get('/', async (c) => {
  const db = c.env.DB
  const nowMs = c.get('now')()
  const feeds = await listFeeds(db, c.env)
  const withHistory = feeds.filter((f) => f.version !== null).map((f) => f.id)
  const held = heldOf(feeds)
  const [history, cron, deliveries] = await Promise.all([
    getRecentHistory(db, withHistory, HISTORY_VERSIONS),
    getLastCronRuns(db),
    getDeliveryHealth(db, new Date(nowMs - DELIVERY_WINDOW_DAYS * 86_400_000).toISOString()),
  ])
  const page = renderStatusPage({
    feeds,
    history,
    held,
    cron,
    deliveries,
    deliveryWindowDays: DELIVERY_WINDOW_DAYS,
    nowMs,
  })
  return c.html(page, 200, {
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'cache-control': 'no-cache',
  })
})
