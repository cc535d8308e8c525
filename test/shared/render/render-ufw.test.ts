/**
 * @module ufw output limits: past limits.ufwRules commands (deletes included) the script is
 * refused with a pointer to the formats that reload in one step; exemptLoopback false is refused
 * (ufw's before.rules accept loopback first).
 */
import { describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError } from './sample.ts'

describe('ufw', () => {
  // DOC_INPUT merges to 3 IPv4 + 2 IPv6 CIDRs; DOC_OPTIONS has 3 port specs: 15 commands.
  it('counts every command, deletes included, against limits.ufwRules', () => {
    expect(() =>
      renderFormat('ufw', DOC_INPUT, { ...DOC_OPTIONS, limits: { ufwRules: 15 } }),
    ).not.toThrow()
    const removed = { ipv4: ['203.0.113.0/26'], ipv6: [] }
    expectRenderError(
      () => renderFormat('ufw', DOC_INPUT, { ...DOC_OPTIONS, removed, limits: { ufwRules: 15 } }),
      { code: 'ERR_RENDER_LIMIT' },
      /^ufw: 18 ufw commands exceed limits\.ufwRules 15: .*use the ipset or nftables format/,
    )
  })

  it('refuses exemptLoopback false', () => {
    expectRenderError(
      () => renderFormat('ufw', DOC_INPUT, { exemptLoopback: false }),
      { code: 'ERR_RENDER_OPTION' },
      "ufw's before.rules accept everything on lo",
    )
  })
})
