/**
 * @module /v1/feeds: the catalogue with each feed's state, a feed's current snapshot (ETag = its
 * sha256, 304 on If-None-Match, `?format=` through shared/render) with its held candidate, past
 * snapshots and changes, and the admin's confirm / reject of a held candidate.
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import { z } from 'zod'
import {
  FORMAT_IDS,
  findFeed,
  formatInfo,
  RenderError,
  renderFormat,
  parsePort,
} from '../../../shared/src/index.ts'
import type { PortSpec, Snapshot } from '../../../shared/src/index.ts'
import type { AppEnv } from '../app.ts'
import { readConfig } from '../config.ts'
import { HttpError, notFound } from '../errors.ts'
import { getHeldCandidate, getHeldTag, rejectHeldCandidate } from '../db/held.ts'
import { getChanges, getCurrentSha256, getFeedStates, getSnapshot } from '../db/snapshots.ts'
import { confirmHeldCandidate } from '../jobs/hold.ts'
import { validate } from '../validation.ts'
import { listFeeds } from './feed-catalogue.ts'
import { toHeldView } from './held-view.ts'
import { requireAdmin } from './subscriptions.ts'

/** How long clients and caches may reuse a current snapshot (the cron runs every 15 minutes). */
const CURRENT_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300'
/** A numbered version never changes. */
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'

const feedParams = z.object({
  provider: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'a lower-case feed provider, e.g. "github"'),
  list: z.string().regex(/^[A-Za-z0-9._@,-]{1,200}$/, 'a feed list name, e.g. "hooks"'),
})

const snapshotQuery = z.object({
  format: z.enum(FORMAT_IDS).optional(),
  port: z.union([z.string(), z.array(z.string())]).optional(),
  name: z.string().max(64).optional(),
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

async function knownFeed(db: D1Database, provider: string, list: string): Promise<string> {
  const id = `${provider}/${list}`
  if (findFeed(id) !== undefined) return id
  const states = await getFeedStates(db)
  if (states.has(id)) return id
  throw notFound(`feed "${id}"`)
}

/** Whether an If-None-Match header matches the entity tag (weak comparison, RFC 9110 13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare)
}

function ports(raw: string | string[] | undefined): PortSpec[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  return list.map((p) => {
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
}

/**
 * The entity tag of a snapshot's representation: its sha256, plus the format if rendered, or
 * (the current JSON only, which carries `held`) the held candidate's tag.
 */
function etagOf(sha256: string, format: string | undefined, heldTag?: string): string {
  if (format !== undefined) return `"${sha256}.${format}"`
  return heldTag === undefined ? `"${sha256}"` : `"${sha256}.held.${heldTag}"`
}

function respondSnapshot(
  c: Context<AppEnv>,
  snapshot: Snapshot,
  query: z.infer<typeof snapshotQuery>,
  cacheControl: string,
  held?: { readonly tag: string | undefined; readonly view: unknown },
): Response {
  const format = query.format
  const etag = etagOf(snapshot.sha256, format, held?.tag)
  const headers = { etag, 'cache-control': cacheControl, vary: 'accept-encoding' }
  if (matchesIfNoneMatch(c.req.header('if-none-match'), etag)) {
    return c.body(null, 304, headers)
  }
  if (format === undefined)
    return c.json(held === undefined ? snapshot : { ...snapshot, held: held.view }, 200, headers)
  let text: string
  try {
    text = renderFormat(
      format,
      {
        feeds: [
          {
            id: snapshot.feed,
            version: String(snapshot.version),
            sha256: snapshot.sha256,
            source: snapshot.source.split(' ')[0] ?? '',
          },
        ],
        ipv4: snapshot.ipv4,
        ipv6: snapshot.ipv6,
      },
      { ports: ports(query.port), ...(query.name === undefined ? {} : { name: query.name }) },
    )
  } catch (cause) {
    if (cause instanceof RenderError) {
      const bad = ['ERR_RENDER_NAME', 'ERR_RENDER_PORT', 'ERR_RENDER_COMMENT'].includes(cause.code)
      throw new HttpError(
        bad ? 400 : 422,
        bad ? 'ERR_VALIDATION' : 'ERR_RENDER',
        bad ? 'Invalid request' : 'Cannot render in this format',
        `${cause.code}: ${cause.message}`,
        { cause },
      )
    }
    throw cause
  }
  return c.body(text, 200, { ...headers, 'content-type': formatInfo(format).mediaType })
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
      const id = await knownFeed(c.env.DB, provider, list)
      const query = c.req.valid('query')
      // A revalidation (the common poll) is answered from the version row alone, without
      // reading and parsing the address lists.
      const inm = c.req.header('if-none-match')
      if (inm !== undefined) {
        const [sha256, heldTag] = await Promise.all([
          getCurrentSha256(c.env.DB, id),
          getHeldTag(c.env.DB, id),
        ])
        const etag = etagOf(sha256 ?? '', query.format, heldTag)
        if (sha256 !== undefined && matchesIfNoneMatch(inm, etag)) {
          return c.body(null, 304, {
            etag,
            'cache-control': CURRENT_CACHE_CONTROL,
            vary: 'accept-encoding',
          })
        }
      }
      const [snapshot, held] = await Promise.all([
        getSnapshot(c.env.DB, id),
        getHeldCandidate(c.env.DB, id),
      ])
      if (snapshot === undefined) {
        throw new HttpError(
          404,
          'ERR_NO_SNAPSHOT',
          'No snapshot yet',
          `feed "${id}" has no good snapshot yet; see lastOutcome in GET /v1/feeds`,
        )
      }
      return respondSnapshot(c, snapshot, query, CURRENT_CACHE_CONTROL, {
        tag:
          held === undefined
            ? undefined
            : `${held.sha256.slice(0, 16)}.${held.seenCount}.${held.status}`,
        view: held === undefined ? null : toHeldView(held, readConfig(c.env)),
      })
    },
  )
  .get(
    '/:provider/:list/snapshots/:version',
    validate('param', versionParams),
    validate('query', snapshotQuery),
    async (c) => {
      const { provider, list, version } = c.req.valid('param')
      const id = await knownFeed(c.env.DB, provider, list)
      const snapshot = await getSnapshot(c.env.DB, id, Number(version))
      if (snapshot === undefined) throw notFound(`version ${version} of feed "${id}"`)
      return respondSnapshot(c, snapshot, c.req.valid('query'), IMMUTABLE_CACHE_CONTROL)
    },
  )
  .get(
    '/:provider/:list/changes',
    validate('param', feedParams),
    validate('query', changesQuery),
    async (c) => {
      const { provider, list } = c.req.valid('param')
      const { since, limit } = c.req.valid('query')
      const id = await knownFeed(c.env.DB, provider, list)
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
      const id = await knownFeed(c.env.DB, provider, list)
      const at = new Date().toISOString()
      if (action === 'confirm') return c.json(await confirm(c.env, id, sha256, at))
      const held = await getHeldCandidate(c.env.DB, id)
      if (held === undefined) throw notHeld(id)
      if (sha256 !== undefined && sha256 !== held.sha256) throw otherHeld(id, held.sha256, sha256)
      if (held.status === 'held') await rejectHeldCandidate(c.env.DB, id, at)
      const view = toHeldView((await getHeldCandidate(c.env.DB, id))!, readConfig(c.env))
      return c.json({ feed: id, held: view })
    },
  )
