/**
 * @module /v1/feeds: the catalogue with each feed's state (held candidates included), a feed's
 * current snapshot (ETag from its sha256, 304 on If-None-Match, `?format=` through
 * shared/render), past snapshots and changes, and the admin's confirm / reject of a held
 * candidate. Snapshot reads go through the read cache (read-cache/serve-snapshot.ts): a read of
 * a feed that has not changed does no D1 query; a confirmation publishes the new pointer at once.
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import { z } from 'zod'
import { errorMessage, FORMAT_IDS, parsePort } from '../../../shared/src/index.ts'
import type { PortSpec } from '../../../shared/src/index.ts'
import type { AppEnv } from '../app-env.ts'
import { getChanges } from '../db/snapshots.ts'
import { HttpError } from '../errors.ts'
import {
  CURRENT_CACHE_CONTROL,
  knownFeed,
  serveCurrent,
  serveVersion,
} from '../read-cache/serve-snapshot.ts'
import type { Representation } from '../read-cache/serve-snapshot.ts'
import { readConfig } from '../config.ts'
import { getHeldCandidate, rejectHeldCandidate } from '../db/held.ts'
import { confirmHeldCandidate } from '../jobs/hold.ts'
import { publishFeedPointers } from '../read-cache/publish-pointers.ts'
import { validate } from '../validation.ts'
import { listFeeds } from './feed-catalogue.ts'
import { toHeldView } from './held-view.ts'
import { requireAdmin } from './subscriptions.ts'

const feedParams = z.object({
  provider: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'a lower-case feed provider, e.g. "github"'),
  list: z.string().regex(/^[A-Za-z0-9._@,-]{1,200}$/, 'a feed list name, e.g. "hooks"'),
})

const snapshotQuery = z.object({
  format: z.enum(FORMAT_IDS).optional(),
  port: z.union([z.string(), z.array(z.string())]).optional(),
  name: z.string().max(64).optional(),
  table: z.string().max(64).optional(),
  'exempt-loopback': z.enum(['true', 'false']).optional(),
  'exempt-private': z.enum(['true', 'false']).optional(),
})

const versionParams = feedParams.extend({
  version: z.string().regex(/^[1-9][0-9]{0,9}$/, 'a version number (1, 2, ...)'),
})

const heldQuery = z.object({
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "the held candidate's sha256 (64 lower-case hex digits)")
    .optional(),
})

const heldParams = feedParams.extend({ action: z.enum(['confirm', 'reject']) })

function notHeld(id: string): HttpError {
  return new HttpError(404, 'ERR_NOT_HELD', 'Nothing held', `feed "${id}" has no held candidate`)
}

function otherHeld(id: string, held: string, asked: string): HttpError {
  return new HttpError(
    409,
    'ERR_HELD_CHANGED',
    'Another candidate is held',
    `feed "${id}" now holds candidate ${held}, not ${asked}: review it and try again`,
  )
}

/** The admin's confirmation: the held candidate becomes the next version now. */
async function confirm(env: Env, id: string, sha256: string | undefined, at: string) {
  const result = await confirmHeldCandidate(env, id, sha256, at)
  switch (result.kind) {
    case 'none':
      throw notHeld(id)
    case 'other':
      throw otherHeld(id, result.sha256, sha256!)
    case 'stale':
      throw new HttpError(
        409,
        'ERR_HELD_STALE',
        'The held candidate is stale',
        `feed "${id}" moved from version ${result.baseVersion} to ${result.current} since the candidate was held; it was dropped`,
      )
    case 'lost':
      throw new HttpError(
        409,
        'ERR_HELD_RACE',
        'A sync stored a version first',
        `feed "${id}": a concurrent sync stored the next version; see GET /v1/feeds/${id}`,
      )
    default:
      return {
        feed: id,
        version: result.version,
        confirmedAfterHold: true,
        deliveries: result.enqueued,
      }
  }
}

const changesQuery = z.object({
  since: z
    .string()
    .refine(
      (s) => /^(0|[1-9][0-9]{0,9})$/.test(s) || !Number.isNaN(Date.parse(s)),
      'a version number or an ISO 8601 time',
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})

/** The representation a query asks for; a bad port is a 400 before any lookup. */
function representation(query: z.infer<typeof snapshotQuery>): Representation {
  const portTexts =
    query.port === undefined ? [] : Array.isArray(query.port) ? query.port : [query.port]
  const ports: PortSpec[] = portTexts.map((p) => {
    try {
      return parsePort(p)
    } catch (cause) {
      throw new HttpError(
        400,
        'ERR_VALIDATION',
        'Invalid request',
        `query.port: ${errorMessage(cause)}`,
        { cause },
      )
    }
  })
  const flag = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true')
  const exemptLoopback = flag(query['exempt-loopback'])
  const exemptPrivate = flag(query['exempt-private'])
  return {
    format: query.format,
    ports,
    portTexts,
    name: query.name,
    filter: {
      ...(query.table === undefined ? {} : { table: query.table }),
      ...(exemptLoopback === undefined ? {} : { exemptLoopback }),
      ...(exemptPrivate === undefined ? {} : { exemptPrivate }),
    },
  }
}

/** The next read sees what an admin decided, not the cached pointer. */
async function publish(c: Context<AppEnv>, feed: string): Promise<void> {
  const ttlMs = readConfig(c.env).readCacheTtlSeconds * 1000
  const targets = { db: c.env.DB, cache: c.var.readCache, board: c.env.FEED_HEADS }
  await publishFeedPointers(targets, [feed], c.var.now(), ttlMs)
}

/** The /v1/feeds sub-app. */
export const feeds = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ feeds: await listFeeds(c.env.DB, c.env) }))
  .get(
    '/:provider/:list',
    validate('param', feedParams),
    validate('query', snapshotQuery),
    async (c) => {
      const { provider, list } = c.req.valid('param')
      return serveCurrent(c, `${provider}/${list}`, representation(c.req.valid('query')))
    },
  )
  .get(
    '/:provider/:list/snapshots/:version',
    validate('param', versionParams),
    validate('query', snapshotQuery),
    async (c) => {
      const { provider, list, version } = c.req.valid('param')
      const r = representation(c.req.valid('query'))
      return serveVersion(c, `${provider}/${list}`, Number(version), r)
    },
  )
  .get(
    '/:provider/:list/changes',
    validate('param', feedParams),
    validate('query', changesQuery),
    async (c) => {
      const { provider, list } = c.req.valid('param')
      const { since, limit } = c.req.valid('query')
      const id = `${provider}/${list}`
      await knownFeed(c, id)
      const byVersion = since !== undefined && /^[0-9]+$/.test(since)
      const changes = await getChanges(c.env.DB, {
        feeds: [id],
        limit,
        ...(since === undefined
          ? {}
          : byVersion
            ? { afterVersion: Number(since) }
            : { afterTime: new Date(since).toISOString() }),
      })
      return c.json({ feed: id, changes: changes.map(({ seq: _seq, ...change }) => change) }, 200, {
        'cache-control': CURRENT_CACHE_CONTROL,
      })
    },
  )
  .post(
    '/:provider/:list/held/:action',
    requireAdmin,
    validate('param', heldParams),
    validate('query', heldQuery),
    async (c) => {
      const { provider, list, action } = c.req.valid('param')
      const { sha256 } = c.req.valid('query')
      const id = `${provider}/${list}`
      await knownFeed(c, id)
      const at = new Date(c.var.now()).toISOString()
      if (action === 'confirm') {
        const confirmed = await confirm(c.env, id, sha256, at)
        await publish(c, id)
        return c.json(confirmed)
      }
      const held = await getHeldCandidate(c.env.DB, id)
      if (held === undefined) throw notHeld(id)
      if (sha256 !== undefined && sha256 !== held.sha256) throw otherHeld(id, held.sha256, sha256)
      if (held.status === 'held') {
        await rejectHeldCandidate(c.env.DB, id, at)
        await publish(c, id)
      }
      const view = toHeldView((await getHeldCandidate(c.env.DB, id))!, readConfig(c.env))
      return c.json({ feed: id, held: view })
    },
  )
