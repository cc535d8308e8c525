/**
 * @module GET /v1/changes (changes across feeds, cursor-paginated: what the Action polls) and
 * GET /v1/changes.atom (the same as an Atom 1.0 feed, RFC 4287): `tag:` ids that do not depend on
 * the host name, entries of at most {@link ATOM_MAX_LINES} CIDRs with a link to the full change.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app-env.ts'
import { readConfig } from '../config.ts'
import { getChanges } from '../db/snapshots.ts'
import { escapeMarkup } from '../../../shared/src/index.ts'
import type { StoredChange } from '../db/snapshots.ts'
import { validate } from '../validation.ts'

/** Most feeds one request may filter on (each costs one index range). */
const MAX_FEEDS = 100

const feedList = z
  .string()
  .regex(/^[A-Za-z0-9._@,/-]*$/, 'comma-separated feed ids, e.g. "github/hooks,coolify/cloud"')
  .transform((s) => s.split(',').filter((f) => f !== ''))
  .refine((list) => list.length <= MAX_FEEDS, `at most ${MAX_FEEDS} feeds`)

const changesQuery = z.object({
  since: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'a cursor returned as nextCursor')
    .optional(),
  feeds: feedList.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})

const atomQuery = z.object({
  feeds: feedList.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

/** The tagging entity of every Atom id (RFC 4151): the project, and the year it began minting. */
export const TAG_AUTHORITY = 'tag:allowlist-sync,2026:'

/** CIDR lines an Atom entry lists at most; the rest is one line and a link. */
export const ATOM_MAX_LINES = 50

function count(lists: StoredChange['added']): number {
  return lists.ipv4.length + lists.ipv6.length
}

/**
 * The id of a change's entry: from its feed, version and time only, so it is the same whatever
 * host name or PUBLIC_URL the feed is read through (RFC 4287 4.2.6: ids never change).
 */
export function atomEntryId(ch: Pick<StoredChange, 'feed' | 'version' | 'at'>): string {
  return `${TAG_AUTHORITY}feeds/${ch.feed}/versions/${ch.version}/${ch.at}`
}

function entry(ch: StoredChange, base: string): string {
  const url = `${base}/v1/feeds/${ch.feed}/snapshots/${ch.version}`
  const full = `${base}/v1/feeds/${ch.feed}/changes?since=${ch.previousVersion}&limit=1`
  const lines = [
    ...ch.added.ipv4.map((c) => `+ ${c}`),
    ...ch.added.ipv6.map((c) => `+ ${c}`),
    ...ch.removed.ipv4.map((c) => `- ${c}`),
    ...ch.removed.ipv6.map((c) => `- ${c}`),
  ]
  const shown = lines.slice(0, ATOM_MAX_LINES)
  if (lines.length > shown.length) {
    shown.push(`… and ${lines.length - shown.length} more; the full change: ${full}`)
  }
  return `  <entry>
    <id>${escapeMarkup(atomEntryId(ch))}</id>
    <title>${escapeMarkup(`${ch.feed}: version ${ch.version} (+${count(ch.added)} −${count(ch.removed)})${ch.confirmedAfterHold === true ? ', confirmed after a hold' : ''}`)}</title>
    <updated>${escapeMarkup(ch.at)}</updated>
    <link rel="alternate" type="application/json" href="${escapeMarkup(url)}"/>
    <link rel="related" type="application/json" href="${escapeMarkup(full)}"/>
    <category term="${escapeMarkup(ch.feed)}"/>${ch.confirmedAfterHold === true ? '\n    <category term="confirmed-after-hold"/>' : ''}
    <content type="text">${escapeMarkup(shown.join('\n'))}</content>
  </entry>`
}

/** The Atom document for some changes, newest first. `feeds` is the filter, if any. */
export function renderAtom(
  changes: readonly StoredChange[],
  base: string,
  selfUrl: string,
  now: string,
  feeds: readonly string[] = [],
): string {
  const updated = changes[0]?.at ?? now
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeMarkup(`${TAG_AUTHORITY}changes${feeds.length === 0 ? '' : `/${feeds.join(',')}`}`)}</id>
  <title>allowlist-sync: feed changes</title>
  <updated>${escapeMarkup(updated)}</updated>
  <author><name>allowlist-sync</name></author>
  <link rel="self" type="application/atom+xml" href="${escapeMarkup(selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${escapeMarkup(`${base}/`)}"/>
${changes.map((ch) => entry(ch, base)).join('\n')}
</feed>
`
}

/** The changes sub-app, mounted at /v1. */
export const changes = new Hono<AppEnv>()
  .get('/changes', validate('query', changesQuery), async (c) => {
    const { since, feeds, limit } = c.req.valid('query')
    const rows = await getChanges(c.env.DB, {
      ...(feeds === undefined ? {} : { feeds }),
      afterSeq: Number(since ?? '0'),
      limit: limit + 1,
    })
    const page = rows.slice(0, limit)
    const nextCursor = String(page.at(-1)?.seq ?? Number(since ?? '0'))
    const hasMore = rows.length > limit
    const body = {
      changes: page.map(({ seq, ...change }) => ({ ...change, cursor: String(seq) })),
      nextCursor,
      hasMore,
    }
    if (hasMore) {
      const next = new URL(c.req.url)
      next.searchParams.set('since', nextCursor)
      c.header('link', `<${next.pathname}${next.search}>; rel="next"`)
    }
    return c.json(body, 200, { 'cache-control': 'no-cache' })
  })
  .get('/changes.atom', validate('query', atomQuery), async (c) => {
    const { feeds, limit } = c.req.valid('query')
    const rows = await getChanges(c.env.DB, {
      ...(feeds === undefined ? {} : { feeds }),
      limit,
      newestFirst: true,
    })
    const base = readConfig(c.env).publicUrl ?? new URL(c.req.url).origin
    const self = `${base}/v1/changes.atom${new URL(c.req.url).search}`
    const now = new Date(c.get('now')()).toISOString()
    return c.body(renderAtom(rows, base, self, now, feeds ?? []), 200, {
      'content-type': 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=60',
    })
  })
