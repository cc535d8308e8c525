/**
 * @module Interfaces in the policy model: names and patterns a role may name, matching with
 * wildcards and negation, iptables' `+`, the role of a name (exact, longest prefix, the defaults,
 * `*`), and the classes of names the rules and roles split all names into.
 */
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_INTERNAL_INTERFACES,
  interfaceClasses,
  interfaceRole,
  isInterfacePattern,
  matchesInterface,
  toInterfacePattern,
} from '../../../shared/src/policy/interfaces.ts'

describe('interface names and patterns', () => {
  it.each([
    ['eth0', true],
    ['wg*', true],
    ['eth+', true],
    ['*', true],
    ['enp0s31f6.100', true],
    ['a-name-of-16-chr', false],
    ['eth 0', false],
    ['eth0:1', false],
    ['w*g', false],
    ['', false],
  ])('%j is a pattern: %s', (text, ok) => {
    expect(isInterfacePattern(text)).toBe(ok)
  })

  it('matches exact names and prefixes, negated or not; iptables + is a prefix', () => {
    const m = { names: ['eth0', toInterfacePattern('wg+')], negate: false }
    expect(m.names).toEqual(['eth0', 'wg*'])
    expect(['eth0', 'eth1', 'wg0', 'wg', ''].map((n) => matchesInterface(m, n))).toEqual([
      true,
      false,
      true,
      true,
      false,
    ])
    // `! -i eth0` matches a packet without that interface, and one with none there
    const not = { names: ['eth0'], negate: true }
    expect(['eth0', 'eth1', ''].map((n) => matchesInterface(not, n))).toEqual([false, true, true])
  })
})

describe('interfaceRole', () => {
  it('takes the defaults: containers, VMs, VPNs and loopback internal, the rest public', () => {
    for (const p of DEFAULT_INTERNAL_INTERFACES)
      expect(interfaceRole(p.replace('*', '0'))).toBe('internal')
    expect(['eth0', 'ens3', 'bond0', 'ppp0'].map((n) => interfaceRole(n))).toEqual([
      'public',
      'public',
      'public',
      'public',
    ])
  })

  it('the longest prefix wins in whatever order the roles list them', () => {
    const roles = { 'eth1*': 'public', 'eth*': 'internal' } as const
    expect(['eth11', 'eth2'].map((n) => interfaceRole(n, roles))).toEqual(['public', 'internal'])
  })

  it('an exact name beats the longest prefix, which beats a shorter one, the defaults and *', () => {
    const roles = {
      'eth*': 'internal',
      'eth1*': 'public',
      eth10: 'internal',
      'wg-public': 'public',
      '*': 'internal',
    } as const
    expect(
      ['eth0', 'eth11', 'eth10', 'wg-public', 'wg0', 'ens3'].map((n) => interfaceRole(n, roles)),
    ).toEqual(['internal', 'public', 'internal', 'public', 'internal', 'internal'])
  })
})

describe('interfaceClasses', () => {
  it('one class per name and prefix used, roles attached, and every other name', () => {
    const classes = interfaceClasses(['eth0', 'wg*'], { eth0: 'internal', 'ens*': 'public' })
    const byLabel = new Map(classes.map((c) => [c.label, c]))
    expect(byLabel.get('eth0')).toMatchObject({ role: 'internal', named: true })
    expect(byLabel.get('wg*')).toMatchObject({ role: 'internal', named: true })
    expect(byLabel.get('ens*')).toMatchObject({ role: 'public', named: false })
    expect(classes.at(-1)).toMatchObject({ label: 'any other interface', role: 'public' })
    // the names classes stand for fit their own pattern and no longer one
    expect(byLabel.get('wg*')!.name.startsWith('wg')).toBe(true)
    expect(classes.filter((c) => c.role === 'public').map((c) => c.label)).toEqual([
      'ens*',
      'any other interface',
    ])
  })
})
