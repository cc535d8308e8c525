/**
 * @module A reader of a body that is one JSON array of strings (Firezone's relay-ips.json since
 * 2025: about 13,000 CIDRs, 0.29 MB) from its bytes, a run of elements at a time: the body is
 * never one string (a text over 128 KiB is a large object in V8, in memory mapped afresh), and
 * each run is JSON.parse'd, so escapes and the strings' own rules are JSON's. Anything else (an
 * object, a number, bytes that are not UTF-8, invalid JSON, trailing bytes) returns undefined and
 * the caller parses the body whole, which names what is wrong.
 *
 * Before that, {@link readPlainLines} reads the usual body, whose strings are all plain CIDRs,
 * into one newline-joined text of bytes without a single string: what the engine's list parser
 * reads and the entries hash covers (Entries.fromPlainLines), about 13,000 strings fewer.
 */
import {
  afterBom,
  ARRAY_CLOSE,
  ARRAY_OPEN,
  BACKSLASH,
  COMMA,
  isJsonSpace,
  QUOTE,
  skipJsonSpace,
} from './json-bytes.ts'

const SLASH = 0x2f
const NEWLINE = 0x0a

/** The bytes of normalise.ts's PLAIN before its slash: hex digits, dots, colons. */
const ADDRESS_BYTE = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF.:') ADDRESS_BYTE[c.charCodeAt(0)] = 1

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39

/** A JSON array of plain strings, as {@link readPlainLines} reads it. */
export interface PlainLines {
  /** The strings joined by newlines: ASCII, each string as JSON.parse gives it. */
  readonly lines: Uint8Array
  readonly count: number
}

/**
 * `bytes` as {@link PlainLines} when they are one JSON array (a BOM allowed) of strings that
 * each match normalise.ts's PLAIN (`^[0-9A-Fa-f.:]+(?:\/[0-9]{1,3})?$`: no escape, nothing else
 * to check), the lines written into `take(size)`'s memory (the body's length suffices); else
 * undefined, and {@link readStringArray} reads it.
 */
export function readPlainLines(
  bytes: Uint8Array,
  take: (size: number) => Uint8Array,
): PlainLines | undefined {
  const i = skipJsonSpace(bytes, afterBom(bytes))
  if (bytes[i] !== ARRAY_OPEN) return undefined
  const out = take(bytes.length)
  const end = readPlainArray(bytes, i, out, 0)
  if (end < 0 || skipJsonSpace(bytes, end) !== bytes.length) return undefined
  return { lines: out.subarray(0, plainEnd), count: plainCount }
}

/** Where the lines of the last array {@link readPlainArray} read end in `out`, and their number. */
export let plainEnd = 0
export let plainCount = 0

/**
 * Reads the JSON array at `bytes[i]` (its `[`) when its strings are all plain (as
 * {@link readPlainLines}), writing them joined by newlines into `out` from `at` (`out` holds at
 * least the array's length past `at`): the index after its `]`, with {@link plainEnd} and
 * {@link plainCount} set; -1 for anything else (then `out` past `at` holds nothing of use).
 */
export function readPlainArray(bytes: Uint8Array, i: number, out: Uint8Array, at: number): number {
  const n = bytes.length
  if (bytes[i] !== ARRAY_OPEN) return -1
  i = skipJsonSpace(bytes, i + 1)
  let count = 0
  if (bytes[i] === ARRAY_CLOSE) i++
  else
    for (;;) {
      if (bytes[i] !== QUOTE) return -1
      i++
      if (count > 0) out[at++] = NEWLINE
      const start = i
      // `i < n` first: a byte past the end is undefined, never an index into the table.
      while (i < n && ADDRESS_BYTE[bytes[i]!] === 1) out[at++] = bytes[i++]!
      if (i === start) return -1
      if (bytes[i] === SLASH) {
        out[at++] = bytes[i++]!
        const digits = i
        while (isDigit(bytes[i])) out[at++] = bytes[i++]!
        if (i === digits || i - digits > 3) return -1
      }
      if (bytes[i] !== QUOTE) return -1
      count++
      i = skipJsonSpace(bytes, i + 1)
      if (bytes[i] === ARRAY_CLOSE) {
        i++
        break
      }
      if (bytes[i] !== COMMA) return -1
      i = skipJsonSpace(bytes, i + 1)
    }
  plainEnd = at
  plainCount = count
  return i
}

/** Bytes of elements parsed at once: a run ends at the first comma past this many. */
const RUN_BYTES = 32 * 1024

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A run's bytes between brackets, to decode as one JSON text (a longer run gets its own). */
const scratch = new Uint8Array(RUN_BYTES + 1024)

/** The strings of `bytes` when they are a JSON array of strings (a BOM allowed), else undefined. */
export function readStringArray(bytes: Uint8Array): string[] | undefined {
  const n = bytes.length
  let i = afterBom(bytes)
  const skipSpace = () => {
    while (isJsonSpace(bytes[i])) i++
  }
  skipSpace()
  if (bytes[i] !== ARRAY_OPEN) return undefined
  i++
  skipSpace()
  // Each run's strings; joined once at the end (not an array grown an element at a time).
  const runs: string[][] = []
  // The elements from `run` up to `i` (a comma or the closing bracket), parsed.
  const parseRun = (run: number): boolean => {
    const length = i - run + 2
    const text = length <= scratch.length ? scratch : new Uint8Array(length)
    text[0] = ARRAY_OPEN
    text.set(bytes.subarray(run, i), 1)
    text[length - 1] = ARRAY_CLOSE
    let parsed: string[]
    try {
      parsed = JSON.parse(decoder.decode(text.subarray(0, length))) as string[]
    } catch {
      return false
    }
    runs.push(parsed)
    return true
  }
  if (bytes[i] === ARRAY_CLOSE) i++
  else
    for (let run = i; ;) {
      // One string, to its closing quote (an escaped byte skipped); then a comma or the end.
      if (bytes[i] !== QUOTE) return undefined
      for (i++; i < n && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++
      if (i >= n) return undefined
      i++
      skipSpace()
      const last = bytes[i] === ARRAY_CLOSE
      if (!last && bytes[i] !== COMMA) return undefined
      const ends = last || i - run >= RUN_BYTES
      if (ends && !parseRun(run)) return undefined
      i++
      if (last) break
      skipSpace()
      if (ends) run = i
    }
  skipSpace()
  if (i !== n) return undefined
  return runs.length === 1 ? runs[0]! : ([] as string[]).concat(...runs)
}
