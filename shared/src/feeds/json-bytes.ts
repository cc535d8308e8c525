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
