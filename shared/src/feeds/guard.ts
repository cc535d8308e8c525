/**
 * @module The one guard path every source goes through (an upstream fetch, a worker's snapshot, a
 * user-defined URL): canonicalise, allow-all, mapped, family, empty, reserved-space, too-broad,
 * then mass-removal and mass-addition against the previous snapshot, which hold, never refuse.
 */
import { IpSet, parseCidr, prefixLength, type Family } from '../ip/index.ts'
import { quote, type Entries } from './extract.ts'
import { normaliseEntries } from './normalise.ts'
import { describeReserved, reservedSpace } from './reserved-space.ts'
import { confirmedSnapshot, diffSets, sha256Lists, snapshotSets } from './snapshot.ts'
import {
  DEFAULT_BROADEST_PREFIX,
  MASS_ADDITION_MIN_GROWTH,
  type Change,
  type FamilyLists,
  type FeedDefinition,
  type FeedNote,
  type FeedOutcome,
  type GuardName,
  type GuardOptions,
  type HoldGuardName,
  type Snapshot,
  type UpstreamVersion,
} from './types.ts'

/** The entries one source listed, before canonicalisation. */
export interface GuardPart {
  readonly entries: Entries
  /** Only this family is allowed in the part (a `lines` file of IPv4, a snapshot's `ipv6`). */
  readonly family: Family | undefined
  /** Names the part in messages: a URL, a URL and a key, a snapshot's URL and list. */
  readonly label: string
  /** Appended to "lists no address" when the part is empty. */
  readonly emptyHint?: string
  /** An empty part is allowed (a snapshot's `ipv6: []`); the feed as a whole still may not be. */
  readonly mayBeEmpty?: boolean
  /** Its addresses are taken out of the other parts' union (goog.json minus cloud.json). */
  readonly exclude?: boolean
}

/** What {@link guardFeed} decides on. */
export interface GuardRequest {
  readonly feed: FeedDefinition
  readonly parts: readonly GuardPart[]
  /** The snapshot that is current now (the last accepted one), if any. */
  readonly previous: Snapshot | undefined
  readonly guards: GuardOptions
  /** ISO time of this fetch: the new snapshot's `fetchedAt` and `changedAt`. */
  readonly fetchedAt: string
  /** The new snapshot's `source`: the URLs read, space-separated, or a worker's. */
  readonly source: string
  /** The new snapshot's `version`; default `previous.version + 1` (or 1). */
  readonly version?: number
  /** Notes gathered before the guards (they are kept in the outcome). */
  readonly notes?: readonly FeedNote[]
  /** The publisher's version of what was fetched, recorded in the snapshot (new or unchanged). */
  readonly upstreamVersion?: UpstreamVersion | undefined
}

/** A `refused` outcome: `previous` stays current, untouched. */
export function refusal(
  feed: string,
  guard: GuardName,
  reason: string,
  previous: Snapshot | undefined,
  notes: readonly FeedNote[] = [],
): FeedOutcome {
  return { kind: 'refused', feed, guard, reason, previous, notes }
}

/**
 * Guards one feed's candidate lists and turns them into an outcome against `previous`:
 * `refused` for anything malformed or widening (the previous snapshot stays current), `held`
 * for a well-formed list that removes or adds too much, `unchanged` or `changed` otherwise.
 * Never throws for bad entries; throws an IpParseError only for a `previous` snapshot whose lists
 * are not CIDRs (stored state: callers validate what users give them).
 */
export async function guardFeed(request: GuardRequest): Promise<FeedOutcome> {
  const { feed, previous: prev } = request
  const notes: FeedNote[] = [...(request.notes ?? [])]
  const sets = combineParts(request, notes)
  if ('guard' in sets) return refusal(feed.id, sets.guard, sets.reason, prev, notes)
  const lists = checkWhole(feed, request.parts, sets)
  if ('guard' in lists) return refusal(feed.id, lists.guard, lists.reason, prev, notes)
  if (lists.ipv4.length + lists.ipv6.length < sets.entryCount)
    notes.push({
      code: 'merged',
      message: `${sets.entryCount} entries became ${lists.ipv4.length + lists.ipv6.length} CIDRs (duplicates and adjacent ranges merged)`,
    })
  return against(request, notes, sets, lists)
}

type Refused = { readonly guard: GuardName; readonly reason: string }

/**
 * Each part's entries guarded and normalised, the taken parts' sets less the excluded ones',
 * and the number of entries taken; the first part that is refused or empty refuses the feed.
 */
function combineParts(
  request: GuardRequest,
  notes: FeedNote[],
): Refused | { ipv4: IpSet; ipv6: IpSet; entryCount: number } {
  const taken = { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  const excluded = { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  let entryCount = 0
  for (const part of request.parts) {
    const sets = normaliseEntries(part.entries, part.family)
    if ('guard' in sets) return { guard: sets.guard, reason: `${part.label}: ${sets.reason}` }
    if (sets.ipv4.isEmpty && sets.ipv6.isEmpty && part.mayBeEmpty !== true)
      return { guard: 'empty', reason: `${part.label} lists no address${part.emptyHint ?? ''}` }
    notes.push(...sets.notes)
    const into = part.exclude === true ? excluded : taken
    if (part.exclude !== true) entryCount += part.entries.length
    // Most feeds have one part per family: take its set rather than copy it into a union.
    into.ipv4 = into.ipv4.isEmpty ? sets.ipv4 : into.ipv4.union(sets.ipv4)
    into.ipv6 = into.ipv6.isEmpty ? sets.ipv6 : into.ipv6.union(sets.ipv6)
  }
  const ipv4 = excluded.ipv4.isEmpty ? taken.ipv4 : taken.ipv4.difference(excluded.ipv4)
  const ipv6 = excluded.ipv6.isEmpty ? taken.ipv6 : taken.ipv6.difference(excluded.ipv6)
  if (ipv4.isEmpty && ipv6.isEmpty)
    return {
      guard: 'empty',
      reason:
        taken.ipv4.isEmpty && taken.ipv6.isEmpty
          ? `${request.feed.id}: no source lists an address`
          : `${request.feed.id}: nothing is left once the excluded sources are taken out`,
    }
  return { ipv4, ipv6, entryCount }
}

/** The guards on the whole list (allow-all, reserved-space, too-broad): its canonical CIDRs. */
function checkWhole(
  feed: FeedDefinition,
  parts: readonly GuardPart[],
  { ipv4, ipv6 }: { ipv4: IpSet; ipv6: IpSet },
): Refused | FamilyLists {
  for (const [set, all, name] of [
    [ipv4, 1n << 32n, 'IPv4'],
    [ipv6, 1n << 128n, 'IPv6'],
  ] as const)
    if (set.addressCount() === all)
      return {
        guard: 'allow-all',
        reason: `the ${name} entries of its sources together cover every address`,
      }
  const reserved = checkReserved(feed, parts, ipv4, ipv6)
  if (reserved !== undefined) return { guard: 'reserved-space', reason: reserved }
  const lists = { ipv4: ipv4.toCidrs(), ipv6: ipv6.toCidrs() }
  const broad = checkBroadest(feed, lists)
  if (broad !== undefined) return { guard: 'too-broad', reason: broad }
  return lists
}

/** The guarded lists against the previous snapshot: unchanged, changed, or held. */
async function against(
  request: GuardRequest,
  notes: FeedNote[],
  { ipv4, ipv6 }: { ipv4: IpSet; ipv6: IpSet },
  lists: FamilyLists,
): Promise<FeedOutcome> {
  const { feed, previous: prev, guards, fetchedAt, upstreamVersion } = request
  const withVersion = upstreamVersion === undefined ? {} : { upstreamVersion }
  const unchanged = (): FeedOutcome => ({
    kind: 'unchanged',
    feed: feed.id,
    snapshot: confirmedSnapshot(prev!, fetchedAt, upstreamVersion),
    notModified: false,
    notes,
  })
  // Equal canonical lists have an equal hash, the snapshot's own: the previous lists are not read
  // for it (the worker's are parsed from D1's text on first use, and its sets are read from the
  // text's bytes: snapshotSets). Entries equal to the last accepted ones never got here.
  const sha256 = await sha256Lists(lists)
  if (prev?.sha256 === sha256) return unchanged()

  const before = prev ? snapshotSets(prev) : { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  const version = request.version ?? (prev?.version ?? 0) + 1
  // A first snapshot adds everything: its canonical lists, not a second toCidrs() of them.
  const change: Change = prev
    ? diffSets(feed.id, prev.version, version, fetchedAt, before, { ipv4, ipv6 })
    : {
        feed: feed.id,
        version,
        previousVersion: 0,
        at: fetchedAt,
        added: lists,
        removed: { ipv4: [], ipv6: [] },
      }
  const { added, removed } = change
  // A previous snapshot written by hand (not canonical) may list the same addresses differently.
  if (
    prev &&
    added.ipv4.length + added.ipv6.length + removed.ipv4.length + removed.ipv6.length === 0
  )
    return unchanged()
  const snapshot: Snapshot = {
    feed: feed.id,
    version,
    sha256,
    fetchedAt,
    changedAt: fetchedAt,
    source: request.source,
    ipv4: lists.ipv4,
    ipv6: lists.ipv6,
    ...withVersion,
  }
  const hold = prev ? checkHold(prev, before, { ipv4, ipv6 }, guards) : undefined
  if (hold)
    return {
      kind: 'held',
      feed: feed.id,
      guard: hold.guard,
      reason: hold.reason,
      previous: prev!,
      candidate: snapshot,
      change,
      notes,
    }
  return { kind: 'changed', feed: feed.id, snapshot, change, notes }
}

/**
 * `reserved-space` (unless the feed allows it): names the first entry, as its source wrote it
 * and where, that reaches into special-purpose space, and the registry row it reaches.
 */
function checkReserved(
  feed: FeedDefinition,
  parts: readonly GuardPart[],
  ipv4: IpSet,
  ipv6: IpSet,
): string | undefined {
  if (feed.allowReserved === true) return undefined
  const reserved = reservedSpace()
  const inside4 = ipv4.intersection(reserved.ipv4)
  const inside = inside4.isEmpty ? ipv6.intersection(reserved.ipv6) : inside4
  if (inside.isEmpty) return undefined
  const first = inside.toCidrs()[0]!
  const address = first.slice(0, first.indexOf('/'))
  const family = inside.family
  // Only a refusal gets here: entries are parsed one by one to name the first that holds it.
  const culprit = parts
    .flatMap((part) => part.entries.texts.map((text, i) => ({ part, text, i })))
    .find(({ text }) => {
      const p = parseCidr(text)
      return p.family === family && IpSet.fromCidrs(family, [p.cidr]).contains(address)
    })!
  return `${culprit.part.label}: ${culprit.part.entries.where(culprit.i)}: ${quote(culprit.text)} reaches into special-purpose space ${describeReserved(family, address)}${feed.user === true ? ' (an internal list may set allow-reserved: true)' : ''}`
}

/** `too-broad`: the first canonical CIDR shorter than the feed's limit, described. */
function checkBroadest(feed: FeedDefinition, lists: FamilyLists): string | undefined {
  const limit = feed.broadestPrefix ?? DEFAULT_BROADEST_PREFIX
  for (const [list, max, name] of [
    [lists.ipv4, limit.ipv4, 'IPv4'],
    [lists.ipv6, limit.ipv6, 'IPv6'],
  ] as const)
    for (let i = 0; i < list.length; i++)
      if (prefixLength(list[i]!) < max)
        return `${list[i]!} is broader than the ${name} limit of ${feed.id}, /${max} (merged entries count as one range)`
  return undefined
}

/** `mass-removal`, then `mass-addition`, per family, unless overridden. */
function checkHold(
  prev: Snapshot,
  before: { ipv4: IpSet; ipv6: IpSet },
  after: { ipv4: IpSet; ipv6: IpSet },
  guards: GuardOptions,
): { guard: HoldGuardName; reason: string } | undefined {
  const families = [
    ['IPv4', before.ipv4, after.ipv4, MASS_ADDITION_MIN_GROWTH.ipv4, '/16'],
    ['IPv6', before.ipv6, after.ipv6, MASS_ADDITION_MIN_GROWTH.ipv6, '/40'],
  ] as const
  if (!guards.allowMassRemoval)
    for (const [name, was, now] of families) {
      if (was.isEmpty) continue
      const total = was.addressCount()
      const gone = was.difference(now).addressCount()
      if (gone === total)
        return {
          guard: 'mass-removal',
          reason: `every ${name} address of version ${prev.version} would be removed`,
        }
      // Compare gone/total > share in integers: share is scaled to parts per million.
      if (gone * 1_000_000n > total * BigInt(Math.round(guards.maxRemovalShare * 1_000_000)))
        return {
          guard: 'mass-removal',
          reason: `${percent(gone, total)} of the ${name} addresses of version ${prev.version} would be removed (limit ${Math.round(guards.maxRemovalShare * 100)}%)`,
        }
    }
  if (!guards.allowMassAddition)
    for (const [name, was, now, growth, worth] of families) {
      const a = was.addressCount()
      const b = now.addressCount()
      if (b > 2n * a && b - a > growth)
        return {
          guard: 'mass-addition',
          reason:
            a === 0n
              ? `${name} addresses would appear where version ${prev.version} had none (more than a ${worth}'s worth)`
              : `the ${name} addresses of version ${prev.version} would grow ${ratio(b, a)}, by more than a ${worth}'s worth`,
        }
    }
  return undefined
}

function percent(part: bigint, whole: bigint): string {
  return `${(Number((part * 10_000n) / whole) / 100).toFixed(2)}%`
}

function ratio(after: bigint, before: bigint): string {
  return `${(Number((after * 100n) / before) / 100).toFixed(2)}-fold`
}
