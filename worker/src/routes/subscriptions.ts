/**
 * @module /v1/subscriptions: create (webhook or github-dispatch), list, read, delete, rotate a
 * webhook's secret, and list a subscription's deliveries. Every route needs `Authorization:
 * Bearer ADMIN_TOKEN`, compared in constant time; bodies are limited to 16 KiB. Secrets and
 * tokens are sealed with SECRETS_KEY before they are stored; without it, creating or rotating
 * answers 503.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import { z } from 'zod'
import { findFeed } from '../../../shared/src/index.ts'
import type { AppEnv } from '../app-env.ts'
import { readConfig } from '../config.ts'
import { listDeliveries } from '../db/deliveries.ts'
import {
  deleteSubscription,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  rotateSecret,
  toPublicSubscription,
} from '../db/subscriptions.ts'
import type { Subscription } from '../db/subscriptions.ts'
import { HttpError, notFound } from '../errors.ts'
import type { SecretBox } from '../secrets/secret-box.ts'
import {
  dispatchTokenContext,
  SECRET_OVERLAP_MS,
  secretBoxOf,
  webhookSecretContext,
} from '../secrets/subscription-secrets.ts'
import { checkRepository, checkToken } from '../webhooks/check-dispatch-target.ts'
import { checkTargetUrl } from '../webhooks/check-target.ts'
import { generateSecret } from '../webhooks/sign-webhook.ts'
import { validate } from '../validation.ts'

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 16 * 1024

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
}

/** Compares two secrets in constant time (digests first, so lengths leak nothing either). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)])
  return crypto.subtle.timingSafeEqual(da, db)
}

/** Middleware: `Authorization: Bearer ADMIN_TOKEN` (401 otherwise; 503 when it is unset). */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = readConfig(c.env).adminToken
  if (token === undefined) {
    throw new HttpError(
      503,
      'ERR_ADMIN_DISABLED',
      'Admin API disabled',
      'ADMIN_TOKEN is not set on this worker; set it with `wrangler secret put ADMIN_TOKEN`',
    )
  }
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer (\S+)$/i.exec(header)
  if (match === null || !(await secretsEqual(match[1]!, token))) {
    throw new HttpError(
      401,
      'ERR_UNAUTHORIZED',
      'Unauthorized',
      'send Authorization: Bearer <ADMIN_TOKEN>',
    )
  }
  await next()
})

const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(
      415,
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      `send Content-Type: application/json, not "${type}"`,
    )
  }
  await next()
})

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new HttpError(
      413,
      'ERR_BODY_TOO_LARGE',
      'Request body too large',
      `the body exceeds ${MAX_BODY_BYTES} bytes`,
    )
  },
})

const feedIds = z
  .array(
    z.string().refine((id) => id === '*' || findFeed(id) !== undefined, {
      error: (issue) =>
        `unknown feed id ${JSON.stringify(issue.input)} (see GET /v1/feeds; "*" is every feed)`,
    }),
  )
  .min(1)
  .max(100)

const createBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2048),
    feeds: feedIds,
  }),
  z.strictObject({
    kind: z.literal('github-dispatch'),
    repository: z.string().superRefine((value, ctx) => {
      const problem = checkRepository(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    }),
    // The token is never echoed back: the issue says what is wrong, not what was sent.
    token: z.string().superRefine((value, ctx) => {
      const problem = checkToken(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    }),
    feeds: feedIds,
  }),
])

const idParam = z.object({
  id: z.string().regex(/^sub_[0-9a-f]{24}$/, 'a subscription id (sub_...)'),
})

const deliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) })

function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** The secret box, or a 503 naming SECRETS_KEY: secrets are never stored in clear. */
async function requireBox(env: Env): Promise<SecretBox> {
  const box = await secretBoxOf(readConfig(env))
  if (box === undefined) {
    throw new HttpError(
      503,
      'ERR_SECRETS_KEY_MISSING',
      'Secrets key not set',
      'SECRETS_KEY is not set on this worker, so webhook secrets and dispatch tokens cannot be stored encrypted; set it with `wrangler secret put SECRETS_KEY` (e.g. `openssl rand -base64 32`)',
    )
  }
  return box
}

async function mustGet(db: D1Database, id: string): Promise<Subscription> {
  const sub = await getSubscription(db, id)
  if (sub === undefined) throw notFound(`subscription "${id}"`)
  return sub
}

/** The /v1/subscriptions sub-app. */
export const subscriptions = new Hono<AppEnv>()
  .use(requireAdmin)
  .post('/', limitBody, requireJson, validate('json', createBody), async (c) => {
    const body = c.req.valid('json')
    const config = readConfig(c.env)
    const now = new Date().toISOString()
    const id = newId('sub_')
    const base = {
      id,
      feeds: body.feeds,
      previousSecret: undefined,
      previousSecretExpiresAt: undefined,
      createdAt: now,
    }
    let sub: Subscription
    let secret: string | undefined
    if (body.kind === 'webhook') {
      const refused = checkTargetUrl(body.url, {
        allowPrivate: config.allowPrivateTargets,
        extraPorts: config.webhookExtraPorts,
      })
      if (refused !== undefined) {
        throw new HttpError(
          422,
          'ERR_TARGET_REFUSED',
          'Target refused',
          `url: ${refused} (ALLOW_PRIVATE_WEBHOOK_TARGETS=true lifts these checks, for private networks and tests)`,
          { extensions: { errors: [{ field: 'json.url', message: refused }] } },
        )
      }
      const box = await requireBox(c.env)
      secret = generateSecret()
      sub = {
        ...base,
        kind: 'webhook',
        url: body.url,
        secret: await box.seal(secret, webhookSecretContext(id)),
        repository: undefined,
        token: undefined,
      }
    } else {
      const box = await requireBox(c.env)
      sub = {
        ...base,
        kind: 'github-dispatch',
        url: undefined,
        secret: undefined,
        repository: body.repository,
        token: await box.seal(body.token, dispatchTokenContext(id)),
      }
    }
    await insertSubscription(c.env.DB, sub)
    // The secret is returned this once; it is never shown again.
    return c.json(
      { ...toPublicSubscription(sub), ...(secret === undefined ? {} : { secret }) },
      201,
      { location: `/v1/subscriptions/${sub.id}` },
    )
  })
  .get('/', async (c) =>
    c.json({ subscriptions: (await listSubscriptions(c.env.DB)).map(toPublicSubscription) }),
  )
  .get('/:id', validate('param', idParam), async (c) =>
    c.json(toPublicSubscription(await mustGet(c.env.DB, c.req.valid('param').id))),
  )
  .delete('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param')
    if (!(await deleteSubscription(c.env.DB, id))) throw notFound(`subscription "${id}"`)
    return c.body(null, 204)
  })
  .post('/:id/rotate-secret', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param')
    const sub = await mustGet(c.env.DB, id)
    if (sub.kind !== 'webhook') {
      throw new HttpError(
        400,
        'ERR_VALIDATION',
        'Invalid request',
        `subscription "${id}" is a ${sub.kind} subscription; only webhooks have a secret`,
      )
    }
    const box = await requireBox(c.env)
    const secret = generateSecret()
    const previousSecretExpiresAt = new Date(Date.now() + SECRET_OVERLAP_MS).toISOString()
    const sealed = await box.seal(secret, webhookSecretContext(id))
    await rotateSecret(c.env.DB, id, sealed, previousSecretExpiresAt)
    return c.json({ id, secret, previousSecretExpiresAt })
  })
  .get(
    '/:id/deliveries',
    validate('param', idParam),
    validate('query', deliveriesQuery),
    async (c) => {
      const { id } = c.req.valid('param')
      await mustGet(c.env.DB, id)
      const list = await listDeliveries(c.env.DB, id, c.req.valid('query').limit)
      return c.json({
        subscription: id,
        deliveries: list.map((d) => ({
          id: d.id,
          changeId: d.changeId,
          status: d.status,
          attempts: d.attemptLog,
          nextAttemptAt: d.nextAttemptAt ?? null,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
        })),
      })
    },
  )
