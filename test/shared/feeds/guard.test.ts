/**
 * Tests shared/src/feeds/guard.ts (through syncFeeds, as an upstream fetch) and guard-served.ts
 * (a worker's snapshot): one guard path. The table of additions (test/helpers/additions.ts) gives
 * the same outcome on both; the rest covers what only one of them can say.
 */
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_GUARD_OPTIONS,
  defineUserFeed,
  findFeed,
  guardServedSnapshot,
  sha256Lists,
  syncFeeds,
  type FeedDefinition,
  type FeedOutcome,
  type GuardOptions,
  type ResponseLike,
  type Snapshot,
} from '../../../shared/src/index.ts'
import {
  ADDITION_ROWS,
  BASELINE,
  rowLists,
  TABLE_FEED,
  type AdditionRow,
} from '../../helpers/additions.ts'

const EDGE = findFeed(TABLE_FEED)!
const AT = '2026-05-01T00:00:00.000Z'

async function snapshotOf(feed: string, ipv4: string[], ipv6: string[], version = 4) {
  return {
    feed,
    version,
    sha256: await sha256Lists({ ipv4, ipv6 }),
    fetchedAt: AT,
    changedAt: AT,
    source: 'https://example.com/x',
    ipv4,
    ipv6,
  } satisfies Snapshot
}

/** A fetch that serves `files` by URL with status 200. */
function serve(files: Record<string, string>) {
  return (url: string): Promise<ResponseLike> => {
    const body = files[url]
    return Promise.resolve(new Response(body ?? '', { status: body === undefined ? 404 : 200 }))
  }
}

async function viaUpstream(
  feed: FeedDefinition,
  files: Record<string, string>,
  previous?: Snapshot,
  guards: Partial<GuardOptions> = {},
): Promise<FeedOutcome> {
  const { outcomes } = await syncFeeds([feed], {
    fetch: serve(files),
    now: () => Date.parse(AT),
    ...(previous ? { previous: { [feed.id]: previous } } : {}),
    guards,
  })
  return outcomes[0]!
}

function served(
  body: unknown,
  previous?: Snapshot,
  feed: FeedDefinition = EDGE,
  guards: Partial<GuardOptions> = {},
) {
  return guardServedSnapshot(body, {
    feed,
    url: 'https://worker.example/v1/feeds/x/y',
    previous,
    guards: { ...DEFAULT_GUARD_OPTIONS, ...guards },
    fetchedAt: AT,
  })
}

function expectRow(o: FeedOutcome, row: AdditionRow, previous: Snapshot) {
  if (row.expect === 'changed') {
    expect(o, JSON.stringify(o).slice(0, 400)).toMatchObject({ kind: 'changed' })
  } else if (row.expect === 'held:mass-addition') {
    expect(o).toMatchObject({ kind: 'held', guard: 'mass-addition', previous })
  } else {
    expect(o, JSON.stringify(o).slice(0, 400)).toMatchObject({
      kind: 'refused',
      guard: row.expect,
      previous,
    })
    expect(o.kind === 'refused' && o.reason).not.toMatch(/\n/)
  }
}

describe('the table of additions', () => {
  it('covers every row of both IANA registries, a /7, 0.0.0.0/1 and a doubling', () => {
    expect(ADDITION_ROWS.length).toBeGreaterThan(50)
    expect(ADDITION_ROWS.map((r) => r.expect)).toContain('held:mass-addition')
  })

  it.each(ADDITION_ROWS)('upstream: $name -> $expect', async (row) => {
    const previous = await snapshotOf(TABLE_FEED, [...BASELINE.ipv4], [...BASELINE.ipv6])
    const lists = rowLists(row)
    const o = await viaUpstream(
      EDGE,
      {
        'https://www.cloudflare.com/ips-v4': lists.ipv4.join('\n'),
        'https://www.cloudflare.com/ips-v6': lists.ipv6.join('\n'),
      },
      previous,
    )
    expectRow(o, row, previous)
  })

  it.each(ADDITION_ROWS)("a worker's snapshot: $name -> $expect", async (row) => {
    const previous = await snapshotOf(TABLE_FEED, [...BASELINE.ipv4], [...BASELINE.ipv6])
    expectRow(await served({ version: 5, ...rowLists(row) }, previous), row, previous)
  })

  it.each(ADDITION_ROWS)('the same under the limits of all of AWS: $name', async (row) => {
    const feed = findFeed('aws/ROW_1')!
    const previous = await snapshotOf(feed.id, [...BASELINE.ipv4], [...BASELINE.ipv6])
    expectRow(await served({ version: 5, ...rowLists(row) }, previous, feed), row, previous)
  })

  it('a prefix within the limits of one feed is too broad for another', async () => {
    const lists = { ipv4: ['173.245.48.0/20', '11.0.0.0/8'], ipv6: [] }
    expect(await served(lists)).toMatchObject({ kind: 'refused', guard: 'too-broad' })
    expect(await served(lists, undefined, findFeed('aws/ROW_1'))).toMatchObject({
      kind: 'changed',
    })
  })
})

describe('reserved-space', () => {
  it('names the entry as written, where it was, and the most specific registry row', async () => {
    const o = await served({ ipv4: ['173.245.48.0/20', '192.0.0.9'], ipv6: [] })
    expect(o).toMatchObject({ kind: 'refused', guard: 'reserved-space' })
    expect(o.kind === 'refused' && o.reason).toBe(
      'https://worker.example/v1/feeds/x/y: $["ipv4"][1]: "192.0.0.9" reaches into special-purpose space 192.0.0.9/32 (Port Control Protocol Anycast, RFC 7723)',
    )
  })

  it('finds an IPv6 entry after clean IPv4 ones', async () => {
    const o = await served({ ipv4: ['173.245.48.0/20'], ipv6: ['2606:4700::/32', 'fe80::/64'] })
    expect(o.kind === 'refused' && o.reason).toMatch(
      /\$\["ipv6"\]\[1\]: "fe80::\/64" .*fe80::\/10 \(Link-Local Unicast, RFC 4291\)/,
    )
  })

  const internal = (allowReserved?: boolean) =>
    defineUserFeed({
      id: 'acme/office',
      url: 'https://acme.example/office.txt',
      parser: { kind: 'lines' },
      ...(allowReserved === undefined ? {} : { allowReserved }),
    })

  it('a user-defined feed may opt in for an internal list', async () => {
    const o = await viaUpstream(internal(true), {
      'https://acme.example/office.txt': '10.0.0.0/8\n192.168.1.0/24\nfd00::/48\n',
    })
    expect(o).toMatchObject({
      kind: 'changed',
      snapshot: { ipv4: ['10.0.0.0/8', '192.168.1.0/24'], ipv6: ['fd00::/48'] },
    })
  })

  it('without the opt-in, a user feed is refused and told how to opt in', async () => {
    for (const def of [internal(), internal(false)]) {
      const o = await viaUpstream(def, { 'https://acme.example/office.txt': '10.0.0.0/8\n' })
      expect(o).toMatchObject({ kind: 'refused', guard: 'reserved-space' })
      expect(o.kind === 'refused' && o.reason).toMatch(
        /line 1: "10\.0\.0\.0\/8" .*\(an internal list may set allow-reserved: true\)$/,
      )
    }
  })

  it('refuses an allowReserved that is not a boolean', () => {
    expect(() =>
      defineUserFeed({
        id: 'acme/office',
        url: 'https://acme.example/office.txt',
        parser: { kind: 'lines' },
        allowReserved: 'yes' as unknown as boolean,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_FEED_OPTION' }))
  })
})

describe('allow-all and empty across sources', () => {
  it('two sources of one feed that together cover IPv4 are refused as allow-all', async () => {
    const portal = findFeed('firezone/portal')!
    const o = await viaUpstream(portal, {
      'https://www.firezone.dev/portal-ips.json': JSON.stringify({
        endpoints: {
          'app.firezone.dev': { ipv4: ['0.0.0.0/1'], ipv6: [] },
          'api.firezone.dev': { ipv4: ['128.0.0.0/1'], ipv6: [] },
        },
      }),
    })
    expect(o).toMatchObject({ kind: 'refused', guard: 'allow-all' })
    expect(o.kind === 'refused' && o.reason).toMatch(/together cover every address/)
  })

  it('a snapshot listing nothing at all is empty; one family alone is fine', async () => {
    expect(await served({ ipv4: [], ipv6: [] })).toMatchObject({
      kind: 'refused',
      guard: 'empty',
      reason: 'cloudflare/edge: no source lists an address',
    })
    expect(await served({ ipv4: [], ipv6: ['2606:4700::/32'] })).toMatchObject({
      kind: 'changed',
    })
  })
})

describe("a worker's snapshot", () => {
  it.each([
    ['not an object', [1, 2], /the body is not a JSON object/],
    ['null', null, /the body is not a JSON object/],
    ['no ipv4', { ipv6: [] }, /"ipv4" is not an array/],
    ['ipv6 a string', { ipv4: ['173.245.48.0/20'], ipv6: '::/0' }, /"ipv6" is not an array/],
    ['a number in a list', { ipv4: ['173.245.48.0/20', 7], ipv6: [] }, /\$\["ipv4"\]\[1\]/],
  ])('%s is schema drift', async (_name, body, reason) => {
    const o = await served(body)
    expect(o).toMatchObject({ kind: 'refused', guard: 'schema-drift', previous: undefined })
    expect(o.kind === 'refused' && o.reason).toMatch(reason)
  })

  it.each([
    ['an IPv6 entry in ipv4', { ipv4: ['2606:4700::/32'], ipv6: [] }, /IPv6 in an IPv4-only/],
    ['a newline in an entry', { ipv4: ['1.1.1.0/24\n0.0.0.0/0'], ipv6: [] }, /not a plain/],
    ['a mapped address', { ipv4: [], ipv6: ['::ffff:1.1.1.1'] }, /IPv4-mapped/],
  ])('%s is an invalid entry', async (_name, body, reason) => {
    const o = await served(body)
    expect(o).toMatchObject({ kind: 'refused', guard: 'invalid-entry' })
    expect(o.kind === 'refused' && o.reason).toMatch(reason)
  })

  it("keeps the worker's version and https:// source, replaces anything else", async () => {
    const lists = { ipv4: ['173.245.48.0/20'], ipv6: [] }
    const good = await served({
      ...lists,
      version: 41,
      source: 'https://www.cloudflare.com/ips-v4 https://www.cloudflare.com/ips-v6',
    })
    expect(good).toMatchObject({
      kind: 'changed',
      snapshot: {
        version: 41,
        source: 'https://www.cloudflare.com/ips-v4 https://www.cloudflare.com/ips-v6',
        fetchedAt: AT,
        changedAt: AT,
      },
      change: { previousVersion: 0, version: 41 },
    })
    for (const [version, source] of [
      [0, 'http://evil.example/'],
      [1.5, 'https://a.example/\n[x](javascript:alert(1))'],
      ['9', 42],
    ] as const) {
      const o = await served({ ...lists, version, source })
      expect(o).toMatchObject({
        kind: 'changed',
        snapshot: { version: 1, source: 'https://worker.example/v1/feeds/x/y' },
      })
    }
  })

  it('the same lists as the locked snapshot are unchanged, whatever the version says', async () => {
    const previous = await snapshotOf(TABLE_FEED, ['173.245.48.0/20'], ['2606:4700::/32'])
    const o = await served(
      { version: 99, ipv4: ['173.245.48.0/21', '173.245.56.0/21'], ipv6: ['2606:4700::/32'] },
      previous,
    )
    expect(o).toMatchObject({ kind: 'unchanged', snapshot: { version: 4, fetchedAt: AT } })
  })
})

describe('holds', () => {
  it('IPv6 appearing where there was none, by more than a /40, is a mass addition', async () => {
    const previous = await snapshotOf(TABLE_FEED, ['173.245.48.0/20'], [])
    const o = await served({ ipv4: ['173.245.48.0/20'], ipv6: ['2606:4700::/32'] }, previous)
    expect(o).toMatchObject({ kind: 'held', guard: 'mass-addition', candidate: { version: 5 } })
    expect(o.kind === 'held' && o.reason).toBe(
      "IPv6 addresses would appear where version 4 had none (more than a /40's worth)",
    )
  })

  it('allowMassAddition makes a doubling a plain change', async () => {
    const previous = await snapshotOf(TABLE_FEED, ['173.245.48.0/20'], [])
    const o = await served(
      { ipv4: ['173.245.48.0/20', '162.158.0.0/15'], ipv6: [] },
      previous,
      EDGE,
      {
        allowMassAddition: true,
      },
    )
    expect(o).toMatchObject({ kind: 'changed', snapshot: { version: 5 } })
  })

  it('a removal is held before an addition is looked at', async () => {
    const previous = await snapshotOf(TABLE_FEED, ['173.245.48.0/20'], ['2606:4700::/32'])
    const o = await served({ ipv4: ['162.158.0.0/15'], ipv6: ['2606:4700::/32'] }, previous)
    expect(o).toMatchObject({ kind: 'held', guard: 'mass-removal' })
    expect(o.kind === 'held' && o.change.removed.ipv4).toEqual(['173.245.48.0/20'])
  })
})
