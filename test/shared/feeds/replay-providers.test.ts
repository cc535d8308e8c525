/**
 * Acceptance 2 and 3 of issue 15: each new provider's fixture versions replayed in date order,
 * each sync fed the snapshots the previous steps left current. Metadata-only pairs (a new
 * creationTime, syncToken or geofeed comment with the same addresses) are no change; the real
 * incidents (Google's crawler notices without prefixes, Fastly's 0-byte body) are refusals that
 * keep the last good snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findFeed, type FeedOutcome, type Snapshot } from '../../../shared/src/feeds/index.ts'
import { HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'
import { fixtureText, syncViaMirror } from './oracle.ts'

const CRAWLERS = 'developers.google.com/static/crawling/ipranges/'

/** Serves each fixture in turn at `url` and syncs `id`; returns the outcome of every step. */
async function replay(mirror: MirrorServer, id: string, url: string, fixtures: string[]) {
  let current: Snapshot | undefined
  const outcomes: FeedOutcome[] = []
  for (const rel of fixtures) {
    mirror.files[url] = Buffer.from(fixtureText(rel))
    const previous = current === undefined ? {} : { [id]: current }
    const {
      outcomes: [o],
    } = await syncViaMirror(mirror, [findFeed(id)!], { previous })
    if (o!.kind === 'changed' || o!.kind === 'unchanged') current = o!.snapshot
    outcomes.push(o!)
  }
  return { outcomes, current }
}

const kinds = (outcomes: FeedOutcome[]) =>
  outcomes.map((o) => (o.kind === 'refused' ? `refused:${o.guard}` : o.kind))

describe.skipIf(!HAVE_FIXTURES)('replaying the new providers in date order', () => {
  let mirror: MirrorServer
  beforeAll(async () => {
    mirror = await startMirror({})
  })
  afterAll(() => mirror.close())

  it('google/googlebot: the notices are refused, then one change, then 08-19 -> 08-21 is no change', async () => {
    const dates = ['2026-03-20', '2026-05-04', '2026-06-07', '2026-08-19', '2026-08-21']
    const { outcomes } = await replay(
      mirror,
      'google/googlebot',
      `${CRAWLERS}common-crawlers.json`,
      dates.map((d) => `google/googlebot.${d}.json`),
    )
    expect(kinds(outcomes)).toEqual([
      'refused:schema-drift',
      'refused:schema-drift',
      'changed',
      'changed',
      'unchanged',
    ])
  })

  it('a notice after a good version keeps the good snapshot (google/special-crawlers)', async () => {
    const { outcomes, current } = await replay(
      mirror,
      'google/special-crawlers',
      `${CRAWLERS}special-crawlers.json`,
      ['2024-03-01', '2026-06-02', '2026-06-07'].map((d) => `google/special-crawlers.${d}.json`),
    )
    expect(kinds(outcomes)).toEqual(['changed', 'refused:schema-drift', 'changed'])
    expect(current?.version).toBe(2)
  })

  it('openai/chatgpt-user: the October pair (new creationTime only) is no change', async () => {
    const { outcomes } = await replay(
      mirror,
      'openai/chatgpt-user',
      'openai.com/chatgpt-user.json',
      ['2025-10-20', '2025-10-27', '2026-04-27', '2026-05-04'].map(
        (d) => `openai/chatgpt-user.${d}.json`,
      ),
    )
    expect(kinds(outcomes)).toEqual(['changed', 'unchanged', 'changed', 'changed'])
    const [first, second] = outcomes
    expect(first?.kind === 'changed' && second?.kind === 'unchanged').toBe(true)
    if (first?.kind === 'changed' && second?.kind === 'unchanged')
      expect(second.snapshot.sha256).toBe(first.snapshot.sha256)
  })

  it('digitalocean/all: the 2023 pair is no change', async () => {
    const { outcomes } = await replay(
      mirror,
      'digitalocean/all',
      'www.digitalocean.com/geo/google.csv',
      ['2023-01-07', '2023-04-30'].map((d) => `digitalocean/google.${d}.csv`),
    )
    expect(kinds(outcomes)).toEqual(['changed', 'unchanged'])
  })

  it('fastly/edge: the 0-byte body after a good list is refused and the good one is kept', async () => {
    const { outcomes, current } = await replay(
      mirror,
      'fastly/edge',
      'api.fastly.com/public-ip-list',
      ['fastly/public-ip-list.2024-10-08T1200.json', 'fastly/public-ip-list.2024-10-08.json'],
    )
    expect(kinds(outcomes)).toEqual(['changed', 'refused:unparseable'])
    expect(current?.version).toBe(1)
    expect(current?.ipv4).toHaveLength(19)
  })
})
