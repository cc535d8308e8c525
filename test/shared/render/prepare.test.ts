/** @module What every renderer shares: the header comment, and the refusal of an empty list. */
import { describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError } from './sample.ts'

describe('the managed header', () => {
  it('carries the comment, and no comment line for an empty comment', () => {
    const withComment = renderFormat('nginx', DOC_INPUT, DOC_OPTIONS)
    expect(withComment).toContain(`# comment: ${DOC_OPTIONS.comment}\n`)
    const without = renderFormat('nginx', DOC_INPUT, { ...DOC_OPTIONS, comment: '' })
    expect(without).not.toContain('# comment:')
    expect(without.split('\n').length).toBe(withComment.split('\n').length - 1)
  })
})

describe('an empty allowlist', () => {
  it('is refused, naming the family a single-family format needs', () => {
    expectRenderError(
      () => renderFormat('iptables', { ...DOC_INPUT, ipv4: [] }, DOC_OPTIONS),
      { code: 'ERR_RENDER_EMPTY' },
      'iptables: the allowlist has no IPv4 addresses; refusing to render a rule that admits nobody',
    )
    expectRenderError(
      () => renderFormat('ip6tables', { ...DOC_INPUT, ipv6: [] }, DOC_OPTIONS),
      { code: 'ERR_RENDER_EMPTY' },
      /^ip6tables: the allowlist has no IPv6 addresses;/,
    )
    // IPv6 alone is enough for a format that carries both families.
    expect(renderFormat('nginx', { ...DOC_INPUT, ipv4: [] }, DOC_OPTIONS)).toContain(
      'allow 2001:db8',
    )
    expectRenderError(
      () => renderFormat('nginx', { ...DOC_INPUT, ipv4: [], ipv6: [] }, DOC_OPTIONS),
      { code: 'ERR_RENDER_EMPTY' },
      'nginx: the allowlist has no addresses; refusing to render a rule that admits nobody',
    )
  })
})
