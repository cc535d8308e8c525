/**
 * @module What both nftables readers share: named sets, one rule's matches into a FirewallRule,
 * chains into a config, and chain priorities.
 */
import { describe, expect, it } from 'vitest'
import type { ReaderWarning, RuleVerdict } from '../../../shared/src/index.ts'
import {
  assembleNft,
  buildNftRule,
  buildNftSet,
  parsePriority,
  qualify,
  type NftChainDraft,
  type NftFamily,
  type NftMatch,
  type NftSet,
} from '../../../shared/src/policy/nft-rule.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const where = { file: 'rules.nft', line: 7, text: 'tcp dport 22 accept' }

function build(
  matches: readonly NftMatch[],
  options: { family?: NftFamily; sets?: ReadonlyMap<string, NftSet> } = {},
) {
  const warnings: ReaderWarning[] = []
  const rule = buildNftRule(
    matches,
    { kind: 'accept' },
    { family: options.family ?? 'inet', sets: options.sets ?? new Map(), where, warnings },
  )
  return { rule, warnings }
}

const m = (selector: string, value: NftMatch['value'], negate = false): NftMatch => ({
  selector,
  negate,
  value,
})

describe('buildNftSet', () => {
  it('an address set holds both families', () => {
    const s = buildNftSet('ipv4_addr', ['192.0.2.0/24', '2001:db8::/32'], where)
    expect(s.kind === 'addr' && [s.ipv4.toCidrs(), s.ipv6.toCidrs()]).toEqual([
      ['192.0.2.0/24'],
      ['2001:db8::/32'],
    ])
  })

  it('a port set takes numbers, ranges and service names', () => {
    expect(buildNftSet('inet_service', ['22', '8000-8080', 'https'], where)).toEqual({
      kind: 'port',
      ranges: [
        [22, 22],
        [8000, 8080],
        [443, 443],
      ],
    })
  })

  it('an ifname set holds interface names', () => {
    expect(buildNftSet('ifname', ['eth0', 'wg*'], where)).toEqual({
      kind: 'iface',
      names: ['eth0', 'wg*'],
    })
  })

  it('a ipv4_addr . inet_service set is neither', () => {
    expect(buildNftSet('ipv4_addr . inet_service', ['eth0'], where)).toEqual({ kind: 'other' })
  })

  it('a ipv4_addr : verdict map keeps its elements as words, for the rules that use it', () => {
    const words = ['192.0.2.1', ':', 'accept']
    expect(buildNftSet('ipv4_addr : verdict', words, where)).toEqual({
      kind: 'vmap',
      elements: words,
    })
  })

  it('a port set element that is no port is an error at the set', () => {
    expect(() => buildNftSet('inet_service', ['22', '70000'], where)).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        file: 'rules.nft',
        line: 7,
        message: "rules.nft:7: '70000' is not a port or port range",
      }),
    )
  })
})

describe('buildNftRule', () => {
  const ports: NftSet = buildNftSet('inet_service', ['22', '443'], where)
  const admins: NftSet = buildNftSet('ipv4_addr', ['192.0.2.10'], where)
  const sets = new Map([
    ['ports', ports],
    ['admins', admins],
  ])

  it.each([
    ['ip', 4],
    ['ip6', 6],
    ['inet', undefined],
  ] as const)('a rule of an %s table has family %s', (family, expected) => {
    expect(build([], { family }).rule.family).toBe(expected)
  })

  it.each([
    ['tcp dport', ['tcp']],
    ['udp dport', ['udp']],
    ['th dport', ['tcp', 'udp']],
  ])('%s narrows the protocols to %j', (selector, protocols) => {
    const { rule } = build([m(selector, ['53', { set: 'ports' }])], { sets })
    expect(rule.protocols).toEqual(protocols)
    expect(rule.dports).toEqual({
      ranges: [
        [53, 53],
        [22, 22],
        [443, 443],
      ],
      negate: false,
    })
  })

  it('an address match takes words and address sets', () => {
    const { rule } = build([m('ip saddr', ['198.51.100.0/24', { set: 'admins' }], true)], { sets })
    expect(rule.family).toBe(4)
    expect(rule.saddr?.ipv4.toCidrs()).toEqual(['192.0.2.10/32', '198.51.100.0/24'])
    expect(rule.saddr?.negate).toBe(true)
  })

  it('ip6 daddr is the destination, over IPv6', () => {
    const { rule } = build([m('ip6 daddr', '2001:db8::1')])
    expect([rule.family, rule.saddr, rule.daddr?.ipv6.toCidrs()]).toEqual([
      6,
      undefined,
      ['2001:db8::1/128'],
    ])
  })

  it.each([
    [m('tcp dport', 'ssh2'), "'ssh2' is not a port or port range"],
    [m('tcp dport', { set: 'admins' }), "'tcp dport' compared with a set that holds no ports"],
    [m('ip6 daddr', { set: 'ports' }), "'ip6 daddr' compared with a set that holds no addresses"],
    [m('ip saddr', { set: 'nope' }), "set '@nope' is not defined in this table"],
  ])('%j is an error at the rule', (match, reason) => {
    expect(() => build([match], { sets })).toThrow(`rules.nft:7: ${reason}`)
  })

  it.each([
    ['tcp sport', ['tcp']],
    ['th sport', undefined],
  ])('%s is not modelled beyond its protocol', (selector, protocols) => {
    const { rule, warnings } = build([m(selector, '1024-65535')])
    expect(rule.protocols).toEqual(protocols)
    expect(warningTexts(warnings)).toEqual([
      'rules.nft:7: source ports are not modelled; the rule is taken to match',
    ])
  })

  it.each([
    [m('ip protocol', 'tcp'), 4, ['tcp']],
    [m('ip6 nexthdr', '17'), 6, ['udp']],
    [m('meta l4proto', ['6', 'udp']), undefined, ['tcp', 'udp']],
    [m('meta l4proto', 'tcp', true), undefined, ['udp']],
    [m('meta l4proto', 'icmp'), undefined, []],
  ])('%j: family %s, protocols %j', (match, family, protocols) => {
    const { rule } = build([match])
    expect([rule.family, rule.protocols]).toEqual([family, protocols])
  })

  it.each([
    [m('meta nfproto', 'ipv6'), 6, undefined],
    [m('meta nfproto', 'ipv4', true), 6, undefined],
    [m('meta nfproto', ['ipv4', 'ipv6']), undefined, undefined],
    [m('meta nfproto', ['ipv4', 'ipv6'], true), undefined, true],
  ])('%j: family %s, never %s', (match, family, never) => {
    const { rule } = build([match])
    expect([rule.family, rule.never]).toEqual([family, never])
  })

  it.each([
    [m('iifname', 'lo'), { iif: { names: ['lo'], negate: false } }],
    [m('meta iif', ['lo']), { iif: { names: ['lo'], negate: false } }],
    [m('iifname', 'lo', true), { iif: { names: ['lo'], negate: true } }],
    [m('oifname', ['lo', 'eth0']), { oif: { names: ['lo', 'eth0'], negate: false } }],
    [m('meta oif', 'eth+'), { oif: { names: ['eth*'], negate: false } }],
    [m('iifname', { set: 'ifs' }), { iif: { names: ['wg0', 'tailscale*'], negate: false } }],
  ])('%j: interfaces %j', (match, expected) => {
    const ifs = buildNftSet('ifname', ['wg0', 'tailscale*'], where)
    const { rule } = build([match], { sets: new Map([['ifs', ifs]]) })
    expect(rule).toMatchObject(expected)
    expect(rule.never).toBeUndefined()
  })

  it('an interface compared with a set of addresses is an error at the rule', () => {
    expect(() => build([m('iifname', { set: 'admins' })], { sets })).toThrow(
      "rules.nft:7: 'iifname' compared with a set that holds no interface names",
    )
  })

  it('ct state sets the states; DNAT alone says nothing about them', () => {
    expect(build([m('ct state', ['established', 'related'])]).rule.states).toEqual({
      new: false,
      established: true,
    })
    expect(build([m('ct state', 'dnat')]).rule.states).toBeUndefined()
  })

  it.each(['icmp type', 'icmpv6 type', 'icmp code', 'icmpv6 code'])(
    '%s matches no TCP/UDP packet',
    (selector) => {
      expect(build([m(selector, 'echo-request')]).rule.protocols).toEqual([])
    },
  )

  it('any other selector is taken to match, with a note', () => {
    const { rule, warnings } = build([m('meta skuid', '0')])
    expect(rule).toEqual({ ...where, verdict: { kind: 'accept' } })
    expect(warningTexts(warnings)).toEqual([
      "rules.nft:7: 'meta skuid' is not modelled; the rule is taken to match",
    ])
  })
})

describe('assembleNft', () => {
  const draft = (
    family: NftFamily,
    name: string,
    extra: Partial<NftChainDraft> = {},
  ): NftChainDraft => ({ family, table: 't', name, line: 3, rules: [], ...extra })
  const assemble = (chains: NftChainDraft[], whole = false) =>
    assembleNft(chains, { file: 'f', format: 'nftables', warnings: [], whole })

  it('filter chains on input and output are base chains; defaults: priority 0, accept, the chain line', () => {
    const c = assemble([
      draft('ip6', 'in', { type: 'filter', hook: 'input' }),
      draft('ip', 'out', {
        type: 'filter',
        hook: 'output',
        priority: -10,
        policy: 'drop',
        policyLine: 4,
      }),
    ])
    expect(c.families).toEqual([4, 6])
    expect(c.chains).toEqual([
      {
        name: 'ip6 t in',
        rules: [],
        hook: 'input',
        priority: 0,
        policy: 'accept',
        policyLine: 3,
        family: 6,
      },
      {
        name: 'ip t out',
        rules: [],
        hook: 'output',
        priority: -10,
        policy: 'drop',
        policyLine: 4,
        family: 4,
      },
    ])
  })

  it('an inet base chain decides both families and sees both', () => {
    const c = assemble([draft('inet', 'in', { type: 'filter', hook: 'input', policy: 'drop' })])
    expect(c.families).toEqual([4, 6])
    expect(c.chains[0]).not.toHaveProperty('family')
  })

  it.each([
    ['a nat chain on input', { type: 'nat', hook: 'input' }],
    ['a route chain', { type: 'route', hook: 'output' }],
    ['a regular chain', {}],
  ])('%s is no base chain and decides no family', (_, extra) => {
    const c = assemble([draft('inet', 'x', { ...extra, policy: 'drop' })])
    expect(c.families).toEqual([])
    expect(c.chains).toEqual([{ name: 'inet t x', rules: [] }])
  })

  it('filter chains on forward and nat chains on prerouting are base chains too', () => {
    const c = assemble([
      draft('ip', 'fwd', { type: 'filter', hook: 'forward', policy: 'drop' }),
      draft('ip', 'pre', { type: 'nat', hook: 'prerouting', priority: -100 }),
    ])
    expect(c.chains.map((ch) => [ch.name, ch.hook, ch.priority, ch.policy])).toEqual([
      ['ip t fwd', 'forward', 0, 'drop'],
      ['ip t pre', 'prerouting', -100, 'accept'],
    ])
    expect(c.whole).toBeUndefined()
  })

  it('a whole ruleset decides both families, whatever chains it has', () => {
    const c = assemble([draft('ip', 'x')], true)
    expect([c.families, c.whole]).toEqual([[4, 6], true])
  })

  it('chains of arp, bridge and netdev tables are left out', () => {
    const c = assemble([draft('other', 'in', { type: 'filter', hook: 'input', policy: 'drop' })])
    expect(c.chains).toEqual([])
    expect(c.families).toEqual([])
  })

  it('jump and goto targets are qualified with the table; other verdicts stay', () => {
    const rule = (verdict: RuleVerdict) =>
      buildNftRule([], verdict, { family: 'inet', sets: new Map(), where, warnings: [] })
    const c = assemble([
      draft('inet', 'in', {
        rules: [
          rule({ kind: 'jump', target: 'web' }),
          rule({ kind: 'goto', target: 'ssh' }),
          rule({ kind: 'drop' }),
        ],
      }),
    ])
    expect(c.chains[0]?.rules.map((r) => r.verdict)).toEqual([
      { kind: 'jump', target: 'inet t web' },
      { kind: 'goto', target: 'inet t ssh' },
      { kind: 'drop' },
    ])
  })
})

describe('qualify', () => {
  it('names a chain by family, table and name', () => {
    expect(qualify('ip6', 'filter', 'input')).toBe('ip6 filter input')
  })
})

describe('parsePriority', () => {
  // nft(8), "CHAINS": standard priority names and their values
  it.each([
    [['0'], 0],
    [['-5'], -5],
    [['raw'], -300],
    [['mangle'], -150],
    [['dstnat'], -100],
    [['filter'], 0],
    [['security'], 50],
    [['srcnat'], 100],
    [['filter', '-', '10'], -10],
    [['filter', '+', '5'], 5],
    [['mangle', '-', '5'], -155],
    [['$prio'], undefined],
  ])('%j is %s', (words, value) => {
    expect(parsePriority(words)).toBe(value)
  })
})
