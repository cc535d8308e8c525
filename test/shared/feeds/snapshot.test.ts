import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpSet } from '../../../shared/src/ip/index.ts'
import {
  sha256Lists,
  sha256Text,
  snapshotSets,
  withListsJson,
} from '../../../shared/src/feeds/snapshot.ts'
import type { Snapshot } from '../../../shared/src/feeds/types.ts'

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

describe('sha256Text', () => {
  it('hashes the UTF-8 of its texts joined, whatever their size', async () => {
    // Texts that meet at a newline; lone surrogates are encoded as U+FFFD, as TextEncoder does.
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary', minLength: 20_000, maxLength: 60_000 }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(text, { maxLength: 5 }), async (texts) => {
        const pieces = texts.flatMap((t) => ['\n', t])
        const whole = new TextDecoder().decode(new TextEncoder().encode(pieces.join('')))
        expect(await sha256Text(...pieces)).toBe(sha256(whole))
      }),
      { numRuns: 30 },
    )
  })

  it('hashes a text larger than any before it, then a small one, each alone', async () => {
    const big = 'é'.repeat(300_000)
    expect(await sha256Text(big)).toBe(sha256(big))
    expect(await sha256Text('a', 'b')).toBe(sha256('ab'))
    expect(await sha256Text()).toBe(sha256(''))
  })
})

describe('sha256Lists', () => {
  it('is the SHA-256 of the two lists as JSON, however long they are', async () => {
    const item = fc.oneof(
      fc.constantFrom('192.0.2.0/24', '2001:db8::/32'),
      fc.string({ unit: 'binary' }),
    )
    const sizes = [0, 1, 2047, 2048, 2049, 4097]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sizes),
        fc.constantFrom(...sizes),
        item,
        async (m, n, x) => {
          const ipv4 = Array.from({ length: m }, (_, i) => (i % 997 === 1 ? x : `10.0.${i}.0/24`))
          const ipv6 = Array.from({ length: n }, (_, i) =>
            i % 991 === 2 ? x : `2001:db8:${i}::/48`,
          )
          expect(await sha256Lists({ ipv4, ipv6 })).toBe(sha256(JSON.stringify([ipv4, ipv6])))
        },
      ),
      { numRuns: 40 },
    )
    const same: string[] = ['192.0.2.0/24']
    expect(await sha256Lists({ ipv4: same, ipv6: same })).toBe(sha256(JSON.stringify([same, same])))
  })
})

describe('snapshotSets of a snapshot with its lists as JSON text (withListsJson)', () => {
  const snapshot = (ipv4: readonly string[], ipv6: readonly string[]): Snapshot => ({
    feed: 'acme/api',
    version: 1,
    sha256: '',
    fetchedAt: '',
    changedAt: '',
    source: '',
    ipv4,
    ipv6,
  })
  /** The sets as CIDRs, or the error's code: what snapshotSets gives, or throws. */
  const outcome = (take: () => { ipv4: IpSet; ipv6: IpSet }) => {
    try {
      const sets = take()
      return { ipv4: sets.ipv4.toCidrs(), ipv6: sets.ipv6.toCidrs() }
    } catch (error) {
      return { code: (error as { code?: string }).code }
    }
  }
  const v4 = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`)
  const v6 = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`)
  const anything = fc.oneof(v4, v6, fc.ipV4(), fc.ipV6(), fc.string({ unit: 'binary' }))

  it('are the sets of its lists, read from the text, for any lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(v4, v4, anything), { maxLength: 30 }),
        fc.array(fc.oneof(v6, v6, anything), { maxLength: 30 }),
        (ipv4, ipv6) => {
          const plain = snapshot(ipv4, ipv6)
          const read = withListsJson(snapshot(ipv4, ipv6), {
            ipv4: JSON.stringify(ipv4),
            ipv6: JSON.stringify(ipv6),
          })
          expect(outcome(() => snapshotSets(read))).toEqual(outcome(() => snapshotSets(plain)))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('are read from the text without reading the lists, when every CIDR in it is plain', () => {
    const ipv4 = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
    const ipv6 = ['2001:db8::/32', '2001:db8:1::1']
    let reads = 0
    const lists = { ipv4, ipv6 }
    const lazy = Object.defineProperties(
      { ...snapshot([], []) },
      {
        ipv4: { get: () => (reads++, lists.ipv4) },
        ipv6: { get: () => (reads++, lists.ipv6) },
      },
    )
    const sets = snapshotSets(
      withListsJson(lazy, { ipv4: JSON.stringify(ipv4), ipv6: JSON.stringify(ipv6) }),
    )
    expect(reads).toBe(0)
    expect(sets.ipv4.toCidrs()).toEqual(IpSet.fromCidrs(4, ipv4).toCidrs())
    expect(sets.ipv6.toCidrs()).toEqual(['2001:db8::/32'])
    // A text that is not plain CIDRs (an escape) is left to the lists, which are read then.
    snapshotSets(withListsJson(lazy, { ipv4: '["10.0.0.0\\/8"]', ipv6: '[]' }))
    expect(reads).toBe(2)
  })
})
