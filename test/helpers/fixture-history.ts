/**
 * @module The real histories in ../shared/fixtures/feeds as a timeline of mirror states, found
 * from the fixture layout alone, so a feed added to the catalogue joins every replay by itself.
 *
 * Each upstream URL of a catalogue feed maps to the files `<provider>/<stem>[.<label>].<date>.<ext>`
 * (or `<provider>/<stem>` undated), where `<provider>` is the feed id's first part and `<stem>` is
 * the URL's last path segment without its extension, else the feed's list name, else the one
 * stem the provider folder holds. Dates (`2026-02-05`, `2024-04-30T1018`,
 * `2026-08-12-21-17-05`) order the files; an undated file is the list as it stood throughout
 * (served first). A labelled file (`ips-v4.challenge-page.2026-01-02.html`) is an incident: served
 * at its date, after which the URL serves what it served before (PROVENANCE: the list came back).
 */
import { existsSync, readdirSync } from 'node:fs'
import type { FeedDefinition } from '../../shared/src/index.ts'
import { fixturePath } from './fixtures.ts'

/** One file of a URL's history. */
export interface FixtureVersion {
  /** Relative to ../shared/fixtures/feeds. */
  readonly file: string
  /** Sortable time (`2024-04-30T10:18`); '' for an undated file. */
  readonly at: string
  /** An incident (a labelled file): the URL reverts after it. */
  readonly incident: boolean
}

/** One state of the mirror: what every URL serves from `at` on. */
export interface HistoryStep {
  readonly at: string
  /** The files that changed at this step (for messages). */
  readonly label: string
  /** Mirror key (`HOST/PATH`) to fixture file, for every URL that has one by now. */
  readonly files: Readonly<Record<string, string>>
}

const DATE = /(\d{4}-\d\d-\d\d)(?:T(\d\d)(\d\d)|-(\d\d)-(\d\d)-(\d\d))?/

function sortable(name: string): string {
  const m = DATE.exec(name)
  if (!m) return ''
  if (m[2] !== undefined) return `${m[1]}T${m[2]}:${m[3]}`
  if (m[4] !== undefined) return `${m[1]}T${m[4]}:${m[5]}:${m[6]}`
  return m[1]!
}

/** Up to the first dot: no stem of the fixtures holds one (`ips-v4`, `ip-ranges`, `meta`). */
function stemOf(file: string): string {
  return file.split('.')[0]!
}

/** The fixture files of one URL of `feed`, oldest first ([] when none). */
export function fixtureVersions(feed: FeedDefinition, url: string): FixtureVersion[] {
  const provider = feed.id.slice(0, feed.id.indexOf('/'))
  const dir = fixturePath('feeds', provider)
  if (!existsSync(dir)) return []
  const files = readdirSync(dir).sort()
  const stems = [...new Set(files.map(stemOf))]
  const segment =
    new URL(url).pathname
      .split('/')
      .filter((s) => s !== '')
      .at(-1) ?? ''
  const tries = [segment.replace(/\.[a-z]+$/i, ''), feed.id.slice(feed.id.indexOf('/') + 1)]
  const stem =
    tries.find((t) => t !== '' && stems.includes(t)) ?? (stems.length === 1 ? stems[0]! : '')
  return files
    .filter((f) => stem !== '' && stemOf(f) === stem)
    .map((f) => {
      const rest = f.slice(stem.length + 1)
      return {
        file: `${provider}/${f}`,
        at: sortable(f),
        incident: /^[a-z][a-z-]*\.\d{4}-/.test(rest),
      }
    })
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
}

/** The mirror key of an upstream URL: `https://HOST/PATH` is served at `HOST/PATH`. */
export function mirrorKey(url: string): string {
  return url.replace(/^https?:\/\//, '')
}

/**
 * The timeline of every URL of `feeds` that has fixtures, as mirror states in date order, and
 * which feeds it covers (every source URL has fixtures) and which it cannot.
 */
export function fixtureHistory(feeds: readonly FeedDefinition[]): {
  steps: HistoryStep[]
  covered: FeedDefinition[]
  uncovered: string[]
} {
  const byUrl = new Map<string, FixtureVersion[]>()
  const covered: FeedDefinition[] = []
  const uncovered: string[] = []
  for (const feed of feeds) {
    const urls = [...new Set(feed.sources.map((s) => s.url))]
    const versions = urls.map((u) => fixtureVersions(feed, u))
    if (versions.some((v) => v.length === 0)) {
      uncovered.push(feed.id)
      continue
    }
    covered.push(feed)
    urls.forEach((u, i) => byUrl.set(u, versions[i]!))
  }
  const state: Record<string, string> = {}
  const events: { at: string; url: string; version: FixtureVersion }[] = []
  for (const [url, versions] of byUrl)
    for (const v of versions) {
      if (v.at === '') state[mirrorKey(url)] = v.file
      else events.push({ at: v.at, url, version: v })
    }
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  const steps: HistoryStep[] = [{ at: '', label: 'undated lists', files: { ...state } }]
  for (let i = 0; i < events.length;) {
    const at = events[i]!.at
    let j = i
    while (j < events.length && events[j]!.at === at) j++
    const batch = events.slice(i, j)
    const label = batch.map((e) => e.version.file).join(' + ')
    const reverts: Record<string, string> = {}
    for (const e of batch) {
      const key = mirrorKey(e.url)
      if (e.version.incident && state[key] !== undefined) reverts[key] = state[key]
      state[key] = e.version.file
    }
    steps.push({ at, label, files: { ...state } })
    if (Object.keys(reverts).length > 0) {
      Object.assign(state, reverts)
      steps.push({ at, label: `back after ${label}`, files: { ...state } })
    }
    i = j
  }
  return { steps: steps.filter((s) => Object.keys(s.files).length > 0), covered, uncovered }
}
