/**
 * @module Publishing a change: the next version and its change stored in one D1 batch (see
 * recordChanged), then its deliveries put on the queue. Shared by the cron's sync, the promotion
 * of a confirmed held candidate, and the admin's confirm route.
 */
import type { Change, Snapshot } from '../../../shared/src/index.ts'
import type { ConfigEnv } from '../config.ts'
import { getNewDeliveryIds } from '../db/deliveries.ts'
import { recordChanged } from '../db/snapshots.ts'
import type { DeliveryMessage } from './deliver.ts'

/** The env a sync run (or a publication) needs. */
export type SyncEnv = ConfigEnv & {
  readonly DB: D1Database
  readonly DELIVERY_QUEUE: Queue<DeliveryMessage>
  /** The head board (read-cache/head-board.ts); without it, reads refresh pointers from D1. */
  readonly FEED_HEADS?: KVNamespace
}

/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH_MAX = 100

/** Puts one message per delivery id on the delivery queue; returns how many. */
export async function enqueue(env: SyncEnv, ids: readonly string[]): Promise<number> {
  for (let i = 0; i < ids.length; i += SEND_BATCH_MAX) {
    await env.DELIVERY_QUEUE.sendBatch(
      ids.slice(i, i + SEND_BATCH_MAX).map((deliveryId) => ({ body: { deliveryId } })),
    )
  }
  return ids.length
}

/** Whether the version was stored (false: a concurrent writer got there first), and deliveries. */
export interface Published {
  readonly stored: boolean
  readonly enqueued: number
}

/** Stores `snapshot` as the next version with `change`, and enqueues its deliveries. */
export async function publishChange(
  env: SyncEnv,
  snapshot: Snapshot,
  change: Change,
  runId: string,
  at: string,
): Promise<Published> {
  const { stored, changeId } = await recordChanged(env.DB, snapshot, change, runId, at)
  if (!stored) return { stored, enqueued: 0 }
  return { stored, enqueued: await enqueue(env, await getNewDeliveryIds(env.DB, changeId)) }
}
