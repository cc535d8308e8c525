/**
 * @module The Worker's only default export: HTTP (the Hono app), the cron (jobs/cron.ts: enqueue
 * one sync per upstream source, retention, re-sealing secrets) and the queue consumers (syncs,
 * deliveries, and their dead-letter queues).
 */
import { createApp } from './app.ts'
import { countingBoard, countingD1 } from './dev-counters.ts'
import { runCron } from './jobs/cron.ts'
import { consumeDeadLetters, consumeDeliveries } from './jobs/deliver.ts'
import { consumeSyncDeadLetters, consumeSyncs } from './jobs/sync-queue.ts'

const app = createApp()

/**
 * The env with its D1 and head-board bindings counted, one per env object (so config stays cached
 * per env).
 */
const countedEnvs = new WeakMap<Env, Env>()

function withDevCounters(env: Env): Env {
  // Read raw: a bad DEV_COUNTERS value is reported by the app's config check.
  if ((env.DEV_COUNTERS as string) !== 'true') return env
  let counted = countedEnvs.get(env)
  if (counted === undefined) {
    counted = { ...env, DB: countingD1(env.DB), FEED_HEADS: countingBoard(env.FEED_HEADS) }
    countedEnvs.set(env, counted)
  }
  return counted
}

/** Queue names in wrangler.toml; any other queue is the delivery queue. */
const DEAD_LETTER_QUEUE_NAME = 'allowlist-sync-deliveries-dlq'
const SYNC_QUEUE_NAME = 'allowlist-sync-sync'
const SYNC_DEAD_LETTER_QUEUE_NAME = 'allowlist-sync-sync-dlq'

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, withDevCounters(env), ctx)
  },
  async scheduled(controller, env) {
    // Let failures throw: they surface in Cron Events and observability.
    await runCron(env, controller.cron)
  },
  async queue(batch, env) {
    if (batch.queue === SYNC_QUEUE_NAME) await consumeSyncs(batch, withDevCounters(env))
    else if (batch.queue === SYNC_DEAD_LETTER_QUEUE_NAME) await consumeSyncDeadLetters(batch, env)
    else if (batch.queue === DEAD_LETTER_QUEUE_NAME) await consumeDeadLetters(batch, env)
    else await consumeDeliveries(batch, env)
  },
} satisfies ExportedHandler<Env, unknown>
