/**
 * @module nftables output shapes: the sets file names the operator's table and adds only
 * non-empty families; the table with ports exempts loopback unless told not to. Loaded for real
 * in real-tools, large and deploy-packet-filters tests.
 */
import { describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS } from './sample.ts'

describe('nftables', () => {
  it('without ports: declares, flushes and refills the sets in the given table', () => {
    const text = renderFormat('nftables', { ...DOC_INPUT, ipv6: [] }, { table: 'ip6 fw' })
    expect(text).toContain('table ip6 fw {\n\tset allowlist_sync_v4 {\n')
    expect(text).toContain(
      'flush set ip6 fw allowlist_sync_v4\nflush set ip6 fw allowlist_sync_v6\n',
    )
    expect(text).toContain('add element ip6 fw allowlist_sync_v4 {\n\t192.0.2.0/24,\n')
    // An empty family is flushed, never given an empty (invalid) element list.
    expect(text).not.toContain('add element ip6 fw allowlist_sync_v6')
    // Sets only: no rule of its own (the header's example aside).
    expect(text.split('\n').filter((l) => !l.startsWith('#') && /iif|drop/.test(l))).toEqual([])
  })

  it('with ports: loopback returns first, or is guarded when exemptLoopback is false', () => {
    const text = renderFormat('nftables', DOC_INPUT, DOC_OPTIONS)
    expect(text).toContain('policy accept;\n\t\tiif "lo" return\n\t\ttcp dport')
    expect(text).not.toMatch(/\baccept$/m)
    const strict = renderFormat('nftables', DOC_INPUT, { ...DOC_OPTIONS, exemptLoopback: false })
    expect(strict).not.toContain('iif')
    expect(strict).toContain('# loopback is NOT exempt (exemptLoopback false)')
  })
})
