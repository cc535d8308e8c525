/** @module renderFormat and the format catalogue refuse what they do not know, naming it. */
import { describe, expect, it } from 'vitest'
import { formatInfo, renderFormat, type FormatId } from '../../../shared/src/index.ts'
import { DOC_INPUT, expectRenderError } from './sample.ts'

describe('renderFormat', () => {
  it('refuses an unknown format, pointing at the list of formats', () => {
    expectRenderError(
      () => renderFormat('nftable', DOC_INPUT),
      { code: 'ERR_RENDER_FORMAT' },
      "unknown format 'nftable'; see 'allowlist-sync formats'",
    )
  })
})

describe('formatInfo', () => {
  it('describes a format, and throws for an id outside the catalogue (untyped callers)', () => {
    expect(formatInfo('nginx').lineOriented).toBe(true)
    expect(() => formatInfo('nope' as FormatId)).toThrow(new RangeError("no format 'nope'"))
  })
})
