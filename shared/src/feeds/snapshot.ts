/** @module Snapshot hashing and diffing: the canonical lists are the only identity of a feed. */
import type { Change, FamilyLists, Snapshot } from './types.ts'

/** Lower-case hex SHA-256 over `JSON.stringify([ipv4, ipv6])` (the documented Snapshot hash). */
export function sha256Lists(lists: FamilyLists): Promise<string> {
  void lists
  return Promise.reject(new Error('not implemented'))
}

/**
 * The change from `previous` (undefined: nothing, version 0) to `next`: added and removed
 * addresses per family as minimal CIDR covers. `at` is `next.changedAt`.
 */
export function diffSnapshots(previous: Snapshot | undefined, next: Snapshot): Change {
  void previous
  void next
  throw new Error('not implemented')
}
