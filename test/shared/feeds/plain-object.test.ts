/**
 * Tests of readPlainObject (plain-object.ts), the byte reader of a body that is one JSON object,
 * against JSON.parse as the oracle: on GitHub's real meta documents and Firezone's real
 * relay-ips.json in both its layouts, on fast-check documents (objects of plain and other arrays,
 * numbers, literals and nested values, with any JSON whitespace and a BOM; any JSON value; random
 * byte edits of them) and on a table of edge cases. When it gives a result, the keys must be
 * Object.keys of what JSON.parse gives and the arrays exactly its values that are arrays of strings
 * matching normalise.ts's PLAIN, joined by newlines; when it gives nothing, the document must be
 * one JSON.parse refuses or one its module doc lets it leave (an escape, a byte outside printable
 * ASCII, a top-level key twice or of digits alone, nesting MAX_DEPTH levels deep).
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PLAIN } from '../../../shared/src/feeds/normalise.ts'
import { MAX_DEPTH, readPlainObject } from '../../../shared/src/feeds/plain-object.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)
const strict = new TextDecoder('utf-8', { fatal: true })

/** A result as plain data: the keys, and each array's lines as text, in the document's order. */
interface Expected {
  keys: string[]
  arrays: [string, { lines: string; count: number }][]
}

/**
 * What readPlainObject must give for `bytes`: undefined unless they decode strictly as UTF-8 (a
 * BOM dropped) and JSON.parse gives an object that is not null or an array; else its keys, and
 * its values that are arrays of strings all matching PLAIN, joined by newlines.
 */
function oracle(bytes: Uint8Array): Expected | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(strict.decode(bytes))
  } catch {
    return undefined
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined
  const arrays: Expected['arrays'] = []
  for (const [key, value] of Object.entries(doc))
    if (Array.isArray(value) && value.every((s) => typeof s === 'string' && PLAIN.test(s)))
      arrays.push([key, { lines: (value as string[]).join('\n'), count: value.length }])
  return { keys: Object.keys(doc), arrays }
}

/** readPlainObject's result as plain data, its lines written into fresh memory of the size asked. */
function read(bytes: Uint8Array): Expected | undefined {
  const got = readPlainObject(bytes, (size) => new Uint8Array(size))
  return (
    got && {
      keys: [...got.keys],
      arrays: [...got.arrays].map(([key, { lines, count }]) => [
        key,
        { lines: strict.decode(lines), count },
      ]),
    }
  )
}

/**
 * The keys of the top-level object of valid JSON `text`, in order (duplicates kept), and how deep
 * its deepest object or array is counted as the reader does: the top-level object 0, a value
 * directly under it 1. An independent scan of the text: strings skipped with their escapes.
 */
function shape(text: string): { keys: string[]; depth: number } {
  const keys: string[] = []
  let level = 0
  let deepest = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      const start = i
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++
      let next = i + 1
      while (/^[ \t\r\n]$/.test(text[next] ?? '')) next++
      if (level === 1 && text[next] === ':')
        keys.push(JSON.parse(text.slice(start, i + 1)) as string)
    } else if (c === '{' || c === '[') deepest = Math.max(deepest, ++level)
    else if (c === '}' || c === ']') level--
  }
  return { keys, depth: deepest - 1 }
}

/**
 * Whether readPlainObject may leave valid JSON `text` (one object, its BOM dropped) to JSON.parse,
 * by its module doc: a backslash, a character outside printable ASCII but JSON's whitespace, a
 * top-level key twice or of digits alone, or an object or array MAX_DEPTH levels deep.
 */
function mayFallBack(text: string): boolean {
  if (text.includes('\\') || /[^\x20-\x7e \t\r\n]/.test(text)) return true
  const { keys, depth } = shape(text)
  return (
    new Set(keys).size !== keys.length || keys.some((k) => /^\d+$/.test(k)) || depth >= MAX_DEPTH
  )
}

/**
 * The promise for any bytes: a result equals the oracle's; no result only where the oracle gives
 * none or the document is one the reader may leave. Returns the result.
 */
function check(bytes: Uint8Array): Expected | undefined {
  const got = read(bytes)
  const expected = oracle(bytes)
  if (got !== undefined) expect(got).toEqual(expected)
  else if (expected !== undefined) expect(mayFallBack(strict.decode(bytes))).toBe(true)
  return got
}

// -- Generated documents --------------------------------------------------------------------

/** A node of a generated document: a JSON token's text, an array, or an object's entries. */
type Node = string | Node[] | { entries: [string, Node][] }

/** A string PLAIN takes: hex digits, dots and colons, then maybe a slash and 1 to 3 digits. */
const plain = fc.stringMatching(/^[0-9A-Fa-f.:]{1,12}(?:\/[0-9]{1,3})?$/)
/** Printable ASCII but the quote and the backslash: what JSON.stringify writes without an escape. */
const printable = fc
  .integer({ min: 0x20, max: 0x7e })
  .filter((c) => c !== 0x22 && c !== 0x5c)
  .map((c) => String.fromCharCode(c))
const ascii = fc.string({ unit: printable, maxLength: 10 })
/** A top-level key the reader reads: escape-free printable ASCII, not digits alone. */
const topKey = fc.oneof(
  { arbitrary: ascii.filter((k) => !/^\d+$/.test(k)), weight: 8 },
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', ''), weight: 1 },
)
/** A nested key: anything escape-free, digits alone and repeats included (JSON.parse's to order). */
const nestedKey = fc.oneof(ascii, fc.constantFrom('a', '0', '1', '__proto__'))
const number = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.stringMatching(/^-?(?:0|[1-9][0-9]{0,5})(?:\.[0-9]{1,4})?(?:[eE][+-]?[0-9]{1,3})?$/),
)
const literal = fc.constantFrom('true', 'false', 'null')
const string = fc.oneof(plain, ascii).map((s) => JSON.stringify(s))
const leaf = fc.oneof(string, number, literal)
const plainArray = fc.array(
  plain.map((s) => JSON.stringify(s)),
  { maxLength: 10 },
)
const mixedArray = fc.array(string, { minLength: 1, maxLength: 8 })
const { nested } = fc.letrec<{ nested: Node }>((tie) => ({
  nested: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'nested' },
    leaf,
    fc.array(tie('nested'), { maxLength: 4 }),
    fc.array(fc.tuple(nestedKey, tie('nested')), { maxLength: 4 }).map((entries) => ({ entries })),
  ),
}))
const topValue: fc.Arbitrary<Node> = fc.oneof(plainArray, mixedArray, leaf, nested)
/** A top-level object: distinct keys the reader reads, in order. */
const topEntries = fc.uniqueArray(fc.tuple(topKey, topValue), {
  selector: ([key]) => key,
  maxLength: 8,
})
const space = fc.stringMatching(/^[ \t\r\n]{0,3}$/)

/** `node` as JSON, with whitespace from `gaps` (taken in turn) between every two tokens. */
function serialise(node: Node, gaps: readonly string[]): string {
  let turn = 0
  const gap = () => (gaps.length === 0 ? '' : gaps[turn++ % gaps.length]!)
  const list = (open: string, parts: string[], close: string) =>
    parts.length === 0
      ? `${open}${gap()}${close}`
      : `${open}${parts.map((part) => `${gap()}${part}${gap()}`).join(',')}${close}`
  const write = (n: Node): string =>
    typeof n === 'string'
      ? n
      : Array.isArray(n)
        ? list('[', n.map(write), ']')
        : list(
            '{',
            n.entries.map(
              ([key, value]) => `${JSON.stringify(key)}${gap()}:${gap()}${write(value)}`,
            ),
            '}',
          )
  return `${gap()}${write(node)}${gap()}`
}

/** A document the reader reads whole: a top-level object, spaced, maybe after a BOM. */
const document = fc
  .record({ entries: topEntries, gaps: fc.array(space, { maxLength: 6 }), bom: fc.boolean() })
  .map(({ entries, gaps, bom }) => ({
    keys: entries.map(([key]) => key),
    text: `${bom ? '\ufeff' : ''}${serialise({ entries }, gaps)}`,
  }))

describe('readPlainObject', () => {
  it.skipIf(!HAVE_FIXTURES)(
    "reads GitHub's real meta documents as JSON.parse does: every address list as lines, ssh_keys and the objects not",
    () => {
      const lists = [
        'hooks',
        'web',
        'api',
        'git',
        'github_enterprise_importer',
        'packages',
        'pages',
        'importer',
        'actions',
        'actions_macos',
        'codespaces',
        'copilot',
      ]
      for (const date of ['2026-02-05', '2026-02-23', '2026-03-03']) {
        const bytes = readFileSync(fixturePath(`feeds/github/meta.${date}.json`))
        const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
        const got = readPlainObject(bytes, (size) => new Uint8Array(size))
        expect(got, date).toBeDefined()
        expect(got!.keys).toEqual(Object.keys(doc))
        expect([...got!.arrays.keys()]).toEqual(lists)
        for (const key of lists) {
          const strings = doc[key] as string[]
          const lines = got!.arrays.get(key)!
          expect(strict.decode(lines.lines), `${date} ${key}`).toBe(strings.join('\n'))
          expect(lines.count).toBe(strings.length)
        }
        expect(got!.arrays.get('actions')!.count).toBeGreaterThan(5000)
        // ssh_keys is an array of strings that are not addresses; the other two are objects.
        expect(Array.isArray(doc.ssh_keys)).toBe(true)
        for (const key of ['ssh_keys', 'domains', 'ssh_key_fingerprints'])
          expect(got!.arrays.has(key), key).toBe(false)
        expect(read(bytes)).toEqual(oracle(bytes))
      }
    },
  )

  it.skipIf(!HAVE_FIXTURES)(
    "leaves Firezone's real relay-ips.json of 2025 (an array), and reads its 2024 layout (an object of regions' objects) as keys alone",
    () => {
      const flat = readFileSync(fixturePath('feeds/firezone/relay-ips.2025-10-16.json'))
      expect(Array.isArray(JSON.parse(flat.toString('utf8')))).toBe(true)
      let taken = 0
      expect(readPlainObject(flat, (size) => new Uint8Array((taken = size)))).toBeUndefined()
      expect(taken).toBe(0)

      const byRegion = readFileSync(fixturePath('feeds/firezone/relay-ips.2024-06-10.json'))
      const doc = JSON.parse(byRegion.toString('utf8')) as Record<string, Record<string, unknown>>
      // Each region is an object of address arrays ({"ipv4": [...], ...}): nothing at the top.
      expect(Object.keys(doc).length).toBeGreaterThan(5)
      for (const region of Object.values(doc)) {
        expect(Array.isArray(region)).toBe(false)
        expect(Object.values(region).some(Array.isArray)).toBe(true)
      }
      const got = readPlainObject(byRegion, (size) => new Uint8Array(size))
      expect(got!.keys).toEqual(Object.keys(doc))
      expect(got!.arrays.size).toBe(0)
      expect(read(byRegion)).toEqual(oracle(byRegion))
    },
  )

  it('reads any object of plain arrays, other arrays, numbers, literals and nested values, with any whitespace and a BOM, as JSON.parse does', () => {
    fc.assert(
      fc.property(document, ({ keys, text }) => {
        const bytes = utf8(text)
        const expected = oracle(bytes)
        expect(expected?.keys).toEqual(keys)
        expect(read(bytes)).toEqual(expected)
      }),
      { numRuns: 1000 },
    )
  })

  it('gives what JSON.parse gives, or nothing where it may, for any JSON value and any object', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.jsonValue({ stringUnit: 'grapheme-ascii' }),
          fc.object({ maxDepth: 3 }),
          fc.dictionary(fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), fc.jsonValue()),
        ),
        (value) => {
          check(utf8(JSON.stringify(value) ?? 'undefined'))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('gives what JSON.parse gives, or nothing where it may, after any byte of a document is changed', () => {
    fc.assert(
      fc.property(document, fc.nat(), fc.integer({ min: 0, max: 255 }), ({ text }, at, byte) => {
        const bytes = utf8(text)
        bytes[at % bytes.length] = byte
        check(bytes)
      }),
      { numRuns: 1000 },
    )
  })

  it.each([
    // [name, text, read by readPlainObject, parsed by JSON.parse]
    ['an empty object', '{}', true, true],
    ['an empty object with whitespace', ' { } ', true, true],
    ['an empty array', '{"a":[]}', true, true],
    ['trailing whitespace of every kind', '{"a":[]} \t\r\n', true, true],
    ['a BOM', '\ufeff{"a":["192.0.2.0/24"]}', true, true],
    ['an empty key', '{"":1}', true, true],
    ['a key of digits and a letter', '{"0a":["10.0.0.0/8"]}', true, true],
    ['__proto__ as a key', '{"__proto__":["10.0.0.0/8"],"b":{"__proto__":1}}', true, true],
    ['a number in every form', '{"a":-0.5e+3,"b":1E5,"c":1e-5,"d":0,"e":-0,"f":12.25}', true, true],
    ['literals', '{"a":true,"b":false,"c":null,"d":[true,false,null]}', true, true],
    [
      'nested objects, their keys repeated or digits',
      '{"a":{"b":[1,{"c":null}],"b":{},"1":0}}',
      true,
      true,
    ],
    [
      'a plain array beside others',
      '{"a":["10.0.0.1", 1],"b":[" 10.0.0.1"],"c":["::1/128"]}',
      true,
      true,
    ],
    ['a printable string', '{"a":" !#$%&\'()*+,-./09:;<=>?@AZ[]^_`az{|}~"}', true, true],
    ['nothing', '', false, false],
    ['only whitespace', ' \n', false, false],
    ['an array', '["192.0.2.0/24"]', false, true],
    ['null', 'null', false, true],
    ['a string', '"a"', false, true],
    ['a trailing comma', '{"a":[],}', false, false],
    ['a missing colon', '{"a" []}', false, false],
    ['a missing comma', '{"a":1 "b":2}', false, false],
    ['an unquoted key', '{a:1}', false, false],
    ['an unclosed key', '{"a', false, false],
    ['a key twice', '{"a":1,"a":2}', false, true],
    ['a key of digits alone', '{"1":["10.0.0.0/8"]}', false, true],
    ['a key of digits with a leading zero', '{"01":1}', false, true],
    ['an escape', '{"a":"\\u0041"}', false, true],
    ['an escape in a key', '{"\\u0061":1}', false, true],
    ['an escaped slash in an address', '{"a":["10.0.0.0\\/8"]}', false, true],
    ['a leading zero', '{"a":01}', false, false],
    ['a minus alone', '{"a":-}', false, false],
    ['a plus', '{"a":+1}', false, false],
    ['a leading dot', '{"a":.5}', false, false],
    ['a trailing dot', '{"a":1.}', false, false],
    ['an exponent without digits', '{"a":1e}', false, false],
    ['an exponent sign without digits', '{"a":1e+}', false, false],
    ['a cut literal', '{"a":tru}', false, false],
    ['a literal run on', '{"a":truex}', false, false],
    ['bytes after the object', '{"a":true} x', false, false],
    ['a second object', '{}{}', false, false],
    ['an unclosed array', '{"a":[', false, false],
    ['an unclosed object', '{"a":1', false, false],
    ['an unclosed string', '{"a":"x', false, false],
    ['a nested missing colon', '{"a":{"b" 1}}', false, false],
    ['a nested unquoted key', '{"a":{b:1}}', false, false],
    ['a nested missing comma', '{"a":[1 2]}', false, false],
    ['a nested trailing comma', '{"a":[1,]}', false, false],
    ['a nested mismatched bracket', '{"a":[1}}', false, false],
    ['a raw tab in a string', '{"a":"\t"}', false, false],
    ['a raw tab in a key', '{"\t":1}', false, false],
    ['a DEL in a string (JSON.parse reads it)', '{"a":"\x7f"}', false, true],
    ['a character outside ASCII', '{"a":"é"}', false, true],
    ['a no-break space as whitespace', '{\u00a0}', false, false],
  ])('%s', (_name, text, reads, parses) => {
    const bytes = utf8(text)
    let parsed = true
    try {
      JSON.parse(strict.decode(bytes))
    } catch {
      parsed = false
    }
    expect(parsed).toBe(parses)
    const got = check(bytes)
    expect(got !== undefined).toBe(reads)
  })

  it('reads an empty array as no lines', () => {
    const got = readPlainObject(utf8('{"a":[]}'), (size) => new Uint8Array(size))
    expect(got!.keys).toEqual(['a'])
    expect(got!.arrays.get('a')!.count).toBe(0)
    expect(got!.arrays.get('a')!.lines.length).toBe(0)
  })

  it('gives __proto__ as a key, as JSON.parse does', () => {
    const text = '{"a":1,"__proto__":["10.0.0.0/8"]}'
    const got = readPlainObject(utf8(text), (size) => new Uint8Array(size))
    expect(got!.keys).toEqual(Object.keys(JSON.parse(text) as object))
    expect(got!.keys).toEqual(['a', '__proto__'])
    expect(strict.decode(got!.arrays.get('__proto__')!.lines)).toBe('10.0.0.0/8')
  })

  it.each([
    ['arrays', (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`],
    ['objects', (n: number) => `{"a":${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}}`],
  ])(
    'reads %s nested MAX_DEPTH - 1 deep under the top-level object, and leaves MAX_DEPTH',
    (_name, nest) => {
      // The top-level object is depth 0 and a value directly under it is read at depth 1: a
      // container at depth MAX_DEPTH is refused, so n nested containers are read for n < MAX_DEPTH.
      expect(MAX_DEPTH).toBe(64)
      const deepest = nest(MAX_DEPTH - 1)
      const tooDeep = nest(MAX_DEPTH)
      expect(shape(deepest).depth).toBe(MAX_DEPTH - 1)
      expect(shape(tooDeep).depth).toBe(MAX_DEPTH)
      expect(() => JSON.parse(deepest) as unknown).not.toThrow()
      expect(() => JSON.parse(tooDeep) as unknown).not.toThrow()
      expect(check(utf8(deepest))).toEqual({ keys: ['a'], arrays: [] })
      expect(check(utf8(tooDeep))).toBeUndefined()
      // Deeper still, and a deep value after the first key, likewise.
      expect(check(utf8(nest(MAX_DEPTH + 5)))).toBeUndefined()
      expect(check(utf8(`{"b":1,${nest(MAX_DEPTH).slice(1)}`))).toBeUndefined()
    },
  )

  it('writes every array into the one buffer take gives (asked once, for the body length), each in its own place', () => {
    const doc = {
      a: ['10.0.0.0/8', '::1', 'fe80::/10'],
      x: 1,
      b: [],
      c: ['192.0.2.0/24'],
      d: ['192.0.2.1', 'not an address'],
      e: ['2001:db8::/32', '198.51.100.7'],
      f: { g: ['10.0.0.1'] },
      h: ['203.0.113.0/24'],
    }
    const bytes = utf8(JSON.stringify(doc, null, 1))
    const sizes: number[] = []
    let given = new Uint8Array(0)
    const got = readPlainObject(bytes, (size) => {
      sizes.push(size)
      // Memory past both ends of what is given, to see nothing is written outside it.
      const memory = new Uint8Array(size + 32).fill(0xaa)
      given = memory.subarray(16, 16 + size)
      return given
    })
    expect(sizes).toEqual([bytes.length])
    expect(got!.keys).toEqual(Object.keys(doc))
    expect([...got!.arrays.keys()]).toEqual(['a', 'b', 'c', 'e', 'h'])
    const spans: [number, number][] = []
    for (const [key, { lines, count }] of got!.arrays) {
      const strings = doc[key as keyof typeof doc] as string[]
      expect(lines.buffer).toBe(given.buffer)
      expect(lines.byteOffset).toBeGreaterThanOrEqual(given.byteOffset)
      expect(lines.byteOffset + lines.length).toBeLessThanOrEqual(given.byteOffset + given.length)
      expect(strict.decode(lines), key).toBe(strings.join('\n'))
      expect(count).toBe(strings.length)
      spans.push([lines.byteOffset, lines.byteOffset + lines.length])
    }
    // In the document's order, each after the one before: none overlaps another.
    for (let k = 1; k < spans.length; k++)
      expect(spans[k]![0]).toBeGreaterThanOrEqual(spans[k - 1]![1])
    const memory = new Uint8Array(given.buffer)
    expect(memory.subarray(0, 16).every((b) => b === 0xaa)).toBe(true)
    expect(memory.subarray(16 + bytes.length).every((b) => b === 0xaa)).toBe(true)
  })

  it('asks take for nothing when the body is not an object', () => {
    for (const text of ['', '[]', ' "a"', 'null', '\ufeff[{}]']) {
      let asked = false
      const got = readPlainObject(utf8(text), (size) => {
        asked = true
        return new Uint8Array(size)
      })
      expect(got).toBeUndefined()
      expect(asked).toBe(false)
    }
  })
})
