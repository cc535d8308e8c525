import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Entries } from '../../../shared/src/feeds/entries.ts'

/** Entries as they were kept before runs: a base and a key per entry (the reference). */
class PerEntry {
  readonly texts: string[] = []
  readonly bases: string[] = []
  readonly keys: number[] = []
  readonly lines: boolean
  constructor(lines: boolean) {
    this.lines = lines
  }
  add(text: string, base: string, key: number): void {
    this.texts.push(text)
    this.bases.push(base)
    this.keys.push(key)
  }
  where(i: number): string {
    const key = this.keys[i]!
    if (this.lines) return `line ${key}`
    return key < 0 ? this.bases[i]! : `${this.bases[i]!}[${key}]`
  }
  staged() {
    const bases: string[] = []
    const at: number[] = []
    for (let i = 0; i < this.texts.length; i++) {
      let b = bases.indexOf(this.bases[i]!)
      if (b < 0) b = bases.push(this.bases[i]!) - 1
      at.push(b, this.keys[i]!)
    }
    return { texts: this.texts, bases, at }
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text)
const joined = (entries: Entries) => new TextDecoder().decode(entries.bytes())

type Op =
  | { readonly kind: 'add'; readonly text: string; readonly base: string; readonly key: number }
  | { readonly kind: 'all'; readonly texts: string[]; readonly base: string }

const base = fc.constantFrom('', '$', '$["a"]', '$["b"][2]')
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    text: fc.string(),
    base,
    key: fc.integer({ min: -1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('all' as const), texts: fc.array(fc.string()), base }),
)

function build(lines: boolean, ops: readonly Op[]) {
  const entries = new Entries(lines)
  const reference = new PerEntry(lines)
  for (const o of ops)
    if (o.kind === 'add') {
      entries.add(o.text, o.base, o.key)
      reference.add(o.text, o.base, o.key)
    } else {
      entries.addAll(o.texts, o.base)
      o.texts.forEach((text, i) => reference.add(text, o.base, i))
    }
  return { entries, reference }
}

function expectSame(entries: Entries, reference: PerEntry): void {
  expect(entries.texts).toEqual(reference.texts)
  expect(entries.length).toBe(reference.texts.length)
  expect(joined(entries)).toBe(new TextDecoder().decode(utf8(reference.texts.join('\n'))))
  reference.texts.forEach((_, i) => expect(entries.where(i)).toBe(reference.where(i)))
}

describe('Entries', () => {
  it('keeps every text and location as one base and key per entry would', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 12 }), (lines, ops) => {
        const { entries, reference } = build(lines, ops)
        expectSame(entries, reference)
        expect(entries.toStaged()).toEqual(reference.staged())
      }),
    )
  })

  it('reads staged parts back as the entries they were made of', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 4 }), (opsOfParts) => {
        const built = opsOfParts.map((ops) => build(false, ops))
        const entries = Entries.fromStaged(built.map((b) => b.entries.toStaged()))
        const reference = new PerEntry(false)
        for (const b of built)
          b.reference.texts.forEach((text, i) =>
            reference.add(text, b.reference.bases[i]!, b.reference.keys[i]!),
          )
        expectSame(entries, reference)
        // Added to after being read back: the staged texts are not changed.
        const staged = built.map((b) => [...b.entries.texts])
        entries.add('x', '$', 0)
        reference.add('x', '$', 0)
        expectSame(entries, reference)
        expect(built.map((b) => b.entries.texts)).toEqual(staged)
      }),
    )
  })

  it('does not change an array it was given whole', () => {
    const given = ['192.0.2.0/24', '198.51.100.0/24']
    const entries = new Entries(false)
    entries.addAll(given, '$')
    expect(joined(entries)).toBe('192.0.2.0/24\n198.51.100.0/24')
    entries.addAll(['203.0.113.0/24'], '$["more"]')
    entries.add('2001:db8::/32', '$["v6"]', -1)
    expect(given).toEqual(['192.0.2.0/24', '198.51.100.0/24'])
    expect(joined(entries)).toBe('192.0.2.0/24\n198.51.100.0/24\n203.0.113.0/24\n2001:db8::/32')
    expect([0, 1, 2, 3].map((i) => entries.where(i))).toEqual([
      '$[0]',
      '$[1]',
      '$["more"][0]',
      '$["v6"]',
    ])
  })

  it('from plain lines, keeps the texts and locations addAll would, and makes them only when asked', () => {
    const plain = fc.stringMatching(/^[0-9A-Fa-f.:]{1,12}(?:\/[0-9]{1,3})?$/)
    fc.assert(
      fc.property(fc.array(plain, { maxLength: 20 }), base, fc.boolean(), (texts, at, more) => {
        const entries = Entries.fromPlainLines(utf8(texts.join('\n')), texts.length, at)
        const reference = new PerEntry(false)
        texts.forEach((text, i) => reference.add(text, at, i))
        expect(entries.plain).toBe(true)
        expect(entries.length).toBe(texts.length)
        expect(joined(entries)).toBe(texts.join('\n'))
        expectSame(entries, reference)
        expect(entries.toStaged()).toEqual(reference.staged())
        // Added to: no longer plain lines, the texts kept and the new one after them.
        if (more) {
          entries.add('x y', '$', 9)
          reference.add('x y', '$', 9)
        } else {
          entries.addAll(['192.0.2.0/24'], '$["b"]')
          reference.add('192.0.2.0/24', '$["b"]', 0)
        }
        expect(entries.plain).toBe(false)
        expectSame(entries, reference)
      }),
    )
  })

  it('joins many texts, and each instance its own, in the memory they share', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
    const big = new Entries(false)
    big.addAll(many, '$')
    const small = new Entries(true)
    small.add('192.0.2.0/24', '', 1)
    for (let round = 0; round < 2; round++) {
      expect(joined(big)).toBe(many.join('\n'))
      expect(joined(small)).toBe('192.0.2.0/24')
    }
    const before = joined(small)
    small.add('198.51.100.0/24', '', 2)
    expect([before, joined(small)]).toEqual(['192.0.2.0/24', '192.0.2.0/24\n198.51.100.0/24'])
    expect(new Entries(false).bytes()).toHaveLength(0)
  })
})
