import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256Lists, sha256Text } from '../../../shared/src/feeds/snapshot.ts'

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
