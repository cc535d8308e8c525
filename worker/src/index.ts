/**
 * @module The Worker's only default export: HTTP (the Hono app), the cron (feed sync) and the
 * queue consumers (deliveries and their dead-letter queue).
 */
import { createApp } from './app.ts'
import { consumeDeadLetters, consumeDeliveries } from './jobs/deliver.ts'
import type { DeliveryMessage } from './jobs/deliver.ts'
import { runSync } from './jobs/scheduled.ts'

const app = createApp()

/** The dead-letter queue's name in wrangler.toml; every other queue is the delivery queue. */
const DEAD_LETTER_QUEUE_NAME = 'allowlist-sync-deliveries-dlq'

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    // Let failures throw: they surface in Cron Events and observability.
    await runSync(env)
  },
  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE_NAME) await consumeDeadLetters(batch, env)
    else await consumeDeliveries(batch, env)
  },
} satisfies ExportedHandler<Env, DeliveryMessage>
