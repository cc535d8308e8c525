/**
 * Tests of the byte reader of a JSON array of strings (string-array.ts), against JSON.parse as
 * the oracle: on Firezone's real relay-ips.json in both its layouts, and on fast-check documents,
 * arrays of any strings with any JSON whitespace, and random byte edits of them. The reader must
 * give exactly what JSON.parse gives when that is an array of strings, and nothing otherwise.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readStringArray } from '../../../shared/src/feeds/string-array.ts'
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
