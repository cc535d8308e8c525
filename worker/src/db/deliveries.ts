/**
 * @module D1 access for deliveries (one per subscription and change: the idempotency key) and
 * their attempts. {@link claimAttempt} makes each attempt happen once even when the queue
 * delivers a message twice.
 */

import { selectOne } from './select-one.ts'
/** A delivery's state. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead'

/** The result of one attempt. */
export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'dead'

/** A stored delivery. */
export interface Delivery {
  readonly id: string
  readonly subscriptionId: string
  readonly changeId: string
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: string | undefined
  readonly createdAt: string
  readonly updatedAt: string
}

/** One attempt as the API shows it. */
export interface Attempt {
  readonly attempt: number
  readonly at: string
  readonly outcome: AttemptOutcome
  readonly statusCode: number | null
  readonly error: string | null
  readonly durationMs: number
}

interface DeliveryRow {
  id: string
  subscription_id: string
  change_id: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: string | null
  created_at: string
  updated_at: string
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    changeId: r.change_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** One delivery by id. */
export async function getDelivery(db: D1Database, id: string): Promise<Delivery | undefined> {
  return selectOne(db, 'SELECT * FROM deliveries WHERE id = ?', [id], toDelivery)
}

/** Pending deliveries of a change that were never attempted (to enqueue after a sync). */
export async function getNewDeliveryIds(db: D1Database, changeId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM deliveries WHERE change_id = ? AND status = 'pending' AND attempts = 0 ORDER BY id`,
    )
    .bind(changeId)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/**
 * Pending deliveries whose next attempt was due before `cutoff` (ISO time): their queue message
 * was lost (a failed send after the sync committed, or a queue outage). Re-enqueueing one that is
 * merely late is harmless: {@link claimAttempt} lets only one copy attempt.
 */
export async function getStrandedDeliveryIds(
  db: D1Database,
  cutoff: string,
  limit = 500,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM deliveries WHERE status = 'pending'
         AND COALESCE(next_attempt_at, created_at) < ? ORDER BY created_at LIMIT ?`,
    )
    .bind(cutoff, limit)
    .all<{ id: string }>()
  return results.map((r) => r.id)
}

/**
 * Claims attempt number `attempts + 1` of a pending delivery that is due at `now`. Returns the
 * attempt number, or undefined when another consumer claimed it first, it is not due, or it is
 * no longer pending.
 */
export async function claimAttempt(
  db: D1Database,
  id: string,
  expectedAttempts: number,
  now: string,
): Promise<number | undefined> {
  const row = await db
    .prepare(
      `UPDATE deliveries SET attempts = attempts + 1, updated_at = ?3
       WHERE id = ?1 AND status = 'pending' AND attempts = ?2
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?3)
       RETURNING attempts`,
    )
    .bind(id, expectedAttempts, now)
    .first<{ attempts: number }>()
  return row?.attempts
}

/** Records an attempt and the delivery's resulting state, in one transaction. */
export async function recordAttempt(
  db: D1Database,
  id: string,
  attempt: Attempt,
  status: DeliveryStatus,
  nextAttemptAt: string | undefined,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT OR REPLACE INTO delivery_attempts
           (delivery_id, attempt, at, outcome, status_code, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        id,
        attempt.attempt,
        attempt.at,
        attempt.outcome,
        attempt.statusCode,
        attempt.error,
        attempt.durationMs,
      ),
    db
      .prepare(`UPDATE deliveries SET status = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`)
      .bind(status, nextAttemptAt ?? null, attempt.at, id),
  ])
}

/**
 * Marks a delivery dead (its message reached the dead-letter queue) unless it already ended;
 * true when this call changed it.
 */
export async function markDead(
  db: D1Database,
  id: string,
  now: string,
  why: string,
): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE deliveries SET status = 'dead', next_attempt_at = NULL, updated_at = ?2
       WHERE id = ?1 AND status = 'pending' RETURNING attempts`,
    )
    .bind(id, now)
    .first<{ attempts: number }>()
  if (row === null) return false
  await db
    .prepare(
      `INSERT OR IGNORE INTO delivery_attempts
         (delivery_id, attempt, at, outcome, status_code, error, duration_ms)
       VALUES (?, ?, ?, 'dead', NULL, ?, 0)`,
    )
    .bind(id, row.attempts + 1, now, why)
    .run()
  return true
}

/** A delivery with its attempts, for GET /v1/subscriptions/:id/deliveries. */
export interface DeliveryWithAttempts extends Delivery {
  readonly attemptLog: readonly Attempt[]
}

/** Every delivery of a subscription, newest first, with every attempt. */
export async function listDeliveries(
  db: D1Database,
  subscriptionId: string,
  limit: number,
): Promise<DeliveryWithAttempts[]> {
  // Only the attempts of the listed deliveries: the same page costs the same after years.
  const page = `SELECT id FROM deliveries WHERE subscription_id = ?1
                ORDER BY created_at DESC, id DESC LIMIT ?2`
  const [deliveries, attempts] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT * FROM deliveries WHERE subscription_id = ?1
         ORDER BY created_at DESC, id DESC LIMIT ?2`,
      )
      .bind(subscriptionId, limit),
    db
      .prepare(
        `SELECT a.* FROM delivery_attempts a WHERE a.delivery_id IN (${page})
         ORDER BY a.delivery_id, a.attempt`,
      )
      .bind(subscriptionId, limit),
  ])
  const byDelivery = new Map<string, Attempt[]>()
  for (const raw of attempts?.results ?? []) {
    const a = raw as {
      delivery_id: string
      attempt: number
      at: string
      outcome: AttemptOutcome
      status_code: number | null
      error: string | null
      duration_ms: number
    }
    const list = byDelivery.get(a.delivery_id) ?? []
    list.push({
      attempt: a.attempt,
      at: a.at,
      outcome: a.outcome,
      statusCode: a.status_code,
      error: a.error,
      durationMs: a.duration_ms,
    })
    byDelivery.set(a.delivery_id, list)
  }
  return (deliveries?.results ?? []).map((raw) => {
    const d = toDelivery(raw as unknown as DeliveryRow)
    return { ...d, attemptLog: byDelivery.get(d.id) ?? [] }
  })
}

/** What the status page shows of deliveries. */
export interface DeliveryHealth {
  /** Waiting for their next attempt (or their first). */
  readonly pending: number
  /** Of those, how many already failed at least once. */
  readonly retrying: number
  /** Oldest next attempt among pending deliveries (ISO), if any. */
  readonly oldestDue: string | undefined
  /** Given up on since `since`: a permanent error (failed) or the schedule exhausted (dead). */
  readonly failed: number
  readonly dead: number
}

/**
 * Delivery health: pending now, failed and dead since `since` (ISO time). Each count is a range
 * of the (status, updated_at) index: pending deliveries are bounded by the retry schedule, the
 * others by the window.
 */
export async function getDeliveryHealth(db: D1Database, since: string): Promise<DeliveryHealth> {
  const row = await db
    .prepare(
      `SELECT
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempts > 0) AS retrying,
         (SELECT MIN(COALESCE(next_attempt_at, created_at)) FROM deliveries
          WHERE status = 'pending') AS oldest_due,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'failed' AND updated_at >= ?1) AS failed,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'dead' AND updated_at >= ?1) AS dead`,
    )
    .bind(since)
    .first<{
      pending: number
      retrying: number
      oldest_due: string | null
      failed: number
      dead: number
    }>()
  return {
    pending: row?.pending ?? 0,
    retrying: row?.retrying ?? 0,
    oldestDue: row?.oldest_due ?? undefined,
    failed: row?.failed ?? 0,
    dead: row?.dead ?? 0,
  }
}
