/**
 * @module What each planned file gains and loses, in CIDRs: the union of its feeds' new
 * snapshots against the union of their previous ones (each previous set rebuilt exactly from the
 * new snapshot and its change: (new − added) ∪ removed).
 */
import { IpSet } from '../../shared/src/index.ts'
import type { FeedState } from './feed-state.ts'
import type { PlannedFile } from './plan.ts'

/** CIDRs a file gains and loses. */
export interface FileChange {
  readonly added: number
  readonly removed: number
}

type Sets = { ipv4: IpSet; ipv6: IpSet }

function setsOf(state: FeedState, id: string): { now: Sets; before: Sets } | undefined {
  const s = state.snapshots.get(id)
  if (!s) return undefined
  const now = { ipv4: IpSet.fromCidrs(4, s.ipv4), ipv6: IpSet.fromCidrs(6, s.ipv6) }
  const c = state.changes.get(id)
  if (!c) return { now, before: now }
  return {
    now,
    before: {
      ipv4: now.ipv4
        .difference(IpSet.fromCidrs(4, c.added.ipv4))
        .union(IpSet.fromCidrs(4, c.removed.ipv4)),
      ipv6: now.ipv6
        .difference(IpSet.fromCidrs(6, c.added.ipv6))
        .union(IpSet.fromCidrs(6, c.removed.ipv6)),
    },
  }
}

/** The CIDR counts of every changed file that renders feeds (the lock file has none). */
export function fileChanges(
  files: readonly PlannedFile[],
  state: FeedState,
): Map<string, FileChange> {
  const out = new Map<string, FileChange>()
  for (const f of files) {
    if (!f.changed || f.feeds.length === 0) continue
    const now = { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
    const before = { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
    for (const id of f.feeds) {
      const sets = setsOf(state, id)
      if (!sets) continue
      now.ipv4 = now.ipv4.union(sets.now.ipv4)
      now.ipv6 = now.ipv6.union(sets.now.ipv6)
      before.ipv4 = before.ipv4.union(sets.before.ipv4)
      before.ipv6 = before.ipv6.union(sets.before.ipv6)
    }
    const count = (a: Sets, b: Sets) =>
      a.ipv4.difference(b.ipv4).toCidrs().length + a.ipv6.difference(b.ipv6).toCidrs().length
    out.set(f.path, { added: count(now, before), removed: count(before, now) })
  }
  return out
}
