/** @module Trimming surrounding ASCII whitespace by index (internal): no substring on the hot path. */
import { isSpace } from './scan.ts'

/**
 * Bounds of text[from..to) without surrounding ASCII whitespace, as `{ start, end }`: one shared
 * object that trimBounds overwrites, so a call allocates nothing.
 */
export const bounds = { start: 0, end: 0 }

/** Sets `bounds` to text[from..to) minus surrounding ASCII whitespace (space, \t, \n, \v, \f, \r). */
export function trimBounds(text: string, from: number, to: number): void {
  while (from < to && isSpace(text.charCodeAt(from))) from++
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--
  bounds.start = from
  bounds.end = to
}
