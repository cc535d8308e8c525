/**
 * @module /v1/subscriptions: create (webhook or github-dispatch), list, read, delete, rotate a
 * webhook's secret, and list a subscription's deliveries. Every route needs `Authorization:
 * Bearer ADMIN_TOKEN`, compared in constant time; bodies are limited to 16 KiB.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import { z } from 'zod'
import { findFeed } from '../../../shared/src/index.ts'
import type { AppEnv } from '../app.ts'
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
import { SECRET_OVERLAP_MS } from '../jobs/deliver.ts'
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
    repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'owner/name'),
    token: z.string().min(1).max(500),
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
    const now = new Date().toISOString()
    let sub: Subscription
    if (body.kind === 'webhook') {
      const refused = checkTargetUrl(body.url, {
        allowPrivate: readConfig(c.env).allowPrivateTargets,
      })
      if (refused !== undefined) {
        throw new HttpError(
          422,
          'ERR_TARGET_REFUSED',
          'Target refused',
          `url: ${refused} (set ALLOW_PRIVATE_WEBHOOK_TARGETS=true to allow private targets)`,
        )
      }
      sub = {
        id: newId('sub_'),
        kind: 'webhook',
        feeds: body.feeds,
        url: body.url,
        secret: generateSecret(),
        previousSecret: undefined,
        previousSecretExpiresAt: undefined,
        repository: undefined,
        token: undefined,
        createdAt: now,
      }
    } else {
      sub = {
        id: newId('sub_'),
        kind: 'github-dispatch',
        feeds: body.feeds,
        url: undefined,
        secret: undefined,
        previousSecret: undefined,
        previousSecretExpiresAt: undefined,
        repository: body.repository,
        token: body.token,
        createdAt: now,
      }
    }
    await insertSubscription(c.env.DB, sub)
    // The secret is returned this once; it is never shown again.
    return c.json(
      { ...toPublicSubscription(sub), ...(sub.secret === undefined ? {} : { secret: sub.secret }) },
      201,
      {
        location: `/v1/subscriptions/${sub.id}`,
      },
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
    const secret = generateSecret()
    const previousSecretExpiresAt = new Date(Date.now() + SECRET_OVERLAP_MS).toISOString()
    await rotateSecret(c.env.DB, id, secret, previousSecretExpiresAt)
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
