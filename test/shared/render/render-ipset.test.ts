/**
 * @module The ipset renderer refuses a list over the set's maxelem instead of a failing restore;
 * its reference rules restrict (drop the others) and exempt loopback unless told not to.
 */
import { describe, expect, it } from 'vitest'
import { ipsetReferenceRules, renderFormat } from '../../../shared/src/index.ts'
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

  it('reference rules drop other sources, after a loopback exemption unless it is turned off', () => {
    const ports = [{ port: 443, protocol: 'tcp' as const }]
    expect(ipsetReferenceRules('hooks', 6, ports)).toBe(
      '*filter\n-I INPUT ! -i lo -p tcp -m multiport --dports 443 -m set ! --match-set hooks-v6 src -j DROP\nCOMMIT\n',
    )
    expect(ipsetReferenceRules('hooks', 4, [], { exemptLoopback: false })).toBe(
      '*filter\n-I INPUT -m conntrack --ctstate NEW -m set ! --match-set hooks-v4 src -j DROP\nCOMMIT\n',
    )
    // The rendered file flushes its temporary set before filling it.
    expect(renderFormat('ipset', DOC_INPUT)).toContain(
      'create allowlist-sync-v4-new hash:net family inet hashsize 1024 maxelem 16777216\nflush allowlist-sync-v4-new\nadd allowlist-sync-v4-new 192.0.2.0/24\n',
    )
  })
})
