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
import type { HeldMap } from '../status/feed-health.ts'
import { renderStatusPage } from '../status/render-status-page.ts'
import { listFeeds } from './feed-catalogue.ts'

/** Versions of each feed drawn in its history. */
export const HISTORY_VERSIONS = 30
/** Window of the failed and dead delivery counts. */
export const DELIVERY_WINDOW_DAYS = 7

/**
 * Held candidates for the summary. Until the guards' held table is wired here (worker/src/db of
 * issue 11), no feed is held; the page already renders held feeds (test/worker/status).
 */
export function getHeldCandidates(_db: D1Database): Promise<HeldMap> {
  return Promise.resolve(new Map())
}

/** The status sub-app. */
export const status = new Hono<AppEnv>().get('/', async (c) => {
  const db = c.env.DB
  const nowMs = c.get('now')()
  const feeds = await listFeeds(db, c.env)
  const withHistory = feeds.filter((f) => f.version !== null).map((f) => f.id)
  const [history, held, cron, deliveries] = await Promise.all([
    getRecentHistory(db, withHistory, HISTORY_VERSIONS),
    getHeldCandidates(db),
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
