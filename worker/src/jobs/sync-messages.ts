/**
 * @module The sync queue's messages (jobs/sync-queue.ts) and the steps of reading a body in slices
 * they carry (jobs/sliced-sync.ts): plain JSON, checked when received.
 */
import type { OutcomeSummary, SliceState, SlicedFetch } from '../../../shared/src/index.ts'
import type { SyncEnv } from './scheduled.ts'

/**
 * One sync-queue message: the feeds of one upstream source, and the cron run that sent it; with
 * `step`, one step of reading that source's body in slices (jobs/sliced-sync.ts).
 */
export interface SyncMessage {
  readonly runId: string
  readonly feeds: readonly string[]
  readonly step?: SliceStep
}

/** The env the fan-out needs: the sync env plus the sync queue. */
export type FanoutEnv = SyncEnv & { readonly SYNC_QUEUE: Queue<SyncMessage> }

/** The env a sync message runs in: with SLICED_BODIES, large bodies are read in slices. */
export type ConsumerEnv = FanoutEnv & { readonly SLICED_BODIES?: KVNamespace }

/** What every step knows of the body (plain JSON, in the message). */
export type SlicedRef = Omit<SlicedFetch, 'bytes' | 'feeds'> & {
  /** The body's length in bytes: how many pieces it is stored in (slice-window.ts). */
  readonly size: number
}

/** One step of reading a body in slices. */
export type SliceStep =
  | {
      readonly kind: 'read'
      readonly body: SlicedRef
      /** The slice to read (0, 1, ...) and where it starts. */
      readonly slice: number
      readonly state: SliceState
    }
  | {
      readonly kind: 'judge'
      readonly body: SlicedRef
      /** How many slices were read, and the document's top-level keys in order. */
      readonly slices: number
      readonly keys: readonly string[]
      /** The index, in the message's feeds, of the feed to judge. */
      readonly feed: number
      /** The feeds judged before it: what the URL's cache entry is made of. */
      readonly judged: readonly JudgedFeed[]
    }

/** A judged feed as the cache entry needs it. */
export interface JudgedFeed {
  readonly summary: OutcomeSummary
  readonly entriesHash?: string
}
