/**
 * Issue 11, acceptance 1: every real history in ../shared/fixtures/feeds, replayed in date order
 * through the worker as a user runs it (`npm start`, GUARD_CONFIRM_MINUTES=0, one
 * `GET /__scheduled` per publication, three more at the end), ends with every feed current at
 * its newest real version: the full replacements that were refused for ever before
 * (firezone/relays 2024 -> 2025, firezone/portal 2026-03-28 and 2026-04-13) are held, then
 * confirmed by later identical fetches.
 * Every body refused on its own (Coolify's empty file, Cloudflare's challenge page, and, once
 * their feeds are in the catalogue, Fastly's 0-byte body and Google's crawler notices) is
 * refused, never held. Which feeds the fixtures cover comes from their layout
 * (test/helpers/fixture-history.ts): a feed added to the catalogue joins by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, syncFeeds } from '../../shared/src/index.ts'
import type { Change, FeedOutcome, GuardName } from '../../shared/src/index.ts'
import { fixtureHistory } from '../helpers/fixture-history.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { fixtureMirrorLayout, startMirror } from '../scripts/mirror-server.ts'
import type { MirrorServer } from '../scripts/mirror-server.ts'
import { runCronAndWait, startWorkerDev } from '../worker/support/wrangler-dev.ts'
import type { WorkerDev } from '../worker/support/wrangler-dev.ts'

/** Refusals a body earns on its own, whatever came before it. */
const BODY_GUARDS = new Set<GuardName>([
  'wrong-content',
  'unparseable',
  'schema-drift',
  'invalid-entry',
  'allow-all',
  'empty',
  'reserved-space',
  'too-broad',
])

/** The real incidents of PROVENANCE*.md: fixture file, feed, the guard that must refuse it. */
const INCIDENTS = [
  { file: 'coolify/ipv4.2024-04-30T1018.txt', feed: 'coolify/cloud', guard: 'empty' },
  {
    file: 'cloudflare/ips-v4.challenge-page.2026-01-02.html',
    feed: 'cloudflare/edge',
    guard: 'wrong-content',
  },
  { file: 'fastly/public-ip-list.2024-10-08.json', feed: 'fastly/', guard: undefined },
  { file: 'google/googlebot.2026-03-20.json', feed: 'google/', guard: undefined },
  { file: 'google/googlebot.2026-05-04.json', feed: 'google/', guard: undefined },
  { file: 'google/special-crawlers.2026-06-02.json', feed: 'google/', guard: undefined },
  { file: 'google/user-triggered-fetchers.2026-04-08.json', feed: 'google/', guard: undefined },
] as const

interface Listed {
  id: string
  version: number | null
  sha256: string | null
  lastOutcome: { at: string; outcome: string; guard?: string; reason?: string } | null
  held: { guard: string; seenCount: number } | null
}

const history = fixtureHistory(BUILTIN_FEEDS)
let mirror: MirrorServer
let dev: WorkerDev
/** Per step: the outcome of each feed as the worker listed it after that step's run. */
const seen: { label: string; files: Record<string, string>; feeds: Map<string, Listed> }[] = []
let expected: readonly FeedOutcome[] = []

/** One cron run, and every sync message it sent consumed (the fan-out: jobs/sync-queue.ts). */
async function scheduled(): Promise<Map<string, Listed>> {
  const feeds = await runCronAndWait<Listed>(dev.url)
  return new Map(feeds.map((f) => [f.id, f]))
}

/** What the shared sync, with no history, makes of what the mirror serves now. */
async function direct(): Promise<readonly FeedOutcome[]> {
  const { outcomes } = await syncFeeds(history.covered, {
    fetch: (u, i) => fetch(u, i),
    now: Date.now,
    mirror: mirror.url,
  })
  return outcomes
}

describe.skipIf(!HAVE_FIXTURES)('replaying every fixture history through npm start', () => {
  beforeAll(async () => {
    mirror = await startMirror({})
    dev = await startWorkerDev({ UPSTREAM_MIRROR: mirror.url, GUARD_CONFIRM_MINUTES: '0' })
    console.log(
      `replaying ${history.steps.length} publications of ${history.covered.length} feeds: ${history.covered.map((f) => f.id).join(', ')}; without fixtures: ${history.uncovered.join(', ') || 'none'}`,
    )
    for (const step of history.steps) {
      for (const key of Object.keys(mirror.files)) delete mirror.files[key]
      Object.assign(mirror.files, fixtureMirrorLayout(step.files))
      const alone = await direct()
      const feeds = await scheduled()
      seen.push({ label: step.label, files: step.files, feeds })
      // Checked here, where the step's own refusals are known.
      for (const o of alone)
        if (o.kind === 'refused' && BODY_GUARDS.has(o.guard))
          expect(feeds.get(o.feed)?.lastOutcome, `${o.feed} at ${step.label}`).toMatchObject({
            outcome: 'refused',
            guard: o.guard,
          })
    }
    // Three more runs on the newest versions: what is still held is confirmed (3 fetches).
    for (let i = 0; i < 3; i++) seen.push({ label: 'again', files: {}, feeds: await scheduled() })
    expected = await direct()
  }, 600_000)

  afterAll(async () => {
    await dev?.stop()
    await mirror?.close()
  })

  it('ends with every feed current at its newest real version', () => {
    const last = seen.at(-1)!.feeds
    let current = 0
    for (const o of expected) {
      const listed = last.get(o.feed)!
      if (o.kind === 'changed') {
        current++
        expect(listed.sha256, o.feed).toBe(o.snapshot.sha256)
        expect(listed.held, o.feed).toBeNull()
      } else {
        // A feed whose newest fixture has no version of it at all (github/dependabot: the key
        // is absent from every meta fixture) is refused, and so never current.
        expect(o.kind, o.feed).toBe('refused')
        expect(listed.version, o.feed).toBeNull()
      }
    }
    expect(current).toBeGreaterThanOrEqual(history.covered.length - 1)
  })

  it('held the full replacements of firezone/* and confirmed them, marked confirmedAfterHold', async () => {
    const log = (await (await fetch(`${dev.url}/v1/changes?limit=500`)).json()) as {
      changes: Change[]
    }
    const confirmed = log.changes.filter((c) => c.confirmedAfterHold === true).map((c) => c.feed)
    expect(confirmed).toContain('firezone/relays')
    // 2026-03-28 was still held when 2026-04-13 replaced it (the count restarted): one confirmation.
    expect(confirmed.filter((f) => f === 'firezone/portal')).toHaveLength(1)
    const held = seen.flatMap((s) =>
      [...s.feeds.values()].filter((f) => f.lastOutcome?.outcome === 'held').map((f) => f.id),
    )
    expect(new Set(held)).toContain('firezone/relays')
    expect(new Set(held)).toContain('firezone/portal')
  })

  it('refused the real incidents of the histories it covers, and never held them', () => {
    const covered = new Set(history.covered.map((f) => f.id))
    let checked = 0
    for (const incident of INCIDENTS) {
      const feeds = [...covered].filter((id) =>
        incident.feed.endsWith('/') ? id.startsWith(incident.feed) : id === incident.feed,
      )
      const step = seen.find((s) => Object.values(s.files).includes(incident.file))
      if (feeds.length === 0 || step === undefined) continue
      // The feeds that read the file are those whose outcome mentions its URL's refusal.
      const refused = feeds
        .map((id) => step.feeds.get(id)!)
        .filter((f) => f.lastOutcome?.outcome === 'refused')
      expect(refused.length, incident.file).toBeGreaterThan(0)
      for (const f of refused) {
        if (incident.guard !== undefined) expect(f.lastOutcome?.guard).toBe(incident.guard)
        expect(f.held).toBeNull()
      }
      checked++
    }
    expect(checked).toBeGreaterThanOrEqual(2)
    const held = seen.flatMap((s) => [...s.feeds.values()].filter((f) => f.held !== null))
    expect(held.every((f) => ['mass-removal', 'mass-addition'].includes(f.held!.guard))).toBe(true)
  })
})
