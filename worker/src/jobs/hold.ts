/**
 * @module Held candidates in the sync: a list that tripped `mass-removal` or `mass-addition` is
 * counted while upstream keeps serving it unchanged, and becomes the next version (a change with
 * `confirmedAfterHold`) once fetched identically GUARD_CONFIRM_FETCHES times in a row and at
 * least GUARD_CONFIRM_MINUTES after its first fetch, or when an admin confirms it. A candidate an
 * admin rejected is not held again while upstream serves it.
 */
import { diffSnapshots } from '../../../shared/src/index.ts'
import type { HeldOutcome, Snapshot } from '../../../shared/src/index.ts'
import type { Config } from '../config.ts'
import { recordChecks } from '../db/checks.ts'
import type { CheckRecord } from '../db/checks.ts'
import {
  countHeldFetch,
  deleteHeldCandidate,
  getHeldCandidate,
  getHeldLists,
  putHeldCandidate,
} from '../db/held.ts'
import { getSnapshot } from '../db/snapshots.ts'
import { publishChange, type SyncEnv } from './publish.ts'

/** What settling a held outcome did: the check to log, and the deliveries it enqueued. */
export interface HeldSettled {
  readonly check: Omit<CheckRecord, 'runId' | 'feed' | 'at' | 'durationMs'>
  readonly enqueued: number
  /** The promotion found its version already taken by a concurrent run. */
  readonly lostRace: boolean
}

/** When a candidate first seen at `firstSeenAt` may be confirmed by the count, in ms. */
export function confirmableAt(firstSeenAt: string, config: Config): number {
  return Date.parse(firstSeenAt) + config.confirmMinutes * 60_000
}

/** Counts, holds, refuses (rejected) or promotes one held outcome of a sync run. */
export async function settleHeld(
  env: SyncEnv,
  o: HeldOutcome,
  config: Config,
  runId: string,
  at: string,
): Promise<HeldSettled> {
  const { previous: prev, candidate } = o
  const short = candidate.sha256.slice(0, 12)
  const keep = { version: prev.version, sha256: prev.sha256 }
  const existing = await getHeldCandidate(env.DB, o.feed)
  if (
    existing?.status === 'rejected' &&
    existing.sha256 === candidate.sha256 &&
    existing.baseVersion === prev.version
  )
    return {
      check: {
        outcome: 'refused',
        guard: o.guard,
        reason: `${o.reason}; candidate ${short} was rejected by an admin at ${existing.rejectedAt}: version ${prev.version} stays until upstream publishes something else`,
        ...keep,
      },
      enqueued: 0,
      lostRace: false,
    }
  let seen = await countHeldFetch(env.DB, candidate, prev.version, at)
  if (seen === undefined) {
    await putHeldCandidate(
      env.DB,
      candidate,
      {
        guard: o.guard,
        reason: o.reason,
        baseVersion: prev.version,
        added: o.change.added,
        removed: o.change.removed,
      },
      at,
    )
    seen = { seenCount: 1, firstSeenAt: at }
  }
  const due = confirmableAt(seen.firstSeenAt, config)
  if (seen.seenCount < config.confirmFetches || Date.parse(at) < due)
    return {
      check: {
        outcome: 'held',
        guard: o.guard,
        reason: `${o.reason}; candidate ${short} held: fetched identically ${seen.seenCount} of ${config.confirmFetches} times since ${seen.firstSeenAt}, confirmed from ${new Date(due).toISOString()} on, or by an admin`,
        ...keep,
      },
      enqueued: 0,
      lostRace: false,
    }
  const change = { ...o.change, confirmedAfterHold: true as const }
  const { stored, enqueued } = await publishChange(env, candidate, change, runId, at)
  if (!stored)
    return {
      check: {
        outcome: 'unchanged',
        reason: `version ${candidate.version} was stored by a concurrent run`,
      },
      enqueued: 0,
      lostRace: true,
    }
  await deleteHeldCandidate(env.DB, o.feed, 'any')
  return {
    check: {
      outcome: 'changed',
      guard: o.guard,
      reason: `confirmed after a hold (${o.guard}): fetched identically ${seen.seenCount} times since ${seen.firstSeenAt}`,
      version: candidate.version,
      sha256: candidate.sha256,
    },
    enqueued,
    lostRace: false,
  }
}

/** What an admin's confirmation did. */
export type ConfirmResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'other'; readonly sha256: string }
  | { readonly kind: 'stale'; readonly baseVersion: number; readonly current: number }
  | { readonly kind: 'lost' }
  | { readonly kind: 'published'; readonly version: number; readonly enqueued: number }

/**
 * Makes a feed's held (or rejected) candidate current now, as the next version with a change
 * marked `confirmedAfterHold`: `none` when nothing is held, `other` when `sha256` is given and
 * names another candidate (the admin reviewed something else), `stale` when the feed's version
 * moved since it was held (the candidate is then dropped), `lost` when a concurrent sync stored
 * the version first.
 */
export async function confirmHeldCandidate(
  env: SyncEnv,
  feed: string,
  sha256: string | undefined,
  at: string,
): Promise<ConfirmResult> {
  const held = await getHeldCandidate(env.DB, feed)
  if (held === undefined) return { kind: 'none' }
  if (sha256 !== undefined && sha256 !== held.sha256) return { kind: 'other', sha256: held.sha256 }
  const current = await getSnapshot(env.DB, feed)
  if (current?.version !== held.baseVersion) {
    await deleteHeldCandidate(env.DB, feed, 'any')
    return { kind: 'stale', baseVersion: held.baseVersion, current: current?.version ?? 0 }
  }
  const lists = await getHeldLists(env.DB, held)
  const snapshot: Snapshot = {
    feed,
    version: current.version + 1,
    sha256: held.sha256,
    fetchedAt: held.lastSeenAt,
    changedAt: at,
    source: held.source,
    ...lists,
  }
  const change = { ...diffSnapshots(current, snapshot), confirmedAfterHold: true as const }
  const runId = `confirm-${crypto.randomUUID()}`
  const { stored, enqueued } = await publishChange(env, snapshot, change, runId, at)
  if (!stored) return { kind: 'lost' }
  await deleteHeldCandidate(env.DB, feed, 'any')
  await recordChecks(env.DB, [
    {
      runId,
      feed,
      at,
      outcome: 'changed',
      guard: held.guard,
      reason: `confirmed by an admin after a hold (${held.guard}), seen ${held.seenCount} times since ${held.firstSeenAt}`,
      version: snapshot.version,
      sha256: snapshot.sha256,
      durationMs: 0,
    },
  ])
  return { kind: 'published', version: snapshot.version, enqueued }
}
