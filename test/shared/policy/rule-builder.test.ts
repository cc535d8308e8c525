/**
 * @module The readers' shared helpers: port numbers, names and ranges; address lists into
 * per-family sets; address matches combined; connection states; finished rules; scalar text.
 */
import { describe, expect, it } from 'vitest'
import { PolicyError } from '../../../shared/src/index.ts'
import {
  addressMatch,
  addressSets,
  andAddress,
  finishRule,
  impliedEstablished,
  narrowAddressType,
  narrowProtocols,
  parseNatTarget,
  parsePortNumber,
  parsePortRange,
  parseStates,
  scalarText,
  type RuleDraft,
} from '../../../shared/src/policy/rule-builder.ts'
import { SERVICE_NAMES } from '../../../shared/src/policy/service-names.ts'

const WHERE = { file: 'rules.v4', line: 12 }

describe('parsePortNumber', () => {
  it.each([
    ['0', undefined, 0],
    ['22', undefined, 22],
    ['65535', undefined, 65535],
    ['00443', undefined, 443],
    ['ssh', undefined, 22],
    ['http-alt', undefined, 8080],
    ['gopher', undefined, 70],
    // the name that refused a whole real nftables file (issue 12): UDP only
    ['dhcpv6-client', undefined, 546],
    ['dhcpv6-client', 'udp', 546],
    ['dhcpv6-client', 'tcp', undefined],
    ['domain', 'udp', 53],
    ['ntp', 'tcp', undefined],
    // aliases, as getservbyname(3) resolves them
    ['postgres', 'tcp', 5432],
    ['www', undefined, 80],
    // names are case-sensitive, as nft and iptables-restore have them (both refuse `SSH`)
    ['HTTPS', undefined, undefined],
    ['65536', undefined, undefined],
    ['99999', undefined, undefined],
    ['123456', undefined, undefined],
    ['no-such-service', undefined, undefined],
    ['constructor', undefined, undefined],
    ['-1', undefined, undefined],
    ['', undefined, undefined],
  ] as const)('reads %j (over %s) as %s', (text, protocol, port) => {
    expect(parsePortNumber(text, protocol)).toBe(port)
  })

  it('resolves every name and alias of /etc/services, over the protocols it lists', () => {
    expect(SERVICE_NAMES.size).toBeGreaterThan(300)
    for (const [name, ports] of SERVICE_NAMES) {
      expect(parsePortNumber(name)).toBe(ports.tcp ?? ports.udp)
      expect(parsePortNumber(name, 'tcp')).toBe(ports.tcp)
      expect(parsePortNumber(name, 'udp')).toBe(ports.udp)
    }
  })
})

describe('parsePortRange', () => {
  it.each([
    ['22', [22, 22]],
    ['1000:2000', [1000, 2000]],
    ['1000-2000', [1000, 2000]],
    ['ssh', [22, 22]],
    ['http:https', [80, 443]],
    ['0:65535', [0, 65535]],
    ['2000:1000', undefined],
    ['1:2:3', undefined],
    ['1-2-3', undefined],
    [':22', undefined],
    ['22:', undefined],
    ['', undefined],
    ['22:no-such-service', undefined],
    ['no-such-service', undefined],
    ['22:gopher', [22, 70]],
    // a name with a dash is a name first, then a range at a dash where both sides resolve
    ['dhcpv6-client', [546, 546]],
    ['domain-s', [853, 853]],
    ['ssh-http', [22, 80]],
    ['http-alt:8090', [8080, 8090]],
    ['http-alt-8090', [8080, 8090]],
    ['https-http', undefined],
    // longer than any range of two names: not tried at all
    [`${'a-'.repeat(5000)}a`, undefined],
  ])('reads %j as %j', (text, range) => {
    expect(parsePortRange(text)).toEqual(range)
  })

  it('resolves names over the protocol it is given', () => {
    expect(parsePortRange('dhcpv6-client', 'udp')).toEqual([546, 546])
    expect(parsePortRange('dhcpv6-client', 'tcp')).toBeUndefined()
    expect(parsePortRange('ntp:dhcpv6-client', 'udp')).toEqual([123, 546])
  })
})

describe('addressSets', () => {
  it('takes CIDRs, bare addresses and a-b ranges of both families into per-family sets', () => {
    const { ipv4, ipv6 } = addressSets(
      [
        '192.0.2.10-192.0.2.20',
        '198.51.100.0/24',
        '203.0.113.9',
        '2001:db8::10-2001:db8::1f',
        '2001:db8:1::/48',
      ],
      WHERE,
    )
    expect(ipv4.addressCount()).toBe(11n + 256n + 1n)
    for (const [a, inside] of [
      ['192.0.2.9', false],
      ['192.0.2.10', true],
      ['192.0.2.20', true],
      ['192.0.2.21', false],
      ['198.51.100.255', true],
      ['203.0.113.9', true],
      ['203.0.113.10', false],
    ] as const)
      expect([a, ipv4.contains(a)]).toEqual([a, inside])
    expect(ipv6.toCidrs()).toEqual(['2001:db8::10/124', '2001:db8:1::/48'])
  })

  it('takes a single-address range', () => {
    expect(addressSets(['192.0.2.7-192.0.2.7'], WHERE).ipv4.toCidrs()).toEqual(['192.0.2.7/32'])
    expect(addressSets(['2001:db8::7-2001:db8::7'], WHERE).ipv6.toCidrs()).toEqual([
      '2001:db8::7/128',
    ])
  })

  it('gives empty sets for an empty list', () => {
    const { ipv4, ipv6 } = addressSets([], WHERE)
    expect([ipv4.isEmpty, ipv6.isEmpty]).toEqual([true, true])
  })

  it.each([
    '192.0.2.20-192.0.2.10',
    '2001:db8::1f-2001:db8::10',
    '192.0.2.1-2001:db8::1',
    '2001:db8::1-192.0.2.1',
    '192.0.2.1-',
    '-192.0.2.1',
    'any',
    'anywhere',
    'example.com',
    '192.0.2.0/33',
  ])('refuses %j, naming file, line and value', (value) => {
    let error: unknown
    try {
      addressSets(['192.0.2.1', value], WHERE)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect(error).toMatchObject({
      code: 'ERR_POLICY_CONFIG',
      message: `rules.v4:12: '${value}' is not an address, CIDR or range`,
      file: 'rules.v4',
      line: 12,
    })
  })
})

describe('andAddress', () => {
  const sets = (...cidrs: string[]) => addressSets(cidrs, WHERE)

  it('is the other match when there is no first one', () => {
    const b = addressMatch(sets('192.0.2.0/24'), true)
    expect(andAddress(undefined, b)).toBe(b)
  })

  it('intersects two matches per family', () => {
    const m = andAddress(
      addressMatch(sets('192.0.2.0/24', '2001:db8::/32')),
      addressMatch(sets('192.0.2.128/25', '10.0.0.0/8', '2001:db8:1::/48')),
    )
    expect(m.negate).toBe(false)
    expect(m.ipv4.toCidrs()).toEqual(['192.0.2.128/25'])
    expect(m.ipv6.toCidrs()).toEqual(['2001:db8:1::/48'])
  })

  it('turns a negated match into its complement first (-s A ! -s B is A minus B)', () => {
    const m = andAddress(
      addressMatch(sets('192.0.2.0/24', '2001:db8::/32')),
      addressMatch(sets('192.0.2.0/25', '2001:db8::/33'), true),
    )
    expect(m).toMatchObject({ negate: false })
    expect(m.ipv4.toCidrs()).toEqual(['192.0.2.128/25'])
    expect(m.ipv6.toCidrs()).toEqual(['2001:db8:8000::/33'])
    const both = andAddress(
      addressMatch(sets('0.0.0.0/1'), true),
      addressMatch(sets('192.0.0.0/2'), true),
    )
    expect(both.ipv4.toCidrs()).toEqual(['128.0.0.0/2'])
    expect(both.ipv6.isAll).toBe(true)
  })
})

describe('narrowProtocols', () => {
  it('sets the protocols of a draft without any, then only narrows them', () => {
    const draft: RuleDraft = {}
    narrowProtocols(draft, ['tcp', 'udp'])
    expect(draft.protocols).toEqual(['tcp', 'udp'])
    narrowProtocols(draft, ['udp'])
    expect(draft.protocols).toEqual(['udp'])
    narrowProtocols(draft, ['tcp'])
    expect(draft.protocols).toEqual([])
  })
})

describe('parseStates', () => {
  it.each([
    [['NEW'], false, { new: true, established: false }],
    [['ESTABLISHED', 'RELATED'], false, { new: false, established: true }],
    [['untracked', 'related'], false, { new: true, established: true }],
    [['INVALID'], false, { new: false, established: false }],
    [['DNAT'], false, undefined],
    [['dnat', 'SNAT'], false, undefined],
    [['NEW'], true, { new: false, established: true }],
    [['ESTABLISHED', 'RELATED'], true, { new: true, established: false }],
    [['INVALID'], true, { new: true, established: true }],
    [['DNAT'], true, { new: false, established: false }],
    [['DNAT', 'NEW'], false, { new: true, established: false }],
  ])('reads %j (negated: %s) as %j', (names, negate, states) => {
    expect(parseStates(names, negate)).toEqual(states)
  })
})

describe('finishRule', () => {
  it('keeps only what the draft says, and continues when it has no verdict', () => {
    expect(finishRule({}, { ...WHERE, text: '-A INPUT -p tcp' })).toEqual({
      ...WHERE,
      text: '-A INPUT -p tcp',
      verdict: { kind: 'continue' },
    })
  })

  it('carries every match of the draft', () => {
    const saddr = addressMatch(addressSets(['192.0.2.0/24'], WHERE))
    const daddr = addressMatch(addressSets(['2001:db8::/32'], WHERE), true)
    const draft: RuleDraft = {
      family: 6,
      protocols: ['udp'],
      dports: { ranges: [[53, 53]], negate: false },
      saddr,
      daddr,
      states: { new: true, established: false },
      never: true,
      verdict: { kind: 'jump', target: 'LOG_DROP' },
    }
    expect(finishRule(draft, { ...WHERE, text: 'x' })).toEqual({ ...WHERE, text: 'x', ...draft })
    expect(finishRule({ never: false }, { ...WHERE, text: 'x' })).not.toHaveProperty('never')
  })

  it('cuts a rule text longer than 200 characters to 197 and an ellipsis', () => {
    const long = `-A INPUT -s ${'192.0.2.1,'.repeat(30)} -j ACCEPT`
    const text = finishRule({}, { ...WHERE, text: long }).text
    expect(text).toBe(`${long.slice(0, 197)}...`)
    expect(text).toHaveLength(200)
    const fits = 'x'.repeat(200)
    expect(finishRule({}, { ...WHERE, text: fits }).text).toBe(fits)
  })
})

describe('impliedEstablished', () => {
  it('accepts replies (established, not new) and is attributed to the given line', () => {
    expect(impliedEstablished('user.rules', 3, 'ufw before.rules')).toEqual({
      file: 'user.rules',
      line: 3,
      text: 'ufw before.rules',
      states: { new: false, established: true },
      verdict: { kind: 'accept' },
    })
  })
})

describe('scalarText', () => {
  it.each([
    ['a string as it is', 'ssh', 'ssh'],
    ['an integer', 22, '22'],
    ['a fraction', 1.5, '1.5'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['a bigint (YAML intAsBigInt)', 12345678901234567890n, '12345678901234567890'],
    ['undefined as nothing', undefined, ''],
    ['null as JSON', null, 'null'],
    ['a list as JSON', [22, 'ssh'], '[22,"ssh"]'],
    ['a mapping as JSON', { port: 22 }, '{"port":22}'],
    ['a function (JSON cannot print it) as nothing', () => 22, ''],
    ['a symbol as nothing', Symbol('x'), ''],
  ])('prints %s', (_, value, text) => {
    expect(scalarText(value)).toBe(text)
  })
})

describe('parseNatTarget', () => {
  it.each([
    ['172.17.0.2:80', false, { addr: '172.17.0.2', port: 80, range: false }],
    ['172.17.0.2', false, { addr: '172.17.0.2', range: false }],
    ['[2001:db8::2]:8080', false, { addr: '2001:db8::2', port: 8080, range: false }],
    ['[2001:db8::2]', false, { addr: '2001:db8::2', range: false }],
    ['2001:db8::2', false, { addr: '2001:db8::2', range: false }],
    [':8080', false, { port: 8080, range: false }],
    ['172.17.0.2-172.17.0.9:80-89', false, { addr: '172.17.0.2', port: 80, range: true }],
    ['8080', true, { port: 8080, range: false }],
    [':8080-8090', true, { port: 8080, range: true }],
    ['db:5432', false, undefined],
    ['172.17.0.2:0', false, undefined],
    ['172.17.0.2:http-alt-x', false, undefined],
  ])('%s (redirect: %s)', (value, redirect, want) => {
    expect(parseNatTarget(value, redirect)).toEqual(want)
  })
})

describe('narrowAddressType', () => {
  it.each([
    // to this host: the rule holds for packets to this host, not those DNATed to a container
    [['LOCAL'], false, 'dst', { dstLocal: true }],
    [['LOCAL'], true, 'dst', { dstLocal: false }],
    // every packet modelled is to a unicast address; none is to a broadcast one
    [['UNICAST'], false, 'dst', {}],
    [['BROADCAST', 'MULTICAST'], false, 'dst', { never: true }],
    [['BROADCAST'], true, 'dst', {}],
    // the source is a remote unicast address, never one of this host's
    [['LOCAL'], false, 'src', { never: true }],
    [['UNICAST'], false, 'src', {}],
  ] as const)('%j negate=%s on %s', (types, negate, side, want) => {
    const draft: RuleDraft = {}
    expect(narrowAddressType(draft, types, negate, side)).toBe(true)
    expect(draft).toEqual(want)
  })

  it('narrows nothing for a type it does not know', () => {
    const draft: RuleDraft = {}
    expect(narrowAddressType(draft, ['LOCAL', 'SOMETHING'], false, 'dst')).toBe(false)
    expect(draft).toEqual({})
  })
})
