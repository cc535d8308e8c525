/**
 * Tests worker/src/db/http-cache.ts inside workerd with real D1 (migrations 0006 to 0008): what a
 * sync remembers per URL round-trips (validators, body hash, snapshot and entries hashes,
 * refusals), a damaged JSON column weakens the entry instead of failing the sync, a sync of a
 * body whose hash is the stored one records `unchanged` without parsing it ("same body"), and of a
 * new body with the stored entries without guarding it ("same entries"), through runSync; a body
 * some feed refused keeps no validators, so it is refused again rather than hidden by a 304.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { getHttpCache, putHttpCache } from '../../../worker/src/db/http-cache.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  clearHistory,
  cloudflareMirror,
  envWith,
  mirrorRequests,
  rows,
  setFile,
} from '../support/harness.ts'

beforeEach(clearHistory)

const AT = '2026-06-01T00:00:00.000Z'

describe('http_cache', () => {
  it('round-trips every part of an entry, and replaces an older one; a refused body keeps no validators', async () => {
    const validators = { etag: '"e1"', lastModified: 'Mon, 01 Jun 2026 00:00:00 GMT' }
    const body = {
      sha256: 'ab'.repeat(32),
      snapshots: { 'a/c': 'cd'.repeat(32) },
      entries: { 'a/c': 'ef'.repeat(32) },
    }
    const refused = { 'a/b': { guard: 'empty' as const, reason: 'lists no address' } }
    await putHttpCache(env.DB, { 'https://x.example/a': { etag: '"e0"' } }, AT)
    await putHttpCache(
      env.DB,
      {
        'https://x.example/a': { ...validators, body },
        'https://x.example/r': { ...validators, refused, body },
        'https://x.example/b': {},
      },
      AT,
    )
    await putHttpCache(env.DB, {}, AT)
    // only the URLs asked for: a sync message reads its own source's entries
    expect(await getHttpCache(env.DB, ['https://x.example/a'])).toEqual({
      'https://x.example/a': { ...validators, body },
    })
    const all = [
      'https://x.example/a',
      'https://x.example/r',
      'https://x.example/b',
      'https://x.example/c',
    ]
    expect(await getHttpCache(env.DB, all)).toEqual({
      'https://x.example/a': { ...validators, body },
      'https://x.example/r': { refused, body },
      'https://x.example/b': {},
    })
  })

  it('reads a damaged JSON column as absent (the next sync parses again)', async () => {
    await env.DB.prepare(
      `INSERT INTO http_cache (url, etag, body_sha256, body_snapshots, body_entries, refused, updated_at)
       VALUES ('u1', '"e"', 'ff', 'not json', NULL, '[1]', ?), ('u2', NULL, 'ff', 'null', NULL, NULL, ?),
         ('u3', NULL, 'ff', '{}', 'not json', NULL, ?)`,
    )
      .bind(AT, AT, AT)
      .run()
    // a damaged entries column drops the entries only: the body hash still spares the parse
    expect(await getHttpCache(env.DB, ['u1', 'u2', 'u3'])).toEqual({
      u1: { etag: '"e"' },
      u2: {},
      u3: { body: { sha256: 'ff', snapshots: {} } },
    })
  })

  it('a body with the stored hash is unchanged without being parsed', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    const deps = {
      fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init),
      now: Date.now,
    }
    expect((await runSync(e, deps)).checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const stored = await rows<{ body_sha256: string; body_snapshots: string }>(
      'SELECT body_sha256, body_snapshots FROM http_cache',
    )
    expect(stored).toHaveLength(2)
    for (const r of stored) {
      expect(r.body_sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(Object.keys(JSON.parse(r.body_snapshots) as object)).toEqual(['cloudflare/edge'])
    }
    // Validators that no longer match: upstream answers 200 with the same bytes.
    await env.DB.prepare(`UPDATE http_cache SET etag = '"gone"', last_modified = NULL`).run()
    const again = await runSync(e, deps)
    expect(again.checks[0]).toMatchObject({
      outcome: 'unchanged',
      version: 1,
      reason: 'same body as the last accepted one (SHA-256), not parsed',
    })
    expect(await rows('SELECT feed FROM versions')).toHaveLength(1)
  })
})

describe('the same entries from a new body', () => {
  it('leave the feed unchanged without guarding it again, and say so', async () => {
    const mirror = await cloudflareMirror(['11.0.2.0/24'], ['2a0b:db8::/48'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    expect((await runSync(e)).checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const [stored] = await rows<{ body_entries: string }>(
      "SELECT body_entries FROM http_cache WHERE url LIKE '%ips-v4'",
    )
    expect(Object.keys(JSON.parse(stored!.body_entries) as object)).toEqual(['cloudflare/edge'])
    // Another body (a comment line), the same entries.
    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '# Cloudflare\n11.0.2.0/24\n' })
    expect((await runSync(e)).checks[0]).toMatchObject({
      outcome: 'unchanged',
      version: 1,
      reason: 'same entries as the last accepted body gave (SHA-256), not guarded again',
    })
  })
})

describe('putHttpCache', () => {
  it('keeps no validators for a refused body, so the next run refuses it again rather than a 304', async () => {
    const mirror = await cloudflareMirror(['104.16.0.0/13'], ['2606:4700::/32'])
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    expect((await runSync(e)).checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const stored = await rows<{ url: string; etag: string | null }>(
      'SELECT url, etag FROM http_cache ORDER BY url',
    )
    expect(stored.every((r) => r.etag !== null)).toBe(true)

    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '<!DOCTYPE html><html></html>' })
    for (let run = 0; run < 2; run++)
      expect((await runSync(e)).checks[0], `run ${run}`).toMatchObject({
        outcome: 'refused',
        guard: 'wrong-content',
        version: 1,
      })
    const v4 = await rows<{ etag: string | null }>(
      "SELECT etag FROM http_cache WHERE url LIKE '%ips-v4'",
    )
    expect(v4).toEqual([{ etag: null }])
    // Both URLs of the refused feed were read in full again (200, no If-None-Match).
    const last = (await mirrorRequests(mirror)).slice(-2)
    expect(last.map((r) => [r.key.replace(/^.*\//, ''), r.status]).sort()).toEqual([
      ['ips-v4', 200],
      ['ips-v6', 200],
    ])
  })
})
