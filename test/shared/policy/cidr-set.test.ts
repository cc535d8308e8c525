/** @module cidrSet: a policy's or config's CIDR text as an IpSet of one family. */
import { describe, expect, it } from 'vitest'
import { cidrSet } from '../../../shared/src/policy/cidr-set.ts'

describe('cidrSet', () => {
  it.each([
    [4, '10.1.2.3/255.0.0.0', ['10.0.0.0/8']],
    [4, '192.0.2.7', ['192.0.2.7/32']],
    [6, '2001:db8::1/32', ['2001:db8::/32']],
  ] as const)('reads IPv%i %j', (family, text, cidrs) => {
    expect(cidrSet(family, text).toCidrs()).toEqual(cidrs)
  })

  it.each([
    [4, 'not-an-address'],
    [4, '2001:db8::/32'],
    [6, '192.0.2.0/24'],
    [4, '192.0.2.0/33'],
  ] as const)('refuses %s-family entry %j, naming it', (family, cidr) => {
    expect(() => cidrSet(family, cidr)).toThrow(
      new TypeError(`'${cidr}' is not an IPv${family} address or CIDR`),
    )
  })
})
