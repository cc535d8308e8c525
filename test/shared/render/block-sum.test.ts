/**
 * @module blockSum / sha256Hex: the synchronous SHA-256 agrees with node:crypto on every padding
 * edge and on random data; the block sum ignores what is not an edit (indentation, CRLF, blanks).
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blockSum } from '../../../shared/src/index.ts'
import { sha256Hex } from '../../../shared/src/render/block-sum.ts'

const nodeSha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('sha256Hex', () => {
  it.each([0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 70_000])(
    'matches node:crypto for %i bytes (padding edges)',
    (n) => {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255)
      expect(sha256Hex(bytes)).toBe(nodeSha(bytes))
    },
  )
  it('matches node:crypto on random data', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => sha256Hex(b) === nodeSha(b)))
  })
  it('gives the FIPS 180-4 example digest of "abc"', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})

describe('blockSum', () => {
  it('is the first 16 hex digits of the SHA-256 of the trimmed, non-blank lines', () => {
    expect(blockSum(['  allow 192.0.2.0/24;\r', '', '\tdeny all; '])).toBe(
      nodeSha(new TextEncoder().encode('allow 192.0.2.0/24;\ndeny all;\n')).slice(0, 16),
    )
    expect(blockSum([])).toBe(nodeSha(new Uint8Array()).slice(0, 16))
  })
  it('changes with any other edit', () => {
    const base = blockSum(['allow 192.0.2.0/24;', 'deny all;'])
    expect(blockSum(['allow 192.0.2.0/23;', 'deny all;'])).not.toBe(base)
    expect(blockSum(['deny all;', 'allow 192.0.2.0/24;'])).not.toBe(base)
    expect(blockSum(['allow 192.0.2.0/24;', '#deny all;'])).not.toBe(base)
    expect(blockSum(['allow 192.0.2.0 /24;', 'deny all;'])).not.toBe(base)
  })
})
