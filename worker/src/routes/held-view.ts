/**
 * @module How a held candidate is shown: in full by `GET /v1/feeds/:provider/:list` (what it would
 * change, why it is held, when it would be confirmed), and as a summary with counts and a link by
 * `GET /v1/feeds` and the status page, so a held 250,000-range removal does not bloat the listing.
 */
import type { FamilyLists, HoldGuardName } from '../../../shared/src/index.ts'
import type { Config } from '../config.ts'
import type { HeldCandidate } from '../db/held.ts'
import { confirmableAt } from '../jobs/hold.ts'

/** The `held` object of the API (null when nothing is held). */
export interface HeldView {
  readonly sha256: string
  readonly guard: HoldGuardName
  readonly reason: string
  /** `held`: waiting; `rejected`: an admin said no, and it stays out while upstream serves it. */
  readonly status: 'held' | 'rejected'
  /** The version it was compared with (the current one). */
  readonly baseVersion: number
  readonly firstSeenAt: string
  readonly lastSeenAt: string
  /** Identical fetches in a row, the first included. */
  readonly seenCount: number
  /** When the count confirms it: this many fetches, not before this time; null once rejected. */
  readonly confirms: { readonly fetches: number; readonly notBefore: string } | null
  readonly rejectedAt: string | null
  /** Against `baseVersion`, as in a Change. */
  readonly added: FamilyLists
  readonly removed: FamilyLists
}

/** The API view of a stored candidate under this worker's confirmation settings. */
export function toHeldView(held: HeldCandidate, config: Config): HeldView {
  return {
    sha256: held.sha256,
    guard: held.guard,
    reason: held.reason,
    status: held.status,
    baseVersion: held.baseVersion,
    firstSeenAt: held.firstSeenAt,
    lastSeenAt: held.lastSeenAt,
    seenCount: held.seenCount,
    confirms:
      held.status === 'rejected'
        ? null
        : {
            fetches: config.confirmFetches,
            notBefore: new Date(confirmableAt(held.firstSeenAt, config)).toISOString(),
          },
    rejectedAt: held.rejectedAt,
    added: held.added,
    removed: held.removed,
  }
}

/** How many ranges of each family a change list holds. */
export interface FamilyCounts {
  readonly ipv4: number
  readonly ipv6: number
}

/** The `held` object of the listing: the view without its lists, their counts and where they are. */
export interface HeldSummary extends Omit<HeldView, 'added' | 'removed'> {
  readonly addedCounts: FamilyCounts
  readonly removedCounts: FamilyCounts
  /** The feed's snapshot, whose `held` carries the added and removed lists. */
  readonly href: string
}

const countsOf = (lists: HeldView['added']): FamilyCounts => ({
  ipv4: lists.ipv4.length,
  ipv6: lists.ipv6.length,
})

/** The listing's summary of a stored candidate. */
export function toHeldSummary(held: HeldCandidate, config: Config): HeldSummary {
  const { added, removed, ...rest } = toHeldView(held, config)
  return {
    ...rest,
    addedCounts: countsOf(added),
    removedCounts: countsOf(removed),
    href: `/v1/feeds/${held.feed}`,
  }
}
