/**
 * The `too-broad` limits of the built-in feeds (shared/src/feeds/catalogue.ts) are recomputed from
 * every version of their real fixtures: the broadest merged prefix seen, widened by 4 bits (IPv4)
 * or 8 bits (IPv6), kept within /8../24 and /20../48; a family never seen takes the publisher's
 * broadest. A feed added to the catalogue must carry a limit this rule gives.
 */
import { describe, expect, it } from 'vitest'
import {
  BUILTIN_FEEDS,
  syncFeeds,
  type FeedDefinition,
  type ResponseLike,
} from '../../../shared/src/index.ts'
import { fixtureHistory, mirrorKey } from '../../helpers/fixture-history.ts'
import { HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { fixtureText } from './oracle.ts'

type Broadest = { ipv4: number | undefined; ipv6: number | undefined }

/** The broadest merged prefix of each feed over every step of its history (no limit applied). */
async function observed(): Promise<Map<string, Broadest>> {
  const { steps, covered } = fixtureHistory(BUILTIN_FEEDS)
  const unlimited = covered.map((f): FeedDefinition => ({
    ...f,
    broadestPrefix: { ipv4: 0, ipv6: 0 },
  }))
  // A discovered source (Azure's download page) is read at its catalogue URL: the fixture there.
  const sourceUrls = Object.fromEntries(
    covered.flatMap((f) => f.sources.filter((s) => s.discover).map((s) => [s.url, s.url])),
  )
  const seen = new Map<string, Broadest>(
    covered.map((f) => [f.id, { ipv4: undefined, ipv6: undefined }]),
  )
  for (const step of steps) {
    const fetch = (url: string): Promise<ResponseLike> => {
      const file = step.files[mirrorKey(url)]
      return Promise.resolve(
        new Response(file === undefined ? '' : fixtureText(file), {
          status: file === undefined ? 404 : 200,
          headers: { 'content-type': file?.endsWith('.html') ? 'text/html' : 'text/plain' },
        }),
      )
    }
    const { outcomes } = await syncFeeds(unlimited, { fetch, now: Date.now, sourceUrls })
    for (const o of outcomes) {
      if (o.kind !== 'changed') continue
      const b = seen.get(o.feed)!
      for (const family of ['ipv4', 'ipv6'] as const)
        for (const cidr of o.snapshot[family]) {
          const p = Number(cidr.split('/')[1])
          if (b[family] === undefined || p < b[family]) b[family] = p
        }
    }
  }
  return seen
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n))

describe.skipIf(!HAVE_FIXTURES)('too-broad limits of the built-in feeds', () => {
  it('follow the rule from the broadest prefix in every version of the fixtures', async () => {
    const seen = await observed()
    const publisher = (feed: string, family: 'ipv4' | 'ipv6') =>
      Math.min(
        ...[...seen]
          .filter(([id, b]) => id.split('/')[0] === feed.split('/')[0] && b[family] !== undefined)
          .map(([, b]) => b[family]!),
      )
    const table: string[] = []
    for (const [id, b] of seen) {
      const v4 = b.ipv4 ?? publisher(id, 'ipv4')
      const v6 = b.ipv6 ?? publisher(id, 'ipv6')
      const expected = { ipv4: clamp(v4 - 4, 8, 24), ipv6: clamp(v6 - 8, 20, 48) }
      expect(BUILTIN_FEEDS.find((f) => f.id === id)!.broadestPrefix, id).toEqual(expected)
      table.push(`${id}: /${v4} /${v6} -> /${expected.ipv4} /${expected.ipv6}`)
    }
    expect(table.length).toBeGreaterThanOrEqual(24)
  }, 60_000)

  it('every built-in feed has one (a new feed without fixtures takes the defaults explicitly)', () => {
    for (const f of BUILTIN_FEEDS) expect(f.broadestPrefix, f.id).toBeDefined()
  })
})
