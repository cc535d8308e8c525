/** @module normaliseEntries: canonical sets from untrusted entries, host bits noted by count. */
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
})
