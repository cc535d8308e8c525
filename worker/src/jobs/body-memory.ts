/**
 * @module The memory an isolate keeps for the bodies its syncs read (shared/feeds' BodyMemory).
 * On a Workers Free invocation's 10 ms of CPU, a multi-megabyte body read into fresh memory costs
 * more than hashing it: each fresh page is a fault (about 15 µs on the bench's VM), and V8 frees
 * the last calls' bodies too late for the allocator to reuse them (Azure's 4.2 MB faulted afresh
 * in one call of seven or so, up to 40 ms). A buffer kept between invocations is touched once.
 *
 * Each invocation borrows a lease and gives it back once nothing it stored or sent still reads
 * the bytes (sync-queue.ts: after the sliced body's pieces are put in KV). Leases that overlap (an
 * isolate runs invocations concurrently) never share a buffer: a buffer is either idle here or
 * held by one lease.
 */
import type { BodyMemory } from '../../../shared/src/index.ts'

/** What one invocation borrows: take and keep as the fetcher does, then give everything back. */
export interface BodyMemoryLease extends BodyMemory {
  /** The buffers kept return to the pool; the lease's bytes must no longer be read. */
  giveBack(): void
}

/** Idle memory kept at most: the largest buffers first (Azure's file is 4.2 MB). */
export const KEPT_BYTES = 16 * 1024 * 1024

export class BodyMemoryPool {
  readonly #idle: ArrayBuffer[] = []
  readonly #keptBytes: number

  constructor(keptBytes: number = KEPT_BYTES) {
    this.#keptBytes = keptBytes
  }

  /** Bytes idle in the pool (for tests). */
  get idleBytes(): number {
    return this.#idle.reduce((n, b) => n + b.byteLength, 0)
  }

  lend(): BodyMemoryLease {
    const kept: ArrayBuffer[] = []
    return {
      take: (size) => this.#take(size),
      keep: (buffer) => void kept.push(buffer),
      giveBack: () => this.#giveBack(kept.splice(0)),
    }
  }

  /** The smallest idle buffer of `size` bytes or more, or a new one. */
  #take(size: number): ArrayBuffer {
    let best = -1
    for (const [i, b] of this.#idle.entries())
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.#idle[best]!.byteLength))
        best = i
    return best < 0 ? new ArrayBuffer(size) : this.#idle.splice(best, 1)[0]!
  }

  #giveBack(buffers: readonly ArrayBuffer[]): void {
    // A detached buffer (transferred by a read that never came back) holds nothing.
    const all = [...this.#idle, ...buffers.filter((b) => b.byteLength > 0)]
    all.sort((a, b) => b.byteLength - a.byteLength)
    this.#idle.length = 0
    let total = 0
    for (const b of all)
      if (total + b.byteLength <= this.#keptBytes) {
        this.#idle.push(b)
        total += b.byteLength
      }
  }
}

/** The isolate's pool: module state lives as long as the isolate. */
export const BODY_MEMORY = new BodyMemoryPool()
