/**
 * @module normaliseEntries: canonical sets from untrusted entries, host bits noted by count; the
 * same verdict for entries given as plain lines (read from bytes) as for the same texts as strings.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Entries } from '../../../shared/src/feeds/extract.ts'
import { normaliseEntries } from '../../../shared/src/feeds/normalise.ts'

function entries(...texts: string[]): Entries {
  const e = new Entries(true)
  texts.forEach((t, i) => e.add(t, '', i + 1))
  return e
}

describe('normaliseEntries', () => {
  it('notes host bits with the number of entries that had them, in the right grammar', () => {
    const one = normaliseEntries(entries('192.0.2.77/24', '198.51.100.0/24'), undefined)
    expect(one).toMatchObject({
      notes: [{ code: 'host-bits', message: '1 entry has host bits set; their networks are used' }],
    })
    const two = normaliseEntries(entries('192.0.2.77/24', '2001:db8::1/32'), undefined)
    expect(two).toMatchObject({
      notes: [
        { code: 'host-bits', message: '2 entries have host bits set; their networks are used' },
      ],
    })
    if (!('ipv4' in two)) throw new Error('refused')
    expect(two.ipv4.toCidrs()).toEqual(['192.0.2.0/24'])
    expect(two.ipv6.toCidrs()).toEqual(['2001:db8::/32'])
    expect(normaliseEntries(entries('192.0.2.0/24'), undefined)).toMatchObject({ notes: [] })
  })

  it('judges plain lines as it judges the same texts given as strings: sets, notes, refusals and their messages', () => {
    // Plain texts of every verdict: valid, past the family's bounds, /0, mapped, host bits set.
    const text = fc.oneof(
      fc.stringMatching(/^[0-9A-Fa-f.:]{1,12}(?:\/[0-9]{1,3})?$/),
      fc.constantFrom('0.0.0.0/0', '::/0', '::ffff:102:304', '192.0.2.77/24', '2001:db8::1/130'),
      fc.ipV4().map((a) => `${a}/${a.length % 33}`),
      fc.ipV6(),
    )
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 12 }),
        fc.constantFrom(4, 6, undefined),
        (texts, family) => {
          const strings = new Entries(false)
          strings.addAll(texts, '$')
          const plain = Entries.fromPlainLines(
            new TextEncoder().encode(texts.join('\n')),
            texts.length,
            '$',
          )
          const summary = (r: ReturnType<typeof normaliseEntries>) =>
            'guard' in r ? r : { ipv4: r.ipv4.toCidrs(), ipv6: r.ipv6.toCidrs(), notes: r.notes }
          expect(summary(normaliseEntries(plain, family))).toEqual(
            summary(normaliseEntries(strings, family)),
          )
        },
      ),
      { numRuns: 1000 },
    )
  })
})
