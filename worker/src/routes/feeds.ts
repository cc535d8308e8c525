/**
 * @module /v1/feeds: the catalogue with each feed's state, a feed's current snapshot (ETag from
 * its sha256, 304 on If-None-Match, `?format=` through shared/render), past snapshots and
 * changes. Snapshot reads go through the read cache (read-cache/serve-snapshot.ts): a read of a
 * feed that has not changed does no D1 query.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { FORMAT_IDS, parsePort } from '../../../shared/src/index.ts'
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
import { validate } from '../validation.ts'
import { listFeeds } from './feed-catalogue.ts'

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
        `query.port: ${String(cause instanceof Error ? cause.message : cause)}`,
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
