/**
 * @module D1 access for subscriptions. Webhook secrets and dispatch tokens are stored sealed
 * (secrets/secret-box.ts: this module never sees them in clear), opened only to sign and send a
 * delivery, and never returned by the API after creation (only {@link toPublicSubscription}
 * fields are).
 */
import { SecretBox } from '../secrets/secret-box.ts'
import { selectOne } from './select-one.ts'

/** A stored subscription. `secret`, `previousSecret` and `token` are sealed values. */
export interface Subscription {
  readonly id: string
  readonly kind: 'webhook' | 'github-dispatch'
  readonly feeds: readonly string[]
  readonly url: string | undefined
  readonly secret: string | undefined
  readonly previousSecret: string | undefined
  readonly previousSecretExpiresAt: string | undefined
  readonly repository: string | undefined
  readonly token: string | undefined
  readonly createdAt: string
}

/** What the API shows of a subscription: no secret, no token. */
export interface PublicSubscription {
  readonly id: string
  readonly kind: Subscription['kind']
  readonly feeds: readonly string[]
  readonly url?: string
  readonly repository?: string
  readonly createdAt: string
  readonly previousSecretExpiresAt?: string
  /**
   * The id of the SECRETS_KEY key its secret or token is sealed with; null while it is still
   * stored in clear (from before encryption, until the next cron run seals it).
   */
  readonly secretsKeyId: string | null
}

/** A subscriptions row, its columns named as the model's (SUBSCRIPTION_COLUMNS). */
type SubscriptionRow = {
  [K in keyof Subscription]: K extends 'feeds' ? string : Subscription[K] | null
}

const SUBSCRIPTION_COLUMNS = `id, kind, feeds, url, secret, previous_secret AS previousSecret,
  previous_secret_expires_at AS previousSecretExpiresAt, repository, token,
  created_at AS createdAt`

/** The model of a row: `feeds` parsed, and a NULL column an absent (undefined) field. */
function toSubscription(row: SubscriptionRow): Subscription {
  const fields = Object.entries(row).map(([k, v]) => [k, v ?? undefined])
  return {
    ...(Object.fromEntries(fields) as Subscription),
    feeds: JSON.parse(row.feeds) as string[],
  }
}

/** The public view of a subscription. */
export function toPublicSubscription(s: Subscription): PublicSubscription {
  return {
    id: s.id,
    kind: s.kind,
    feeds: s.feeds,
    ...(s.url === undefined ? {} : { url: s.url }),
    ...(s.repository === undefined ? {} : { repository: s.repository }),
    createdAt: s.createdAt,
    ...(s.previousSecretExpiresAt === undefined
      ? {}
      : { previousSecretExpiresAt: s.previousSecretExpiresAt }),
    secretsKeyId: SecretBox.keyIdOf(s.secret ?? s.token ?? '') ?? null,
  }
}

/** Inserts a subscription. */
export async function insertSubscription(db: D1Database, s: Subscription): Promise<void> {
  await db
    .prepare(
      `INSERT INTO subscriptions (id, kind, feeds, url, secret, repository, token, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      s.id,
      s.kind,
      JSON.stringify(s.feeds),
      s.url ?? null,
      s.secret ?? null,
      s.repository ?? null,
      s.token ?? null,
      s.createdAt,
    )
    .run()
}

/** One subscription by id. */
export function getSubscription(db: D1Database, id: string): Promise<Subscription | undefined> {
  return selectOne(
    db,
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = ?`,
    [id],
    toSubscription,
  )
}

/** Every subscription, oldest first. */
export async function listSubscriptions(db: D1Database): Promise<Subscription[]> {
  const { results } = await db
    .prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions ORDER BY created_at, id`)
    .all<SubscriptionRow>()
  return results.map(toSubscription)
}

/** Deletes a subscription and (by cascade) its deliveries; false when it did not exist. */
export async function deleteSubscription(db: D1Database, id: string): Promise<boolean> {
  const row = await db
    .prepare('DELETE FROM subscriptions WHERE id = ? RETURNING id')
    .bind(id)
    .first<{ id: string }>()
  return row !== null
}

/** The sealed values of one subscription, as {@link updateSealed} compares and writes them. */
export interface SealedValues {
  readonly secret: string | null
  readonly previousSecret: string | null
  readonly token: string | null
}

/**
 * Subscriptions holding any value not sealed with the key `currentKeyId` (stored in clear, or
 * under an older key), up to `limit`; the cron re-seals them.
 */
export async function getSubscriptionsToReseal(
  db: D1Database,
  currentKeyId: string,
  limit: number,
): Promise<Subscription[]> {
  const current = `enc:v1:${currentKeyId}:%`
  const { results } = await db
    .prepare(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions
       WHERE (secret IS NOT NULL AND secret NOT LIKE ?1)
          OR (previous_secret IS NOT NULL AND previous_secret NOT LIKE ?1)
          OR (token IS NOT NULL AND token NOT LIKE ?1)
       LIMIT ?2`,
    )
    .bind(current, limit)
    .all<SubscriptionRow>()
  return results.map(toSubscription)
}

/**
 * Replaces a subscription's sealed values if they are still `before` (a rotation in between
 * wins; the next run re-seals what it wrote). True when the row changed.
 */
export async function updateSealed(
  db: D1Database,
  id: string,
  before: SealedValues,
  after: SealedValues,
): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE subscriptions SET secret = ?5, previous_secret = ?6, token = ?7
       WHERE id = ?1 AND secret IS ?2 AND previous_secret IS ?3 AND token IS ?4`,
    )
    .bind(
      id,
      before.secret,
      before.previousSecret,
      before.token,
      after.secret,
      after.previousSecret,
      after.token,
    )
    .run()
  return r.meta.changes === 1
}

/**
 * Replaces a webhook's secret; the old one stays valid (deliveries carry both signatures) until
 * `previousExpiresAt`. False when the subscription is not a webhook or does not exist.
 */
export async function rotateSecret(
  db: D1Database,
  id: string,
  secret: string,
  previousExpiresAt: string,
): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE subscriptions SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?
       WHERE id = ? AND kind = 'webhook'`,
    )
    .bind(previousExpiresAt, secret, id)
    .run()
  return r.meta.changes === 1
}
