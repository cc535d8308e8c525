/**
 * @module What every parser returns: the address strings a source lists, as the upstream wrote
 * them, with where each was found; or the guard that refuses the body. And the one way upstream
 * text is quoted in messages.
 */
import type { GuardName } from './types.ts'
import { Utf8Buffer } from './utf8-buffer.ts'

/** Texts joined into one string at a time by Entries.bytes: the string of more could be large. */
const JOIN_CHUNK = 2048
/** The UTF-8 of one instance's texts joined: its #id, and where they end. */
const joined = new Utf8Buffer(1 << 16)
let joinedOf = 0
let joinedEnd = 0
let lastId = 0
/** Plain lines are ASCII: UTF-8 reads each byte as its character. */
const ascii = new TextDecoder()

/**
 * The address strings a source lists, as the upstream wrote them, and where each was found
 * (`line 3`, `$["hooks"][2]`). Locations are built only when a message needs one.
 */
export class Entries {
  #texts: string[] = []
  /**
   * The texts as their newline-joined bytes, when this instance was made from them and every text
   * matches normalise.ts's PLAIN ({@link fromPlainLines}); #texts is then made only when asked for.
   */
  #plain: { readonly lines: Uint8Array; readonly count: number; made: boolean } | undefined
  /** `#texts` is an array given to addAll (not copied): copied before anything is added. */
  #adopted = false
  // Locations as runs of entries found at consecutive keys of one base (a whole array is one
  // run): the entry at #runStart[r] is at key #runKey[r] of #runBase[r], the next at the next
  // key; a run whose key is negative holds one entry, found at its base itself.
  readonly #runStart: number[] = []
  readonly #runBase: string[] = []
  readonly #runKey: number[] = []
  readonly #lines: boolean
  /** Names the texts as they are now, for bytes(): a new one whenever they change. */
  #id = ++lastId

  /** `lines`: locations are line numbers; otherwise JSON paths. */
  constructor(lines: boolean) {
    this.#lines = lines
  }

  /** Adds `text` found at line `key` (line mode), or at `base[key]` (`base` alone if key < 0). */
  add(text: string, base: string, key: number): void {
    this.#own().push(text)
    this.#locate(this.#texts.length - 1, base, key)
    this.#id = ++lastId
  }

  /**
   * Adds every string of `texts`, found at `base[0]`, `base[1]`...: as {@link add} of each, and
   * without a copy of `texts` when it is the first thing added (it is not changed afterwards).
   */
  addAll(texts: readonly string[], base: string): void {
    if (texts.length === 0) return
    const from = this.length
    if (from === 0) {
      this.#plain = undefined
      this.#texts = texts as string[]
      this.#adopted = true
    } else {
      const own = this.#own()
      for (let i = 0; i < texts.length; i++) own.push(texts[i]!)
    }
    this.#runStart.push(from)
    this.#runBase.push(base)
    this.#runKey.push(0)
    this.#id = ++lastId
  }

  /** The texts, as an array of this instance's own (an adopted one copied first). */
  #own(): string[] {
    this.#made()
    this.#plain = undefined
    if (this.#adopted) {
      this.#texts = this.#texts.slice()
      this.#adopted = false
    }
    return this.#texts
  }

  /** Records that entry `i` (the last one) was found at `base[key]`: in the last run, or a new one. */
  #locate(i: number, base: string, key: number): void {
    const r = this.#runStart.length - 1
    if (
      r < 0 ||
      key < 0 ||
      this.#runKey[r]! < 0 ||
      this.#runBase[r] !== base ||
      this.#runKey[r]! + i - this.#runStart[r]! !== key
    ) {
      this.#runStart.push(i)
      this.#runBase.push(base)
      this.#runKey.push(key)
    }
  }

  /**
   * Entries whose texts are `count` plain strings (each matches normalise.ts's PLAIN: ASCII, no
   * newline) given joined by newlines, found at `base[0]`, `base[1]`...: no string is made for
   * them unless {@link texts} is asked for (a message, or entries staged between invocations).
   * `lines` must not change while the instance is used.
   */
  static fromPlainLines(lines: Uint8Array, count: number, base: string): Entries {
    const entries = new Entries(false)
    entries.#plain = { lines, count, made: false }
    if (count > 0) entries.#locate(0, base, 0)
    return entries
  }

  /** Every text matches normalise.ts's PLAIN: the engine's list parser reads {@link bytes} as they are. */
  get plain(): boolean {
    return this.#plain !== undefined
  }

  /** The texts of plain lines, made the first time they are asked for. */
  #made(): void {
    const plain = this.#plain
    if (plain === undefined || plain.made) return
    plain.made = true
    this.#texts = plain.count === 0 ? [] : ascii.decode(plain.lines).split('\n')
  }

  get texts(): readonly string[] {
    this.#made()
    return this.#texts
  }

  get length(): number {
    return this.#plain === undefined ? this.#texts.length : this.#plain.count
  }

  /**
   * The texts joined by newlines, as UTF-8: what the engine's list parser reads, and what the
   * entries hash covers when no text holds a newline (judge.ts). Written once for the calls in a
   * row on one instance, into memory every instance shares: valid until another instance's (or
   * changed texts') are asked for. Joined a chunk of texts at a time, so that 10,000 entries never
   * become one string (a large object, in memory mapped afresh each time).
   */
  bytes(): Uint8Array {
    if (this.#plain !== undefined) return this.#plain.lines
    if (joinedOf !== this.#id) {
      const texts = this.#texts
      let at = 0
      for (let from = 0; from < texts.length; from += JOIN_CHUNK) {
        if (from > 0) at = joined.write('\n', at)
        const chunk = texts.length <= JOIN_CHUNK ? texts : texts.slice(from, from + JOIN_CHUNK)
        at = joined.write(chunk.join('\n'), at)
      }
      joinedOf = this.#id
      joinedEnd = at
    }
    return joined.bytes.subarray(0, joinedEnd)
  }

  /**
   * The entries as plain JSON, to carry between invocations (a body read in slices: staged.ts):
   * the texts, the distinct bases, and per entry its base's index and key, flattened.
   */
  toStaged(): StagedEntries {
    const bases: string[] = []
    const index = new Map<string, number>()
    const at: number[] = []
    const runs = this.#runStart.length
    for (let r = 0; r < runs; r++) {
      const base = this.#runBase[r]!
      let b = index.get(base)
      if (b === undefined) {
        b = bases.push(base) - 1
        index.set(base, b)
      }
      const key = this.#runKey[r]!
      const end = r + 1 < runs ? this.#runStart[r + 1]! : this.length
      for (let i = this.#runStart[r]!; i < end; i++)
        at.push(b, key < 0 ? key : key + i - this.#runStart[r]!)
    }
    return { texts: this.texts, bases, at }
  }

  /** JSON-path entries gathered from staged parts, in order ({@link toStaged}). */
  static fromStaged(parts: readonly StagedEntries[]): Entries {
    const entries = new Entries(false)
    const texts =
      parts.length === 1 ? parts[0]!.texts : ([] as string[]).concat(...parts.map((p) => p.texts))
    let n = 0
    for (const { texts: own, bases, at } of parts)
      for (let i = 0; i < own.length; i++) entries.#locate(n++, bases[at[2 * i]!]!, at[2 * i + 1]!)
    entries.#texts = texts as string[]
    entries.#adopted = true
    return entries
  }

  /** Where entry `i` was found, for messages. */
  where(i: number): string {
    // The last run that starts at or before i.
    let lo = 0
    let hi = this.#runStart.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.#runStart[mid]! <= i) lo = mid
      else hi = mid - 1
    }
    const base = this.#runBase[lo]!
    const first = this.#runKey[lo]!
    const key = first < 0 ? first : first + i - this.#runStart[lo]!
    if (this.#lines) return `line ${key}`
    return key < 0 ? base : `${base}[${key}]`
  }
}

/** {@link Entries} as plain JSON: see Entries.toStaged. */
export interface StagedEntries {
  readonly texts: readonly string[]
  readonly bases: readonly string[]
  readonly at: readonly number[]
}

/** A refusal from a parser. */
export interface ExtractRefusal {
  readonly guard: GuardName
  readonly reason: string
}

/** The parser's result: entries, or a refusal. */
export type ExtractResult = { readonly entries: Entries } | ExtractRefusal

/** Quotes upstream text for a one-line message: JSON-escaped, at most 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)
}
