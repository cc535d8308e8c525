/**
 * @module A buffer kept between calls that texts are written into as UTF-8 (what is hashed, what
 * the list parser reads): a list of 10,000 entries is written into it rather than into a string or
 * an array of its own each time, which past 128 KiB would be memory mapped afresh, page by page.
 */

const encoder = new TextEncoder()

/** A growable byte buffer, written at offsets the caller keeps. */
export class Utf8Buffer {
  /** The bytes: a view that growing replaces, so read it after writing. */
  bytes: Uint8Array<ArrayBuffer>

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
  }

  /** Writes the UTF-8 of `text` at `at`; returns where it ends. */
  write(text: string, at: number): number {
    const { read, written } = encoder.encodeInto(text, this.bytes.subarray(at))
    if (read === text.length) return at + written
    // At most 3 bytes per UTF-16 unit.
    this.#grow(at, 3 * text.length)
    return at + encoder.encodeInto(text, this.bytes.subarray(at)).written
  }

  /** Writes `bytes` at `at`; returns where they end. */
  writeBytes(bytes: Uint8Array, at: number): number {
    if (at + bytes.length > this.bytes.length) this.#grow(at, bytes.length)
    this.bytes.set(bytes, at)
    return at + bytes.length
  }

  /** Room for `more` bytes after `at`, keeping the bytes before it. */
  #grow(at: number, more: number): void {
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, at + more))
    grown.set(this.bytes.subarray(0, at))
    this.bytes = grown
  }
}
