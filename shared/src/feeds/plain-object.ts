/**
 * @module A reader of a body that is one JSON object (GitHub's meta document: 0.15 MB, about
 * 6,300 CIDRs under a dozen keys) from its bytes: each top-level value that is an array of plain
 * strings is read as {@link PlainLines} (string-array.ts), without a decode, JSON.parse or a
 * string per entry; every other value is checked as JSON and skipped. It reads only what it is
 * sure JSON.parse reads the same: ASCII without an escape or a control character, no top-level
 * key twice and none of digits alone (JSON.parse orders those first), nesting under
 * {@link MAX_DEPTH} levels. Anything else returns undefined, and the caller parses the body whole,
 * which names what is wrong.
 */
import {
  afterBom,
  ARRAY_CLOSE,
  ARRAY_OPEN,
  BACKSLASH,
  COLON,
  COMMA,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  QUOTE,
  skipJsonSpace,
} from './json-bytes.ts'
import { plainCount, plainEnd, readPlainArray, type PlainLines } from './string-array.ts'

/** A JSON object as {@link readPlainObject} reads it. */
export interface PlainObject {
  /** Its keys, in order: Object.keys of what JSON.parse gives. */
  readonly keys: readonly string[]
  /** The values that are arrays of plain strings, by key (their lines share one buffer). */
  readonly arrays: ReadonlyMap<string, PlainLines>
}

/** Objects and arrays nested deeper than this are left to JSON.parse. */
export const MAX_DEPTH = 64

const MINUS = 0x2d
const DOT = 0x2e
const ZERO = 0x30
const LITERALS = ['true', 'false', 'null'].map((word) =>
  Uint8Array.from(word, (c) => c.charCodeAt(0)),
)
const ascii = new TextDecoder()

const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= 0x39

/**
 * `bytes` as a {@link PlainObject} when they are one JSON object (a BOM allowed) this reader
 * reads, the arrays' lines written into `take(size)`'s memory (the body's length suffices); else
 * undefined.
 */
export function readPlainObject(
  bytes: Uint8Array,
  take: (size: number) => Uint8Array,
): PlainObject | undefined {
  let i = skipJsonSpace(bytes, afterBom(bytes))
  if (bytes[i] !== OBJECT_OPEN) return undefined
  const out = take(bytes.length)
  let at = 0
  const keys: string[] = []
  const seen = new Set<string>()
  const arrays = new Map<string, PlainLines>()
  i = skipJsonSpace(bytes, i + 1)
  if (bytes[i] === OBJECT_CLOSE) i++
  else
    for (;;) {
      const end = skipString(bytes, i)
      if (end < 0) return undefined
      const key = ascii.decode(bytes.subarray(i + 1, end - 1))
      if (seen.has(key) || /^\d+$/.test(key)) return undefined
      seen.add(key)
      keys.push(key)
      i = skipJsonSpace(bytes, end)
      if (bytes[i] !== COLON) return undefined
      i = skipJsonSpace(bytes, i + 1)
      const plain = readPlainArray(bytes, i, out, at)
      if (plain >= 0) {
        arrays.set(key, { lines: out.subarray(at, plainEnd), count: plainCount })
        at = plainEnd
        i = plain
      } else {
        i = skipValue(bytes, i, 1)
        if (i < 0) return undefined
      }
      i = skipJsonSpace(bytes, i)
      if (bytes[i] === OBJECT_CLOSE) {
        i++
        break
      }
      if (bytes[i] !== COMMA) return undefined
      i = skipJsonSpace(bytes, i + 1)
    }
  if (skipJsonSpace(bytes, i) !== bytes.length) return undefined
  return { keys, arrays }
}

/** The JSON value at `bytes[i]`, `depth` levels deep: the index after it, or -1. */
function skipValue(bytes: Uint8Array, i: number, depth: number): number {
  const open = bytes[i]
  if (open === QUOTE) return skipString(bytes, i)
  if (open === OBJECT_OPEN || open === ARRAY_OPEN) {
    if (depth >= MAX_DEPTH) return -1
    const close = open === OBJECT_OPEN ? OBJECT_CLOSE : ARRAY_CLOSE
    i = skipJsonSpace(bytes, i + 1)
    if (bytes[i] === close) return i + 1
    for (;;) {
      if (open === OBJECT_OPEN) {
        i = skipString(bytes, i)
        if (i < 0) return -1
        i = skipJsonSpace(bytes, i)
        if (bytes[i] !== COLON) return -1
        i = skipJsonSpace(bytes, i + 1)
      }
      i = skipValue(bytes, i, depth + 1)
      if (i < 0) return -1
      i = skipJsonSpace(bytes, i)
      if (bytes[i] === close) return i + 1
      if (bytes[i] !== COMMA) return -1
      i = skipJsonSpace(bytes, i + 1)
    }
  }
  for (const word of LITERALS) if (word.every((c, k) => bytes[i + k] === c)) return i + word.length
  return skipNumber(bytes, i)
}

/** A string of printable ASCII without an escape at `bytes[i]`: the index after it, or -1. */
function skipString(bytes: Uint8Array, i: number): number {
  if (bytes[i] !== QUOTE) return -1
  for (i++; i < bytes.length; i++) {
    const c = bytes[i]!
    if (c === QUOTE) return i + 1
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1
  }
  return -1
}

/** A JSON number at `bytes[i]` (RFC 8259, section 6): the index after it, or -1. */
function skipNumber(bytes: Uint8Array, i: number): number {
  if (bytes[i] === MINUS) i++
  const digits = (from: number) => {
    while (isDigit(bytes[i])) i++
    return i > from
  }
  if (bytes[i] === ZERO) i++
  else if (!digits(i)) return -1
  if (bytes[i] === DOT && !digits(++i)) return -1
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++
    if (bytes[i] === 0x2b || bytes[i] === MINUS) i++
    if (!digits(i)) return -1
  }
  return i
}
