import { describe, expect, it } from 'vitest'
import { parseAddress } from '../../../shared/src/index.ts'

describe('parseAddress', () => {
  it.each([
    ['192.0.2.1', 4, '192.0.2.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    [' 203.0.113.9 ', 4, '203.0.113.9'],
    ['::', 6, '::'],
    ['2001:DB8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:0:0:2:1', 6, '2001:db8::2:1'],
    ['::ffff:192.0.2.1', 6, '::ffff:c000:201'],
  ])('reads %j as IPv%i %s', (text, family, address) => {
    expect(parseAddress(text)).toEqual({ family, address })
  })

  it.each([
    ['192.0.2.0/24', 'ERR_IP_SYNTAX'],
    ['2001:db8::/32', 'ERR_IP_SYNTAX'],
    ['fe80::1%eth0', 'ERR_IP_ZONE_ID'],
    ['192.0.2.01', 'ERR_IP_LEADING_ZERO'],
    ['', 'ERR_IP_EMPTY'],
  ])('rejects %j with %s', (text, code) => {
    expect(() => parseAddress(text)).toThrow(expect.objectContaining({ code }))
  })
})
