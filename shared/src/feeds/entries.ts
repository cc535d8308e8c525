/**
 * @module What every parser returns: the address strings a source lists, as the upstream wrote
 * them, with where each was found; or the guard that refuses the body. And the one way upstream
 * text is quoted in messages.
 */
import type { GuardName } from './types.ts'

/**
 * The address strings a source lists, as the upstream wrote them, and where each was found
 * (`line 3`, `$["hooks"][2]`). Locations are built only when a message needs one.
 */
export class Entries {
  readonly #texts: string[] = []
  readonly #bases: string[] = []
  readonly #keys: number[] = []
  readonly #lines: boolean
  #joined: string | undefined

  /** `lines`: locations are line numbers; otherwise JSON paths. */
  constructor(lines: boolean) {
    this.#lines = lines
  }

  /** Adds `text` found at line `key` (line mode), or at `base[key]` (`base` alone if key < 0). */
  add(text: string, base: string, key: number): void {
    this.#texts.push(text)
    this.#bases.push(base)
    this.#keys.push(key)
    this.#joined = undefined
  }

  get texts(): readonly string[] {
    return this.#texts
  }

  get length(): number {
    return this.#texts.length
  }

  /**
   * The texts joined by newlines, built once: what the engine's list parser reads, and what the
   * entries hash covers when no text holds a newline (judge.ts). Joining is most of the cost of
   * reading 10,000 entries again, so the guard and the hash share one.
   */
  joined(): string {
    this.#joined ??= this.#texts.join('\n')
    return this.#joined
  }

  /**
   * The entries as plain JSON, to carry between invocations (a body read in slices: staged.ts):
   * the texts, the distinct bases, and per entry its base's index and key, flattened.
   */
  toStaged(): StagedEntries {
    const bases: string[] = []
    const index = new Map<string, number>()
    const at: number[] = []
    for (let i = 0; i < this.#texts.length; i++) {
      const base = this.#bases[i]!
      let b = index.get(base)
      if (b === undefined) {
        b = bases.push(base) - 1
        index.set(base, b)
      }
      at.push(b, this.#keys[i]!)
    }
    return { texts: this.#texts, bases, at }
  }

  /** JSON-path entries gathered from staged parts, in order ({@link toStaged}). */
  static fromStaged(parts: readonly StagedEntries[]): Entries {
    const entries = new Entries(false)
    for (const { texts, bases, at } of parts)
      for (let i = 0; i < texts.length; i++)
        entries.add(texts[i]!, bases[at[2 * i]!]!, at[2 * i + 1]!)
    return entries
  }

  /** Where entry `i` was found, for messages. */
  where(i: number): string {
    const key = this.#keys[i]!
    if (this.#lines) return `line ${key}`
    return key < 0 ? this.#bases[i]! : `${this.#bases[i]!}[${key}]`
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
