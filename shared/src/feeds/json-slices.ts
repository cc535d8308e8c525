/**
 * @module A resumable reader of a JSON document whose top level is an object, for bodies too big
 * to JSON.parse within one Worker invocation's CPU (AWS's ip-ranges.json, Azure's ServiceTags):
 * each call reads a slice of the bytes from a stored state, top-level arrays element by element.
 */
import {
  ARRAY_CLOSE,
  ARRAY_OPEN,
  BACKSLASH,
  COLON,
  COMMA,
  isJsonSpace,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  QUOTE,
} from './json-bytes.ts'

/**
 * The bytes a run of elements is read in at once (to the next element boundary), and the most
 * decoded at once. Measured in Node 24: decoding 128 KiB or more in one call costs about 3 ns a
 * byte against 0.1 in pieces of 32 KiB (V8 allocates a string that long in its large-object
 * space), and JSON.parse of runs that long about twice as much a byte as of runs of 32 KiB.
 */
const CHUNK = 32 * 1024

/**
 * How far past a run's end a guessed boundary is looked for: elements up to about this long are
 * found without the byte scan, and a guess never makes a run much longer than the scan would.
 */
const REACH = 8 * CHUNK

/** The closer of a value's first byte, for the values whose last byte is known (0: another). */
const CLOSER = new Uint8Array(256)
CLOSER[OBJECT_OPEN] = OBJECT_CLOSE
CLOSER[ARRAY_OPEN] = ARRAY_CLOSE
CLOSER[QUOTE] = QUOTE

/** Where a slice read stopped: plain JSON, stored between invocations. */
export interface SliceState {
  /** Offset in the whole body of the next byte to read (0: the document is not opened yet). */
  readonly offset: number
  /** The top-level key whose array the reader is inside, or null (at the top level). */
  readonly array: string | null
  /** Elements of that array read so far (the next element's index). */
  readonly index: number
  /** Top-level keys read so far, in document order (a duplicate key is an error). */
  readonly keys: readonly string[]
  /** The document's closing brace and only whitespace after it were read: nothing more to read. */
  readonly done: boolean
}

/** The state to read a body from its first byte. */
export const FIRST_SLICE: SliceState = Object.freeze({
  offset: 0,
  array: null,
  index: 0,
  keys: Object.freeze([]),
  done: false,
})

/** Consecutive elements of one top-level array. */
export interface SliceRun {
  /** The top-level key whose value the array is. */
  readonly key: string
  /** The index of `elements[0]` in the array. */
  readonly first: number
  readonly elements: unknown[]
}

/** What one slice read. Top-level keys come in document order in `next.keys`. */
export interface SliceRead {
  /** Top-level keys whose value is not an array, completed in this slice, with the value parsed. */
  readonly values: readonly (readonly [key: string, value: unknown])[]
  /**
   * Top-level keys whose value is an array, listed by the slice that read the array's `[`, before
   * any of its elements: so an empty array is seen too (it never has a run).
   */
  readonly arrays: readonly string[]
  /** Runs of top-level array elements read in this slice, in document order, one per array. */
  readonly runs: readonly SliceRun[]
  readonly next: SliceState
}

/** Thrown inside the reader when the window ends before the step it reads; never leaves here. */
const MORE = new Error('the window ends first')

/** Fatal like the fetcher's; a BOM inside the document stays a character JSON.parse refuses. */
/** Why a body cannot be read: `at byte N (path): reason`; `notUtf8` when its bytes are not UTF-8. */
export interface SliceError {
  readonly error: string
  readonly notUtf8?: true
}

/** The reader's own failures, as thrown inside it. */
class SliceFailure extends Error {
  readonly notUtf8: boolean
  constructor(message: string, notUtf8: boolean) {
    super(message)
    this.notUtf8 = notUtf8
  }
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const pathOf = (key: string) => `$[${JSON.stringify(key)}]`

/** JSON whitespace (RFC 8259 section 2); undefined (outside the window) is not. */

/**
 * Where `b[from, to)` stops being UTF-8: the offset of the first byte that cannot continue it (`to`
 * when it ends inside a sequence). Streaming, the decoder fails at that byte and not before, so
 * whether a prefix fails grows with its length: a binary search for the shortest one that fails.
 */
function invalidUtf8At(b: Uint8Array, from: number, to: number): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b.subarray(from, mid + 1), {
        stream: true,
      })
      lo = mid + 1
    } catch {
      hi = mid
    }
  }
  return lo
}

/**
 * One call's cursor over the window; positions are indexes in the window, and each step commits
 * its state and output only once it is complete. The reader checks the skeleton (whitespace,
 * braces, brackets, colons, the commas between members and where runs meet) and leaves every value
 * to JSON.parse: a key or a value alone, a run of elements wrapped in brackets, so V8 checks the
 * elements and the commas between them. A run ends at a guessed element boundary (guess, which
 * reads a few bytes) if the run before it parses, else where a byte scan that tracks only strings
 * and nesting finds one (scan). A guessed end is exact: a run that parses and is followed by a
 * comma ends where one of the array's elements does, since no element's proper prefix is a value
 * followed by a comma.
 */
class Reader {
  readonly b: Uint8Array
  readonly base: number
  readonly final: boolean
  /** The next byte to read: every step before it is complete. */
  at: number
  array: string | null
  index: number
  readonly keys: string[]
  done = false
  readonly values: [string, unknown][] = []
  readonly arrays: string[] = []
  readonly runs: SliceRun[] = []
  /** The last element boundary the last scan passed (-1: none). */
  lastComma = -1

  constructor(b: Uint8Array, base: number, state: SliceState, final: boolean) {
    this.b = b
    this.base = base
    this.final = final
    this.at = state.offset - base
    this.array = state.array
    this.index = state.index
    this.keys = [...state.keys]
  }

  fail(at: number, path: string, what: string, notUtf8 = false): never {
    throw new SliceFailure(`at byte ${this.base + at} (${path}): ${what}`, notUtf8)
  }

  /** The window ended: wait for a bigger one, or the body is cut short. */
  short(path: string): never {
    if (this.final) this.fail(this.b.length, path, 'unexpected end of the body')
    throw MORE
  }

  /** The first byte from `from` that is not JSON whitespace (the window's length if none). */
  ws(from: number): number {
    let at = from
    while (isJsonSpace(this.b[at])) at++
    return at
  }

  /** The first byte from `from` that is not whitespace, which the window must hold. */
  next(from: number, path: string): number {
    const at = this.ws(from)
    if (at === this.b.length) this.short(path)
    return at
  }

  /**
   * From `from`, outside any string and at nesting depth 0, the first `,` at or after `limit`, or
   * the first closing bracket or brace; the window's length if the window ends first. Tracks only
   * strings (quotes, escapes) and depth: JSON.parse validates the bytes it passes over.
   */
  scan(from: number, limit: number): number {
    const b = this.b
    const n = b.length
    let depth = 0
    let lastComma = -1
    let i = from
    for (; i < n; i++) {
      const c = b[i]!
      if (c === QUOTE) {
        for (i++; i < n; i++) {
          const d = b[i]!
          if (d === QUOTE) break
          if (d === BACKSLASH) i++
        }
      } else if (c === COMMA) {
        if (depth === 0) {
          if (i >= limit) break
          lastComma = i
        }
      } else if (c === OBJECT_OPEN || c === ARRAY_OPEN) depth++
      else if (c === OBJECT_CLOSE || c === ARRAY_CLOSE) {
        if (depth === 0) break
        depth--
      }
    }
    this.lastComma = lastComma
    // An escape's backslash as the window's last byte leaves i past the end.
    return Math.min(i, n)
  }

  /**
   * `b[from, to)` decoded, in pieces of at most CHUNK bytes cut before a character's first byte
   * (not a continuation byte 10xxxxxx: at most 3 back in UTF-8); throws if it is not UTF-8.
   */
  text(from: number, to: number): string {
    const b = this.b
    let text = ''
    for (let at = from; at < to;) {
      let end = Math.min(to, at + CHUNK)
      for (let k = 0; k < 3 && end < to && (b[end]! & 0xc0) === 0x80; k++) end--
      text += DECODER.decode(b.subarray(at, end))
      at = end
    }
    return text
  }

  /** The JSON value of `b[from, to)`, `from` at its first byte; fails naming `path`. */
  parse(from: number, to: number, path: string): unknown {
    if (from === to) this.fail(from, path, 'expected a value')
    let text: string
    try {
      text = this.text(from, to)
    } catch {
      return this.fail(invalidUtf8At(this.b, from, to), path, 'invalid UTF-8', true)
    }
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      return this.fail(from, path, `invalid JSON: ${(error as Error).message}`)
    }
  }

  /** One step, a run ending at the first element boundary at or after `limit`. */
  step(limit: number): void {
    if (this.array !== null) this.element(this.array, limit)
    else if (this.base + this.at === 0) this.open()
    else this.member()
  }

  /** A BOM, whitespace and the `{`. */
  open(): void {
    const b = this.b
    let at = this.at
    if (b[at] === 0xef) {
      // Too few bytes yet to tell a BOM from invalid UTF-8.
      if (at + 3 > b.length && !this.final) throw MORE
      if (b[at + 1] === 0xbb && b[at + 2] === 0xbf) at += 3
    }
    at = this.next(at, '$')
    if (b[at] !== OBJECT_OPEN) this.fail(at, '$', "expected '{': the top level must be an object")
    this.at = at + 1
  }

  /** The `}`, or [`,`] key `:` and either a whole value or an array's `[`. */
  member(): void {
    const b = this.b
    let at = this.next(this.at, '$')
    if (b[at] === OBJECT_CLOSE) {
      this.close(at)
      return
    }
    if (this.keys.length > 0) {
      if (b[at] !== COMMA) this.fail(at, '$', "expected ',' or '}' after a member")
      at = this.next(at + 1, '$')
    }
    if (b[at] !== QUOTE) this.fail(at, '$', 'expected a key (a string)')
    const keyEnd = this.stringEnd(at)
    const key = this.parse(at, keyEnd, '$') as string
    if (this.keys.includes(key)) this.fail(at, '$', `duplicate key ${JSON.stringify(key)}`)
    const path = pathOf(key)
    const colon = this.next(keyEnd, path)
    if (b[colon] !== COLON) this.fail(colon, path, "expected ':' after the key")
    const start = this.next(colon + 1, path)
    if (b[start] === ARRAY_OPEN) {
      this.keys.push(key)
      this.arrays.push(key)
      this.array = key
      this.index = 0
      this.at = start + 1
      return
    }
    const stop = this.scan(start, start)
    if (stop === b.length) this.short(path)
    const value = this.parse(start, stop, path)
    this.keys.push(key)
    this.values.push([key, value])
    this.at = stop
  }

  /** After the string opened at `from`: the index past its closing quote. */
  stringEnd(from: number): number {
    const b = this.b
    for (let at = from + 1; at < b.length; at++) {
      const c = b[at]
      if (c === QUOTE) return at + 1
      if (c === BACKSLASH) at++
    }
    return this.short('$')
  }

  /** The closing brace and whitespace to the end of the body. */
  close(at: number): void {
    const end = this.ws(at + 1)
    if (end < this.b.length) this.fail(end, '$', 'bytes after the closing brace')
    if (!this.final) throw MORE
    this.at = end
    this.done = true
  }

  /**
   * The array's `]`, or [`,`] and a run of whole elements to the first element boundary at or
   * after `limit` or CHUNK bytes, whichever comes first (the runs of one array in a slice are
   * merged into one).
   */
  element(key: string, limit: number): void {
    const b = this.b
    const path = pathOf(key)
    let from = this.next(this.at, path)
    if (b[from] === ARRAY_CLOSE) {
      this.array = null
      this.index = 0
      this.at = from + 1
      return
    }
    if (this.index > 0) {
      if (b[from] !== COMMA) this.fail(from, path, "expected ',' or ']' after an element")
      from = this.next(from + 1, `${path}[${this.index}]`)
    }
    const cap = Math.min(limit, from + CHUNK)
    let stop = this.guess(from, cap)
    let elements = stop < 0 ? undefined : this.run(from, stop)
    if (elements === undefined) {
      stop = this.scan(from, cap)
      if (stop === b.length) {
        if (this.lastComma < 0) this.short(`${path}[${this.index}]`)
        stop = this.lastComma
      }
      if (stop === from) this.fail(from, `${path}[${this.index}]`, 'expected a value')
      elements = this.run(from, stop) ?? this.blame(key, from)
    }
    const last = this.runs[this.runs.length - 1]
    if (last?.key === key) for (const element of elements) last.elements.push(element)
    else this.runs.push({ key, first: this.index, elements })
    this.index += elements.length
    this.at = stop
  }

  /**
   * A likely element boundary after `cap`, found without reading every byte: the `,` of the first
   * `close , open` (whitespace allowed around the comma) within REACH bytes after it, where `open`
   * is the first byte of the element at `from` (`{`, `[` or `"`) and `close` its closer; -1 if
   * none. A guess only: a comma inside a nested value or a string fits too, and then the run before
   * it does not parse. Searched from after `from`, whose opener stops the walks back.
   */
  guess(from: number, cap: number): number {
    const b = this.b
    const open = b[from]!
    const close = CLOSER[open]!
    if (close === 0) return -1
    const bound = cap + REACH
    for (let at = b.indexOf(open, Math.max(cap, from + 1)); at >= 0; at = b.indexOf(open, at + 1)) {
      if (at > bound) return -1
      const comma = this.back(at - 1)
      if (b[comma] === COMMA && b[this.back(comma - 1)] === close) return comma
    }
    return -1
  }

  /** The first byte back from `from` that is not whitespace. */
  back(from: number): number {
    let at = from
    while (isJsonSpace(this.b[at])) at--
    return at
  }

  /**
   * The elements of `b[from, to)` (a run that is not empty), or undefined if that is not UTF-8 or
   * not values separated by commas. One decode and one JSON.parse: V8 checks the elements and the
   * commas between them.
   */
  run(from: number, to: number): unknown[] | undefined {
    try {
      return JSON.parse(`[${this.text(from, to)}]`) as unknown[]
    } catch {
      return undefined
    }
  }

  /**
   * The run from `from` does not parse: reads it element by element for the first that does not,
   * and fails naming it. If every element parsed, so would the run, so the loop ends in a failure.
   */
  blame(key: string, from: number): never {
    for (let k = this.index, at = from; ; k++) {
      const end = this.scan(at, at)
      this.parse(at, end, `${pathOf(key)}[${k}]`)
      at = this.ws(end + 1)
    }
  }

  read(): SliceRead {
    const { values, arrays, runs, array, index, keys, done } = this
    const next = { offset: this.base + this.at, array, index, keys, done }
    return { values, arrays, runs, next }
  }
}

function windowError(message: string): RangeError {
  const error = new RangeError(message) as RangeError & { code: string }
  error.code = 'ERR_SLICE_WINDOW'
  return error
}

/**
 * Reads from `state` through whole steps until at least `budget` bytes were consumed or the window
 * ends, stopping at an element boundary. A step is the opening `{`, a top-level member whose value
 * is not an array (read whole, however long), an array's `[` (with its key), a run of elements, an
 * array's `]`, or the closing `}` with the whitespace after it; each call takes at least one, so
 * every call makes progress. `window` holds the body's bytes from offset `windowStart` (at most
 * `state.offset`, and the window reaches it); `final` says the window reaches the end of the body.
 *
 * Returns `{ more: true }` when the window ends before the first step does and `final` is false:
 * the caller loads a bigger window and calls again with the same state (a call that completed a
 * step returns it instead, and the next call, from `next`, asks for more). Returns `{ error }` for
 * anything that is not valid JSON (RFC 8259), not a top-level object, a duplicate top-level key,
 * invalid UTF-8, or bytes after the closing brace, as `at byte N (path): reason`, N an offset in
 * the whole body and the path like `$["values"][12]`. A UTF-8 BOM at offset 0 is skipped.
 * Concatenated, the reads give what JSON.parse gives for the whole document, whatever the budgets
 * and windows: `next.keys` in document order, each key's value from `values`, or an array (empty
 * if listed in `arrays` only) rebuilt from the runs.
 * Throws a RangeError (`ERR_SLICE_WINDOW`) if the window does not reach `state.offset`.
 */
export function readSlice(
  window: Uint8Array,
  windowStart: number,
  state: SliceState,
  budget: number,
  final: boolean,
): SliceRead | { readonly more: true } | SliceError {
  const start = state.offset - windowStart
  if (start < 0 || start > window.length)
    throw windowError(
      `a window of ${window.length} bytes from byte ${windowStart} misses byte ${state.offset}`,
    )
  if (state.done) return { values: [], arrays: [], runs: [], next: state }
  const r = new Reader(window, windowStart, state, final)
  const limit = start + budget
  try {
    do r.step(limit)
    while (!r.done && r.at < limit)
  } catch (error) {
    // Only MORE and the reader's failures are thrown: JSON.parse's and the decoder's are caught.
    if (error !== MORE) {
      const { message, notUtf8 } = error as SliceFailure
      return notUtf8 ? { error: message, notUtf8 } : { error: message }
    }
    if (r.at === start) return { more: true }
  }
  return r.read()
}
