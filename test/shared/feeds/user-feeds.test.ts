/**
 * Tests of the user-defined parser kinds end to end through syncFeeds (an in-memory fetch):
 * `json` paths, `csv` columns, and `lines` with a family.
 */
import { describe, expect, it } from 'vitest'
import {
  defineUserFeed,
  diffSnapshots,
  syncFeeds,
  type FeedOutcome,
  type UserParserSpec,
} from '../../../shared/src/feeds/index.ts'

async function sync(parser: UserParserSpec, body: string): Promise<FeedOutcome> {
  const feed = defineUserFeed({ id: 'acme/list', url: 'https://acme.example/list', parser })
  const { outcomes } = await syncFeeds([feed], {
    fetch: () => Promise.resolve(new Response(body)),
    now: () => 0,
  })
  return outcomes[0]!
}

const accepted = (o: FeedOutcome) =>
  o.kind === 'changed' ? { ipv4: o.snapshot.ipv4, ipv6: o.snapshot.ipv6 } : o

describe('user feeds: json', () => {
  const doc = JSON.stringify({
    endpoints: { 'app.acme.example': { ipv4: ['11.0.2.1', '11.0.2.2'], ipv6: ['2a0b:db8::1'] } },
    prefixes: [{ ip_prefix: '12.51.100.0/25' }, { ip_prefix: '12.51.100.128/25' }],
    regions: { a: { ipv6: ['2a0b:db8:a::/48'] }, b: { ipv4: ['13.0.113.0/24'] } },
    single: '11.0.2.9',
    mixed: ['11.0.2.0/24', 7],
    number: 5,
  })
  it.each<[string, { ipv4: string[]; ipv6: string[] }]>([
    ['endpoints["app.acme.example"].ipv4', { ipv4: ['11.0.2.1/32', '11.0.2.2/32'], ipv6: [] }],
    [
      'endpoints["app.acme.example"]',
      { ipv4: ['11.0.2.1/32', '11.0.2.2/32'], ipv6: ['2a0b:db8::1/128'] },
    ],
    ['prefixes[*].ip_prefix', { ipv4: ['12.51.100.0/24'], ipv6: [] }],
    ['regions.*', { ipv4: ['13.0.113.0/24'], ipv6: ['2a0b:db8:a::/48'] }],
    ['single', { ipv4: ['11.0.2.9/32'], ipv6: [] }],
    ['prefixes[1].ip_prefix', { ipv4: ['12.51.100.128/25'], ipv6: [] }],
  ])('%s', async (path, lists) =>
    expect(accepted(await sync({ kind: 'json', path }, doc))).toEqual(lists),
  )

  it.each([
    ['endpoints["gone.acme.example"]', /does not exist/],
    ['prefixes[9].ip_prefix', /does not exist/],
    ['number[*]', /not an array or object/],
    ['mixed', /\$\["mixed"\]\[1\] is not a string/],
    ['number', /is not a string, an array of strings or an object with ipv4\/ipv6/],
  ])('%s is schema drift', async (path, reason) => {
    expect(await sync({ kind: 'json', path }, doc)).toMatchObject({
      kind: 'refused',
      guard: 'schema-drift',
      reason,
    })
  })
})

describe('user feeds: csv', () => {
  const csv =
    '# exported\nname,cidr,"note, quoted"\noffice,11.0.2.0/24,"a ""b"""\nvpn,2a0b:db8::/48,\r\n\nempty,,x\n'
  it('reads a column by header name, skipping comments, blank lines and empty cells', async () => {
    expect(accepted(await sync({ kind: 'csv', column: 'cidr' }, csv))).toEqual({
      ipv4: ['11.0.2.0/24'],
      ipv6: ['2a0b:db8::/48'],
    })
  })
  it('reads a column by number (no header) and refuses the header row as an invalid entry', async () => {
    expect(await sync({ kind: 'csv', column: 2 }, csv)).toMatchObject({
      kind: 'refused',
      guard: 'invalid-entry',
      reason: /line 2: "cidr"/,
    })
    expect(
      accepted(await sync({ kind: 'csv', column: 1 }, '11.0.2.0/24,x\n12.51.100.0/24,y\n')),
    ).toEqual({ ipv4: ['11.0.2.0/24', '12.51.100.0/24'], ipv6: [] })
  })
  it.each([
    [{ kind: 'csv', column: 'address' } as const, csv, 'schema-drift', /no column "address"/],
    [{ kind: 'csv', column: 3 } as const, '11.0.2.0/24,x\n', 'schema-drift', /line 1: no column 3/],
    [{ kind: 'csv', column: 1 } as const, '"11.0.2.0/24,x\n', 'unparseable', /unterminated/],
    [{ kind: 'csv', column: 1 } as const, '"11.0.2.0/24"x\n', 'unparseable', /line 1/],
    [
      { kind: 'csv', column: 1, family: 6 } as const,
      '11.0.2.0/24\n',
      'invalid-entry',
      /IPv4 in an IPv6-only list/,
    ],
  ])('refuses %j', async (parser, body, guard, reason) => {
    expect(await sync(parser, body)).toMatchObject({ kind: 'refused', guard, reason })
  })
})

describe('diffSnapshots', () => {
  it('is an address-level diff as minimal CIDR covers; from nothing it adds everything', async () => {
    const a = await sync({ kind: 'lines' }, '11.0.2.0/24\n2a0b:db8::/32')
    const b = await sync({ kind: 'lines' }, '11.0.2.0/23\n2a0b:db8::/33')
    if (a.kind !== 'changed' || b.kind !== 'changed') throw new Error('expected snapshots')
    expect(diffSnapshots(a.snapshot, { ...b.snapshot, version: 2 })).toEqual({
      feed: 'acme/list',
      version: 2,
      previousVersion: 1,
      at: b.snapshot.changedAt,
      added: { ipv4: ['11.0.3.0/24'], ipv6: [] },
      removed: { ipv4: [], ipv6: ['2a0b:db8:8000::/33'] },
    })
    expect(diffSnapshots(undefined, a.snapshot)).toMatchObject({
      previousVersion: 0,
      added: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
      removed: { ipv4: [], ipv6: [] },
    })
  })
})

describe('syncFeeds against a hand-written previous snapshot', () => {
  it('the same addresses written differently are no change, and keep the previous version', async () => {
    const feed = defineUserFeed({
      id: 'acme/list',
      url: 'https://acme.example/list',
      parser: { kind: 'lines' },
    })
    const previous = {
      feed: 'acme/list',
      version: 3,
      sha256: 'written-by-hand',
      fetchedAt: '2025-01-01T00:00:00.000Z',
      changedAt: '2025-01-01T00:00:00.000Z',
      source: 'https://acme.example/list',
      ipv4: ['11.0.2.128/25', '11.0.2.0/25'],
      ipv6: [],
    }
    const { outcomes } = await syncFeeds([feed], {
      fetch: () => Promise.resolve(new Response('11.0.2.0/24')),
      now: () => 0,
      previous: { 'acme/list': previous },
    })
    expect(outcomes[0]).toMatchObject({
      kind: 'unchanged',
      snapshot: { version: 3, ipv4: previous.ipv4 },
    })
  })
})

describe('user feeds: the issue 15 kinds (defineUserFeed validation and a sync each)', () => {
  const define = (parser: unknown, extra: Record<string, unknown> = {}) =>
    defineUserFeed({
      id: 'acme/list',
      url: 'https://acme.example/list',
      parser: parser as UserParserSpec,
      ...extra,
    })

  it.each<[unknown, RegExp]>([
    [{ kind: 'prefixes', where: [] }, /where must map field paths to lists of values/],
    [{ kind: 'prefixes', where: null }, /where must map field paths/],
    [{ kind: 'prefixes', where: { 'a[': ['x'] } }, /where: /],
    [
      { kind: 'prefixes', where: { scope: [] } },
      /where "scope" must be a non-empty list of strings/,
    ],
    [{ kind: 'prefixes', where: { scope: 'x' } }, /must be a non-empty list of strings/],
    [{ kind: 'prefixes', where: { scope: [1] } }, /must be a non-empty list of strings/],
    [{ kind: 'records', path: 'items[*]', address: [] }, /address must be a non-empty list/],
    [{ kind: 'records', path: 'items[*]', address: ['a['] }, /address: /],
    [{ kind: 'records', path: 3, address: ['cidr'] }, /path must be a string/],
    [{ kind: 'records', path: 'items[*]', address: ['cidr'], where: { product: [] } }, /where/],
    [{ kind: 'geofeed', family: 5 }, /family must be 4 or 6/],
    [{ kind: 'nope' }, /kind must be lines, json, csv, geofeed, records or prefixes/],
  ])('refuses parser %j', (parser, message) => {
    expect(() => define(parser)).toThrow(message)
  })

  it('takes allowReserved only as true or false, and a version path only as a path', () => {
    expect(define({ kind: 'lines' }, { allowReserved: true }).allowReserved).toBe(true)
    expect(define({ kind: 'lines' }, { allowReserved: false })).not.toHaveProperty('allowReserved')
    expect(() => define({ kind: 'lines' }, { allowReserved: 'yes' })).toThrow(
      expect.objectContaining({ code: 'ERR_FEED_OPTION' }),
    )
    expect(() => define({ kind: 'prefixes' }, { version: 'a[' })).toThrow(
      expect.objectContaining({ code: 'ERR_FEED_VERSION' }),
    )
  })

  it('prefixes with an array-valued filter, records with two filters, and mixed families', async () => {
    const google = JSON.stringify({
      prefixes: [
        { ipv4Prefix: '11.0.2.0/24', scope: 'europe-west1' },
        { ipv6Prefix: '2a0b:db8::/32', scope: 'europe-west1' },
        { ipv4Prefix: '12.0.0.0/24', scope: 'us-east1' },
      ],
    })
    const kept = await sync({ kind: 'prefixes', where: { scope: ['europe-west1'] } }, google)
    expect(kept.kind === 'changed' && [kept.snapshot.ipv4, kept.snapshot.ipv6]).toEqual([
      ['11.0.2.0/24'],
      ['2a0b:db8::/32'],
    ])
    const atlassian = JSON.stringify({
      items: [
        { cidr: '11.0.2.0/24', direction: ['egress'], product: ['jira', 'confluence'] },
        { cidr: '2a0b:db8::/32', direction: ['egress'], product: ['jira'] },
        { cidr: '12.0.0.0/24', direction: ['ingress'], product: ['jira'] },
        { cidr: '13.0.0.0/24', direction: ['egress'], product: ['bitbucket'] },
      ],
    })
    const both = await sync(
      {
        kind: 'records',
        path: 'items[*]',
        address: ['cidr'],
        where: { direction: ['egress'], product: ['jira'] },
      },
      atlassian,
    )
    expect(both.kind === 'changed' && [both.snapshot.ipv4, both.snapshot.ipv6]).toEqual([
      ['11.0.2.0/24'],
      ['2a0b:db8::/32'],
    ])
  })

  it('a geofeed with a family refuses the other family as an invalid entry', async () => {
    const body = '# geofeed\n11.0.2.0/24,US,US-CA,,\n2a0b:db8::/32,US,,,\n'
    const v4 = await sync({ kind: 'geofeed', family: 4 }, body)
    expect(v4).toMatchObject({ kind: 'refused', guard: 'invalid-entry' })
    const any = await sync({ kind: 'geofeed' }, body)
    expect(any.kind === 'changed' && any.snapshot.ipv6).toEqual(['2a0b:db8::/32'])
  })
})
