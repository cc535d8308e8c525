/**
 * @module The docker-user script's shape: both families, a chain of its own jumped to once,
 * DOCKER-USER never declared (so never flushed), private sources only when asked, and the
 * options it cannot honour refused. Its behaviour is proven in deploy-docker.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError } from './sample.ts'

describe('docker-user', () => {
  const text = renderFormat('docker-user', DOC_INPUT, DOC_OPTIONS)

  it('never declares DOCKER-USER (iptables-restore would flush it) and hooks it with -C || -I', () => {
    expect(text).not.toMatch(/^:DOCKER-USER /m)
    expect(
      text.match(
        /^ *ip(6?)tables -w -C DOCKER-USER -j allowlist-sync 2>\/dev\/null \|\| ip\1tables -w -I DOCKER-USER -j allowlist-sync$/gm,
      ),
    ).toHaveLength(2)
  })

  it('carries each family in its own restore, by original destination port', () => {
    const v6 = /<<'ALLOWLIST_SYNC_IPV6'\n([^]*?)\nALLOWLIST_SYNC_IPV6\n/.exec(text)![1]!
    expect(v6).toContain('-A allowlist-sync-src -s 2001:db8:1::/48 -j RETURN')
    expect(v6).not.toContain('192.0.2.0/24')
    expect(v6).toContain('--ctorigdstport 8000:8100 -j allowlist-sync-src')
    expect(text).not.toContain('exempt-private')
  })

  it('lets private sources through only with exemptPrivate, and says so in the header', () => {
    const exempt = renderFormat('docker-user', DOC_INPUT, { ...DOC_OPTIONS, exemptPrivate: true })
    for (const c of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'])
      expect(exempt).toContain(
        `-A allowlist-sync -s ${c} -m comment --comment exempt-private -j RETURN`,
      )
    expect(exempt).toMatch(/^# private sources \(10\.0\.0\.0\/8, .*fc00::\/7\) are exempt/m)
  })

  it('without ports guards every DNAT-ed connection; an empty family drops all of it', () => {
    const all = renderFormat('docker-user', { ...DOC_INPUT, ipv6: [] })
    expect(all).toContain(
      '-A allowlist-sync -m conntrack --ctstate DNAT --ctdir ORIGINAL -j allowlist-sync-src',
    )
    expect(all).toContain('# the allowlist has no IPv6 address: every IPv6 source is dropped')
  })

  it('refuses exemptLoopback false: local connections never pass DOCKER-USER', () => {
    expectRenderError(
      () => renderFormat('docker-user', DOC_INPUT, { exemptLoopback: false }),
      { code: 'ERR_RENDER_OPTION' },
      'docker-user: exemptLoopback false (--no-exempt-loopback) cannot be honoured: local connections',
    )
  })
})

describe('render options the formats cannot honour', () => {
  it('exemptPrivate is a docker-user option only', () => {
    expectRenderError(
      () => renderFormat('iptables', DOC_INPUT, { exemptPrivate: true }),
      { code: 'ERR_RENDER_OPTION' },
      'iptables: exemptPrivate (--exempt-private) is a docker-user option',
    )
    expect(() => renderFormat('nftables', DOC_INPUT, { exemptPrivate: false })).not.toThrow()
  })

  it.each(['filter', 'inet', 'netdev filter', 'inet 1x', 'inet fil-ter', `inet ${'x'.repeat(33)}`])(
    'table %j is refused by name',
    (table) => {
      expectRenderError(
        () => renderFormat('nftables', DOC_INPUT, { table }),
        { code: 'ERR_RENDER_NAME' },
        `nftables: table ${JSON.stringify(table)} is not allowed`,
      )
    },
  )
})
