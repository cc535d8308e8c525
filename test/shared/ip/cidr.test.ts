import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpParseError, parseCidr, prefixLength } from '../../../shared/src/index.ts'

describe('parseCidr', () => {
  it.each([
    ['0.0.0.0/0', 4, '0.0.0.0/0', false],
    ['255.255.255.255/32', 4, '255.255.255.255/32', false],
    ['192.0.2.1', 4, '192.0.2.1/32', false],
    ['192.0.2.1/24', 4, '192.0.2.0/24', true],
    ['10.0.0.1/8', 4, '10.0.0.0/8', true],
    ['128.0.0.0/1', 4, '128.0.0.0/1', false],
    ['0.0.0.0', 4, '0.0.0.0/32', false],
    [' \t198.51.100.0/24\r\n', 4, '198.51.100.0/24', false],
    ['::/0', 6, '::/0', false],
    ['::', 6, '::/128', false],
    ['::1', 6, '::1/128', false],
    ['2001:DB8::/32', 6, '2001:db8::/32', false],
    ['2001:db8::1/32', 6, '2001:db8::/32', true],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1/128', false],
    [
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
      6,
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
      false,
    ],
    ['1:0:0:2:0:0:0:3', 6, '1:0:0:2::3/128', false],
    ['1:0:0:2:0:0:3:4', 6, '1::2:0:0:3:4/128', false],
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1/128', false],
    ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0/128', false],
    ['::2:3:4:5:6:7:8', 6, '0:2:3:4:5:6:7:8/128', false],
    ['::ffff:1.2.3.4', 6, '::ffff:102:304/128', false],
    ['::ffff:0:0/96', 6, '::ffff:0:0/96', false],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::c000:221/128', false],
    ['2001:db8::8000/113', 6, '2001:db8::8000/113', false],
    ['2001:db8::ffff/113', 6, '2001:db8::8000/113', true],
    ['2001:db8::7fff/113', 6, '2001:db8::/113', true],
  ])('reads %j as IPv%i %s (host bits set: %s)', (text, family, cidr, hostBitsSet) => {
    expect(parseCidr(text)).toEqual({ family, cidr, hostBitsSet })
  })

  it.each([
    ['', 'ERR_IP_EMPTY'],
    ['   ', 'ERR_IP_EMPTY'],
    ['1.2.3.4/33', 'ERR_IP_PREFIX_RANGE'],
    ['2001:db8::/129', 'ERR_IP_PREFIX_RANGE'],
    ['1.2.3.4/999', 'ERR_IP_PREFIX_RANGE'],
    // Digits without end are cut at the fourth, before the number could overflow.
    ['2001:db8::/1000', 'ERR_IP_PREFIX_RANGE'],
    ['1.2.3.4/99999999999999999999', 'ERR_IP_PREFIX_RANGE'],
    ['1.2.3.4/', 'ERR_IP_PREFIX_SYNTAX'],
    ['1.2.3.4/08', 'ERR_IP_PREFIX_SYNTAX'],
    ['1.2.3.4/x', 'ERR_IP_PREFIX_SYNTAX'],
    ['1.2.3.4/-1', 'ERR_IP_PREFIX_SYNTAX'],
    ['300.1.1.1', 'ERR_IP_OCTET'],
    ['1.2.3.256', 'ERR_IP_OCTET'],
    ['1.2.3.1000', 'ERR_IP_OCTET'],
    ['01.2.3.4', 'ERR_IP_LEADING_ZERO'],
    ['1.2.3.04', 'ERR_IP_LEADING_ZERO'],
    ['10.00.0.0/8', 'ERR_IP_LEADING_ZERO'],
    ['::ffff:1.2.3.04', 'ERR_IP_LEADING_ZERO'],
    ['1.2.3', 'ERR_IP_SYNTAX'],
    ['1.2.3.4.5', 'ERR_IP_SYNTAX'],
    ['1..2.3', 'ERR_IP_SYNTAX'],
    ['1.2.3.', 'ERR_IP_SYNTAX'],
    ['.1.2.3', 'ERR_IP_SYNTAX'],
    ['::ffff:zz', 'ERR_IP_SYNTAX'],
    ['<html>', 'ERR_IP_SYNTAX'],
    ['abc', 'ERR_IP_SYNTAX'],
    ['deadbeef', 'ERR_IP_SYNTAX'],
    ['1.2.3.4x', 'ERR_IP_SYNTAX'],
    ['1::2::3', 'ERR_IP_SYNTAX'],
    [':1', 'ERR_IP_SYNTAX'],
    ['1:', 'ERR_IP_SYNTAX'],
    ['1:::2', 'ERR_IP_SYNTAX'],
    ['12345::', 'ERR_IP_SYNTAX'],
    ['1:2:3:4:5:6:7:8:9', 'ERR_IP_SYNTAX'],
    ['1:2:3:4:5:6:7', 'ERR_IP_SYNTAX'],
    ['1:2:3:4:5:6:7:8::', 'ERR_IP_SYNTAX'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'ERR_IP_SYNTAX'],
    ['::1.2.3.4:5', 'ERR_IP_SYNTAX'],
    ['[::1]', 'ERR_IP_SYNTAX'],
    ['１.2.3.4', 'ERR_IP_SYNTAX'],
    ['\ufeff1.2.3.4', 'ERR_IP_SYNTAX'],
    ['fe80::1%eth0', 'ERR_IP_ZONE_ID'],
    ['fe80::1%1/64', 'ERR_IP_ZONE_ID'],
    ['1.2.3.4 /24', 'ERR_IP_WHITESPACE'],
    ['1.2.3.4/ 24', 'ERR_IP_WHITESPACE'],
    ['1.2.3.4/2 4', 'ERR_IP_WHITESPACE'],
    ['2001:db8:: 1', 'ERR_IP_WHITESPACE'],
    ['1.2.3.4\r\n5.6.7.8', 'ERR_IP_WHITESPACE'],
  ])('rejects %j with %s, quoting the input', (text, code) => {
    const error = (() => {
      try {
        parseCidr(text)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(IpParseError)
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code, input: text })
    expect((error as Error).message).toContain(JSON.stringify(text))
  })
})

describe('prefixLength', () => {
  it('is the prefix of any CIDR as parseCidr canonicalises it, both families', () => {
    const cidr = fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
    )
    fc.assert(
      fc.property(cidr, ([address, prefix]) => {
        const canonical = parseCidr(`${address}/${prefix}`).cidr
        expect(prefixLength(canonical)).toBe(prefix)
      }),
      { numRuns: 1000 },
    )
  })
})
