/**
 * @module Acceptance 3 (property) of issue 5: for random sets, reading a rendered file back gives
 * the input set (canonical, merged), in every format, with and without ports.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  READABLE_FORMATS,
  RenderError,
  readRendered,
  renderFormat,
} from '../../../shared/src/index.ts'
import { familiesOf, inputFor, NO_LIMITS } from './sample.ts'

const v4 = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }))
  .map(([n, p]) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p}`)
const v6 = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc.integer({ min: 0, max: 128 }),
  )
  .map(([h, p]) => `${h.map((x) => x.toString(16)).join(':')}/${p}`)
const port = fc.record({
  port: fc.oneof(
    fc.integer({ min: 1, max: 65535 }),
    fc
      .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }))
      .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]),
  ),
  protocol: fc.constantFrom('tcp' as const, 'udp' as const),
})
const sets = fc
  .record({
    ipv4: fc.array(v4, { maxLength: 40 }),
    ipv6: fc.array(v6, { maxLength: 40 }),
    ports: fc.array(port, { maxLength: 3 }),
  })
  .filter((s) => s.ipv4.length + s.ipv6.length > 0)

describe('readRendered', () => {
  it.each(READABLE_FORMATS)('reads back what %s rendered, for random sets', (format) => {
    fc.assert(
      fc.property(sets, (raw) => {
        const { ipv4, ipv6 } = inputFor(format, { feeds: [], ...raw })
        const { ports } = raw
        const want = {
          ipv4: IpSet.fromCidrs(4, ipv4).toCidrs(),
          ipv6: IpSet.fromCidrs(6, ipv6).toCidrs(),
        }
        const render = () =>
          renderFormat(
            format,
            { feeds: [{ id: 'test/prop' }], ipv4, ipv6 },
            {
              ports,
              limits: NO_LIMITS,
            },
          )
        const fams = familiesOf(format)
        // firewalld ipsets render an empty set of their family when the other one has addresses.
        const empty = format.startsWith('firewalld-')
          ? want.ipv4.length + want.ipv6.length === 0
          : (!fams.includes(4) || want.ipv4.length === 0) &&
            (!fams.includes(6) || want.ipv6.length === 0)
        if (empty) {
          expect(render).toThrow(expect.objectContaining({ code: 'ERR_RENDER_EMPTY' }))
          return
        }
        const got = readRendered(format, render())
        // Single-family formats carry only their family.
        expect(got).toEqual({
          ipv4: fams.includes(4) ? want.ipv4 : [],
          ipv6: fams.includes(6) ? want.ipv6 : [],
        })
      }),
      { numRuns: 60 },
    )
  })

  it('reads AWS permissions that leave out IpRanges or Ipv6Ranges (both are optional)', () => {
    const text = JSON.stringify([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }],
      },
    ])
    expect(readRendered('aws-sg', text)).toEqual({
      ipv4: ['192.0.2.0/24'],
      ipv6: ['2001:db8::/32'],
    })
  })

  it('refuses text that is not a rendered file of the format', () => {
    expect(() => readRendered('txt', '192.0.2.0/24\nnot an address\n')).toThrow(RenderError)
    expect(() => readRendered('json', '{"ipv4": "192.0.2.0/24", "ipv6": []}')).toThrow(/not a list/)
    expect(() => readRendered('terraform', '{"x": []}')).toThrow(/_ipv4/)
    expect(() => readRendered('hcloud-rules', '[{"source_ips": "192.0.2.0/24"}]')).toThrow(
      /source_ips is not a list/,
    )
    expect(() => readRendered('firewalld-policy', '<policy/>')).toThrow(/holds no addresses/)
    expect(() =>
      readRendered('traefik-toml', '  sourceRange = [\n    192.0.2.0/24,\n  ]\n'),
    ).toThrow(/is not a sourceRange item/)
  })
})
