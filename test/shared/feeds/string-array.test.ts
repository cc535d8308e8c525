/**
 * Tests of the byte readers of a JSON array of strings (string-array.ts), against JSON.parse as
 * the oracle: on Firezone's real relay-ips.json in both its layouts, and on fast-check documents,
 * arrays of any strings with any JSON whitespace, and random byte edits of them. readStringArray
 * must give exactly what JSON.parse gives when that is an array of strings, and nothing otherwise;
 * readPlainLines the same strings joined by newlines when each also matches normalise.ts's PLAIN,
 * and nothing for any other document (it may leave one that has an escape to readStringArray).
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PLAIN } from '../../../shared/src/feeds/normalise.ts'
import { readPlainLines, readStringArray } from '../../../shared/src/feeds/string-array.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)

/** What the reader must give for `bytes`: JSON.parse's array of strings, or undefined. */
function oracle(bytes: Uint8Array): string[] | undefined {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}

const space = fc.stringMatching(/^[ \t\r\n]{0,3}$/)

/** An array of `strings` as JSON, with JSON whitespace of `gaps` around every token. */
function spaced(strings: readonly string[], gaps: readonly string[]): string {
  const gap = (i: number) => gaps[i % Math.max(1, gaps.length)] ?? ''
  return `${gap(0)}[${strings.map((s, i) => `${gap(i + 1)}${JSON.stringify(s)}${gap(i + 2)}`).join(',')}]${gap(1)}`
}

describe('readStringArray', () => {
  it.skipIf(!HAVE_FIXTURES)(
    "reads Firezone's real relay-ips.json (2025: 0.29 MB, a run of elements at a time) as JSON.parse does, and leaves its 2024 layout to it",
    () => {
      const flat = readFileSync(fixturePath('feeds/firezone/relay-ips.2025-10-16.json'))
      const read = readStringArray(flat)
      expect(read).toEqual(JSON.parse(flat.toString('utf8')))
      expect(read!.length).toBeGreaterThan(10_000)
      const byRegion = readFileSync(fixturePath('feeds/firezone/relay-ips.2024-06-10.json'))
      expect(readStringArray(byRegion)).toBeUndefined()
    },
  )

  it('reads any array of strings, with any whitespace, as JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 40 }),
        fc.array(space, { maxLength: 5 }),
        fc.boolean(),
        (strings, gaps, bom) => {
          const text = `${bom ? '\ufeff' : ''}${spaced(strings, gaps)}`
          expect(readStringArray(utf8(text))).toEqual(strings)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('reads arrays of several runs whole, escapes and characters across the runs', () => {
    const strings = Array.from({ length: 9000 }, (_, i) =>
      i % 7 === 0 ? `"\\\u00e9😀${i}` : `10.${i >> 8}.${i & 255}.0/24`,
    )
    const bytes = utf8(spaced(strings, [' ', '\n\t', '']))
    expect(bytes.length).toBeGreaterThan(4 * 32 * 1024)
    expect(readStringArray(bytes)).toEqual(strings)
  })

  it('reads a string longer than a run', () => {
    const strings = ['a', 'b'.repeat(100_000), 'c']
    expect(readStringArray(utf8(JSON.stringify(strings)))).toEqual(strings)
  })

  it('gives what JSON.parse gives, or nothing, for any JSON document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = utf8(JSON.stringify(value))
        expect(readStringArray(bytes)).toEqual(oracle(bytes))
      }),
      { numRuns: 500 },
    )
  })

  it('gives what JSON.parse gives, or nothing, after any byte of an array is changed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (strings, at, byte) => {
          const bytes = utf8(spaced(strings, [' ']))
          bytes[at % bytes.length] = byte
          expect(readStringArray(bytes)).toEqual(oracle(bytes))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it.each([
    ['an empty array', '[]', []],
    ['an empty array with whitespace', ' [ \n ] ', []],
    ['a trailing comma', '["a",]', undefined],
    ['a missing comma', '["a" "b"]', undefined],
    ['an unclosed array', '["a"', undefined],
    ['an unclosed string', '["a', undefined],
    ['bytes after the array', '["a"] x', undefined],
    ['a bad escape', '["\\x"]', undefined],
    ['a raw control character', '["a\u0001"]', undefined],
    ['nothing', '', undefined],
  ])('%s', (_name, text, expected) => {
    expect(readStringArray(utf8(text))).toEqual(expected)
  })

  it('refuses bytes that are not UTF-8 inside a string', () => {
    expect(readStringArray(new Uint8Array([...utf8('["a'), 0xff, ...utf8('"]')]))).toBeUndefined()
  })
})

/** What readPlainLines must give for `bytes`: JSON.parse's plain strings, joined, or undefined. */
function plainOracle(bytes: Uint8Array) {
  const strings = oracle(bytes)
  if (strings === undefined || !strings.every((s) => PLAIN.test(s))) return undefined
  return { lines: strings.join('\n'), count: strings.length }
}

/** readPlainLines' result with its lines as text, into fresh memory of exactly the size asked. */
function plainLines(bytes: Uint8Array) {
  const read = readPlainLines(bytes, (size) => new Uint8Array(size))
  return read && { lines: new TextDecoder().decode(read.lines), count: read.count }
}

/** A string PLAIN takes: hex digits, dots and colons, then maybe a slash and 1 to 3 digits. */
const plain = fc.stringMatching(/^[0-9A-Fa-f.:]{1,12}(?:\/[0-9]{1,3})?$/)

describe('readPlainLines', () => {
  it.skipIf(!HAVE_FIXTURES)(
    "reads Firezone's real relay-ips.json (2025) as its strings joined by newlines, and leaves its 2024 layout",
    () => {
      const flat = readFileSync(fixturePath('feeds/firezone/relay-ips.2025-10-16.json'))
      const strings = JSON.parse(flat.toString('utf8')) as string[]
      expect(plainLines(flat)).toEqual({ lines: strings.join('\n'), count: strings.length })
      expect(strings.length).toBeGreaterThan(10_000)
      const byRegion = readFileSync(fixturePath('feeds/firezone/relay-ips.2024-06-10.json'))
      expect(plainLines(byRegion)).toBeUndefined()
    },
  )

  it('reads any array of plain strings, with any whitespace, and a BOM', () => {
    fc.assert(
      fc.property(
        fc.array(plain, { maxLength: 40 }),
        fc.array(space, { maxLength: 5 }),
        fc.boolean(),
        (strings, gaps, bom) => {
          const text = `${bom ? '\ufeff' : ''}${spaced(strings, gaps)}`
          expect(plainLines(utf8(text))).toEqual({
            lines: strings.join('\n'),
            count: strings.length,
          })
        },
      ),
      { numRuns: 500 },
    )
  })

  it('gives exactly what the oracle gives for arrays of plain and other strings, and any JSON document', () => {
    const mixed = fc.array(fc.oneof(plain, fc.string({ unit: 'binary', maxLength: 8 })), {
      maxLength: 12,
    })
    fc.assert(
      fc.property(
        fc.oneof(mixed, fc.jsonValue()),
        fc.array(space, { maxLength: 3 }),
        (value, gaps) => {
          const bytes = utf8(
            Array.isArray(value) && value.every((v) => typeof v === 'string')
              ? spaced(value as string[], gaps)
              : JSON.stringify(value),
          )
          // JSON.stringify escapes no byte a plain string holds: no escape to leave to readStringArray.
          expect(plainLines(bytes)).toEqual(plainOracle(bytes))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('after any byte of a plain array is changed, gives the oracle, or nothing where an escape is', () => {
    fc.assert(
      fc.property(
        fc.array(plain, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (strings, at, byte) => {
          const bytes = utf8(spaced(strings, [' ']))
          bytes[at % bytes.length] = byte
          const read = plainLines(bytes)
          if (read !== undefined || !bytes.includes(0x5c)) expect(read).toEqual(plainOracle(bytes))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it.each([
    ['an empty array', ' [ \n ] ', ''],
    ['a CIDR', '["192.0.2.0/24"]', '192.0.2.0/24'],
    ['IPv6 with a zone id', '["fe80::1%eth0"]', undefined],
    ['an empty string', '["", "192.0.2.1"]', undefined],
    ['a slash without digits', '["192.0.2.0/"]', undefined],
    ['four prefix digits', '["192.0.2.0/0024"]', undefined],
    ['two slashes', '["192.0.2.0/24/24"]', undefined],
    ['a slash first', '["/24"]', undefined],
    ['a space inside', '["192.0.2.0 /24"]', undefined],
    [
      'an escaped slash (JSON.parse reads it; left to readStringArray)',
      '["192.0.2.0\\/24"]',
      undefined,
    ],
    ['a trailing comma', '["192.0.2.1",]', undefined],
    ['a missing comma', '["192.0.2.1" "192.0.2.2"]', undefined],
    ['an unclosed array', '["192.0.2.1"', undefined],
    ['an unclosed string', '["192.0.2.1', undefined],
    ['bytes after the array', '["192.0.2.1"] x', undefined],
    ['a number', '[1]', undefined],
    ['an object', '{"a": ["192.0.2.1"]}', undefined],
    ['nothing', '', undefined],
  ])('%s', (_name, text, expected) => {
    const read = plainLines(utf8(text))
    expect(read?.lines).toEqual(expected)
    if (expected !== undefined) expect(read!.count).toBe((JSON.parse(text) as string[]).length)
  })
})
