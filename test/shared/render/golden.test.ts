/**
 * @module Golden files: each format rendered from the documentation sample (test/fixtures/golden/
 * <format>.<ext>, and <format>.noports.<ext> without ports) must match byte for byte. After an
 * intended change, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/shared/render/golden`
 * and review the diff: the real-tool tests check the new output is still accepted.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FORMATS, renderFormat, type RenderOptions } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, inputFor } from './sample.ts'

const GOLDEN = path.resolve(import.meta.dirname, '../../fixtures/golden')
const UPDATE = process.env.UPDATE_GOLDEN === '1'

const VARIANTS: { suffix: string; options: RenderOptions }[] = [
  { suffix: '', options: DOC_OPTIONS },
  {
    suffix: '.noports',
    options: {
      name: 'hooks',
      removed: { ipv4: ['192.0.2.0/25', '198.51.100.7/32'], ipv6: ['2001:db8:dead::/48'] },
    },
  },
]

describe('renderFormat golden files', () => {
  for (const info of FORMATS) {
    for (const { suffix, options } of VARIANTS) {
      const file = `${info.id}${suffix}.${info.extension}`
      it(`${file} matches`, () => {
        const input = inputFor(info.id, DOC_INPUT)
        const text = renderFormat(info.id, input, options)
        const target = path.join(GOLDEN, file)
        if (UPDATE || !existsSync(target)) writeFileSync(target, text)
        expect(text).toBe(readFileSync(target, 'utf8'))
        // Deterministic: a second render, with the input lists shuffled, gives the same bytes.
        const shuffled = {
          ...input,
          ipv4: [...input.ipv4].reverse(),
          ipv6: [...input.ipv6].reverse(),
        }
        expect(renderFormat(info.id, shuffled, options)).toBe(text)
      })
    }
  }
})
