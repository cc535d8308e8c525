/**
 * @module A reader of a body that is one JSON array of strings (Firezone's relay-ips.json since
 * 2025: about 13,000 CIDRs, 0.29 MB) from its bytes, a run of elements at a time: the body is
 * never one string (a text over 128 KiB is a large object in V8, in memory mapped afresh), and
 * each run is JSON.parse'd, so escapes and the strings' own rules are JSON's. Anything else (an
 * object, a number, bytes that are not UTF-8, invalid JSON, trailing bytes) returns undefined and
 * the caller parses the body whole, which names what is wrong.
 */
import { ARRAY_CLOSE, ARRAY_OPEN, BACKSLASH, COMMA, isJsonSpace, QUOTE } from './json-bytes.ts'

/** Bytes of elements parsed at once: a run ends at the first comma past this many. */
const RUN_BYTES = 32 * 1024

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A run's bytes between brackets, to decode as one JSON text (a longer run gets its own). */
const scratch = new Uint8Array(RUN_BYTES + 1024)

/** The strings of `bytes` when they are a JSON array of strings (a BOM allowed), else undefined. */
export function readStringArray(bytes: Uint8Array): string[] | undefined {
  const n = bytes.length
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
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
