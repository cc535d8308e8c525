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
