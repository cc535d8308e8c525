/**
 * @module An in-isolate least-recently-used map bounded by an approximate size in bytes: the first
 * tier of the read cache, and the only one on `*.workers.dev`, where the Cache API does nothing.
 */

/** A map that forgets its least recently used entries beyond `maxBytes`. */
export class MemoryLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>()
  private bytes = 0
  private readonly maxBytes: number
  private readonly sizeOf: (key: string, value: V) => number

  /** `sizeOf` estimates an entry's bytes (its key included). */
  constructor(maxBytes: number, sizeOf: (key: string, value: V) => number) {
    this.maxBytes = maxBytes
    this.sizeOf = sizeOf
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  /** Stores `value`, evicting the least recently used entries until the total fits. */
  set(key: string, value: V): void {
    this.delete(key)
    const bytes = this.sizeOf(key, value)
    if (bytes > this.maxBytes) return
    this.entries.set(key, { value, bytes })
    this.bytes += bytes
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= entry.bytes
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }

  /** Approximate bytes held. */
  get size(): number {
    return this.bytes
  }
}
