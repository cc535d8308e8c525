/**
 * Tests the cheapest unchanged path of syncFeeds (issue 14, the fan-out's CPU budget): a body
 * whose SHA-256 is the one cached for its URL is hashed, not parsed, while every feed reading the
 * URL still has the snapshot that body produced; a body refused on its own stays refused; a hold,
 * a changed body, a snapshot stored by someone else, or a refusal that depends on more than the
 * body all make the next sync parse again. And the next cheapest: a new body that gives a feed
 * the entries recorded with its snapshot leaves it unchanged without guarding it again. Real
 * bodies from ../shared/fixtures/feeds (GitHub's
 * meta of 2026-03-03, Coolify's lists of 2024-06-09 and its empty file of 2024-04-30), served by
 * an in-memory fetch.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  BUILTIN_FEEDS,
  defineUserFeed,
  syncFeeds,
  withListsJson,
} from '../../../shared/src/feeds/index.ts'
import type {
  CacheEntry,
  FeedDefinition,
  Snapshot,
  SyncResult,
} from '../../../shared/src/feeds/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

type Served = Record<string, { status: number; body?: Uint8Array<ArrayBuffer>; etag?: string }>

/** A fetch answering from `served`, counting requests; 304 when the ETag sent matches. */
function memoryFetch(served: Served) {
  const calls: string[] = []
  const fetch = (url: string, init?: { headers?: Record<string, string> }) => {
    calls.push(url)
    const s = served[url]
    if (!s) return Promise.resolve(new Response('missing', { status: 404 }))
    const headers = new Headers(s.etag ? { etag: s.etag } : {})
    if (s.etag !== undefined && init?.headers?.['if-none-match'] === s.etag)
      return Promise.resolve(new Response(null, { status: 304, headers }))
    return Promise.resolve(new Response(s.body ?? null, { status: s.status, headers }))
  }
  return { fetch, calls }
}

function sync(
  feeds: readonly FeedDefinition[],
  served: Served,
  previous: Record<string, Snapshot> = {},
  cache: Record<string, CacheEntry> = {},
  allowMassRemoval = true,
): Promise<SyncResult> {
  return syncFeeds(feeds, {
    fetch: memoryFetch(served).fetch,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    previous,
    cache,
    guards: { allowMassRemoval },
  })
}

function snapshots(result: SyncResult): Record<string, Snapshot> {
  const out: Record<string, Snapshot> = {}
  for (const o of result.outcomes)
    if (o.kind === 'changed') out[o.feed] = o.snapshot
    else if (o.kind === 'unchanged') out[o.feed] = o.snapshot
  return out
}

const fixture = (name: string) => new Uint8Array(readFileSync(fixturePath('feeds', name)))
const META = 'https://api.github.com/meta'
// github/dependabot is left out: its key is absent from the 2026 payloads (refused as empty).
const GITHUB = BUILTIN_FEEDS.filter(
  (f) => f.sources[0]!.url === META && f.id !== 'github/dependabot',
)
const COOLIFY = BUILTIN_FEEDS.filter((f) => f.id === 'coolify/cloud')
const V4 = 'https://coolify.io/ipv4.txt'
const V6 = 'https://coolify.io/ipv6.txt'

describe.skipIf(!HAVE_FIXTURES)('the same body, by SHA-256', () => {
  it('is not parsed again: every GitHub feed is unchanged, as the full path says', async () => {
    const served = { [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') } }
    const first = await sync(GITHUB, served)
    const entry = first.cache[META]!
    expect(entry.body!.sha256).toBe(createHash('sha256').update(served[META].body).digest('hex'))
    expect(Object.keys(entry.body!.snapshots).sort()).toEqual(GITHUB.map((f) => f.id).sort())
    const previous = snapshots(first)
    const again = await sync(GITHUB, served, previous, first.cache)
    // The oracle: the full path (no cache) on the same body.
    const full = await sync(GITHUB, served, previous)
    expect(again.outcomes.map((o) => o.kind)).toEqual(full.outcomes.map((o) => o.kind))
    for (const [i, o] of again.outcomes.entries()) {
      expect(o, o.feed).toMatchObject({ kind: 'unchanged', notModified: false, sameBody: true })
      expect(o.kind === 'unchanged' && o.snapshot).toEqual(
        full.outcomes[i]!.kind === 'unchanged' && full.outcomes[i]!.snapshot,
      )
    }
    expect(full.outcomes.every((o) => !('sameBody' in o))).toBe(true)
    expect(again.cache[META]).toEqual(entry)
  })

  it('is parsed when the body changed, or a feed holds another snapshot than the body gave', async () => {
    const older = { [META]: { status: 200, body: fixture('github/meta.2026-02-23.json') } }
    const newer = { [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') } }
    const first = await sync(GITHUB, older)
    const changed = await sync(GITHUB, newer, snapshots(first), first.cache)
    expect(changed.outcomes.some((o) => o.kind === 'changed')).toBe(true)
    expect(changed.outcomes.every((o) => !('sameBody' in o))).toBe(true)
    // A concurrent run stored the newer lists; this cache still names the older body's.
    const stale = await sync(GITHUB, newer, snapshots(changed), {
      [META]: { ...changed.cache[META]!, body: first.cache[META]!.body! },
    })
    expect(stale.outcomes.every((o) => o.kind === 'unchanged' && !('sameBody' in o))).toBe(true)
    // A feed with no snapshot at all (newly enabled) makes the URL parsed.
    const without = snapshots(changed)
    delete without['github/hooks']
    const fresh = await sync(GITHUB, newer, without, changed.cache)
    expect(fresh.outcomes.find((o) => o.feed === 'github/hooks')).toMatchObject({
      kind: 'changed',
    })
  })

  it('repeats the refusal a body earned on its own (Coolify 2024-04-30: an empty IPv4 file)', async () => {
    const good = {
      [V4]: { status: 200, body: fixture('coolify/ipv4.2024-06-09T1332.txt') },
      [V6]: { status: 200, body: fixture('coolify/ipv6.2024-06-09T1332.txt') },
    }
    const empty = {
      ...good,
      [V4]: { status: 200, body: fixture('coolify/ipv4.2024-04-30T1018.txt') },
    }
    const first = await sync(COOLIFY, good)
    const refused = await sync(COOLIFY, empty, snapshots(first), first.cache)
    expect(refused.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'empty' })
    expect(refused.cache[V4]!.refused).toHaveProperty('coolify/cloud')
    const again = await sync(COOLIFY, empty, snapshots(first), refused.cache)
    expect(again.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'empty' })
    expect(again.outcomes[0]!.kind === 'refused' && again.outcomes[0]!.reason).toMatch(
      /\(unchanged upstream: the same body, by SHA-256\)$/,
    )
  })

  it('leaves no entry after a hold or a refusal that depends on more than the body', async () => {
    const older = { [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') } }
    const first = await sync(GITHUB, older)
    // Every address of every GitHub feed replaced: held (mass removal), never cached.
    const replaced = new TextEncoder().encode(
      JSON.stringify(Object.fromEntries(GITHUB.map((f) => [f.id.slice(7), ['11.9.9.0/24']]))),
    )
    const held = await sync(
      GITHUB,
      { [META]: { status: 200, body: replaced } },
      snapshots(first),
      first.cache,
      false,
    )
    expect(held.outcomes.every((o) => o.kind === 'held')).toBe(true)
    expect(held.cache).not.toHaveProperty(META)

    // Coolify's IPv6 file fails: the feed is refused for a reason its IPv4 body did not earn.
    const good = { [V4]: { status: 200, body: fixture('coolify/ipv4.2024-06-09T1332.txt') } }
    const half = await sync(COOLIFY, { ...good, [V6]: { status: 500 } })
    expect(half.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'http-error' })
    expect(half.cache).toEqual({})
  })

  it('keeps the body hash through a 304', async () => {
    const body = fixture('github/meta.2026-03-03.json')
    const served = { [META]: { status: 200, body, etag: '"m1"' } }
    const first = await sync(GITHUB, served)
    const second = await sync(GITHUB, served, snapshots(first), first.cache)
    expect(second.fetches[0]).toMatchObject({ status: 304 })
    expect(second.outcomes.every((o) => o.kind === 'unchanged' && o.notModified)).toBe(true)
    expect(second.cache[META]).toEqual(first.cache[META])
    // A user feed without validators still gets the hash.
    const user = defineUserFeed({
      id: 'acme/office',
      url: 'https://acme.example/ips.txt',
      parser: { kind: 'lines' },
    })
    const text = {
      'https://acme.example/ips.txt': {
        status: 200,
        body: new TextEncoder().encode('11.0.2.0/24\n'),
      },
    }
    const u1 = await sync([user], text)
    const u2 = await sync([user], text, snapshots(u1), u1.cache)
    expect(u1.cache['https://acme.example/ips.txt']).not.toHaveProperty('etag')
    expect(u2.outcomes[0]).toMatchObject({ kind: 'unchanged', sameBody: true })
  })
})

/** GitHub's meta of 2026-03-03 with one key's list changed: the other keys' entries are the same. */
function metaWith(change: (meta: Record<string, unknown>) => void): Uint8Array<ArrayBuffer> {
  const meta = JSON.parse(
    new TextDecoder().decode(fixture('github/meta.2026-03-03.json')),
  ) as Record<string, unknown>
  change(meta)
  return new TextEncoder().encode(JSON.stringify(meta, null, 1))
}

describe.skipIf(!HAVE_FIXTURES)('the same entries from a new body', () => {
  it('leave a feed unchanged without guarding it again; the changed key is guarded', async () => {
    const first = await sync(GITHUB, {
      [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') },
    })
    expect(Object.keys(first.cache[META]!.body!.entries!).sort()).toEqual(
      GITHUB.map((f) => f.id).sort(),
    )
    const body = metaWith((m) => (m.hooks as string[]).push('11.0.9.0/24'))
    const second = await sync(
      GITHUB,
      { [META]: { status: 200, body } },
      snapshots(first),
      first.cache,
    )
    for (const o of second.outcomes)
      if (o.feed === 'github/hooks') expect(o).toMatchObject({ kind: 'changed' })
      else expect(o).toMatchObject({ kind: 'unchanged', sameEntries: true })
    // The full path agrees: without the recorded entries every other feed is unchanged too.
    const full = await sync(GITHUB, { [META]: { status: 200, body } }, snapshots(first))
    expect(full.outcomes.map((o) => [o.feed, o.kind])).toEqual(
      second.outcomes.map((o) => [o.feed, o.kind]),
    )
    expect(full.outcomes.every((o) => !('sameEntries' in o))).toBe(true)
    // What the next sync compares with: the new hash of hooks, the others as they were.
    const next = second.cache[META]!.body!
    expect(next.entries!['github/web']).toBe(first.cache[META]!.body!.entries!['github/web'])
    expect(next.entries!['github/hooks']).not.toBe(
      first.cache[META]!.body!.entries!['github/hooks'],
    )
  })

  it('are guarded again when the feed holds another snapshot, or an entry moved', async () => {
    const first = await sync(GITHUB, {
      [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') },
    })
    const body = metaWith((m) => (m.api as string[]).reverse())
    // An entry moved: the entries differ (in order), the lists do not.
    const moved = await sync(
      GITHUB,
      { [META]: { status: 200, body } },
      snapshots(first),
      first.cache,
    )
    expect(moved.outcomes.find((o) => o.feed === 'github/api')).toMatchObject({ kind: 'unchanged' })
    expect(moved.outcomes.find((o) => o.feed === 'github/api')).not.toHaveProperty('sameEntries')
    // Someone else stored another snapshot of hooks (an operator accepted a held list, say).
    const previous = snapshots(first)
    const other = await sync(GITHUB, {
      [META]: { status: 200, body: metaWith((m) => (m.hooks as string[]).pop()) },
    })
    previous['github/hooks'] = snapshots(other)['github/hooks']!
    const again = await sync(GITHUB, { [META]: { status: 200, body } }, previous, first.cache)
    expect(again.outcomes.find((o) => o.feed === 'github/hooks')).toMatchObject({ kind: 'changed' })
  })

  it('are not the same when one entry holds what two held, joined by a newline', async () => {
    const user = defineUserFeed({
      id: 'acme/api',
      url: 'https://acme.example/ips.json',
      parser: { kind: 'json', path: 'ips[*]' },
    })
    const body = (ips: string[]) => ({
      'https://acme.example/ips.json': {
        status: 200,
        body: new TextEncoder().encode(JSON.stringify({ ips })),
      },
    })
    const first = await sync([user], body(['11.0.2.0/24', '11.0.3.0/24']))
    expect(first.outcomes[0]).toMatchObject({ kind: 'changed' })
    // The two texts join to the same newline-separated text as the one below: it is guarded.
    const joined = await sync(
      [user],
      body(['11.0.2.0/24\n11.0.3.0/24']),
      snapshots(first),
      first.cache,
    )
    expect(joined.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'invalid-entry' })
    expect(joined.outcomes[0]).not.toHaveProperty('sameEntries')
    // An empty text and no text at all both join to nothing: each is judged on its own.
    const empty = await sync([user], body(['']), snapshots(first), first.cache)
    expect(empty.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'invalid-entry' })
    const none = await sync([user], body([]), snapshots(first), first.cache)
    expect(none.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'empty' })
  })

  it('confirm a feed without reading its previous lists (read only when asked for, as the worker gives them)', async () => {
    const first = await sync(GITHUB, {
      [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') },
    })
    const reads: string[] = []
    const lazy = (previous: Record<string, Snapshot>) =>
      Object.fromEntries(
        Object.entries(previous).map(([id, { ipv4, ipv6, ...fields }]) => [
          id,
          Object.defineProperties(fields, {
            ipv4: { get: () => (reads.push(id), ipv4), enumerable: true },
            ipv6: { get: () => (reads.push(id), ipv6), enumerable: true },
          }) as Snapshot,
        ]),
      )
    // The same body: every feed unchanged, no list read; the outcome's lists read when asked.
    const same = await sync(
      GITHUB,
      { [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') } },
      lazy(snapshots(first)),
      first.cache,
    )
    expect(same.outcomes.every((o) => o.kind === 'unchanged' && o.sameBody === true)).toBe(true)
    expect(reads).toEqual([])
    const web = same.outcomes.find((o) => o.feed === 'github/web')!
    expect(web.kind === 'unchanged' && web.snapshot).toEqual({
      ...snapshots(first)['github/web'],
      fetchedAt: '2026-01-01T00:00:00.000Z',
    })
    // The same entries from a new body: only the changed feed's lists are read.
    reads.length = 0
    const body = metaWith((m) => (m.hooks as string[]).push('11.0.9.0/24'))
    const next = await sync(
      GITHUB,
      { [META]: { status: 200, body } },
      lazy(snapshots(first)),
      first.cache,
    )
    expect(next.outcomes.filter((o) => o.kind === 'changed').map((o) => o.feed)).toEqual([
      'github/hooks',
    ])
    expect([...new Set(reads)]).toEqual(['github/hooks'])
  })

  it("of Firezone's relays read as plain lines (the real 2025 file, into memory lent) are the same entries as the same strings read with escapes", async () => {
    const RELAYS = BUILTIN_FEEDS.filter((f) => f.id === 'firezone/relays')
    const url = RELAYS[0]!.sources[0]!.url
    const real = fixture('firezone/relay-ips.2025-10-16.json')
    const taken: number[] = []
    const first = await syncFeeds(RELAYS, {
      fetch: memoryFetch({ [url]: { status: 200, body: real } }).fetch,
      now: () => 0,
      bodyMemory: { take: (size) => (taken.push(size), new ArrayBuffer(size)), keep: () => {} },
    })
    expect(first.outcomes[0]).toMatchObject({ kind: 'changed' })
    // The lines were written into memory lent, of the body's length.
    expect(taken).toContain(real.length)
    // Every slash escaped: JSON reads the same strings, which are no longer plain in the bytes.
    const escaped = new TextEncoder().encode(new TextDecoder().decode(real).replaceAll('/', '\\/'))
    const second = await sync(
      RELAYS,
      { [url]: { status: 200, body: escaped } },
      snapshots(first),
      first.cache,
    )
    expect(second.outcomes[0]).toMatchObject({ kind: 'unchanged', sameEntries: true })
    expect(second.cache[url]!.body!.entries).toEqual(first.cache[url]!.body!.entries)
  })

  it("of GitHub's real meta read from its bytes (into memory lent) are the same entries, outcomes and unknown keys as the same document read by JSON.parse", async () => {
    const real = fixture('github/meta.2026-03-03.json')
    const taken: number[] = []
    const first = await syncFeeds(GITHUB, {
      fetch: memoryFetch({ [META]: { status: 200, body: real } }).fetch,
      now: () => Date.parse('2026-01-01T00:00:00Z'),
      bodyMemory: { take: (size) => (taken.push(size), new ArrayBuffer(size)), keep: () => {} },
    })
    expect(first.outcomes.every((o) => o.kind === 'changed')).toBe(true)
    // The body was read into memory lent (growing: no Content-Length), then the keys' lines
    // written into more, of the body's length.
    expect(taken.at(-1)).toBe(real.length)
    // Every slash escaped: JSON reads the same document, which the byte reader leaves to it.
    const text = new TextDecoder().decode(real).replaceAll('/', '\\/')
    const escaped = new TextEncoder().encode(`${text.slice(0, -2)},\n "new_key": []\n}\n`)
    const parsed = await sync(GITHUB, { [META]: { status: 200, body: escaped } })
    expect(parsed.outcomes).toEqual(first.outcomes)
    expect(parsed.cache[META]!.body!.entries).toEqual(first.cache[META]!.body!.entries)
    expect(parsed.unknownKeys).toEqual([{ url: META, key: 'new_key' }])
    // From its bytes again, after the JSON path: the same entries, nothing guarded again.
    const withKey = new TextEncoder().encode(
      `${new TextDecoder().decode(real).slice(0, -2)},\n "new_key": []\n}\n`,
    )
    const again = await sync(
      GITHUB,
      { [META]: { status: 200, body: withKey } },
      snapshots(parsed),
      parsed.cache,
    )
    expect(again.outcomes.every((o) => o.kind === 'unchanged' && o.sameEntries === true)).toBe(true)
    expect(again.unknownKeys).toEqual(parsed.unknownKeys)
  })

  it("of GitHub's meta whose key holds something else than plain strings are read by JSON.parse, which names it", async () => {
    const served = (body: Uint8Array<ArrayBuffer>) => ({ [META]: { status: 200, body } })
    const hooks = (value: unknown) => metaWith((m) => (m.hooks = value))
    /** The guard and reason github/hooks is refused with. */
    const refusal = async (body: Uint8Array<ArrayBuffer>) => {
      const o = (await sync(GITHUB, served(body))).outcomes.find((o) => o.feed === 'github/hooks')
      return o?.kind === 'refused' ? [o.guard, o.reason] : [o?.kind]
    }
    expect(await refusal(hooks({ v4: [] }))).toEqual([
      'schema-drift',
      `${META}: key "hooks" is not an array`,
    ])
    const [guard, reason] = await refusal(hooks(['192.0.2.0/24', ' 198.51.100.0/24']))
    expect(guard).toBe('invalid-entry')
    expect(reason).toContain('$["hooks"][1]: " 198.51.100.0/24"')
    expect(await refusal(metaWith((m) => delete m.hooks))).toEqual([
      'schema-drift',
      `${META}: key "hooks" is missing from the meta payload`,
    ])
    // A key read from its bytes names its entry as JSON.parse's path would.
    const [reserved, where] = await refusal(hooks(['192.0.2.0/24', '10.0.0.0/8']))
    expect(reserved).toBe('reserved-space')
    expect(where).toContain('key "hooks": $["hooks"][1]: "10.0.0.0/8"')
  })

  it("diff a changed feed against the previous lists' JSON text without reading the lists (as the worker stores them)", async () => {
    const first = await sync(GITHUB, {
      [META]: { status: 200, body: fixture('github/meta.2026-03-03.json') },
    })
    const reads: string[] = []
    const previous = Object.fromEntries(
      Object.entries(snapshots(first)).map(([id, { ipv4, ipv6, ...fields }]) => [
        id,
        withListsJson(
          Object.defineProperties(fields, {
            ipv4: { get: () => (reads.push(id), ipv4), enumerable: true },
            ipv6: { get: () => (reads.push(id), ipv6), enumerable: true },
          }) as Snapshot,
          { ipv4: JSON.stringify(ipv4), ipv6: JSON.stringify(ipv6) },
        ),
      ]),
    )
    const body = metaWith((m) => {
      ;(m.actions as string[]).push('11.0.9.0/24')
      ;(m.actions as string[]).shift()
    })
    const next = await sync(GITHUB, { [META]: { status: 200, body } }, previous, first.cache)
    const actions = next.outcomes.find((o) => o.feed === 'github/actions')!
    expect(reads).toEqual([])
    // The change the lists themselves give.
    const full = await sync(GITHUB, { [META]: { status: 200, body } }, snapshots(first))
    const expected = full.outcomes.find((o) => o.feed === 'github/actions')!
    expect(actions).toEqual(expected)
    expect(actions.kind === 'changed' && actions.change.added.ipv4).toContain('11.0.9.0/24')
  })

  it('of two files (Coolify: a comment added to the IPv4 file) leave the feed unchanged, with the new upstream version of a payload', async () => {
    const good = {
      [V4]: { status: 200, body: fixture('coolify/ipv4.2024-06-09T1332.txt') },
      [V6]: { status: 200, body: fixture('coolify/ipv6.2024-06-09T1332.txt') },
    }
    const first = await sync(COOLIFY, good)
    const commented = new TextEncoder().encode(
      `# Coolify Cloud\n${new TextDecoder().decode(good[V4].body)}`,
    )
    const second = await sync(
      COOLIFY,
      { ...good, [V4]: { status: 200, body: commented } },
      snapshots(first),
      first.cache,
    )
    expect(second.outcomes[0]).toMatchObject({ kind: 'unchanged', sameEntries: true })
    // A payload version moves with the body while the entries stay.
    const user = defineUserFeed({
      id: 'acme/api',
      url: 'https://acme.example/ips.json',
      parser: { kind: 'json', path: 'ips[*]' },
      version: 'serial',
    })
    const serial = (n: number) => ({
      'https://acme.example/ips.json': {
        status: 200,
        body: new TextEncoder().encode(JSON.stringify({ serial: n, ips: ['11.0.2.0/24'] })),
      },
    })
    const u1 = await sync([user], serial(1))
    const u2 = await sync([user], serial(2), snapshots(u1), u1.cache)
    expect(u2.outcomes[0]).toMatchObject({
      kind: 'unchanged',
      sameEntries: true,
      snapshot: { upstreamVersion: { field: 'serial', value: '2' }, version: 1 },
    })
  })
})
