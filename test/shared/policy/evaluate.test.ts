/**
 * @module The evaluator on hand-built configs: jumps, gotos and returns, base chains in priority
 * order and per family, connection state, published ports and DOCKER-USER, cloud layers; reachOf
 * and traceAddress checked against each other on random rule sets.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  compileConfigs,
  evaluatePolicy,
  parsePolicy,
  PolicyError,
  reachOf,
  traceAddress,
  type AddressMatch,
  type FirewallChain,
  type FirewallConfig,
  type FirewallRule,
  type PacketShape,
  type RuleVerdict,
} from '../../../shared/src/index.ts'

const FILE = 'etc/iptables/rules.v4'

function rule(
  line: number,
  verdict: RuleVerdict,
  matches: Omit<FirewallRule, 'file' | 'line' | 'verdict' | 'text'> = {},
): FirewallRule {
  return { file: FILE, line, text: `rule at line ${line}`, verdict, ...matches }
}

/** An address match over CIDRs of both families. */
function addrs(cidrs: readonly string[], negate = false): AddressMatch {
  return {
    ipv4: IpSet.fromCidrs(
      4,
      cidrs.filter((c) => !c.includes(':')),
    ),
    ipv6: IpSet.fromCidrs(
      6,
      cidrs.filter((c) => c.includes(':')),
    ),
    negate,
  }
}

const ACCEPT = { kind: 'accept' } as const
const DROP = { kind: 'drop' } as const
const RETURN = { kind: 'return' } as const
const jump = (target: string) => ({ kind: 'jump', target }) as const
const goto = (target: string) => ({ kind: 'goto', target }) as const

function host(chains: FirewallChain[], more: Partial<FirewallConfig> = {}): FirewallConfig {
  return {
    file: FILE,
    format: 'iptables-save',
    layer: 'host',
    families: [4, 6],
    chains,
    published: [],
    warnings: [],
    ...more,
  }
}

function shape(port: number, more: Partial<PacketShape> = {}): PacketShape {
  return { direction: 'inbound', protocol: 'tcp', port, family: 4, state: 'new', ...more }
}

/** The CIDRs that get through, or '-' when no config decides. */
function reach(configs: readonly FirewallConfig[], s: PacketShape): string[] | '-' {
  return reachOf(compileConfigs(configs), s)?.toCidrs() ?? '-'
}

function valueOf(address: string): bigint {
  return IpSet.fromCidrs(address.includes(':') ? 6 : 4, [address]).firstValue()!
}

/** Each step of a trace as `line accepted|dropped layer`. */
function trace(configs: readonly FirewallConfig[], s: PacketShape, address: string): string[] {
  return traceAddress(compileConfigs(configs), s, valueOf(address)).map(
    (t) => `${t.file}:${t.line} ${t.accepted ? 'accepted' : 'dropped'} ${t.layer} (${t.text})`,
  )
}

describe('reachOf and traceAddress', () => {
  const sshChain = host([
    {
      name: 'INPUT',
      hook: 'input',
      policy: 'drop',
      policyLine: 3,
      rules: [
        rule(5, jump('SSH'), { protocols: ['tcp'], dports: { ranges: [[22, 22]], negate: false } }),
        rule(6, ACCEPT, { saddr: addrs(['198.51.100.0/24']) }),
      ],
    },
    {
      name: 'SSH',
      rules: [
        rule(10, ACCEPT, { saddr: addrs(['203.0.113.0/24']) }),
        rule(11, RETURN, { saddr: addrs(['192.0.2.0/25']) }),
        rule(12, DROP, { saddr: addrs(['192.0.2.0/24']) }),
      ],
    },
  ])

  it('follows a jump into a user chain and back on RETURN or at its end', () => {
    expect(reach([sshChain], shape(22))).toEqual(['198.51.100.0/24', '203.0.113.0/24'])
    expect(reach([sshChain], shape(80))).toEqual(['198.51.100.0/24'])
    expect(trace([sshChain], shape(22), '203.0.113.9')).toEqual([
      `${FILE}:10 accepted host (rule at line 10)`,
    ])
    expect(trace([sshChain], shape(22), '192.0.2.1')).toEqual([
      `${FILE}:3 dropped host (chain INPUT policy drop)`,
    ])
    expect(trace([sshChain], shape(22), '192.0.2.200')).toEqual([
      `${FILE}:12 dropped host (rule at line 12)`,
    ])
    expect(trace([sshChain], shape(22), '198.51.100.1')).toEqual([
      `${FILE}:6 accepted host (rule at line 6)`,
    ])
  })

  it.each([
    ['jump', jump('MAIL'), ['192.0.2.0/24'], `${FILE}:20 dropped host (rule at line 20)`],
    // a goto'd chain that returns hands the packet to the base chain's policy
    ['goto', goto('MAIL'), ['0.0.0.0/0'], `${FILE}:1 accepted host (chain INPUT policy accept)`],
  ] as const)(
    'after a %s, a chain that returns goes on in the caller or ends the base chain',
    (_, verdict, cidrs, step) => {
      const c = host([
        {
          name: 'INPUT',
          hook: 'input',
          rules: [
            rule(19, verdict, { dports: { ranges: [[25, 25]], negate: false } }),
            rule(20, DROP),
          ],
        },
        {
          name: 'MAIL',
          rules: [
            rule(30, ACCEPT, { saddr: addrs(['192.0.2.0/24']) }),
            rule(31, RETURN, { saddr: addrs(['198.51.100.0/24']) }),
          ],
        },
      ])
      expect(reach([c], shape(25))).toEqual(cidrs)
      expect(reach([c], shape(26))).toEqual([])
      expect(trace([c], shape(25), '198.51.100.1')).toEqual([step])
      expect(trace([c], shape(25), '203.0.113.1')).toEqual([step])
      expect(trace([c], shape(25), '192.0.2.1')).toEqual([
        `${FILE}:30 accepted host (rule at line 30)`,
      ])
    },
  )

  it('passes over a jump to a chain the file does not define', () => {
    const c = host([
      {
        name: 'INPUT',
        hook: 'input',
        policy: 'drop',
        rules: [rule(4, jump('f2b-sshd')), rule(5, ACCEPT, { saddr: addrs(['10.0.0.0/8']) })],
      },
    ])
    expect(reach([c], shape(22))).toEqual(['10.0.0.0/8'])
    expect(trace([c], shape(22), '10.1.2.3')).toEqual([`${FILE}:5 accepted host (rule at line 5)`])
    expect(trace([c], shape(22), '192.0.2.1')).toEqual([
      `${FILE}:1 dropped host (chain INPUT policy drop)`,
    ])
  })

  it('refuses jumps that loop, naming the file and a chain on the loop', () => {
    const c = host([
      { name: 'INPUT', hook: 'input', rules: [rule(4, jump('A'))] },
      { name: 'A', rules: [rule(8, jump('B'))] },
      { name: 'B', rules: [rule(12, jump('A'))] },
    ])
    const cs = compileConfigs([c])
    const message = new RegExp(`^${FILE}: chain '[AB]': jumps nest deeper than 64 \\(a loop\\?\\)$`)
    for (const run of [() => reachOf(cs, shape(22)), () => traceAddress(cs, shape(22), 1n)]) {
      let error: unknown
      try {
        run()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(PolicyError)
      expect(error).toMatchObject({ code: 'ERR_POLICY_CONFIG', file: FILE })
      expect((error as PolicyError).message).toMatch(message)
    }
  })

  it('runs the base chains of a hook in priority order (none given: 0), each for its family', () => {
    const c = host(
      [
        {
          name: 'filter4',
          hook: 'input',
          family: 4,
          priority: 10,
          policy: 'drop',
          policyLine: 2,
          rules: [rule(3, ACCEPT, { saddr: addrs(['192.0.2.0/24']) })],
        },
        {
          name: 'early',
          hook: 'input',
          rules: [rule(8, DROP, { saddr: addrs(['192.0.2.128/25', '2001:db8::/32']) })],
        },
        {
          name: 'raw',
          hook: 'input',
          priority: -300,
          policy: 'accept',
          policyLine: 14,
          rules: [],
        },
      ],
      { format: 'nftables', file: 'nftables.conf' },
    )
    expect(reach([c], shape(22))).toEqual(['192.0.2.0/25'])
    expect(reach([c], shape(22, { family: 6 }))).toEqual(
      IpSet.fromCidrs(6, ['2001:db8::/32']).complement().toCidrs(),
    )
    expect(trace([c], shape(22), '192.0.2.1')).toEqual([
      'nftables.conf:14 accepted host (chain raw policy accept)',
      'nftables.conf:1 accepted host (chain early policy accept)',
      `${FILE}:3 accepted host (rule at line 3)`,
    ])
    expect(trace([c], shape(22, { family: 6 }), '2001:db9::1')).toEqual([
      'nftables.conf:14 accepted host (chain raw policy accept)',
      'nftables.conf:1 accepted host (chain early policy accept)',
    ])
  })

  it('leaves a family undecided when no base chain of the hook or the config takes it', () => {
    const only6 = host([{ name: 'in6', hook: 'input', family: 6, policy: 'drop', rules: [] }])
    expect(reach([only6], shape(22))).toBe('-')
    expect(reach([only6], shape(22, { family: 6 }))).toEqual([])
    expect(reach([only6], shape(22, { family: 6, direction: 'outbound' }))).toBe('-')
    const v4file = host([{ name: 'INPUT', hook: 'input', policy: 'drop', rules: [] }], {
      families: [4],
    })
    expect(reach([v4file], shape(22, { family: 6 }))).toBe('-')
    expect(trace([v4file], shape(22, { family: 6 }), '2001:db8::1')).toEqual([])
  })

  it('matches destinations on the way out, connection states, negated ports and addresses', () => {
    const c = host([
      {
        name: 'INPUT',
        hook: 'input',
        rules: [
          rule(2, ACCEPT, {
            family: 6,
            dports: {
              ranges: [
                [20, 30],
                [25, 35],
                [60000, 65535],
              ],
              negate: false,
            },
          }),
          rule(3, ACCEPT, { states: { new: false, established: true } }),
          rule(4, DROP, { dports: { ranges: [[22, 22]], negate: true } }),
          rule(5, DROP, { saddr: addrs(['10.0.0.0/8'], true) }),
          rule(6, ACCEPT, { never: true }),
        ],
      },
      {
        name: 'OUTPUT',
        hook: 'output',
        policy: 'drop',
        rules: [
          rule(9, ACCEPT, { protocols: ['udp'], daddr: addrs(['192.0.2.53']) }),
          rule(10, ACCEPT, { protocols: ['tcp'], daddr: addrs(['2001:db8::/32']) }),
        ],
      },
    ])
    expect(reach([c], shape(22))).toEqual(['10.0.0.0/8'])
    expect(reach([c], shape(80))).toEqual([])
    expect(reach([c], shape(80, { state: 'established' }))).toEqual(['0.0.0.0/0'])
    expect(reach([c], shape(53, { direction: 'outbound', protocol: 'udp' }))).toEqual([
      '192.0.2.53/32',
    ])
    expect(reach([c], shape(53, { direction: 'outbound' }))).toEqual([])
    expect(reach([c], shape(443, { direction: 'outbound', family: 6 }))).toEqual(['2001:db8::/32'])
    expect(trace([c], shape(22), '192.0.2.1')).toEqual([`${FILE}:5 dropped host (rule at line 5)`])
    expect(reach([c], shape(35, { family: 6 }))).toEqual(['::/0'])
    expect(reach([c], shape(36, { family: 6 }))).toEqual([])
    expect(reach([c], shape(65535, { family: 6 }))).toEqual(['::/0'])
    const dns = shape(53, { direction: 'outbound', protocol: 'udp' })
    expect(trace([c], dns, '192.0.2.53')).toEqual([`${FILE}:9 accepted host (rule at line 9)`])
    expect(trace([c], dns, '192.0.2.54')).toEqual([
      `${FILE}:1 dropped host (chain OUTPUT policy drop)`,
    ])
  })

  describe('published ports', () => {
    const compose: FirewallConfig = {
      file: 'docker-compose.yml',
      format: 'docker-compose',
      layer: 'docker',
      families: [4, 6],
      chains: [],
      published: [
        { ports: [8000, 8010], protocol: 'tcp', service: 'web', line: 7 },
        { ports: [5432, 5432], protocol: 'tcp', hostIp: '127.0.0.1', service: 'db', line: 12 },
        { ports: [9000, 9000], protocol: 'tcp', hostIp: '2001:db8::5', service: 'api', line: 15 },
        { ports: [9100, 9100], protocol: 'tcp', hostIp: '::1', service: 'metrics', line: 18 },
        { ports: [9200, 9200], protocol: 'tcp', hostIp: '192.0.2.10', service: 'search', line: 21 },
        { ports: [50000, 65535], protocol: 'udp', service: 'rtp', line: 24 },
      ],
      warnings: [],
    }
    const iptables = host([
      { name: 'INPUT', hook: 'input', policy: 'drop', policyLine: 2, rules: [] },
      {
        name: 'DOCKER-USER',
        hook: 'docker-user',
        rules: [rule(20, DROP, { saddr: addrs(['203.0.113.0/24']) })],
      },
    ])
    const sg: FirewallConfig = {
      ...host([{ name: 'ingress', hook: 'input', policy: 'drop', rules: [] }]),
      file: 'sg.json',
      format: 'aws-sg',
      layer: 'cloud',
    }

    it('skips INPUT: only DOCKER-USER filters a published port', () => {
      const all4 = IpSet.fromCidrs(4, ['0.0.0.0/0'])
      expect(reach([compose, iptables], shape(8005))).toEqual(
        all4.difference(IpSet.fromCidrs(4, ['203.0.113.0/24'])).toCidrs(),
      )
      expect(reach([compose], shape(8005))).toEqual(['0.0.0.0/0'])
      expect(reach([compose], shape(8005, { protocol: 'udp' }))).toBe('-')
      expect(reach([compose], shape(65535, { protocol: 'udp' }))).toEqual(['0.0.0.0/0'])
      expect(reach([compose, iptables], shape(8011))).toEqual([])
      expect(trace([compose, iptables], shape(8005), '192.0.2.1')).toEqual([
        "docker-compose.yml:7 accepted docker (the ports: entry of service 'web' (8000-8010/tcp; Docker's NAT skips INPUT))",
      ])
    })

    it('stops the trace at a DOCKER-USER drop, before the cloud layer', () => {
      expect(reach([compose, iptables, sg], shape(8000))).toEqual([])
      expect(trace([compose, iptables, sg], shape(8000), '203.0.113.7')).toEqual([
        "docker-compose.yml:7 accepted docker (the ports: entry of service 'web' (8000-8010/tcp; Docker's NAT skips INPUT))",
        `${FILE}:20 dropped host (rule at line 20)`,
      ])
      expect(trace([compose, iptables, sg], shape(8000), '192.0.2.1')).toEqual([
        "docker-compose.yml:7 accepted docker (the ports: entry of service 'web' (8000-8010/tcp; Docker's NAT skips INPUT))",
        'sg.json:1 dropped cloud (chain ingress policy drop)',
      ])
    })

    it('publishes on the family of its host address, never on loopback', () => {
      const both = [compose, iptables]
      expect(reach(both, shape(5432))).toEqual([])
      expect(reach(both, shape(9000, { family: 6 }))).toEqual(['::/0'])
      expect(reach(both, shape(9000))).toEqual([])
      expect(reach(both, shape(9100, { family: 6 }))).toEqual([])
      expect(reach(both, shape(9200, { family: 6 }))).toEqual([])
      expect(trace(both, shape(9000, { family: 6 }), '2001:db8::1')).toEqual([
        "docker-compose.yml:15 accepted docker (the ports: entry of service 'api' (9000/tcp; Docker's NAT skips INPUT))",
      ])
      expect(trace(both, shape(9100, { family: 6 }), '2001:db8::1')).toEqual([
        `${FILE}:2 dropped host (chain INPUT policy drop)`,
      ])
    })

    it('takes a published port for outbound traffic as not published', () => {
      expect(reach([compose], shape(8005, { direction: 'outbound' }))).toBe('-')
    })
  })

  it('passes a packet through every host layer, then every cloud layer', () => {
    const ufw = host([{ name: 'INPUT', hook: 'input', policy: 'drop', rules: [rule(3, ACCEPT)] }])
    const sg: FirewallConfig = {
      ...host([
        {
          name: 'ingress',
          hook: 'input',
          policy: 'drop',
          rules: [{ ...rule(7, ACCEPT, { saddr: addrs(['192.0.2.0/24']) }), file: 'sg.json' }],
        },
      ]),
      file: 'sg.json',
      format: 'aws-sg',
      layer: 'cloud',
    }
    expect(reach([ufw, sg], shape(22))).toEqual(['192.0.2.0/24'])
    expect(trace([ufw, sg], shape(22), '192.0.2.1')).toEqual([
      `${FILE}:3 accepted host (rule at line 3)`,
      'sg.json:7 accepted cloud (rule at line 7)',
    ])
    expect(trace([ufw, sg], shape(22), '198.51.100.1')).toEqual([
      `${FILE}:3 accepted host (rule at line 3)`,
      'sg.json:1 dropped cloud (chain ingress policy drop)',
    ])
  })
})

describe('evaluatePolicy', () => {
  it('takes configs compiled once as well as the configs', () => {
    const policy = parsePolicy('inbound:\n  require: [22]\n', 'p.yml')
    const configs = [
      host([{ name: 'INPUT', hook: 'input', policy: 'drop', policyLine: 2, rules: [] }]),
    ]
    const once = evaluatePolicy(policy, compileConfigs(configs))
    expect(once).toEqual(evaluatePolicy(policy, configs))
    expect(once.findings.map((f) => [f.rule, f.line])).toContainEqual(['require-22-tcp', 2])
  })
})

/**
 * Random rule sets over 10.0.0.0/28 and ports 20-25: base chains for input, output and
 * DOCKER-USER, user chains U1 and U2 (no loops); host or cloud layer.
 */
const cidr = fc
  .record({ low: fc.integer({ min: 0, max: 15 }), prefix: fc.integer({ min: 28, max: 32 }) })
  .map(({ low, prefix }) => `10.0.0.${low}/${prefix}`)

function randomRule(targets: readonly string[]): fc.Arbitrary<FirewallRule> {
  const verdicts: fc.Arbitrary<RuleVerdict>[] = [
    fc.constant(ACCEPT),
    fc.constant(DROP),
    fc.constant(RETURN),
    fc.constant({ kind: 'continue' } as const),
    ...targets.flatMap((t) => [fc.constant(jump(t)), fc.constant(goto(t))]),
    fc.constant(jump('MISSING')),
  ]
  return fc
    .record(
      {
        line: fc.integer({ min: 1, max: 99 }),
        verdict: fc.oneof(...verdicts),
        saddr: fc.record({ cidrs: fc.array(cidr, { maxLength: 2 }), negate: fc.boolean() }),
        dports: fc.record({
          a: fc.integer({ min: 20, max: 25 }),
          n: fc.integer({ min: 0, max: 3 }),
          negate: fc.boolean(),
        }),
        states: fc.record({ new: fc.boolean(), established: fc.boolean() }),
        protocols: fc.constantFrom(['tcp'] as const, ['udp'] as const, ['tcp', 'udp'] as const),
      },
      { requiredKeys: ['line', 'verdict'] },
    )
    .map((r) =>
      rule(r.line, r.verdict, {
        ...(r.saddr
          ? {
              saddr: addrs(r.saddr.cidrs, r.saddr.negate),
              daddr: addrs(r.saddr.cidrs, r.saddr.negate),
            }
          : {}),
        ...(r.dports
          ? { dports: { ranges: [[r.dports.a, r.dports.a + r.dports.n]], negate: r.dports.negate } }
          : {}),
        ...(r.states ? { states: r.states } : {}),
        ...(r.protocols ? { protocols: r.protocols } : {}),
      }),
    )
}

const randomConfig = fc
  .record({
    layer: fc.constantFrom('host', 'cloud'),
    input: fc.array(randomRule(['U1', 'U2']), { maxLength: 5 }),
    output: fc.array(randomRule(['U1', 'U2']), { maxLength: 3 }),
    dockerUser: fc.array(randomRule(['U2']), { maxLength: 3 }),
    u1: fc.array(randomRule(['U2']), { maxLength: 4 }),
    u2: fc.array(randomRule([]), { maxLength: 4 }),
    policy: fc.constantFrom('accept', 'drop', undefined),
    outPolicy: fc.constantFrom('accept', 'drop'),
  })
  .map(({ layer, input, output, dockerUser, u1, u2, policy, outPolicy }) =>
    host(
      [
        { name: 'INPUT', hook: 'input', ...(policy ? { policy } : {}), rules: input },
        { name: 'OUTPUT', hook: 'output', policy: outPolicy, rules: output },
        { name: 'DOCKER-USER', hook: 'docker-user', rules: dockerUser },
        { name: 'U1', rules: u1 },
        { name: 'U2', rules: u2 },
      ],
      { layer },
    ),
  )

/** A compose file publishing some of ports 19-26, maybe on one address. */
const randomCompose = fc
  .record({
    a: fc.integer({ min: 19, max: 26 }),
    n: fc.integer({ min: 0, max: 3 }),
    hostIp: fc.constantFrom(undefined, '10.0.0.1', '127.0.0.1', '2001:db8::1'),
  })
  .map(({ a, n, hostIp }): FirewallConfig => ({
    file: 'docker-compose.yml',
    format: 'docker-compose',
    layer: 'docker',
    families: [4, 6],
    chains: [],
    published: [
      {
        ports: [a, a + n],
        protocol: 'tcp',
        service: 'app',
        line: 3,
        ...(hostIp ? { hostIp } : {}),
      },
    ],
    warnings: [],
  }))

describe('traceAddress against reachOf', () => {
  it('accepts exactly the addresses the reach holds, and names the step that drops the others', () => {
    fc.assert(
      fc.property(
        fc.array(randomConfig, { minLength: 1, maxLength: 3 }),
        fc.option(randomCompose, { nil: undefined }),
        fc.integer({ min: 19, max: 26 }),
        fc.integer({ min: 0, max: 16 }),
        fc.constantFrom('new', 'established'),
        fc.constantFrom('inbound', 'outbound'),
        (configs, compose, port, low, state, direction) => {
          const cs = compileConfigs(compose ? [compose, ...configs] : configs)
          const s = shape(port, { state, direction })
          const address = valueOf('10.0.0.0') + BigInt(low)
          const inReach = reachOf(cs, s)!.containsValue(address)
          const steps = traceAddress(cs, s, address)
          expect(steps.length).toBeGreaterThan(0)
          const dropped = steps.filter((t) => !t.accepted)
          expect(dropped.length).toBe(inReach ? 0 : 1)
          if (!inReach) expect(steps.at(-1)).toBe(dropped[0])
        },
      ),
      { numRuns: 500 },
    )
  })
})
