/**
 * Tests shared/src/feeds/sliced.ts: a body read in slices gives every feed the outcome, and its URL
 * the cache entry, that syncFeeds gives reading the whole body (the oracle), for every built-in
 * source that can be sliced, on its real published fixtures (../shared/fixtures/feeds,
 * PROVENANCE.md and PROVENANCE-providers.md: AWS's ip-ranges.json of 2026-08-12 and 2026-08-21,
 * Azure's ServiceTags_Public of 2025-06-14, Google's crawler lists, OpenAI's bot lists,
 * Atlassian's, CDN77's and Oracle's ranges), first sync and changed, in slices of a few bytes to
 * the whole body. Drift (a record that is not an object, a missing list, a missing service, a
 * path that reaches nothing) is refused with the whole-body reader's messages.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { cacheEntryAfter, summarise } from '../../../shared/src/feeds/cache-entry.ts'
import { BUILTIN_FEEDS, findFeed, syncFeeds } from '../../../shared/src/feeds/index.ts'
import { FIRST_SLICE } from '../../../shared/src/feeds/json-slices.ts'
import {
  canSlice,
  judgeSlicedFeed,
  readFeedsSlice,
  slicedAnswer,
  topLevel,
  type FeedSlice,
  type SliceOfFeeds,
} from '../../../shared/src/feeds/sliced.ts'
import {
  DEFAULT_GUARD_OPTIONS,
  type CacheEntry,
  type FeedDefinition,
  type FeedOutcome,
  type Snapshot,
  type SyncResult,
} from '../../../shared/src/feeds/types.ts'
import { sourceGroups } from '../../../worker/src/jobs/source-groups.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { VERSIONS } from '../../bench/feeds.bench.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES } from '../../scripts/mirror-server.ts'

type Bodies = Map<string, Uint8Array<ArrayBuffer>>

function memoryFetch(bodies: Bodies, contentType = 'application/json') {
  return (url: string) => {
    // As the mirror does: by URL, or without its query string (Azure's page).
    const body = bodies.get(url) ?? bodies.get(url.split('?', 1)[0]!)
    if (!body) throw new Error(`no fixture for ${url}`)
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': contentType } }),
    )
  }
}

interface Stored {
  readonly previous: Record<string, Snapshot>
  readonly cache: Record<string, CacheEntry>
}

const guards = { ...DEFAULT_GUARD_OPTIONS, allowMassRemoval: true }
const options = (bodies: Bodies, stored: Stored, contentType?: string) => ({
  fetch: memoryFetch(bodies, contentType),
  now: () => 1,
  ...stored,
  guards,
})

/** What the stored state becomes after `result`: changed feeds' snapshots, its cache. */
function storedAfter(result: SyncResult): Stored {
  const previous: Record<string, Snapshot> = {}
  for (const o of result.outcomes)
    if (o.kind === 'changed' || o.kind === 'unchanged') previous[o.feed] = o.snapshot
  return { previous, cache: { ...result.cache } }
}

/**
 * The sliced path end to end, as the worker runs it across invocations: syncFeeds hands the body
 * over; every slice of `budget` bytes is read from a window of `window` bytes (grown on
 * `{ more }`); each feed is judged from its parts; the URL's cache entry is made of the outcomes.
 */
async function slicedSync(
  feeds: readonly FeedDefinition[],
  bodies: Bodies,
  stored: Stored,
  budget: number,
  window = Infinity,
) {
  const handed = await syncFeeds(feeds, { ...options(bodies, stored), sliceOver: 0 })
  expect(handed.outcomes).toEqual([])
  expect(handed.sliced).toHaveLength(1)
  const fetched = handed.sliced![0]!
  expect(fetched.feeds).toEqual(feeds.map((f) => f.id))
  const parts = new Map<string, FeedSlice[]>(feeds.map((f) => [f.id, []]))
  const reads: SliceOfFeeds[] = []
  let state = FIRST_SLICE
  let size = window
  while (!state.done) {
    const end = Math.min(fetched.bytes.length, state.offset + size)
    const r = readFeedsSlice(
      feeds,
      fetched.bytes.subarray(state.offset, end),
      state.offset,
      state,
      budget,
      end === fetched.bytes.length,
    )
    if ('more' in r) {
      size *= 2
      continue
    }
    if ('guard' in r) throw new Error(`refused: ${r.reason}`)
    for (const [id, part] of Object.entries(r.feeds)) parts.get(id)!.push(part)
    reads.push(r)
    // What the worker stores between invocations is JSON.
    state = JSON.parse(JSON.stringify(r.next)) as typeof state
  }
  const outcomes: FeedOutcome[] = []
  const hashes = new Map<string, string>()
  for (const feed of feeds) {
    const judged = await judgeSlicedFeed(
      feed,
      JSON.parse(JSON.stringify(parts.get(feed.id))) as FeedSlice[],
      { fetch: fetched, keys: state.keys, ...topLevel(reads) },
      stored.previous[feed.id],
      { guards, cache: stored.cache },
    )
    outcomes.push(judged.outcome)
    if (judged.entriesHash !== undefined) hashes.set(feed.id, judged.entriesHash)
  }
  const entry = cacheEntryAfter(
    slicedAnswer(fetched),
    feeds,
    outcomes.map(summarise),
    stored.cache[fetched.url],
    hashes,
  )
  return { outcomes, entry, url: fetched.url }
}

/** Expects the sliced path to give what the whole-body sync gives; returns the whole result. */
async function expectSameAsWhole(
  feeds: readonly FeedDefinition[],
  bodies: Bodies,
  stored: Stored,
  budgets: readonly number[],
) {
  const whole = await syncFeeds(feeds, options(bodies, stored))
  for (const budget of budgets) {
    const sliced = await slicedSync(feeds, bodies, stored, budget)
    expect(sliced.outcomes, `budget ${budget}`).toEqual(whole.outcomes)
    expect(sliced.entry, `budget ${budget}`).toEqual(whole.cache[sliced.url])
  }
  return whole
}

const latest: Bodies = HAVE_FIXTURES
  ? new Map(
      Object.entries(fixtureMirrorLayout(LATEST_FIXTURES)).map(
        ([key, body]) => [`https://${key}`, new Uint8Array(body as Uint8Array)] as const,
      ),
    )
  : new Map<string, Uint8Array<ArrayBuffer>>()
const byId = new Map(BUILTIN_FEEDS.map((f) => [f.id, f]))
const slicedGroups = sourceGroups(BUILTIN_FEEDS)
  .map((ids) => ids.map((id) => byId.get(id)!))
  .filter(canSlice)
const fixture = (rel: string) => new Uint8Array(readFileSync(fixturePath('feeds', rel)))

describe.skipIf(!HAVE_FIXTURES)('a body read in slices, against the whole-body sync', () => {
  it('names the sources that can be sliced: AWS, Azure and the records feeds over one array', () => {
    expect(slicedGroups.map((g) => g[0]!.id.split('/')[0]).sort()).toEqual([
      'atlassian',
      'aws',
      'azure',
      'cdn77',
      'google',
      'google',
      'google',
      'openai',
      'openai',
      'openai',
      'oracle',
    ])
  })

  for (const feeds of slicedGroups)
    it(`${feeds[0]!.sources[0]!.url}: the first sync, in slices of 1 KB, 64 KB and the whole`, async () => {
      const whole = await expectSameAsWhole(feeds, latest, { previous: {}, cache: {} }, [
        1024,
        65_536,
        Infinity,
      ])
      expect(whole.outcomes.some((o) => o.kind === 'changed')).toBe(true)
    })

  it("AWS's 2026-08-12 file then its 2026-08-21 file: changed, held and unchanged feeds the same", async () => {
    const url = 'https://ip-ranges.amazonaws.com/ip-ranges.json'
    const feeds = slicedGroups.find((g) => g[0]!.sources[0]!.url === url)!
    const [older, newer] = VERSIONS[url]!.map((rel) => new Map([[url, fixture(rel)]]))
    const first = await syncFeeds(feeds, options(older!, { previous: {}, cache: {} }))
    // without allowing mass removal too: a hold is judged the same
    for (const stored of [storedAfter(first)]) {
      const whole = await expectSameAsWhole(feeds, newer!, stored, [262_144])
      expect(new Set(whole.outcomes.map((o) => o.kind))).toEqual(new Set(['changed', 'unchanged']))
      // the same body again is not sliced: it is unchanged by its hash, in one invocation
      const again = await syncFeeds(feeds, {
        ...options(newer!, storedAfter(whole)),
        sliceOver: 0,
      })
      expect(again.sliced).toBeUndefined()
      expect(again.outcomes.every((o) => o.kind === 'unchanged' && o.sameBody)).toBe(true)
    }
  })

  it('a window smaller than an element is grown through { more } and reads the same', async () => {
    const url = 'https://www.microsoft.com/en-us/download/details.aspx?id=56519'
    const feeds = slicedGroups.find((g) => g[0]!.sources[0]!.url === url)!
    const stored = { previous: {}, cache: {} }
    const whole = await syncFeeds(feeds, options(latest, stored))
    // AzureCloud alone is one element of about 300 KB
    const sliced = await slicedSync(feeds, latest, stored, 262_144, 4096)
    expect(sliced.outcomes).toEqual(whole.outcomes)
  })
})

const AWS = findFeed('aws/S3')!
const AZURE = findFeed('azure/ActionGroup')!
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const awsItem = (ip_prefix: string, service = 'S3', region = 'us-east-1') => ({
  ip_prefix,
  region,
  service,
  network_border_group: region,
})
const awsV6 = (ipv6_prefix: string, service = 'S3') => ({
  ipv6_prefix,
  region: 'us-east-1',
  service,
})

/** The whole-body sync of one synthetic body for one feed, and the same body handed over. */
async function both(feed: FeedDefinition, body: Uint8Array<ArrayBuffer>) {
  const url = feed.sources[0]!.url
  // Azure's file is named by the page; given directly, as AZURE_SERVICE_TAGS_URL does.
  const file = feed.sources[0]!.discover ? 'https://download.microsoft.com/x/tags.json' : url
  const stored = { previous: {}, cache: {} }
  const opts = {
    ...options(new Map([[file, body]]), stored),
    ...(file === url ? {} : { sourceUrls: { [url]: file } }),
  }
  const whole = await syncFeeds([feed], opts)
  const sliced = await syncFeeds([feed], { ...opts, sliceOver: 0 })
  return { whole: whole.outcomes[0]!, sliced, stored }
}

/** Reads `body` in slices for `feed` and judges it; the refusal of the whole body if any. */
async function slicedOutcome(feed: FeedDefinition, body: Uint8Array<ArrayBuffer>, budget = 16) {
  const { sliced, stored } = await both(feed, body)
  const fetched = sliced.sliced![0]!
  const parts: FeedSlice[] = []
  const reads: SliceOfFeeds[] = []
  let state = FIRST_SLICE
  while (!state.done) {
    const r = readFeedsSlice([feed], fetched.bytes, 0, state, budget, true)
    if ('more' in r) throw new Error('the whole body was given')
    if ('guard' in r) return r
    const part = r.feeds[feed.id]
    if (part) parts.push(part)
    reads.push(r)
    state = r.next
  }
  const judged = await judgeSlicedFeed(
    feed,
    parts,
    { fetch: fetched, keys: state.keys, ...topLevel(reads) },
    undefined,
    { guards, cache: stored.cache },
  )
  return judged.outcome
}

describe('drift in a sliced body is refused as in the whole body', () => {
  const cases: [string, FeedDefinition, unknown][] = [
    [
      'an AWS item without a region, in a later slice',
      AWS,
      {
        syncToken: '1',
        prefixes: [awsItem('3.5.0.0/16'), { ip_prefix: '3.6.0.0/16', service: 'S3' }],
        ipv6_prefixes: [],
      },
    ],
    ['AWS without ipv6_prefixes', AWS, { prefixes: [awsItem('3.5.0.0/16')] }],
    [
      'AWS with another array, which neither reads',
      AWS,
      { notes: ['a', 'b'], prefixes: [awsItem('3.5.0.0/16')], ipv6_prefixes: [] },
    ],
    [
      'Azure with another array, which neither reads',
      AZURE,
      {
        other: [{ name: 'ActionGroup' }],
        values: [{ name: 'ActionGroup', properties: { addressPrefixes: ['20.1.2.0/24'] } }],
      },
    ],
    [
      'AWS with ipv6_prefixes not an array',
      AWS,
      { prefixes: [awsItem('3.5.0.0/16')], ipv6_prefixes: {} },
    ],
    [
      'AWS without the service',
      AWS,
      {
        prefixes: [awsItem('3.5.0.0/16', 'EC2')],
        ipv6_prefixes: [awsV6('2600:1f00::/40', 'EC2')],
      },
    ],
    ['Azure without values', AZURE, { changeNumber: 3, cloud: 'Public', other: [] }],
    [
      'an Azure record that is not an object',
      AZURE,
      { changeNumber: 3, values: [{ name: 'X', properties: {} }, 7] },
    ],
    [
      'an Azure record without addressPrefixes',
      AZURE,
      { changeNumber: 3, values: [{ name: 'ActionGroup', properties: { changeNumber: 1 } }] },
    ],
    [
      'Azure values as an object of records (the path reads its values)',
      AZURE,
      {
        changeNumber: 3,
        values: { a: { name: 'ActionGroup', properties: { addressPrefixes: ['20.1.2.0/24'] } } },
      },
    ],
  ]
  for (const [name, feed, document] of cases)
    it(name, async () => {
      const body = encode(document)
      const { whole } = await both(feed, body)
      expect(await slicedOutcome(feed, body)).toEqual(whole)
    })

  it('a body that is not JSON refuses every feed as unparseable, naming the byte', async () => {
    const body = new TextEncoder().encode('{"prefixes": [{"ip_prefix": "3.5.0.0/16",, }]}')
    const { whole } = await both(AWS, body)
    expect(whole).toMatchObject({ kind: 'refused', guard: 'unparseable' })
    expect(await slicedOutcome(AWS, body)).toEqual({
      guard: 'unparseable',
      reason: expect.stringMatching(
        /^the body is not JSON \(at byte \d+ \(\$\["prefixes"\]\[0\]\)/,
      ) as unknown,
    })
  })

  it('a body that is not UTF-8 is wrong content, read in slices or whole', async () => {
    const good = encode({ syncToken: '1', prefixes: [awsItem('3.5.0.0/16')], ipv6_prefixes: [] })
    const bad = new Uint8Array([...good.subarray(0, 20), 0xff, ...good.subarray(20)])
    const bodies: Bodies = new Map([[AWS.sources[0]!.url, bad]])
    const stored = { previous: {}, cache: {} }
    // sliced (over sliceOver), with the byte named
    expect(await slicedOutcome(AWS, bad)).toEqual({
      guard: 'wrong-content',
      reason: expect.stringMatching(/^the body is not UTF-8 text \(at byte 20 /) as unknown,
    })
    // under sliceOver, fetched to be decoded later and then read whole; and without slicing
    for (const sliceOver of [bad.length, undefined]) {
      const r = await syncFeeds([AWS], {
        ...options(bodies, stored),
        ...(sliceOver === undefined ? {} : { sliceOver }),
      })
      expect(r.sliced).toBeUndefined()
      expect(r.outcomes[0]).toMatchObject({
        kind: 'refused',
        guard: 'wrong-content',
        reason: 'the body is not UTF-8 text',
      })
    }
  })

  it('an HTML page or a small body is read whole, never sliced', async () => {
    const html = new TextEncoder().encode('<!doctype html><html><body>maintenance</body></html>')
    const bodies: Bodies = new Map([[AWS.sources[0]!.url, html]])
    const stored = { previous: {}, cache: {} }
    for (const contentType of ['text/html', 'application/json']) {
      const r = await syncFeeds([AWS], { ...options(bodies, stored, contentType), sliceOver: 0 })
      expect(r.sliced).toBeUndefined()
      expect(r.outcomes[0]).toMatchObject({ kind: 'refused', guard: 'wrong-content' })
    }
    // a BOM and whitespace before the object: sliced
    const json = encode({ prefixes: [awsItem('3.5.0.0/16')], ipv6_prefixes: [] })
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x20, 0x0a, ...json])
    const withBom = await syncFeeds([AWS], {
      ...options(new Map([[AWS.sources[0]!.url, bom]]), stored),
      sliceOver: 0,
    })
    expect(withBom.sliced).toHaveLength(1)
    const small = json
    const r = await syncFeeds([AWS], {
      ...options(new Map([[AWS.sources[0]!.url, small]]), stored),
      sliceOver: small.length,
    })
    expect(r.sliced).toBeUndefined()
    expect(r.outcomes[0]).toMatchObject({ kind: 'changed' })
  })

  it('feeds that cannot be sliced are read whole: text, GitHub meta, an excluding source', () => {
    for (const id of ['cloudflare/edge', 'github/hooks', 'google/services', 'firezone/relays'])
      expect(canSlice([findFeed(id)!]), id).toBe(false)
    expect(canSlice([findFeed('aws/S3')!, findFeed('azure/ActionGroup')!])).toBe(true)
    const s3 = findFeed('aws/S3')!
    expect(canSlice([{ ...s3, sources: [{ ...s3.sources[0]!, exclude: true }] }])).toBe(false)
  })
})
