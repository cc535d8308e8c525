/**
 * Acceptance 1: every file of ../shared/fixtures/feeds goes through a local mirror and the real
 * fetch path (global fetch, HTTP, the guards) and comes out as the lists an independent oracle
 * (cidr-tools) computes from the raw payload; raw counts are checked against PROVENANCE.md.
 */
import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUILTIN_FEEDS,
  findFeed,
  type FeedDefinition,
  type FeedOutcome,
} from '../../../shared/src/feeds/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'
import { fixtureJson, fixtureLines, oracleMerge, syncViaMirror, type Lists } from './oracle.ts'

const feed = (id: string): FeedDefinition => findFeed(id)!

function changedLists(outcome: FeedOutcome | undefined): Lists {
  expect(outcome?.kind, JSON.stringify(outcome)).toBe('changed')
  if (outcome?.kind !== 'changed') throw new Error('unreachable')
  return { ipv4: [...outcome.snapshot.ipv4], ipv6: [...outcome.snapshot.ipv6] }
}

const files = (dir: string, prefix: string) =>
  HAVE_FIXTURES
    ? readdirSync(fixturePath('feeds', dir))
        .filter((f) => f.startsWith(prefix))
        .sort()
    : []

describe.skipIf(!HAVE_FIXTURES)('syncFeeds on every fixture, through a mirror', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())
  const serve = (layout: Record<string, string>) => {
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
    Object.assign(mirror.files, fixtureMirrorLayout(layout))
  }

  const coolifyDates = files('coolify', 'ipv4.').map((f) => f.slice(5, -4))
  it('finds the ten Coolify files', () => expect(coolifyDates).toHaveLength(5))

  it.each(coolifyDates)('coolify/cloud at %s: one CIDR per published address', async (date) => {
    serve({
      'coolify.io/ipv4.txt': `coolify/ipv4.${date}.txt`,
      'coolify.io/ipv6.txt': `coolify/ipv6.${date}.txt`,
    })
    const v4 = fixtureLines(`coolify/ipv4.${date}.txt`)
    const v6 = fixtureLines(`coolify/ipv6.${date}.txt`)
    const { outcomes } = await syncViaMirror(mirror, [feed('coolify/cloud')])
    if (v4.length === 0) {
      expect(outcomes[0]).toMatchObject({ kind: 'refused', guard: 'empty' })
      expect(outcomes[0]!.kind === 'refused' && outcomes[0]!.reason).toContain('ipv4.txt')
      return
    }
    const lists = changedLists(outcomes[0])
    expect(lists).toEqual(oracleMerge([...v4, ...v6]))
    // Bare addresses without a prefix, none adjacent: one /32 or /64 each.
    expect(lists.ipv4).toHaveLength(v4.length)
    expect(lists.ipv6).toHaveLength(v6.length)
    expect(lists.ipv4.every((c) => c.endsWith('/32'))).toBe(true)
  })

  const metaFiles = files('github', 'meta.')
  // PROVENANCE.md's key table, entries per key in the raw payload.
  const documented: Record<string, Record<string, number>> = {
    'meta.2026-02-05.json': { actions: 5724 },
    'meta.2026-02-23.json': { actions: 5817 },
    'meta.2026-03-03.json': { actions: 5876 },
  }
  const stable = {
    hooks: 6,
    web: 22,
    api: 22,
    git: 38,
    github_enterprise_importer: 8,
    packages: 25,
    pages: 10,
    importer: 5,
    actions_macos: 8,
    codespaces: 185,
    copilot: 17,
  }

  it.each(metaFiles)('all 13 github/* feeds from %s in one request', async (file) => {
    serve({ 'api.github.com/meta': `github/${file}` })
    const github = BUILTIN_FEEDS.filter((f) => f.id.startsWith('github/'))
    expect(github).toHaveLength(13)
    const result = await syncViaMirror(mirror, github)
    expect(result.fetches).toHaveLength(1)
    expect(result.unknownKeys).toEqual([])
    const doc = fixtureJson(`github/${file}`) as Record<string, string[]>
    const counts = { ...stable, ...documented[file] }
    for (const outcome of result.outcomes) {
      const key = outcome.feed.slice('github/'.length)
      if (key === 'dependabot') {
        // Absent from these payloads (PROVENANCE.md): an empty list, refused, never published.
        expect(doc).not.toHaveProperty('dependabot')
        expect(outcome).toMatchObject({ kind: 'refused', guard: 'empty' })
        continue
      }
      expect(doc[key], key).toHaveLength(counts[key as keyof typeof counts])
      expect(changedLists(outcome), key).toEqual(oracleMerge(doc[key]!))
    }
  })

  const portalFiles = files('firezone', 'portal-ips.')
  it.each(portalFiles)('firezone/portal, portal-app, portal-api from %s', async (file) => {
    serve({ 'www.firezone.dev/portal-ips.json': `firezone/${file}` })
    const doc = fixtureJson(`firezone/${file}`) as {
      endpoints: Record<string, { ipv4: string[]; ipv6: string[] }>
    }
    const app = doc.endpoints['app.firezone.dev']!
    const api = doc.endpoints['api.firezone.dev']!
    const result = await syncViaMirror(mirror, [
      feed('firezone/portal'),
      feed('firezone/portal-app'),
      feed('firezone/portal-api'),
    ])
    expect(result.fetches).toHaveLength(1)
    const [portal, appOut, apiOut] = result.outcomes
    expect(app.ipv4).toHaveLength(3)
    expect(changedLists(appOut)).toEqual(oracleMerge([...app.ipv4, ...app.ipv6]))
    expect(changedLists(apiOut)).toEqual(oracleMerge([...api.ipv4, ...api.ipv6]))
    expect(changedLists(portal)).toEqual(
      oracleMerge([...app.ipv4, ...app.ipv6, ...api.ipv4, ...api.ipv6]),
    )
  })

  it('firezone/relays from the 2024 regional object', async () => {
    serve({ 'www.firezone.dev/relay-ips.json': 'firezone/relay-ips.2024-06-10.json' })
    const doc = fixtureJson('firezone/relay-ips.2024-06-10.json') as Record<
      string,
      { ipv4?: string[]; ipv6?: string[] }
    >
    const raw = Object.values(doc).flatMap((r) => [...(r.ipv4 ?? []), ...(r.ipv6 ?? [])])
    expect(raw.length).toBeGreaterThan(100)
    const { outcomes } = await syncViaMirror(mirror, [feed('firezone/relays')])
    expect(changedLists(outcomes[0])).toEqual(oracleMerge(raw))
  })

  it('firezone/relays from the 2025 flat array of 12,852 CIDRs', async () => {
    serve({ 'www.firezone.dev/relay-ips.json': 'firezone/relay-ips.2025-10-16.json' })
    const raw = fixtureJson('firezone/relay-ips.2025-10-16.json') as string[]
    expect(raw).toHaveLength(12_852)
    const { outcomes } = await syncViaMirror(mirror, [feed('firezone/relays')])
    expect(changedLists(outcomes[0])).toEqual(oracleMerge(raw))
  })

  it('cloudflare/edge: 15 IPv4 and 7 IPv6 ranges', async () => {
    serve({
      'www.cloudflare.com/ips-v4': 'cloudflare/ips-v4',
      'www.cloudflare.com/ips-v6': 'cloudflare/ips-v6',
    })
    const { outcomes } = await syncViaMirror(mirror, [feed('cloudflare/edge')])
    const lists = changedLists(outcomes[0])
    expect(lists.ipv4).toHaveLength(15)
    expect(lists.ipv6).toHaveLength(7)
    expect(lists).toEqual(
      oracleMerge([...fixtureLines('cloudflare/ips-v4'), ...fixtureLines('cloudflare/ips-v6')]),
    )
  })

  it('cloudflare/edge: the 2026-01-02 challenge page is refused as wrong content', async () => {
    serve({
      'www.cloudflare.com/ips-v4': 'cloudflare/ips-v4.challenge-page.2026-01-02.html',
      'www.cloudflare.com/ips-v6': 'cloudflare/ips-v6',
    })
    // Served as text/plain (no .html key), so the body itself gives it away.
    const { outcomes } = await syncViaMirror(mirror, [feed('cloudflare/edge')])
    expect(outcomes[0]).toMatchObject({ kind: 'refused', guard: 'wrong-content' })
  })

  const awsFiles = files('aws', 'ip-ranges.')
  it.each(awsFiles)('every listed aws/* feed and region filters from %s', async (file) => {
    serve({ 'ip-ranges.amazonaws.com/ip-ranges.json': `aws/${file}` })
    const doc = fixtureJson(`aws/${file}`) as {
      prefixes: { ip_prefix: string; service: string; region: string }[]
      ipv6_prefixes: { ipv6_prefix: string; service: string; region: string }[]
    }
    if (file.includes('2026-08-21')) {
      expect(doc.prefixes).toHaveLength(10_668)
      expect(doc.ipv6_prefixes).toHaveLength(6160)
    }
    const feeds = [
      ...BUILTIN_FEEDS.filter((f) => f.id.startsWith('aws/')),
      feed('aws/EC2@us-east-1,eu-west-1'),
      feed('aws/cloudfront@global'),
    ]
    expect(feeds.map((f) => f.id)).toContain('aws/CLOUDFRONT@GLOBAL')
    const result = await syncViaMirror(mirror, feeds)
    expect(result.fetches).toHaveLength(1)
    for (const [i, f] of feeds.entries()) {
      const parser = f.sources[0]!.parser
      if (parser.kind !== 'aws') throw new Error(f.id)
      const keep = (p: { service: string; region: string }) =>
        p.service === parser.service &&
        (parser.regions.length === 0 || parser.regions.includes(p.region))
      const raw = [
        ...doc.prefixes.filter(keep).map((p) => p.ip_prefix),
        ...doc.ipv6_prefixes.filter(keep).map((p) => p.ipv6_prefix),
      ]
      expect(raw.length, f.id).toBeGreaterThan(0)
      expect(changedLists(result.outcomes[i]), f.id).toEqual(oracleMerge(raw))
    }
  })
})
