/**
 * @module Serves a feed's snapshot, as JSON or rendered `?format=`, through the {@link ReadCache}:
 * the feed's pointer answers `If-None-Match` (304) and names the body's cache key, so a read of
 * an unchanged feed does no D1 query. A miss reads the one version row and its lists from D1,
 * renders, and caches the body. Past versions never change and are cached by version alone.
 */
import type { Context } from 'hono'
import { findFeed, formatInfo, RenderError, renderFormat } from '../../../shared/src/index.ts'
import type { FormatId, PortSpec, Snapshot } from '../../../shared/src/index.ts'
import type { AppEnv } from '../app-env.ts'
import { readConfig } from '../config.ts'
import { getHeldCandidate } from '../db/held.ts'
import { getFeedHead, getSnapshot } from '../db/snapshots.ts'
import { toHeldView } from '../routes/held-view.ts'
import { HttpError, notFound } from '../errors.ts'
import { boardHead, readHeadBoard } from './head-board.ts'
import type { CachedBody, FeedPointer } from './read-cache.ts'

/** How long clients and caches may reuse a current snapshot (the cron runs every 15 minutes). */
export const CURRENT_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300'
/** A numbered past version never changes. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/** One representation of a snapshot: JSON, or a format with its options. */
export interface Representation {
  readonly format: FormatId | undefined
  /** As given, in order (the renderer keeps their order). */
  readonly ports: readonly PortSpec[]
  readonly portTexts: readonly string[]
  readonly name: string | undefined
  /** Packet-filter options (`table`, `exempt-loopback`, `exempt-private`), as given. */
  readonly filter: {
    readonly table?: string
    readonly exemptLoopback?: boolean
    readonly exemptPrivate?: boolean
  }
}

/** The options that make two renderings of one format differ, in a stable order. */
function optionsKey(r: Representation): unknown[] {
  const f = r.filter
  return [
    r.portTexts,
    r.name ?? null,
    f.table ?? null,
    f.exemptLoopback ?? null,
    f.exemptPrivate ?? null,
  ]
}

/** Whether an If-None-Match header matches the entity tag (weak comparison, RFC 9110 13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare)
}

/** 32-bit FNV-1a, hex: a short, stable tag for a representation's options. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

/** The JSON's entity tag: the sha256, plus the held candidate's tag while one is held. */
function jsonEtag(sha256: string, held: string | null): string {
  return held === null ? `"${sha256}"` : `"${sha256}.held.${held}"`
}

/**
 * The entity tag of a representation: the snapshot's sha256, plus the format, plus a tag of the
 * ports and name when given (two port choices are two representations).
 */
export function etagOf(sha256: string, r: Representation, held: string | null = null): string {
  if (r.format === undefined) return jsonEtag(sha256, held)
  const key = optionsKey(r)
  const options = key.every((v) => v === null || (Array.isArray(v) && v.length === 0))
    ? ''
    : `.${fnv1a(JSON.stringify(key))}`
  return `"${sha256}.${r.format}${options}"`
}

function variantKey(r: Representation): string {
  return JSON.stringify([r.format ?? 'json', ...optionsKey(r)])
}

/** The body of a representation; throws 400/422 problems for options the format refuses. */
function render(snapshot: Snapshot, r: Representation): { body: string; contentType: string } {
  if (r.format === undefined) {
    return { body: JSON.stringify(snapshot), contentType: 'application/json' }
  }
  try {
    const body = renderFormat(
      r.format,
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
      { ports: [...r.ports], ...(r.name === undefined ? {} : { name: r.name }), ...r.filter },
    )
    return { body, contentType: formatInfo(r.format).mediaType }
  } catch (cause) {
    if (cause instanceof RenderError) {
      const bad = [
        'ERR_RENDER_NAME',
        'ERR_RENDER_PORT',
        'ERR_RENDER_COMMENT',
        'ERR_RENDER_OPTION',
      ].includes(cause.code)
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
}

/** Reads one version from D1 (its row and lists) and renders it. */
async function load(
  c: Context<AppEnv>,
  feed: string,
  version: number,
  r: Representation,
): Promise<CachedBody> {
  const snapshot = await getSnapshot(c.env.DB, feed, version)
  if (snapshot === undefined) throw notFound(`version ${version} of feed "${feed}"`)
  return { ...render(snapshot, r), etag: etagOf(snapshot.sha256, r) }
}

/** The current version's JSON with its held candidate (`held`: null when nothing is held). */
async function loadCurrentJson(
  c: Context<AppEnv>,
  feed: string,
  version: number,
  heldTag: string | null,
): Promise<CachedBody> {
  // The pointer says whether anything is held: no second query for the usual feed.
  const [snapshot, held] = await Promise.all([
    getSnapshot(c.env.DB, feed, version),
    heldTag === null ? undefined : getHeldCandidate(c.env.DB, feed),
  ])
  if (snapshot === undefined) throw notFound(`version ${version} of feed "${feed}"`)
  const view = held === undefined ? null : toHeldView(held, readConfig(c.env))
  return {
    body: JSON.stringify({ ...snapshot, held: view }),
    contentType: 'application/json',
    etag: jsonEtag(snapshot.sha256, heldTag),
  }
}

function respond(c: Context<AppEnv>, body: CachedBody, cacheControl: string): Response {
  const headers = { etag: body.etag, 'cache-control': cacheControl, vary: 'accept-encoding' }
  if (matchesIfNoneMatch(c.req.header('if-none-match'), body.etag)) {
    return c.body(null, 304, headers)
  }
  return c.body(body.body, 200, { ...headers, 'content-type': body.contentType })
}

/**
 * The feed's pointer: cached while fresh, else from the head board in KV (one read a TTL for
 * every feed), and from D1 (one indexed row) only where there is no board.
 */
export function feedPointer(c: Context<AppEnv>, feed: string): Promise<FeedPointer> {
  const ttlMs = readConfig(c.env).readCacheTtlSeconds * 1000
  const now = c.get('now')()
  const cache = c.get('readCache')
  return cache.resolvePointer(feed, now, ttlMs, async () => {
    const kv = c.env.FEED_HEADS
    // one KV read a TTL for every feed's pointer (D1 answers without a board)
    const board =
      kv === undefined ? undefined : await cache.resolveBoard(now, ttlMs, () => readHeadBoard(kv))
    return board === undefined ? getFeedHead(c.env.DB, feed) : boardHead(board, feed)
  })
}

/**
 * 404 unless the feed is in the catalogue or has history (its pointer has a version); the
 * pointer answers both without D1 while it is fresh.
 */
export async function knownFeed(c: Context<AppEnv>, feed: string): Promise<FeedPointer> {
  const pointer = await feedPointer(c, feed)
  if (pointer.version === null && findFeed(feed) === undefined) throw notFound(`feed "${feed}"`)
  return pointer
}

/** GET a feed's current snapshot in representation `r`. */
export async function serveCurrent(
  c: Context<AppEnv>,
  feed: string,
  r: Representation,
): Promise<Response> {
  const pointer = await knownFeed(c, feed)
  if (pointer.version === null || pointer.sha256 === null) {
    throw new HttpError(
      404,
      'ERR_NO_SNAPSHOT',
      'No snapshot yet',
      `feed "${feed}" has no good snapshot yet; see lastOutcome in GET /v1/feeds`,
    )
  }
  const heldTag = r.format === undefined ? (pointer.held ?? null) : null
  const etag = etagOf(pointer.sha256, r, heldTag)
  // The common poll: answered from the pointer alone.
  if (matchesIfNoneMatch(c.req.header('if-none-match'), etag)) {
    return c.body(null, 304, {
      etag,
      'cache-control': CURRENT_CACHE_CONTROL,
      vary: 'accept-encoding',
    })
  }
  const version = pointer.version
  const key = `${feed}@${version}/${pointer.sha256}/${pointer.fetchedAt}/${heldTag}/${variantKey(r)}`
  const body = await c
    .get('readCache')
    .resolveBody(key, () =>
      r.format === undefined
        ? loadCurrentJson(c, feed, version, heldTag)
        : load(c, feed, version, r),
    )
  return respond(c, body, CURRENT_CACHE_CONTROL)
}

/**
 * GET version `version` of a feed in representation `r`. Versions older than the current one
 * are immutable and cached by version; the current one (or a newer one the pointer has not
 * seen yet) is read from D1.
 */
export async function serveVersion(
  c: Context<AppEnv>,
  feed: string,
  version: number,
  r: Representation,
): Promise<Response> {
  const pointer = await knownFeed(c, feed)
  const past = pointer.version !== null && version < pointer.version
  const body = past
    ? await c
        .get('readCache')
        .resolveBody(`${feed}@${version}/${variantKey(r)}`, () => load(c, feed, version, r))
    : await load(c, feed, version, r)
  return respond(c, body, IMMUTABLE_CACHE_CONTROL)
}
