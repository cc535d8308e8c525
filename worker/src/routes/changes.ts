/**
 * @module GET /v1/changes (changes across feeds, cursor-paginated: what the Action polls) and
 * GET /v1/changes.atom (the same as an Atom 1.0 feed, RFC 4287).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.ts'
import { readConfig } from '../config.ts'
import { getChanges } from '../db/snapshots.ts'
import type { StoredChange } from '../db/snapshots.ts'
import { validate } from '../validation.ts'

const feedList = z
  .string()
  .regex(/^[A-Za-z0-9._@,/-]*$/, 'comma-separated feed ids, e.g. "github/hooks,coolify/cloud"')
  .transform((s) => s.split(',').filter((f) => f !== ''))

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

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) =>
    ch === '&'
      ? '&amp;'
      : ch === '<'
        ? '&lt;'
        : ch === '>'
          ? '&gt;'
          : ch === '"'
            ? '&quot;'
            : '&apos;',
  )
}

function count(lists: StoredChange['added']): number {
  return lists.ipv4.length + lists.ipv6.length
}

/** The Atom document for some changes, newest first. */
export function renderAtom(
  changes: readonly StoredChange[],
  base: string,
  selfUrl: string,
  now: string,
): string {
  const updated = changes[0]?.at ?? now
  const entries = changes.map((ch) => {
    const url = `${base}/v1/feeds/${ch.feed}/snapshots/${ch.version}`
    const lines = [
      ...ch.added.ipv4.map((c) => `+ ${c}`),
      ...ch.added.ipv6.map((c) => `+ ${c}`),
      ...ch.removed.ipv4.map((c) => `- ${c}`),
      ...ch.removed.ipv6.map((c) => `- ${c}`),
    ]
    return `  <entry>
    <id>${escapeXml(url)}</id>
    <title>${escapeXml(`${ch.feed}: version ${ch.version} (+${count(ch.added)} −${count(ch.removed)})${ch.confirmedAfterHold === true ? ', confirmed after a hold' : ''}`)}</title>
    <updated>${escapeXml(ch.at)}</updated>
    <link rel="alternate" type="application/json" href="${escapeXml(url)}"/>
    <category term="${escapeXml(ch.feed)}"/>${ch.confirmedAfterHold === true ? '\n    <category term="confirmed-after-hold"/>' : ''}
    <content type="text">${escapeXml(lines.join('\n'))}</content>
  </entry>`
  })
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(selfUrl)}</id>
  <title>allowlist-sync: feed changes</title>
  <updated>${escapeXml(updated)}</updated>
  <author><name>allowlist-sync</name></author>
  <link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}/`)}"/>
${entries.join('\n')}
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
    return c.body(renderAtom(rows, base, self, new Date().toISOString()), 200, {
      'content-type': 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=60',
    })
  })
