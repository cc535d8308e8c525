/** @module Snapshot hashing and diffing: the canonical lists are the only identity of a feed. */
import { IpSet } from '../ip/index.ts'
import type { Change, FamilyLists, Snapshot } from './types.ts'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(
  bytes: Parameters<typeof crypto.subtle.digest>[1],
): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  let hex = ''
  for (const b of digest) hex += HEX[b]
  return hex
}

/** Lower-case hex SHA-256 over `JSON.stringify([ipv4, ipv6])` (the documented Snapshot hash). */
export function sha256Lists(lists: FamilyLists): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify([lists.ipv4, lists.ipv6])))
}

/** Both families of a snapshot as IpSets. */
export function snapshotSets(lists: FamilyLists): { ipv4: IpSet; ipv6: IpSet } {
  return { ipv4: IpSet.fromCidrs(4, lists.ipv4), ipv6: IpSet.fromCidrs(6, lists.ipv6) }
}

/**
 * The change from `previous` (undefined: nothing, version 0) to `next`: added and removed
 * addresses per family as minimal CIDR covers. `at` is `next.changedAt`.
 */
export function diffSnapshots(previous: Snapshot | undefined, next: Snapshot): Change {
  const after = snapshotSets(next)
  const before = previous ? snapshotSets(previous) : { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  return diffSets(next.feed, previous?.version ?? 0, next.version, next.changedAt, before, after)
}

/** {@link diffSnapshots} on sets already built. */
export function diffSets(
  feed: string,
  previousVersion: number,
  version: number,
  at: string,
  before: { ipv4: IpSet; ipv6: IpSet },
  after: { ipv4: IpSet; ipv6: IpSet },
): Change {
  return {
    feed,
    version,
    previousVersion,
    at,
    added: {
      ipv4: after.ipv4.difference(before.ipv4).toCidrs(),
      ipv6: after.ipv6.difference(before.ipv6).toCidrs(),
    },
    removed: {
      ipv4: before.ipv4.difference(after.ipv4).toCidrs(),
      ipv6: before.ipv6.difference(after.ipv6).toCidrs(),
    },
  }
}

/** One family of {@link diffCanonical}: the change, and how many addresses each side holds. */
export interface FamilyDiff {
  readonly added: string[]
  readonly removed: string[]
  /** Addresses in the previous list, in the new set, and in the previous list only (removed). */
  readonly before: bigint
  readonly after: bigint
  readonly gone: bigint
}

/**
 * The change from a previous snapshot's lists to a new set given with its canonical lists (its
 * toCidrs()), reading only the CIDRs one side lists and the other does not: the new set's CIDRs
 * are disjoint, so those it shares with the previous list are in both sets, and the rest of the
 * new set less the previous set is those CIDRs less the previous list's own (nothing else of the
 * previous set can meet them); the removed addresses are the previous list's own CIDRs less the
 * new set, which holds even for a previous list that is not canonical (written by hand). Equal to
 * {@link diffSets} of both sets; a big list that changed a little costs a walk, not a parse of
 * the previous list. Throws an IpParseError for a previous CIDR it reads that is none.
 */
export function diffCanonical(
  previous: FamilyLists,
  next: { ipv4: IpSet; ipv6: IpSet },
  lists: FamilyLists,
): { ipv4: FamilyDiff; ipv6: FamilyDiff } {
  const one = (family: 4 | 6, key: 'ipv4' | 'ipv6'): FamilyDiff => {
    const listed = new Set(lists[key])
    const had = new Set(previous[key])
    const onlyBefore = IpSet.fromCidrs(
      family,
      previous[key].filter((c) => !listed.has(c)),
    )
    const onlyAfter: string[] = []
    const shared: string[] = []
    for (const c of lists[key]) (had.has(c) ? shared : onlyAfter).push(c)
    // What only the new list lists, read from the shorter of the two (the new CIDRs are
    // disjoint); a part of a minimal cover is the minimal cover of its union (no two halves).
    const added =
      onlyAfter.length <= shared.length
        ? IpSet.fromCidrs(family, onlyAfter)
        : next[key].difference(IpSet.fromCidrs(family, shared))
    const removedSet = onlyBefore.difference(next[key])
    const after = next[key].addressCount()
    const gone = removedSet.addressCount()
    const addedSet = added.difference(onlyBefore)
    return {
      added: added.differenceCidrs(onlyBefore, onlyAfter),
      removed: removedSet.toCidrs(),
      // the previous set: what it shares with the new one (the new set less what is added),
      // and what is removed
      before: gone + after - addedSet.addressCount(),
      after,
      gone,
    }
  }
  return { ipv4: one(4, 'ipv4'), ipv6: one(6, 'ipv6') }
}
