/**
 * Tests shared/src/feeds/json-slices.ts against JSON.parse as the oracle. On the real bodies in
 * ../shared/fixtures/feeds, read in slices of several budgets through whole and small windows, the
 * reassembled document is byte for byte what JSON.parse gives: AWS ip-ranges.json of 2026-08-12
 * and 2026-08-21 (2.6 MB, PROVENANCE.md), Azure ServiceTags_Public of 2025-06-14 (4.08 MB, CRLF,
 * one 377 KB element; PROVENANCE-providers.md), GitHub meta of 2026-02-05, 02-23 and 03-03
 * (PROVENANCE.md), and every other *.json there (PROVENANCE-providers.md), those whose top level is
 * not an object refused. fast-check documents read the same way, their mutations are refused
 * exactly when JSON.parse throws (or a top-level key repeats), and targeted cases pin each error's
 * byte offset and path.
 */
import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FIRST_SLICE, readSlice } from '../../../shared/src/feeds/json-slices.ts'
import type { SliceState } from '../../../shared/src/feeds/json-slices.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const encode = (text: string) => new TextEncoder().encode(text)
const concat = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...encode(p)] : p)))

/** What JSON.parse gives for a body as the fetcher decodes it (fatal UTF-8, a BOM dropped). */
function oracle(bytes: Uint8Array): { value: unknown } | { error: unknown } {
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { error: 'not an object' }
    return { value }
  } catch (error) {
    return { error }
  }
}

interface Reading {
  /** The bytes each call is to read at least. */
  readonly budget: number
  /** The bytes of a window, doubled after each `{ more }` (Infinity: the whole body). */
  readonly window: number
  /** Windows start at the multiple of `window` at or before state.offset, instead of at it. */
  readonly aligned?: boolean
}

/**
 * Reads `bytes` to the end as a queue consumer would: each call from the state the last one
 * returned, stored as JSON between them; reassembles the document from the values and runs.
 * Checks on the way that a call makes progress, asks for more only before the end of the body,
 * and that runs follow on.
 */
function readAll(
  bytes: Uint8Array,
  { budget, window, aligned = false }: Reading,
): { value: Record<string, unknown>; calls: number; mores: number } | { error: string } {
  let state: SliceState = FIRST_SLICE
  const parts = new Map<string, unknown>()
  let size = window
  let mores = 0
  // Each call consumes a byte, or doubles the window: more calls than this is a loop.
  const most = (bytes.length + 2) * 40
  for (let calls = 1; calls <= most; calls++) {
    const start = aligned ? state.offset - (state.offset % window) : state.offset
    const end = Math.min(bytes.length, start + size)
    const final = end === bytes.length
    const read = readSlice(bytes.subarray(start, end), start, state, budget, final)
    if ('error' in read) return read
    if ('more' in read) {
      expect(final).toBe(false)
      mores++
      size *= 2
      continue
    }
    expect(read.next.offset).toBeGreaterThan(state.offset)
    // The keys this slice read, in document order: each an array opened or a value read whole.
    const added = read.next.keys.slice(parts.size)
    expect(read.next.keys.slice(0, parts.size)).toEqual([...parts.keys()])
    expect([...read.arrays, ...read.values.map(([key]) => key)].sort()).toEqual([...added].sort())
    const values = new Map(read.values)
    for (const key of added) parts.set(key, read.arrays.includes(key) ? [] : values.get(key))
    for (const run of read.runs) {
      const array = parts.get(run.key) as unknown[]
      expect(run.first).toBe(array.length)
      for (const element of run.elements) array.push(element)
    }
    state = JSON.parse(JSON.stringify(read.next)) as SliceState
    size = window
    if (state.done) return { value: Object.fromEntries(parts), calls, mores }
  }
  throw new Error(`no end after ${most} calls`)
}

/** Reads `bytes` and checks the result against the oracle; returns the result. */
function expectAsJsonParse(bytes: Uint8Array, reading: Reading) {
  const result = readAll(bytes, reading)
  const expected = oracle(bytes)
  if ('error' in expected) {
    expect(result).toHaveProperty('error')
    return result
  }
  if ('error' in result) throw new Error(result.error)
  expect(result.value).toEqual(expected.value)
  // Byte for byte, key order included.
  expect(JSON.stringify(result.value)).toBe(JSON.stringify(expected.value))
  return result
}

/** The error reading `body` in slices of `budget` bytes gives (the window: the whole body). */
function errorOf(body: Uint8Array | string, budget = Infinity): string {
  const bytes = typeof body === 'string' ? encode(body) : body
  const result = readAll(bytes, { budget, window: Infinity })
  if (!('error' in result)) throw new Error(`read: ${JSON.stringify(result.value)}`)
  return result.error
}

const fixtures = HAVE_FIXTURES
  ? readdirSync(fixturePath('feeds'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ name, bytes: new Uint8Array(readFileSync(fixturePath('feeds', name))) }))
  : []
const BIG = 1_000_000

describe.skipIf(!HAVE_FIXTURES)('readSlice on the real files', () => {
  it('finds the files named in the header', () => {
    const names = fixtures.map((f) => f.name)
    expect(names).toContain('aws/ip-ranges.2026-08-12-21-17-05.json')
    expect(names).toContain('aws/ip-ranges.2026-08-21-22-37-05.json')
    expect(names).toContain('azure/ServiceTags_Public.2025-06-14.json')
    expect(names.filter((n) => n.startsWith('github/meta.'))).toHaveLength(3)
  })

  const objects = fixtures.filter((f) => 'value' in oracle(f.bytes))
  const big = objects.filter((f) => f.bytes.length > BIG)
  const small = objects.filter((f) => f.bytes.length <= BIG)

  it.each(big.flatMap((f) => [64, 4096, 262_144, Infinity].map((budget) => ({ ...f, budget }))))(
    '$name in slices of $budget bytes: what JSON.parse gives',
    ({ bytes, budget }) => {
      expectAsJsonParse(bytes, { budget, window: Infinity })
      expectAsJsonParse(bytes, { budget, window: 65_536 })
    },
  )

  it.each(big)('$name through small aligned windows (the more protocol)', ({ bytes }) => {
    const result = expectAsJsonParse(bytes, { budget: 262_144, window: 4096, aligned: true })
    expect(result).toMatchObject({ mores: expect.any(Number) as number })
    expect((result as { mores: number }).mores).toBeGreaterThan(0)
  })

  it.each(small)('$name in every kind of slice: what JSON.parse gives', ({ bytes }) => {
    for (const budget of [1, 64, 4096, 262_144, Infinity])
      for (const window of [Infinity, 100, 4096]) {
        expectAsJsonParse(bytes, { budget, window })
        expectAsJsonParse(bytes, { budget, window, aligned: true })
      }
  })

  it.each(fixtures.filter((f) => 'error' in oracle(f.bytes)))(
    '$name (not an object at the top) is refused at byte 0',
    ({ bytes }) => {
      expect(errorOf(bytes)).toMatch(/^at byte 0 \(\$\): /)
    },
  )
})

/** A document's text with arbitrary whitespace: JSON.stringify's gap and before and after it. */
const documents = fc
  .record({
    value: fc.dictionary(
      fc.string({ unit: 'binary' }),
      fc.oneof(
        fc.array(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), { maxLength: 12 }),
        fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
      ),
      { maxKeys: 6 },
    ),
    gap: fc.oneof(fc.constant(undefined), fc.stringMatching(/^[ \t\r\n]{0,10}$/)),
    before: fc.stringMatching(/^[ \t\r\n]{0,3}$/),
    after: fc.stringMatching(/^[ \t\r\n]{0,3}$/),
    bom: fc.boolean(),
  })
  .map(({ value, gap, before, after, bom }) =>
    concat(bom ? [0xef, 0xbb, 0xbf] : [], before + JSON.stringify(value, null, gap) + after),
  )

const readings: fc.Arbitrary<Reading> = fc.record({
  budget: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constant(Infinity)),
  window: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(Infinity)),
  aligned: fc.boolean(),
})

/** A byte that is likely to matter where it lands, or any byte. */
const bytesOfNote = fc.oneof(
  fc.constantFrom(
    ...[...'"\\,:[]{} \n0a-.eE+tfn'].map((c) => c.charCodeAt(0)),
    0x00,
    0x1f,
    0x80,
    0xbf,
    0xc3,
    0xe2,
    0xef,
    0xf0,
    0xff,
  ),
  fc.integer({ min: 0, max: 255 }),
)

/** Truncation, a byte changed, a byte inserted, at a position taken modulo the length. */
const mutations = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('change' as const), at: fc.nat(), byte: bytesOfNote }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: bytesOfNote }),
)

function mutate(bytes: Uint8Array, list: readonly Mutation[]): Uint8Array {
  let out = [...bytes]
  for (const m of list) {
    const at = m.at % (out.length + 1)
    if (m.kind === 'truncate') out = out.slice(0, at)
    else if (m.kind === 'change') out.splice(Math.min(at, out.length - 1), 1, m.byte)
    else out.splice(at, 0, m.byte)
  }
  return Uint8Array.from(out)
}
type Mutation =
  { kind: 'truncate'; at: number } | { kind: 'change' | 'insert'; at: number; byte: number }

/**
 * Whether the key at byte `at` repeats a top-level key: renamed to one no document has, the
 * parsed document gains a key (JSON.parse keeps only the last of a repeated key).
 */
function repeatsKey(bytes: Uint8Array, at: number): boolean {
  const renamed = concat([...bytes.subarray(0, at + 1)], '\\u0000\\u0001dup', [
    ...bytes.subarray(at + 1),
  ])
  const before = oracle(bytes)
  const after = oracle(renamed)
  return (
    'value' in before &&
    'value' in after &&
    Object.keys(after.value as object).length === Object.keys(before.value as object).length + 1
  )
}

describe('readSlice, property-based', () => {
  it('reassembles what JSON.parse gives, for any budget and window', () => {
    fc.assert(
      fc.property(documents, readings, (bytes, reading) => {
        expect(expectAsJsonParse(bytes, reading)).toHaveProperty('value')
      }),
      { numRuns: 600, seed: 8259 },
    )
  })

  it('refuses a mutated document exactly when JSON.parse does or a key repeats', () => {
    let refused = 0
    let read = 0
    fc.assert(
      fc.property(
        documents,
        fc.array(mutations, { minLength: 1, maxLength: 2 }),
        readings,
        (original, list, reading) => {
          const bytes = mutate(original, list)
          const result = readAll(bytes, reading)
          const expected = oracle(bytes)
          if ('error' in result) {
            refused++
            const at = /^at byte (\d+) \(\$/.exec(result.error)
            expect(at, result.error).not.toBeNull()
            expect(Number(at![1])).toBeLessThanOrEqual(bytes.length)
            if ('value' in expected) {
              expect(result.error).toContain('duplicate key')
              expect(repeatsKey(bytes, Number(at![1]))).toBe(true)
            }
            return
          }
          read++
          if ('error' in expected) throw new Error(`read what JSON.parse refuses`)
          expect(JSON.stringify(result.value)).toBe(JSON.stringify(expected.value))
        },
      ),
      { numRuns: 1500, seed: 7159 },
    )
    // Most mutations break the document; enough of them do not (whitespace, digits, ...).
    expect(refused).toBeGreaterThan(1000)
    expect(read).toBeGreaterThan(40)
  })
})

describe('readSlice', () => {
  it.each([
    ['an array', '[1]', "at byte 0 ($): expected '{': the top level must be an object"],
    ['a string', ' "x"', "at byte 1 ($): expected '{'"],
    ['null', 'null', "at byte 0 ($): expected '{'"],
    ['nothing', '', 'at byte 0 ($): unexpected end of the body'],
    ['whitespace', ' \r\n\t', 'at byte 4 ($): unexpected end of the body'],
    ['trailing bytes', '{"a":1} x', 'at byte 8 ($): bytes after the closing brace'],
    ['a second document', '{}{}', 'at byte 2 ($): bytes after the closing brace'],
    ['a duplicate key', '{"a":1,"a":2}', 'at byte 7 ($): duplicate key "a"'],
    ['a duplicate escaped key', '{"a":[],"\\u0061":{}}', 'at byte 8 ($): duplicate key "a"'],
    ['a missing colon', '{"a" 1}', `at byte 5 ($["a"]): expected ':' after the key`],
    [
      'a missing comma',
      '{"a":1 "b":2}',
      'at byte 5 ($["a"]): invalid JSON: Unexpected non-whitespace',
    ],
    ['a missing comma after an array', '{"a":[] "b":2}', "at byte 8 ($): expected ',' or '}'"],
    ['a trailing comma', '{"a":1,}', 'at byte 7 ($): expected a key (a string)'],
    ['a number key', '{1:2}', 'at byte 1 ($): expected a key (a string)'],
    ['a missing value', '{"a": }', 'at byte 6 ($["a"]): expected a value'],
    ['a bad escape in a key', '{"\\x":1}', 'at byte 1 ($): invalid JSON: Bad escaped character'],
    [
      'a control character in a value',
      '{"a":"\u0001"}',
      'at byte 5 ($["a"]): invalid JSON: Bad control',
    ],
    ['a bad value', '{"a":tru}', 'at byte 5 ($["a"]): invalid JSON: Unexpected end of JSON'],
    ['a bad escape in a value', '{"a":"\\x"}', 'at byte 5 ($["a"]): invalid JSON: Bad escaped'],
    ['a value then a bracket', '{"a":1]', "at byte 6 ($): expected ',' or '}' after a member"],
    ['an unterminated key', '{"a', 'at byte 3 ($): unexpected end of the body'],
    ['an unterminated value', '{"a":"x', 'at byte 7 ($["a"]): unexpected end of the body'],
    ['no closing brace', '{"a":1', 'at byte 6 ($["a"]): unexpected end of the body'],
    ['no closing bracket', '{"a":[1', 'at byte 7 ($["a"][0]): unexpected end of the body'],
    ['an empty element', '{"a":[1,,2]}', 'at byte 8 ($["a"][1]): expected a value'],
    ['a leading comma', '{"a":[,1]}', 'at byte 6 ($["a"][0]): expected a value'],
    ['a trailing comma in an array', '{"a":[1,]}', 'at byte 8 ($["a"][1]): expected a value'],
    ['a brace closing an array', '{"a":[}', 'at byte 6 ($["a"][0]): expected a value'],
    ['a brace after an element', '{"a":[1}', `at byte 7 ($["a"]): expected ',' or ']' after`],
    ['a bad element', '{"a":[1,2,x]}', 'at byte 10 ($["a"][2]): invalid JSON: Unexpected token'],
    [
      'missing comma between elements',
      '{"a":[1 2]}',
      'at byte 6 ($["a"][0]): invalid JSON: Unexpected',
    ],
    ['a BOM after whitespace', ' \uFEFF{}', "at byte 1 ($): expected '{'"],
    ['a BOM in a value', '{"a":\uFEFF1}', 'at byte 5 ($["a"]): invalid JSON: Unexpected token'],
    [
      'a BOM in an array',
      '{"a":[\uFEFF1]}',
      'at byte 6 ($["a"][0]): invalid JSON: Unexpected token',
    ],
  ])('refuses %s', (_, text, message) => {
    // JSON.parse keeps the last of a repeated key; every other case it refuses.
    expect(oracle(encode(text))).toHaveProperty(message.includes('duplicate') ? 'value' : 'error')
    expect(errorOf(text)).toContain(message)
    // The same error whatever the slices.
    expect(errorOf(text, 1)).toContain(message)
  })

  it('names the element of a later slice that does not parse', () => {
    const text = '{"a":[{"k":1}, {"k":2}, {"k":3}, {"k":}]}'
    expect(errorOf(text, 1)).toBe(
      `at byte ${text.indexOf('{"k":}')} ($["a"][3]): ` +
        errorOf('{"x":{"k":}}').replace(/^.*?\): /, ''),
    )
  })

  it.each([
    [
      'an element',
      concat('{"a":["ok", "', [0xc3, 0x28], '"]}'),
      'at byte 14 ($["a"][1]): invalid UTF-8',
    ],
    ['a value', concat('{"a":"x', [0xff], '"}'), 'at byte 7 ($["a"]): invalid UTF-8'],
    ['a key', concat('{"', [0xe2, 0x82], '":1}'), 'at byte 4 ($): invalid UTF-8'],
    ['a value cut at a comma', concat('{"a":1', [0xe2], ',"b":2}'), 'at byte 7 ($["a"]): invalid'],
    ['a truncated body', concat('{"a":"', [0xef, 0xbb]), 'at byte 8 ($["a"]): unexpected end'],
    ['a body of part of a BOM', concat([0xef, 0xbb]), "at byte 0 ($): expected '{'"],
    ['a body starting like a BOM', concat([0xef, 0x7b, 0x7d]), "at byte 0 ($): expected '{'"],
  ])('refuses invalid UTF-8 in %s, naming the byte', (_, bytes, message) => {
    expect(oracle(bytes)).toHaveProperty('error')
    expect(errorOf(bytes)).toContain(message)
    // Flagged as not UTF-8 exactly when it is (a cut body or a missing brace is not).
    const read = readAll(bytes, { budget: Infinity, window: Infinity })
    expect('notUtf8' in read && read.notUtf8).toBe(message.includes(': invalid'))
  })

  it('skips a BOM at byte 0, read whole or a byte at a time', () => {
    const bytes = concat([0xef, 0xbb, 0xbf], '{"a":[1]}')
    for (const window of [Infinity, 1])
      expect(readAll(bytes, { budget: 1, window })).toMatchObject({ value: { a: [1] } })
  })

  it.each([
    [
      'escapes around brackets and commas',
      String.raw`{"a\"]":["\"],[\\", "\u005d,{", {"k\\":"}\",{"}], "b":"\"}"}`,
    ],
    ['empty arrays and objects', '{"a":[],"b":[[],{}],"c":{},"d":[{}],"e":""}'],
    ['nested arrays of objects', '{"a":[{"b":[{"c":1},{"d":2}]},{"b":[{"c":3}]},[{"x":[]}]]}'],
    ['mixed elements', '{"a":[1, "s", {"o":1}, [2], true, null, -0.5e3, "t", {"p":[]}]}'],
    ['strings ending in escaped quotes', '{"a":["x\\"", "y\\\\", "\\"", ""]}'],
    ['a key "__proto__"', '{"__proto__":[1],"constructor":{"a":1}}'],
    ['an integer-like key after others', '{"b":1,"1":[2],"a":3}'],
    ['non-ASCII', '{"é":["ü", "😀", {"ß":"€"}], "ключ":"значение"}'],
    [
      'whitespace of every kind',
      ' \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, 2 ] \t\r\n} \r\n',
    ],
    ['the empty object', '{}'],
  ])('reads %s as JSON.parse does, in any slices', (_, text) => {
    const bytes = encode(text)
    for (const budget of [1, 2, 7, Infinity])
      for (const window of [Infinity, 1, 3, 16]) {
        expectAsJsonParse(bytes, { budget, window })
        expectAsJsonParse(bytes, { budget, window, aligned: true })
      }
  })

  it('lists an empty array among the arrays, with no run', () => {
    const read = readSlice(encode('{"a":[],"b":[1]}'), 0, FIRST_SLICE, Infinity, true)
    expect(read).toEqual({
      values: [],
      arrays: ['a', 'b'],
      runs: [{ key: 'b', first: 0, elements: [1] }],
      next: { offset: 16, array: null, index: 0, keys: ['a', 'b'], done: true },
    })
  })

  it('reads a slice from a stored state and stops at an element boundary past the budget', () => {
    const bytes = encode('{"n":1,"a":[10, 20, 30],"s":"x"}')
    let read = readSlice(bytes, 0, FIRST_SLICE, 12, true)
    expect(read).toEqual({
      values: [['n', 1]],
      arrays: ['a'],
      runs: [],
      next: { offset: 12, array: 'a', index: 0, keys: ['n', 'a'], done: false },
    })
    if (!('next' in read)) throw new Error('no read')
    // From byte 12 with 3 bytes to read: the first boundary at or after byte 15 is 18.
    const state = JSON.parse(JSON.stringify(read.next)) as SliceState
    read = readSlice(bytes.subarray(10), 10, state, 3, false)
    expect(read).toEqual({
      values: [],
      arrays: [],
      runs: [{ key: 'a', first: 0, elements: [10, 20] }],
      next: { offset: 18, array: 'a', index: 2, keys: ['n', 'a'], done: false },
    })
    if (!('next' in read)) throw new Error('no read')
    expect(readSlice(bytes.subarray(18), 18, read.next, 100, true)).toEqual({
      values: [['s', 'x']],
      arrays: [],
      runs: [{ key: 'a', first: 2, elements: [30] }],
      next: { offset: 32, array: null, index: 0, keys: ['n', 'a', 's'], done: true },
    })
  })

  it('asks for a bigger window when an element does not fit, and reads it then', () => {
    const element = JSON.stringify({ big: 'x'.repeat(1000) })
    const bytes = encode(`{"a":[1, ${element}]}`)
    const state: SliceState = { offset: 7, array: 'a', index: 1, keys: ['a'], done: false }
    // A comma, then part of the element: nothing to read yet.
    expect(readSlice(bytes.subarray(7, 500), 7, state, 1, false)).toEqual({ more: true })
    expect(readSlice(bytes.subarray(0, 500), 0, state, 1, false)).toEqual({ more: true })
    expect(readSlice(bytes, 0, state, 1, true)).toMatchObject({
      runs: [{ key: 'a', first: 1, elements: [JSON.parse(element)] }],
      next: { offset: bytes.length - 2, index: 2 },
    })
    // What was read before the window ended is returned; the next call asks for more.
    const read = readSlice(bytes.subarray(0, 500), 0, FIRST_SLICE, Infinity, false)
    expect(read).toMatchObject({ runs: [{ key: 'a', first: 0, elements: [1] }] })
  })

  it('waits for the end of the body to finish after the closing brace', () => {
    const bytes = encode('{}  ')
    expect(readSlice(bytes.subarray(0, 3), 0, FIRST_SLICE, 1, false)).toMatchObject({
      next: { offset: 1, done: false },
    })
    const opened: SliceState = { ...FIRST_SLICE, offset: 1 }
    expect(readSlice(bytes.subarray(0, 3), 0, opened, 1, false)).toEqual({ more: true })
    expect(readSlice(bytes.subarray(1), 1, opened, 1, true)).toMatchObject({
      next: { offset: 4, done: true },
    })
    expect(readSlice(encode('\uFEFF{}').subarray(0, 2), 0, FIRST_SLICE, 1, false)).toEqual({
      more: true,
    })
  })

  it('reads nothing more once done', () => {
    const done: SliceState = { offset: 2, array: null, index: 0, keys: [], done: true }
    expect(readSlice(encode('{}'), 0, done, 10, true)).toEqual({
      values: [],
      arrays: [],
      runs: [],
      next: done,
    })
  })

  it.each([
    ['starts after the state', 3, 2],
    ['ends before it', 0, 10],
  ])('throws ERR_SLICE_WINDOW for a window that %s', (_, windowStart, offset) => {
    const state: SliceState = { ...FIRST_SLICE, offset }
    expect(() => readSlice(encode('{"a":1}'), windowStart, state, 1, true)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_SLICE_WINDOW' }) as Error,
    )
  })

  describe('on arrays and values bigger than a chunk', () => {
    const objects = Array.from({ length: 4000 }, (_, i) => ({ i, s: `v${i}`, n: [i, { d: i }] }))
    const strings = Array.from({ length: 9000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
    const numbers = Array.from({ length: 20_000 }, (_, i) => i * 7)
    const document = {
      head: { nested: [1, 2, 3] },
      objects,
      strings,
      numbers,
      arrays: numbers.slice(0, 3000).map((n) => [n, [n]]),
      // Elements bigger than a chunk, and than a guess reaches (256 KiB), between small ones.
      large: [{ a: 1 }, { big: 'y'.repeat(80_000) }, { big: 'z'.repeat(300_000) }, { b: 2 }],
      // 4-byte characters across chunk boundaries: one ends 3 bytes past a boundary.
      emoji: '😀'.repeat(20_000),
      accents: ['é'.repeat(40_000), 'x'],
    }

    it.each([
      ['compact', JSON.stringify(document)],
      ['indented', JSON.stringify(document, null, 2)],
    ])('reads the %s document in big and small slices', (_, text) => {
      const bytes = encode(text)
      for (const budget of [Infinity, 300_000, 20_000, 500])
        expectAsJsonParse(bytes, { budget, window: Infinity })
      expectAsJsonParse(bytes, { budget: 50_000, window: 10_000, aligned: true })
    })

    it('names the element in a long run that does not parse', () => {
      const text = JSON.stringify({ a: objects }).replace('{"i":3999,', '{"i":3999,,')
      const at = text.indexOf('{"i":3999,')
      expect(errorOf(text)).toMatch(new RegExp(`^at byte ${at} \\(\\$\\["a"\\]\\[3999\\]\\): `))
    })

    it('names the byte of invalid UTF-8 deep in a long run', () => {
      const text = JSON.stringify({ a: strings })
      const at = text.indexOf('10.30.7.0')
      const bytes = encode(text)
      bytes[at + 3] = 0xff
      expect(errorOf(bytes)).toBe(`at byte ${at + 3} ($["a"][7687]): invalid UTF-8`)
    })
  })
})
