/**
 * Acceptance 1 of issue 15: every fixture of the twelve providers of
 * ../shared/fixtures/feeds/PROVENANCE-providers.md goes through a local mirror and the real fetch
 * path (global fetch, HTTP, the guards) and comes out as the lists an independent oracle
 * (cidr-tools over a plain reading of the payload) computes. The table states, per file, the raw
 * entry counts (as PROVENANCE-providers.md gives them: every entry, duplicates included) and the
 * canonical counts after merging, which our lists and the oracle's must both have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  defineUserFeed,
  findFeed,
  type FeedDefinition,
  type FeedOutcome,
  type GuardName,
} from '../../../shared/src/feeds/index.ts'
import { IpSet } from '../../../shared/src/ip/index.ts'
import { HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import {
  AZURE_LINKED_FILE,
  fixtureMirrorLayout,
  REPO_FIXTURE,
  startMirror,
  type MirrorServer,
} from '../../scripts/mirror-server.ts'
import {
  fixtureJson,
  fixtureText,
  oracleMerge,
  oracleMinus,
  syncViaMirror,
  type Lists,
} from './oracle.ts'

/** Every address entry of a payload, read plainly (not by our parsers), in file order. */
const RAW: Record<string, (rel: string) => string[]> = {
  prefixes: (rel) =>
    (fixtureJson(rel) as { prefixes: { ipv4Prefix?: string; ipv6Prefix?: string }[] }).prefixes.map(
      (p) => (p.ipv4Prefix ?? p.ipv6Prefix)!,
    ),
  atlassian: (rel) => (fixtureJson(rel) as { items: { cidr: string }[] }).items.map((i) => i.cidr),
  datadog: (rel) =>
    Object.values(fixtureJson(rel) as Record<string, unknown>)
      .filter(
        (v): v is { prefixes_ipv4: string[]; prefixes_ipv6: string[] } => typeof v === 'object',
      )
      .flatMap((s) => [...s.prefixes_ipv4, ...s.prefixes_ipv6]),
  fastly: (rel) => {
    const doc = fixtureJson(rel) as { addresses: string[]; ipv6_addresses: string[] }
    return [...doc.addresses, ...doc.ipv6_addresses]
  },
  cdn77: (rel) =>
    (fixtureJson(rel) as { prefixes: { prefix: string }[] }).prefixes.map((p) => p.prefix),
  imperva: (rel) => {
    const doc = fixtureJson(rel) as { ipRanges: string[]; ipv6Ranges: string[] }
    return [...doc.ipRanges, ...doc.ipv6Ranges]
  },
  zscaler: (rel) =>
    Object.values(
      (fixtureJson(rel) as Record<string, Record<string, Record<string, { range: string }[]>>>)[
        'zscaler.net'
      ]!,
    )
      .flatMap((continent) => Object.values(continent))
      .flatMap((city) => city.map((n) => n.range)),
  azure: (rel) =>
    (
      fixtureJson(rel) as { values: { properties: { addressPrefixes: string[] } }[] }
    ).values.flatMap((v) => v.properties.addressPrefixes),
  oracle: (rel) =>
    (fixtureJson(rel) as { regions: { cidrs: { cidr: string }[] }[] }).regions.flatMap((r) =>
      r.cidrs.map((c) => c.cidr),
    ),
  geofeed: (rel) =>
    fixtureText(rel)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split(',')[0]!.trim()),
}

/** Feeds defined as a user would (the parser kinds are public) for files no built-in covers whole. */
const WHOLE_GOOG = defineUserFeed({
  id: 'fixture/goog',
  url: 'https://www.gstatic.com/ipranges/goog.json',
  parser: { kind: 'prefixes' },
  version: 'syncToken',
})
const WHOLE_AZURE = defineUserFeed({
  id: 'fixture/azure-all',
  url: `https://${AZURE_LINKED_FILE}`,
  parser: { kind: 'records', path: 'values[*]', address: ['properties.addressPrefixes'] },
  version: 'changeNumber',
})
const DATADOG = [
  'webhooks',
  'synthetics',
  'synthetics-private-locations',
  'agents',
  'api',
  'apm',
  'logs',
  'process',
  'orchestrator',
  'remote-configuration',
  'global',
].map((s) => `datadog/${s}`)

const CRAWLERS = 'developers.google.com/static/crawling/ipranges/'
/**
 * file, the URL it is served at (`HOST/PATH`), how to read it plainly, the feeds whose union
 * covers it, raw IPv4/IPv6 entries (PROVENANCE-providers.md), and then either the merged
 * IPv4/IPv6 CIDR counts or the guard that refuses the file (a real incident).
 */
type Row = [string, string, keyof typeof RAW, string[], number, number, number | GuardName, number]
// prettier-ignore
const ROWS: Row[] = [
  // file, served at, read as, feeds whose union covers it, raw IPv4, raw IPv6, merged IPv4 (or the guard), merged IPv6
  ['google/goog.2024-02-18.json', 'www.gstatic.com/ipranges/goog.json', 'prefixes', ['fixture/goog'], 74, 11, 74, 11],
  ['google/goog.2026-07-19.json', 'www.gstatic.com/ipranges/goog.json', 'prefixes', ['fixture/goog'], 98, 15, 98, 15],
  ['google/goog.2026-08-19.json', 'www.gstatic.com/ipranges/goog.json', 'prefixes', ['fixture/goog'], 99, 15, 99, 15],
  ['google/goog.2026-08-21.json', 'www.gstatic.com/ipranges/goog.json', 'prefixes', ['fixture/goog'], 99, 15, 99, 15],
  ['google/cloud.2024-02-18.json', 'www.gstatic.com/ipranges/cloud.json', 'prefixes', ['google/cloud'], 614, 44, 282, 17],
  ['google/cloud.2026-08-14.json', 'www.gstatic.com/ipranges/cloud.json', 'prefixes', ['google/cloud'], 997, 97, 441, 30],
  ['google/cloud.2026-08-19.json', 'www.gstatic.com/ipranges/cloud.json', 'prefixes', ['google/cloud'], 997, 95, 441, 28],
  ['google/cloud.2026-08-21.json', 'www.gstatic.com/ipranges/cloud.json', 'prefixes', ['google/cloud'], 997, 95, 441, 28],
  ['google/googlebot.2026-03-20.json', `${CRAWLERS}common-crawlers.json`, 'prefixes', ['google/googlebot'], 0, 0, 'schema-drift', 0],
  ['google/googlebot.2026-05-04.json', `${CRAWLERS}common-crawlers.json`, 'prefixes', ['google/googlebot'], 0, 0, 'schema-drift', 0],
  ['google/googlebot.2026-06-07.json', `${CRAWLERS}common-crawlers.json`, 'prefixes', ['google/googlebot'], 168, 145, 43, 28],
  ['google/googlebot.2026-08-19.json', `${CRAWLERS}common-crawlers.json`, 'prefixes', ['google/googlebot'], 169, 146, 41, 24],
  ['google/googlebot.2026-08-21.json', `${CRAWLERS}common-crawlers.json`, 'prefixes', ['google/googlebot'], 169, 146, 41, 24],
  ['google/special-crawlers.2024-03-01.json', `${CRAWLERS}special-crawlers.json`, 'prefixes', ['google/special-crawlers'], 105, 105, 21, 22],
  ['google/special-crawlers.2026-06-02.json', `${CRAWLERS}special-crawlers.json`, 'prefixes', ['google/special-crawlers'], 0, 0, 'schema-drift', 0],
  ['google/special-crawlers.2026-06-07.json', `${CRAWLERS}special-crawlers.json`, 'prefixes', ['google/special-crawlers'], 134, 134, 21, 27],
  ['google/special-crawlers.2026-08-19.json', `${CRAWLERS}special-crawlers.json`, 'prefixes', ['google/special-crawlers'], 135, 135, 17, 23],
  ['google/special-crawlers.2026-08-21.json', `${CRAWLERS}special-crawlers.json`, 'prefixes', ['google/special-crawlers'], 135, 135, 17, 23],
  ['google/user-triggered-fetchers.2024-03-03.json', `${CRAWLERS}user-triggered-fetchers.json`, 'prefixes', ['google/user-triggered-fetchers'], 362, 362, 96, 108],
  ['google/user-triggered-fetchers.2026-04-08.json', `${CRAWLERS}user-triggered-fetchers.json`, 'prefixes', ['google/user-triggered-fetchers'], 0, 0, 'schema-drift', 0],
  ['google/user-triggered-fetchers.2026-08-07.json', `${CRAWLERS}user-triggered-fetchers.json`, 'prefixes', ['google/user-triggered-fetchers'], 527, 527, 100, 123],
  ['google/user-triggered-fetchers.2026-08-19.json', `${CRAWLERS}user-triggered-fetchers.json`, 'prefixes', ['google/user-triggered-fetchers'], 528, 528, 100, 123],
  ['google/user-triggered-fetchers.2026-08-21.json', `${CRAWLERS}user-triggered-fetchers.json`, 'prefixes', ['google/user-triggered-fetchers'], 528, 528, 100, 123],
  ['openai/gptbot.2025-01-21.json', 'openai.com/gptbot.json', 'prefixes', ['openai/gptbot'], 6, 0, 5, 0],
  ['openai/gptbot.2025-10-13.json', 'openai.com/gptbot.json', 'prefixes', ['openai/gptbot'], 15, 0, 12, 0],
  ['openai/gptbot.2025-11-10.json', 'openai.com/gptbot.json', 'prefixes', ['openai/gptbot'], 21, 0, 17, 0],
  ['openai/searchbot.2025-01-21.json', 'openai.com/searchbot.json', 'prefixes', ['openai/searchbot'], 3, 0, 3, 0],
  ['openai/searchbot.2025-11-10.json', 'openai.com/searchbot.json', 'prefixes', ['openai/searchbot'], 34, 0, 31, 0],
  ['openai/searchbot.2026-01-12.json', 'openai.com/searchbot.json', 'prefixes', ['openai/searchbot'], 35, 0, 32, 0],
  ['openai/chatgpt-user.2025-10-20.json', 'openai.com/chatgpt-user.json', 'prefixes', ['openai/chatgpt-user'], 168, 0, 155, 0],
  ['openai/chatgpt-user.2025-10-27.json', 'openai.com/chatgpt-user.json', 'prefixes', ['openai/chatgpt-user'], 168, 0, 155, 0],
  ['openai/chatgpt-user.2026-04-27.json', 'openai.com/chatgpt-user.json', 'prefixes', ['openai/chatgpt-user'], 234, 0, 202, 0],
  ['openai/chatgpt-user.2026-05-04.json', 'openai.com/chatgpt-user.json', 'prefixes', ['openai/chatgpt-user'], 240, 0, 207, 0],
  ['atlassian/ip-ranges.2026-06-30.json', 'ip-ranges.atlassian.com/', 'atlassian', ['atlassian/egress', 'atlassian/ingress'], 106, 60, 69, 14],
  ['datadog/ip-ranges.2026-06-30.json', 'ip-ranges.datadoghq.com/', 'datadog', DATADOG, 157, 9, 149, 1],
  ['fastly/public-ip-list.2024-10-08.json', 'api.fastly.com/public-ip-list', 'fastly', ['fastly/edge'], 0, 0, 'unparseable', 0],
  ['fastly/public-ip-list.2024-10-08T1200.json', 'api.fastly.com/public-ip-list', 'fastly', ['fastly/edge'], 19, 2, 19, 2],
  ['cdn77/public_lmax_prefixes.2026-06-30.json', 'prefixlists.tools.cdn77.com/public_lmax_prefixes.json', 'cdn77', ['cdn77/edge'], 35, 0, 35, 0],
  ['cdn77/public_lmax_prefixes.2026-07-28.json', 'prefixlists.tools.cdn77.com/public_lmax_prefixes.json', 'cdn77', ['cdn77/edge'], 36, 0, 36, 0],
  ['imperva/ips.2026-06-30.json', 'my.incapsula.com/api/integration/v1/ips', 'imperva', ['imperva/edge'], 11, 1, 11, 1],
  ['zscaler/cenr.2025-05-25.json', 'api.config.zscaler.com/zscaler.net/cenr/json', 'zscaler', ['zscaler/cenr'], 533, 95, 142, 32],
  ['zscaler/cenr.2026-08-12.json', 'api.config.zscaler.com/zscaler.net/cenr/json', 'zscaler', ['zscaler/cenr'], 817, 115, 243, 48],
  ['zscaler/cenr.2026-08-15.json', 'api.config.zscaler.com/zscaler.net/cenr/json', 'zscaler', ['zscaler/cenr'], 820, 115, 244, 48],
  ['zscaler/cenr.2026-08-21.json', 'api.config.zscaler.com/zscaler.net/cenr/json', 'zscaler', ['zscaler/cenr'], 820, 115, 244, 48],
  ['azure/ServiceTags_Public.2025-06-14.json', AZURE_LINKED_FILE, 'azure', ['fixture/azure-all'], 66788, 22878, 1870, 1067],
  ['oracle/public_ip_ranges.2024-03-01.json', 'docs.oracle.com/iaas/tools/public_ip_ranges.json', 'oracle', ['oracle/cloud'], 688, 0, 454, 0],
  ['oracle/public_ip_ranges.2026-06-05.json', 'docs.oracle.com/iaas/tools/public_ip_ranges.json', 'oracle', ['oracle/cloud'], 1089, 0, 781, 0],
  ['oracle/public_ip_ranges.2026-07-27.json', 'docs.oracle.com/iaas/tools/public_ip_ranges.json', 'oracle', ['oracle/cloud'], 1102, 0, 793, 0],
  ['linode/geofeed.2024-03-01.csv', 'geoip.linode.com/', 'geofeed', ['linode/all'], 3504, 27, 330, 9],
  ['digitalocean/google.2023-01-07.csv', 'www.digitalocean.com/geo/google.csv', 'geofeed', ['digitalocean/all'], 1518, 144, 153, 48],
  ['digitalocean/google.2023-04-30.csv', 'www.digitalocean.com/geo/google.csv', 'geofeed', ['digitalocean/all'], 1518, 144, 153, 48],
]

const USER_FEEDS = [WHOLE_GOOG, WHOLE_AZURE]
const feed = (id: string): FeedDefinition => findFeed(id, USER_FEEDS)!
const family = (cidrs: string[]) => ({
  ipv4: cidrs.filter((c) => !c.includes(':')),
  ipv6: cidrs.filter((c) => c.includes(':')),
})

function changed(o: FeedOutcome | undefined): Lists {
  expect(o?.kind, JSON.stringify(o).slice(0, 400)).toBe('changed')
  if (o?.kind !== 'changed') throw new Error('unreachable')
  return { ipv4: [...o.snapshot.ipv4], ipv6: [...o.snapshot.ipv6] }
}

function union(lists: Lists[]): Lists {
  const v4 = lists.reduce((s, l) => s.union(IpSet.fromCidrs(4, l.ipv4)), IpSet.empty(4))
  const v6 = lists.reduce((s, l) => s.union(IpSet.fromCidrs(6, l.ipv6)), IpSet.empty(6))
  return { ipv4: v4.toCidrs(), ipv6: v6.toCidrs() }
}

describe.skipIf(!HAVE_FIXTURES)('the twelve providers, every fixture through a mirror', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())
  const serve = (layout: Record<string, string>) => {
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
    Object.assign(mirror.files, fixtureMirrorLayout(layout))
  }

  it('covers every file PROVENANCE-providers.md lists', () => {
    const listed = [...fixtureText('PROVENANCE-providers.md').matchAll(/^\| `([^`]+)` \|/gm)].map(
      (m) => m[1],
    )
    expect(ROWS.map((r) => r[0]).sort()).toEqual(listed.sort())
  })

  it.each(ROWS)('%s at %s', async (file, key, reader, ids, raw4, raw6, merged4, merged6) => {
    serve({ [key]: file })
    const raw = typeof merged4 === 'number' || raw4 + raw6 > 0 ? RAW[reader]!(file) : []
    const rawLists = family(raw)
    expect([rawLists.ipv4.length, rawLists.ipv6.length], 'raw entries').toEqual([raw4, raw6])
    const result = await syncViaMirror(mirror, ids.map(feed))
    expect(result.fetches).toHaveLength(1)
    if (typeof merged4 !== 'number') {
      for (const o of result.outcomes) expect(o).toMatchObject({ kind: 'refused', guard: merged4 })
      return
    }
    const ours = union(result.outcomes.map(changed))
    expect(ours).toEqual(oracleMerge(raw))
    expect([ours.ipv4.length, ours.ipv6.length], 'merged CIDRs').toEqual([merged4, merged6])
  })

  it('google/services is goog.json minus cloud.json, as Google says to compute it', async () => {
    serve({
      'www.gstatic.com/ipranges/goog.json': 'google/goog.2026-08-21.json',
      'www.gstatic.com/ipranges/cloud.json': 'google/cloud.2026-08-21.json',
    })
    const { outcomes, fetches } = await syncViaMirror(mirror, [feed('google/services')])
    expect(fetches).toHaveLength(2)
    const expected = oracleMinus(
      oracleMerge(RAW.prefixes!('google/goog.2026-08-21.json')),
      oracleMerge(RAW.prefixes!('google/cloud.2026-08-21.json')),
    )
    expect(changed(outcomes[0])).toEqual(expected)
    expect([expected.ipv4.length, expected.ipv6.length]).toEqual([262, 98])
    expect(outcomes[0]).toMatchObject({
      snapshot: {
        source:
          'https://www.gstatic.com/ipranges/goog.json https://www.gstatic.com/ipranges/cloud.json',
        upstreamVersion: { field: 'syncToken', value: '1787299542583' },
      },
    })
  })

  it('the selections (region, direction, product, section, service tag) equal the oracle of theirs', async () => {
    serve({
      'www.gstatic.com/ipranges/cloud.json': 'google/cloud.2026-08-21.json',
      'ip-ranges.atlassian.com/': 'atlassian/ip-ranges.2026-06-30.json',
      'ip-ranges.datadoghq.com/': 'datadog/ip-ranges.2026-06-30.json',
      'docs.oracle.com/iaas/tools/public_ip_ranges.json': 'oracle/public_ip_ranges.2026-07-27.json',
      'www.microsoft.com/en-us/download/details.aspx': `${REPO_FIXTURE}azure/download-page.confirmation.html`,
      [AZURE_LINKED_FILE]: 'azure/ServiceTags_Public.2025-06-14.json',
    })
    const cloud = fixtureJson('google/cloud.2026-08-21.json') as {
      prefixes: { ipv4Prefix?: string; ipv6Prefix?: string; scope: string }[]
    }
    const items = (
      fixtureJson('atlassian/ip-ranges.2026-06-30.json') as {
        items: { cidr: string; direction: string[]; product: string[] }[]
      }
    ).items
    const datadog = fixtureJson('datadog/ip-ranges.2026-06-30.json') as Record<
      string,
      { prefixes_ipv4: string[]; prefixes_ipv6: string[] }
    >
    const regions = (
      fixtureJson('oracle/public_ip_ranges.2026-07-27.json') as {
        regions: { region: string; cidrs: { cidr: string }[] }[]
      }
    ).regions
    const tags = (
      fixtureJson('azure/ServiceTags_Public.2025-06-14.json') as {
        values: { name: string; properties: { addressPrefixes: string[] } }[]
      }
    ).values
    const expected: Record<string, string[]> = {
      'google/cloud@europe-west1,us-east1': cloud.prefixes
        .filter((p) => ['europe-west1', 'us-east1'].includes(p.scope))
        .map((p) => (p.ipv4Prefix ?? p.ipv6Prefix)!),
      'atlassian/egress': items.filter((i) => i.direction.includes('egress')).map((i) => i.cidr),
      'atlassian/ingress': items.filter((i) => i.direction.includes('ingress')).map((i) => i.cidr),
      'atlassian/egress@bitbucket,jira': items
        .filter(
          (i) =>
            i.direction.includes('egress') &&
            i.product.some((p) => ['jira', 'bitbucket'].includes(p)),
        )
        .map((i) => i.cidr),
      ...Object.fromEntries(
        DATADOG.map((id) => {
          const s = datadog[id.slice('datadog/'.length)]!
          return [id, [...s.prefixes_ipv4, ...s.prefixes_ipv6]]
        }),
      ),
      'oracle/cloud@eu-frankfurt-1,us-ashburn-1': regions
        .filter((r) => ['eu-frankfurt-1', 'us-ashburn-1'].includes(r.region))
        .flatMap((r) => r.cidrs.map((c) => c.cidr)),
      ...Object.fromEntries(
        [
          'ActionGroup',
          'ApplicationInsightsAvailability',
          'AzureDevOps',
          'AzureFrontDoor.Backend',
          'AzureTrafficManager',
          'LogicApps',
          'AzureCloud',
          'AzureCloud.westeurope',
        ].map((tag) => [
          `azure/${tag}`,
          tags.find((t) => t.name === tag)!.properties.addressPrefixes,
        ]),
      ),
    }
    const ids = Object.keys(expected)
    const { outcomes, fetches } = await syncViaMirror(mirror, ids.map(feed))
    // One request per URL: five catalogue URLs, and the file Azure's page links.
    expect(fetches).toHaveLength(6)
    for (const [i, id] of ids.entries()) {
      expect(expected[id]!.length, id).toBeGreaterThan(0)
      expect(changed(outcomes[i]), id).toEqual(oracleMerge(expected[id]!))
    }
    expect(outcomes.find((o) => o.feed === 'azure/ActionGroup')).toMatchObject({
      snapshot: {
        source: `https://${AZURE_LINKED_FILE}`,
        upstreamVersion: { field: 'changeNumber', value: '359' },
      },
    })
  })

  it('Imperva is fetched with a POST through the mirror', async () => {
    serve({ 'my.incapsula.com/api/integration/v1/ips': 'imperva/ips.2026-06-30.json' })
    const before = mirror.requests.length
    const { outcomes } = await syncViaMirror(mirror, [feed('imperva/edge')])
    expect(outcomes[0]!.kind).toBe('changed')
    expect(mirror.requests.slice(before).map((r) => [r.method, r.key, r.body])).toEqual([
      ['POST', 'my.incapsula.com/api/integration/v1/ips', ''],
    ])
  })
})
