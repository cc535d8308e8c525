/**
 * @module How a held candidate is shown in `GET /v1/feeds`, `GET /v1/feeds/:provider/:list` and
 * on the status page: what it would change, why it is held, and when it would be confirmed.
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
