/** @module The bytes of JSON's structure, for the readers that walk a body's bytes. */
export const OBJECT_OPEN = 0x7b
export const OBJECT_CLOSE = 0x7d
export const ARRAY_OPEN = 0x5b
export const ARRAY_CLOSE = 0x5d
export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const COLON = 0x3a
export const COMMA = 0x2c

/** JSON's whitespace (RFC 8259, section 2): space, line feed, carriage return, tab. */
export const isJsonSpace = (c: number | undefined): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** Where a body's JSON starts: after a UTF-8 byte order mark, if it has one. */
export const afterBom = (bytes: Uint8Array): number =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0

/** The index of the first byte at or after `i` that is not JSON whitespace. */
export function skipJsonSpace(bytes: Uint8Array, i: number): number {
  while (isJsonSpace(bytes[i])) i++
  return i
}
