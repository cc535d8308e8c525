/**
 * @module Test helpers for the feed tests: an independent oracle (cidr-tools) for merged lists
 * and diffs, readers of the raw fixture payloads, and a sync against an in-process mirror.
 */
import { excludeCidr, mergeCidr } from 'cidr-tools'
import { readFileSync } from 'node:fs'
import { IpSet, parseCidr } from '../../../shared/src/ip/index.ts'
import {
  syncFeeds,
  type FeedDefinition,
  type SyncOptions,
} from '../../../shared/src/feeds/index.ts'
import { fixturePath } from '../../helpers/fixtures.ts'
import type { MirrorServer } from '../../scripts/mirror-server.ts'

/** Canonical per-family lists, as our snapshots hold them. */
export interface Lists {
  ipv4: string[]
  ipv6: string[]
}

function canonical(cidrs: string[]): Lists {
  const out: Lists = { ipv4: [], ipv6: [] }
  for (const c of cidrs) {
    const p = parseCidr(c)
    ;(p.family === 4 ? out.ipv4 : out.ipv6).push(p.cidr)
  }
  return out
}

/** The merged lists of raw entries, computed by cidr-tools (not our IpSet). */
export function oracleMerge(entries: string[]): Lists {
  return canonical(entries.length === 0 ? [] : mergeCidr(entries))
}

/** `a` minus `b`, per family, computed by cidr-tools. */
export function oracleMinus(a: Lists, b: Lists): Lists {
  const minus = (x: string[], y: string[]) =>
    x.length === 0 ? [] : y.length === 0 ? mergeCidr(x) : excludeCidr(x, y)
  return {
    ipv4: canonical(minus(a.ipv4, b.ipv4)).ipv4,
    ipv6: canonical(minus(a.ipv6, b.ipv6)).ipv6,
  }
}

/** Whether two lists hold the same addresses (as sets; our IpSet only compares). */
export function sameAddresses(a: Lists, b: Lists): boolean {
  return (
    IpSet.fromCidrs(4, a.ipv4).equals(IpSet.fromCidrs(4, b.ipv4)) &&
    IpSet.fromCidrs(6, a.ipv6).equals(IpSet.fromCidrs(6, b.ipv6))
  )
}

/** A fixture file of `../shared/fixtures/feeds` as text. */
export function fixtureText(rel: string): string {
  return readFileSync(fixturePath('feeds', rel), 'utf8')
}

/** A fixture file parsed as JSON. */
export function fixtureJson(rel: string): unknown {
  return JSON.parse(fixtureText(rel))
}

/** Non-empty lines of a text fixture (the raw entries a `lines` parser should read). */
export function fixtureLines(rel: string): string[] {
  return fixtureText(rel)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

/** Syncs `feeds` through `mirror` with the real global fetch; `now` advances 1 s per call. */
export function syncViaMirror(
  mirror: MirrorServer,
  feeds: readonly FeedDefinition[],
  options: Partial<SyncOptions> = {},
) {
  let clock = Date.parse('2026-01-01T00:00:00Z')
  return syncFeeds(feeds, {
    fetch,
    now: () => (clock += 1000),
    mirror: mirror.url,
    ...options,
  })
}
