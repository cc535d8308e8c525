/** @module The ipset renderer refuses a list over the set's maxelem instead of a failing restore. */
import { describe, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError } from './sample.ts'

describe('ipset', () => {
  it('refuses more entries than maxelem, naming the limit and the option', () => {
    // DOC_INPUT's IPv4 list merges to 3 CIDRs.
    expectRenderError(
      () => renderFormat('ipset', DOC_INPUT, { ...DOC_OPTIONS, limits: { ipsetMaxElements: 2 } }),
      { code: 'ERR_RENDER_LIMIT' },
      "ipset: 3 IPv4 entries exceed the set's maxelem 2 (limits.ipsetMaxElements)",
    )
  })
})
