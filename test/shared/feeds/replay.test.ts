/**
 * Acceptance 2: replaying each fixture history in date order, each sync fed the previous
 * outcome's snapshot, gives the expected sequence of changes; the expected diffs come from an
 * independent oracle (cidr-tools) over the raw payloads.
 */
import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUILTIN_FEEDS,
  findFeed,
  type FeedDefinition,
  type FeedOutcome,
  type GuardOptions,
  type Snapshot,
} from '../../../shared/src/feeds/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { startMirror, type MirrorEntry, type MirrorServer } from '../../scripts/mirror-server.ts'
import {
  fixtureJson,
  fixtureLines,
  fixtureText,
  oracleMerge,
  oracleMinus,
  syncViaMirror,
  type Lists,
} from './oracle.ts'

const feed = (id: string): FeedDefinition => findFeed(id)!
const EMPTY: Lists = { ipv4: [], ipv6: [] }

/** One step of a replay: what the mirror serves, and the outcome per feed. */
interface Step {
  readonly label: string
  readonly files: Record<string, MirrorEntry>
}

/** Replays `steps` in order; each sync gets the snapshots the previous steps left current. */
async function replay(
  mirror: MirrorServer,
  feeds: FeedDefinition[],
  steps: Step[],
  guards: Partial<GuardOptions> = {},
) {
  const current: Record<string, Snapshot> = {}
  const history: { label: string; outcomes: FeedOutcome[] }[] = []
  for (const step of steps) {
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
    Object.assign(mirror.files, step.files)
    const { outcomes } = await syncViaMirror(mirror, feeds, { previous: { ...current }, guards })
    // A held candidate does not become current here (the worker confirms it over later fetches).
    for (const o of outcomes)
      if (o.kind === 'changed' || o.kind === 'unchanged') current[o.feed] = o.snapshot
    history.push({ label: step.label, outcomes: [...outcomes] })
  }
  return { history, current }
}

/** Asserts a `changed` outcome whose change equals the oracle diff of `before` -> `after`. */
function expectChange(o: FeedOutcome | undefined, before: Lists, after: Lists, version: number) {
  expect(o?.kind, JSON.stringify(o).slice(0, 300)).toBe('changed')
  if (o?.kind !== 'changed') return
  expect(o.snapshot.version).toBe(version)
  expect(o.change.previousVersion).toBe(version - 1)
  expect({ ipv4: [...o.change.added.ipv4], ipv6: [...o.change.added.ipv6] }).toEqual(
    oracleMinus(after, before),
  )
  expect({ ipv4: [...o.change.removed.ipv4], ipv6: [...o.change.removed.ipv6] }).toEqual(
    oracleMinus(before, after),
  )
  expect({ ipv4: [...o.snapshot.ipv4], ipv6: [...o.snapshot.ipv6] }).toEqual(after)
}

const list = (dir: string, prefix: string) =>
  HAVE_FIXTURES
    ? readdirSync(fixturePath('feeds', dir))
        .filter((f) => f.startsWith(prefix))
        .sort()
    : []
const bytes = (rel: string) => Buffer.from(fixtureText(rel))

describe.skipIf(!HAVE_FIXTURES)('replaying the fixture histories', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())

  describe('coolify/cloud', () => {
    const dates = list('coolify', 'ipv4.').map((f) => f.slice(5, -4))
    const at = (d: string) => ({
      label: d,
      files: {
        'coolify.io/ipv4.txt': bytes(`coolify/ipv4.${d}.txt`),
        'coolify.io/ipv6.txt': bytes(`coolify/ipv6.${d}.txt`),
      },
    })
    const lists = (d: string) =>
      oracleMerge([
        ...fixtureLines(`coolify/ipv4.${d}.txt`),
        ...fixtureLines(`coolify/ipv6.${d}.txt`),
      ])

    it('in date order: the empty IPv4 file is refused, then one change per publication', async () => {
      expect(dates[0]).toBe('2024-04-30T1018')
      const { history } = await replay(mirror, [feed('coolify/cloud')], dates.map(at))
      const [first, ...rest] = history
      expect(first!.outcomes[0]).toMatchObject({
        kind: 'refused',
        guard: 'empty',
        previous: undefined,
      })
      let before = EMPTY
      let version = 0
      rest.forEach((step, i) => {
        const after = lists(dates[i + 1]!)
        expectChange(step.outcomes[0], before, after, ++version)
        before = after
      })
      // 1019 (2+2), 05-08 (+2+2), 06-07 (-2-2: exactly half, within the 50% limit), 06-09 (+2+2).
      expect(version).toBe(4)
    })

    it('the empty IPv4 file after a good version is a refusal that keeps it, not a removal', async () => {
      const { history, current } = await replay(
        mirror,
        [feed('coolify/cloud')],
        [at('2024-05-08T1121'), at('2024-04-30T1018')],
      )
      const kept = history[0]!.outcomes[0]
      expect(history[1]!.outcomes[0]).toMatchObject({
        kind: 'refused',
        guard: 'empty',
        previous: kept?.kind === 'changed' ? kept.snapshot : 'missing',
      })
      expect(current['coolify/cloud']!.ipv4).toHaveLength(4)
    })
  })

  describe('firezone/portal', () => {
    const files = list('firezone', 'portal-ips.')
    const endpoints = (f: string) => {
      const doc = fixtureJson(`firezone/${f}`) as {
        endpoints: Record<string, { ipv4: string[]; ipv6: string[] }>
      }
      return Object.values(doc.endpoints).flatMap((e) => [...e.ipv4, ...e.ipv6])
    }
    const step = (f: string, body = bytes(`firezone/${f}`)) => ({
      label: f,
      files: { 'www.firezone.dev/portal-ips.json': body },
    })

    it('by default: a partial change, then two full replacements held as mass removals', async () => {
      const { history } = await replay(
        mirror,
        [feed('firezone/portal')],
        files.map((f) => step(f)),
      )
      expect(history.map((h) => h.outcomes[0]!.kind)).toEqual([
        'changed',
        'changed',
        'held',
        'held',
      ])
      expectChange(
        history[1]!.outcomes[0],
        oracleMerge(endpoints(files[0]!)),
        oracleMerge(endpoints(files[1]!)),
        2,
      )
      // Each held candidate is compared with version 2, the last one that became current.
      for (const i of [2, 3]) {
        const o = history[i]!.outcomes[0]!
        expect(o).toMatchObject({ guard: 'mass-removal', previous: { version: 2 } })
        if (o.kind !== 'held') continue
        expect({ ipv4: [...o.candidate.ipv4], ipv6: [...o.candidate.ipv6] }).toEqual(
          oracleMerge(endpoints(files[i]!)),
        )
        expect(o.reason).toMatch(/every IPv4 address of version 2 would be removed/)
      }
    })

    it('with allowMassRemoval: one change per publication, each equal to the oracle diff', async () => {
      const { history } = await replay(
        mirror,
        [feed('firezone/portal')],
        files.map((f) => step(f)),
        { allowMassRemoval: true },
      )
      let before = EMPTY
      history.forEach((h, i) => {
        const after = oracleMerge(endpoints(files[i]!))
        expectChange(h.outcomes[0], before, after, i + 1)
        before = after
      })
    })

    it('a new generated_at, renamed regional hosts and re-formatting are no change', async () => {
      const last = files.at(-1)!
      const doc = fixtureJson(`firezone/${last}`) as Record<string, unknown> & {
        endpoints: Record<string, { ipv4: string[]; ipv6: string[] }>
      }
      const variant = {
        generated_at: '2026-05-01T00:00:00.000Z',
        regions: ['elsewhere'],
        regional_hosts: { 'renamed-portal.firezone.dev': { ipv4: ['192.0.2.1'], ipv6: [] } },
        endpoints: Object.fromEntries(
          Object.entries(doc.endpoints)
            .reverse()
            .map(([k, v]) => [k, { ipv6: [...v.ipv6].reverse(), ipv4: [...v.ipv4].reverse() }]),
        ),
      }
      const { history } = await replay(
        mirror,
        [feed('firezone/portal'), feed('firezone/portal-app')],
        [step(last), step(last, Buffer.from(JSON.stringify(variant)))],
      )
      for (const o of history[1]!.outcomes)
        expect(o).toMatchObject({ kind: 'unchanged', notModified: false, snapshot: { version: 1 } })
    })
  })

  describe('firezone/relays', () => {
    const regional = 'firezone/relay-ips.2024-06-10.json'
    const flat = 'firezone/relay-ips.2025-10-16.json'
    const raw2024 = () =>
      Object.values(
        fixtureJson(regional) as Record<string, { ipv4?: string[]; ipv6?: string[] }>,
      ).flatMap((r) => [...(r.ipv4 ?? []), ...(r.ipv6 ?? [])])
    const step = (label: string, body: Buffer) => ({
      label,
      files: { 'www.firezone.dev/relay-ips.json': body },
    })

    it('the format change (regional object -> flat array) with the same addresses is no change', async () => {
      const { history } = await replay(
        mirror,
        [feed('firezone/relays')],
        [
          step('2024 object', bytes(regional)),
          step(
            '2024 addresses as a 2025-style flat array',
            Buffer.from(JSON.stringify(raw2024().reverse())),
          ),
        ],
      )
      expect(history[1]!.outcomes[0]).toMatchObject({ kind: 'unchanged', snapshot: { version: 1 } })
    })

    it('the real 2024 -> 2025 publication is held, by default, as a mass removal', async () => {
      const { history } = await replay(
        mirror,
        [feed('firezone/relays')],
        [step('2024', bytes(regional)), step('2025', bytes(flat))],
      )
      expect(history[1]!.outcomes[0]).toMatchObject({
        kind: 'held',
        guard: 'mass-removal',
        candidate: { version: 2 },
      })
    })

    it('the real 2024 -> 2025 publication: a change whose kept addresses are not in it', async () => {
      const before = oracleMerge(raw2024())
      const after = oracleMerge(fixtureJson(flat) as string[])
      const { history } = await replay(
        mirror,
        [feed('firezone/relays')],
        [step('2024', bytes(regional)), step('2025', bytes(flat))],
        { allowMassRemoval: true, allowMassAddition: true },
      )
      expectChange(history[1]!.outcomes[0], before, after, 2)
    })
  })

  describe('github/* (meta, three consecutive versions)', () => {
    const files = list('github', 'meta.')
    it('only github/actions changes, twice, by the oracle diff; the other 11 stay at version 1', async () => {
      const feeds = BUILTIN_FEEDS.filter(
        (f) => f.id.startsWith('github/') && f.id !== 'github/dependabot',
      )
      const { history } = await replay(
        mirror,
        feeds,
        files.map((f) => ({ label: f, files: { 'api.github.com/meta': bytes(`github/${f}`) } })),
      )
      const actions = (f: string) =>
        oracleMerge((fixtureJson(`github/${f}`) as { actions: string[] }).actions)
      const ai = feeds.findIndex((f) => f.id === 'github/actions')
      for (let i = 1; i < files.length; i++) {
        const outcomes = history[i]!.outcomes
        expectChange(outcomes[ai], actions(files[i - 1]!), actions(files[i]!), i + 1)
        const change = outcomes[ai]!.kind === 'changed' ? outcomes[ai]!.change : undefined
        expect(change!.added.ipv4.length + change!.removed.ipv4.length).toBeGreaterThan(0)
        for (const [j, o] of outcomes.entries())
          if (j !== ai)
            expect(o, feeds[j]!.id).toMatchObject({ kind: 'unchanged', snapshot: { version: 1 } })
      }
    })
  })

  describe('aws/* (ip-ranges.json nine days apart)', () => {
    const files = list('aws', 'ip-ranges.')
    it('each listed service changes exactly by the oracle diff, or is unchanged when equal', async () => {
      const feeds = BUILTIN_FEEDS.filter((f) => f.id.startsWith('aws/'))
      const { history } = await replay(
        mirror,
        feeds,
        files.map((f) => ({
          label: f,
          files: { 'ip-ranges.amazonaws.com/ip-ranges.json': bytes(`aws/${f}`) },
        })),
      )
      const lists = (f: string, service: string) => {
        const doc = fixtureJson(`aws/${f}`) as {
          prefixes: { ip_prefix: string; service: string }[]
          ipv6_prefixes: { ipv6_prefix: string; service: string }[]
        }
        return oracleMerge([
          ...doc.prefixes.filter((p) => p.service === service).map((p) => p.ip_prefix),
          ...doc.ipv6_prefixes.filter((p) => p.service === service).map((p) => p.ipv6_prefix),
        ])
      }
      let changed = 0
      feeds.forEach((f, i) => {
        const service = f.id.slice(4)
        const before = lists(files[0]!, service)
        const after = lists(files[1]!, service)
        const o = history[1]!.outcomes[i]
        if (JSON.stringify(before) === JSON.stringify(after))
          expect(o, f.id).toMatchObject({ kind: 'unchanged' })
        else {
          changed++
          expectChange(o, before, after, 2)
        }
      })
      expect(changed).toBeGreaterThan(0)
    })
  })
})
