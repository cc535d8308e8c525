/**
 * @module Where subscriptions meet the {@link SecretBox}: the context each sealed value is bound
 * to, opening a subscription's secrets for one delivery, and the cron's re-sealing of values
 * stored in clear (before encryption) or under an older key (after a rotation).
 */
import type { Config } from '../config.ts'
import { getSubscriptionsToReseal, updateSealed } from '../db/subscriptions.ts'
import type { SealedValues, Subscription } from '../db/subscriptions.ts'
import { SecretBox } from './secret-box.ts'
import { errorMessage } from '../../../shared/src/index.ts'

/** How long a rotated-out secret keeps signing deliveries. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000

/** The context a webhook signing secret (current or previous) is sealed for. */
export function webhookSecretContext(subscriptionId: string): string {
  return `subscription:${subscriptionId}:webhook-secret`
}

/** The context a dispatch token is sealed for. */
export function dispatchTokenContext(subscriptionId: string): string {
  return `subscription:${subscriptionId}:dispatch-token`
}

/** The box for the configured SECRETS_KEY, or undefined when it is not set. */
export function secretBoxOf(config: Config): Promise<SecretBox | undefined> {
  return config.secretsKey === undefined
    ? Promise.resolve(undefined)
    : SecretBox.fromSecretsKey(config.secretsKey)
}

/** A subscription's secrets in clear, for one delivery attempt. */
export interface OpenedSecrets {
  readonly secret: string | undefined
  readonly previousSecret: string | undefined
  readonly token: string | undefined
}

/**
 * Opens a subscription's sealed values. `box` may be undefined only if every value is still in
 * clear; otherwise this throws, naming SECRETS_KEY, as {@link SecretBox.open} does for an
 * unknown key id or an altered value.
 */
export async function openSubscriptionSecrets(
  box: SecretBox | undefined,
  sub: Subscription,
): Promise<OpenedSecrets> {
  const open = async (value: string | undefined, context: string): Promise<string | undefined> => {
    if (value === undefined) return undefined
    if (box === undefined) {
      if (SecretBox.keyIdOf(value) === undefined) return value
      throw new Error('SECRETS_KEY is not set: sealed webhook secrets and tokens cannot be opened')
    }
    return box.open(value, context)
  }
  const [secret, previousSecret, token] = await Promise.all([
    open(sub.secret, webhookSecretContext(sub.id)),
    open(sub.previousSecret, webhookSecretContext(sub.id)),
    open(sub.token, dispatchTokenContext(sub.id)),
  ])
  return { secret, previousSecret, token }
}

/** What one re-sealing pass did. */
export interface ResealResult {
  /** Subscriptions whose values are now sealed with the current key. */
  readonly resealed: number
  /** Subscriptions whose values could not be opened (key removed too early, or altered). */
  readonly failed: readonly { readonly id: string; readonly reason: string }[]
}

/** How many subscriptions one cron run re-seals at most. */
const RESEAL_BATCH = 200

/**
 * Seals every value stored in clear or under an older key with the current key: how existing
 * plaintext rows migrate, and the second half of a key rotation. Conditional on the values not
 * having changed meanwhile.
 */
export async function resealSubscriptions(db: D1Database, box: SecretBox): Promise<ResealResult> {
  const subs = await getSubscriptionsToReseal(db, box.currentKeyId, RESEAL_BATCH)
  let resealed = 0
  const failed: { id: string; reason: string }[] = []
  for (const sub of subs) {
    const before: SealedValues = {
      secret: sub.secret ?? null,
      previousSecret: sub.previousSecret ?? null,
      token: sub.token ?? null,
    }
    try {
      const reseal = async (value: string | null, context: string): Promise<string | null> =>
        value === null || box.isCurrent(value)
          ? value
          : box.seal(await box.open(value, context), context)
      const after: SealedValues = {
        secret: await reseal(before.secret, webhookSecretContext(sub.id)),
        previousSecret: await reseal(before.previousSecret, webhookSecretContext(sub.id)),
        token: await reseal(before.token, dispatchTokenContext(sub.id)),
      }
      if (await updateSealed(db, sub.id, before, after)) resealed++
    } catch (error) {
      failed.push({ id: sub.id, reason: errorMessage(error) })
    }
  }
  return { resealed, failed }
}
