/**
 * @module findingsFor through evaluatePolicy, on hand-built configs: what each policy rule kind
 * reports (sources, ports, the deciding line, the fix in the deciding file's own syntax), unlisted
 * ports, UDP return traffic, feeds, and notes for what a config does not model.
 */
import { describe, expect, it } from 'vitest'
import {
  evaluatePolicy,
  IpSet,
  parsePolicy,
  PolicyError,
  readFirewallConfigs,
  type AddressMatch,
  type ConfigFormat,
  type Finding,
  type FirewallChain,
  type FirewallConfig,
  type FirewallRule,
  type RuleVerdict,
} from '../../../shared/src/index.ts'

const FILE = 'etc/iptables/rules.v4'

function rule(
  line: number,
  verdict: RuleVerdict,
  matches: Omit<FirewallRule, 'file' | 'line' | 'verdict' | 'text'> = {},
): FirewallRule {
  return { file: FILE, line, text: `rule ${line}`, verdict, ...matches }
}

function addrs(cidrs: readonly string[]): AddressMatch {
  return {
    ipv4: IpSet.fromCidrs(
      4,
      cidrs.filter((c) => !c.includes(':')),
    ),
    ipv6: IpSet.fromCidrs(
      6,
      cidrs.filter((c) => c.includes(':')),
    ),
    negate: false,
  }
}

const ACCEPT = { kind: 'accept' } as const
const DROP = { kind: 'drop' } as const
const ports = (a: number, b = a) => ({ ranges: [[a, b]] as const, negate: false })

/** A host config with an INPUT chain (policy line 2) and an OUTPUT chain (policy line 20). */
function host(
  input: { policy: 'accept' | 'drop'; rules: FirewallRule[] },
  output: { policy: 'accept' | 'drop'; rules: FirewallRule[] } = { policy: 'accept', rules: [] },
  format: ConfigFormat = 'iptables-save',
): FirewallConfig {
  const chains: FirewallChain[] = [
    { name: 'INPUT', hook: 'input', policyLine: 2, ...input },
    { name: 'OUTPUT', hook: 'output', policyLine: 20, ...output },
  ]
  return {
    file: FILE,
    format,
    layer: 'host',
    families: [4, 6],
    chains,
    published: [],
    warnings: [],
  }
}

function findings(
  policyYaml: string,
  configs: readonly FirewallConfig[],
  feeds?: Map<string, string[]>,
) {
  const policy = parsePolicy(`id: p\n${policyYaml}`, 'p.yml')
  const feedSets = feeds
    ? new Map(
        [...feeds].map(([id, cidrs]) => [
          id,
          {
            ipv4: IpSet.fromCidrs(
              4,
              cidrs.filter((c) => !c.includes(':')),
            ),
            ipv6: IpSet.fromCidrs(
              6,
              cidrs.filter((c) => c.includes(':')),
            ),
          },
        ]),
      )
    : undefined
  return evaluatePolicy(policy, configs, feedSets ? { feedSets } : {}).findings
}

const of = (fs: readonly Finding[], rule: string) => fs.filter((f) => f.rule === rule)

describe('findingsFor: restrict', () => {
  const open22 = host({ policy: 'drop', rules: [rule(5, ACCEPT, { dports: ports(22) })] })

  it('reports sources outside the allowed ones, at the accepting rule, per family', () => {
    const config = host({
      policy: 'drop',
      rules: [
        rule(5, ACCEPT, {
          dports: ports(22),
          saddr: addrs(['198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '2001:db9::/32']),
        }),
      ],
    })
    const fs = findings(
      'inbound:\n  restrict: [{ port: 22, from: [203.0.113.0/24, 2001:db8::/32], title: SSH }]\n',
      [config],
    )
    const common = {
      rule: 'restrict-22-tcp',
      severity: 'error',
      port: '22',
      protocol: 'tcp',
      direction: 'inbound',
      file: FILE,
      line: 5,
      hint: `Allow only 203.0.113.0/24, 2001:db8::/32: narrow the rule at ${FILE}:5; allowlist-sync render can generate the allowlist from the feed.`,
    }
    expect(of(fs, 'restrict-22-tcp')).toEqual([
      {
        ...common,
        message:
          '22/tcp (SSH) is reachable from sources outside 203.0.113.0/24, 2001:db8::/32 over IPv4, e.g. 198.51.100.0 (let in by rule 5)',
        sources: ['198.51.100.0/24'],
      },
      {
        ...common,
        message:
          '22/tcp (SSH) is reachable from sources outside 203.0.113.0/24, 2001:db8::/32 over IPv6, e.g. 2001:db9:: (let in by rule 5)',
        sources: ['2001:db9::/32'],
      },
    ])
  })

  it('admits nobody when a restrict rule built in code lists no sources', () => {
    const policy = parsePolicy(
      'id: p\ninbound:\n  restrict: [{ port: 22, from: [any], title: SSH }]\n',
      'p.yml',
    )
    const bare = { ...policy, rules: policy.rules.map((r) => ({ ...r, sources: undefined })) }
    const fs = evaluatePolicy(bare, [open22]).findings.filter((f) => f.rule === 'restrict-22-tcp')
    expect(fs.map((f) => f.message)).toEqual([
      '22/tcp (SSH) is reachable from sources outside no source (the rule lists none) over IPv4, e.g. 0.0.0.0 (let in by rule 5)',
      '22/tcp (SSH) is reachable from sources outside no source (the rule lists none) over IPv6, e.g. :: (let in by rule 5)',
    ])
  })

  it('finds nothing when the allowed sources include any', () => {
    const fs = findings('inbound:\n  restrict: [{ port: 22, from: [any, 10.0.0.0/8] }]\n', [open22])
    expect(of(fs, 'restrict-22-tcp')).toEqual([])
  })

  it('resolves feed sources from the addresses supplied', () => {
    const restricted = host({
      policy: 'drop',
      rules: [
        rule(5, ACCEPT, { dports: ports(22), saddr: addrs(['192.0.2.0/24', '2001:db8::/48']) }),
      ],
    })
    const policy = 'inbound:\n  restrict: [{ port: 22, from: [feed:coolify/cloud] }]\n'
    const ok = new Map([['coolify/cloud', ['192.0.2.0/24', '2001:db8::/32']]])
    expect(of(findings(policy, [restricted], ok), 'restrict-22-tcp')).toEqual([])
    const narrow = new Map([['coolify/cloud', ['192.0.2.0/25', '2001:db8::/48']]])
    expect(of(findings(policy, [restricted], narrow), 'restrict-22-tcp')).toEqual([
      expect.objectContaining({ sources: ['192.0.2.128/25'], line: 5 }),
    ])
  })

  it('refuses a feed whose addresses were not supplied', () => {
    let error: unknown
    try {
      findings('inbound:\n  restrict: [{ port: 22, from: [feed:coolify/cloud] }]\n', [open22])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect(error).toMatchObject({
      code: 'ERR_POLICY_FEED',
      message: "the policy names feed 'coolify/cloud', but its addresses were not supplied",
    })
  })
})

describe('findingsFor: require', () => {
  it('says how many required sources still get through, three at most', () => {
    const hosts = Array.from({ length: 6 }, (_, i) => `192.0.2.${10 + 2 * i}`)
    const config = host({
      policy: 'drop',
      rules: [rule(5, ACCEPT, { dports: ports(22), saddr: addrs(hosts.slice(0, 4)) })],
    })
    const fs = findings(`inbound:\n  require: [{ port: 22, from: [${hosts.join(', ')}] }]\n`, [
      config,
    ])
    expect(of(fs, 'require-22-tcp')).toEqual([
      expect.objectContaining({
        line: 2,
        message: `22/tcp (22/tcp) is not reachable from ${hosts.join(', ')} over IPv4: reachable only from ${hosts
          .slice(0, 3)
          .map((h) => `${h}/32`)
          .join(', ')}, ... of them; e.g. ${hosts[4]} is dropped by chain INPUT policy drop`,
        sources: hosts.slice(4).map((h) => `${h}/32`),
      }),
    ])
    const three = findings(
      `inbound:\n  require: [{ port: 22, from: [${hosts.slice(1).join(', ')}] }]\n`,
      [config],
    )
    expect(of(three, 'require-22-tcp')[0]!.message).toContain(
      `reachable only from ${hosts
        .slice(1, 4)
        .map((h) => `${h}/32`)
        .join(', ')} of them;`,
    )
  })

  it('lists at most 20 sources, the last entry counting them all', () => {
    const hosts = Array.from({ length: 25 }, (_, i) => `198.51.100.${2 * i + 1}`)
    const fs = findings(`inbound:\n  require: [{ port: 22, from: [${hosts.join(', ')}] }]\n`, [
      host({ policy: 'drop', rules: [] }),
    ])
    const [f] = of(fs, 'require-22-tcp')
    expect(f!.message).toContain('blocked for all of them; e.g. 198.51.100.1 is dropped')
    expect(f!.sources).toEqual([
      ...hosts.slice(0, 19).map((h) => `${h}/32`),
      '... (25 address ranges in all)',
    ])
  })

  it('writes the fix in the syntax of the file that decides', () => {
    const cases: [ConfigFormat, string][] = [
      ['iptables-save', '-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT'],
      ['ufw-rules', '-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT'],
      ['nftables', 'ip saddr { 203.0.113.0/24 } tcp dport 22 accept'],
      ['nft-json', 'ip saddr { 203.0.113.0/24 } tcp dport 22 accept'],
      ['ufw-status', 'ufw allow from 203.0.113.0/24 to any port 22 proto tcp'],
      ['ufw-commands', 'ufw allow from 203.0.113.0/24 to any port 22 proto tcp'],
      [
        'aws-sg',
        'aws ec2 authorize-security-group-ingress --protocol tcp --port 22 --cidr 203.0.113.0/24',
      ],
    ]
    for (const [format, fix] of cases) {
      const fs = findings('inbound:\n  require: [{ port: 22, from: [203.0.113.0/24] }]\n', [
        host({ policy: 'drop', rules: [] }, undefined, format),
      ])
      expect([format, of(fs, 'require-22-tcp')[0]!.hint]).toEqual([format, `Open it: ${fix}`])
    }
  })

  it('writes outbound fixes for any destination', () => {
    const cases: [ConfigFormat, string][] = [
      ['iptables-save', '-A OUTPUT -p udp -m udp --dport 53 -j ACCEPT'],
      ['nftables', 'udp dport 53 accept'],
      ['ufw-commands', 'ufw allow out 53/udp'],
      [
        'aws-sg',
        'aws ec2 authorize-security-group-egress --protocol udp --port 53 --cidr 0.0.0.0/0',
      ],
    ]
    for (const [format, fix] of cases) {
      const fs = findings('outbound:\n  require: [53/udp]\n', [
        host({ policy: 'accept', rules: [] }, { policy: 'drop', rules: [] }, format),
      ])
      const [f] = of(fs, 'require-out-53-udp')
      expect([format, f!.hint]).toEqual([format, `Open it: ${fix}`])
      expect(f!.message).toBe(
        'outbound 53/udp (53/udp) is not reachable to anywhere over IPv4: blocked for all of them; e.g. 1.0.0.0 is dropped by chain OUTPUT policy drop',
      )
      expect(f!.line).toBe(20)
    }
  })

  it('names the remote end of an outbound ufw rule with `to`, and denies outbound with `out`', () => {
    const ufw = host({ policy: 'drop', rules: [] }, { policy: 'drop', rules: [] }, 'ufw-commands')
    const open = findings(
      'outbound:\n  require: [{ port: 443, to: [feed:firezone/portal] }]\n',
      [ufw],
      new Map([['firezone/portal', ['192.0.2.0/24']]]),
    )
    expect(of(open, 'require-out-443-tcp')[0]!.hint).toBe(
      'Open it: ufw allow out to <firezone/portal addresses> port 443 proto tcp',
    )
    const stateless = host(
      { policy: 'accept', rules: [] },
      { policy: 'accept', rules: [] },
      'ufw-status',
    )
    const close = findings('outbound:\n  forbidPublic: [25]\n', [stateless])
    expect(of(close, 'forbid-public-out-25-tcp')[0]!.hint).toBe(
      'Close it to the Internet: ufw deny out 25/tcp (or delete the allowing rule)',
    )
    const inbound = findings('inbound:\n  require: [22]\n', [ufw])
    expect(of(inbound, 'require-22-tcp')[0]!.hint).toBe('Open it: ufw allow 22/tcp')
  })

  it('falls back to a generic fix when the deciding rule lies outside the given files', () => {
    const config: FirewallConfig = {
      ...host({
        policy: 'drop',
        rules: [
          { ...rule(3, DROP, { dports: ports(22) }), file: 'rules.d/ssh.nft' },
          { ...rule(4, ACCEPT), file: 'rules.d/open.nft' },
        ],
      }),
      format: 'nftables',
      file: 'nftables.conf',
    }
    const fs = findings('inbound:\n  require: [22]\n  forbidPublic: [23]\n', [config])
    expect(of(fs, 'require-22-tcp')[0]).toMatchObject({
      file: 'rules.d/ssh.nft',
      line: 3,
      hint: 'Open it: allow 22/tcp',
    })
    expect(of(fs, 'forbid-public-23-tcp')[0]).toMatchObject({
      file: 'rules.d/open.nft',
      line: 4,
      hint: 'Close it to the Internet: deny 23/tcp',
    })
  })
})

describe('findingsFor: forbid-public', () => {
  it('merges adjacent offending port classes and keeps apart those with a gap', () => {
    const config = host({
      policy: 'accept',
      rules: [
        rule(3, ACCEPT, { dports: ports(1100, 1199), saddr: addrs(['10.0.0.0/8']) }),
        rule(4, DROP, { dports: ports(1200, 1299) }),
      ],
    })
    const fs = findings('inbound:\n  forbidPublic: [1000-2000]\n', [config])
    const [f] = of(fs, 'forbid-public-1000-2000-tcp')
    expect(f).toMatchObject({
      port: '1000-1199,1300-2000',
      line: 2,
      message:
        '1000-1199,1300-2000/tcp (1000-2000/tcp) is reachable from the public Internet over IPv4 (from anywhere): let in by chain INPUT policy accept',
      hint: 'Close it to the Internet: -A INPUT -p tcp -m multiport --dports 1000:1199,1300:2000 -j DROP (or narrow the accepting rule with -s)',
      sources: ['0.0.0.0/0'],
    })
    const nft = findings('inbound:\n  forbidPublic: [1000-2000]\n', [
      host({ policy: 'accept', rules: config.chains[0]!.rules.slice() }, undefined, 'nftables'),
    ])
    expect(of(nft, 'forbid-public-1000-2000-tcp')[0]!.hint).toBe(
      'Close it to the Internet: tcp dport { 1000-1199, 1300-2000 } drop (or narrow the accepting rule with ip saddr)',
    )
  })

  it('counts the public ranges that get in when it is not all of them', () => {
    // 64.0.0.0/2 holds two non-public blocks, 100.64.0.0/10 and 127.0.0.0/8: two public ranges remain
    const fs = findings('inbound:\n  forbidPublic: [5432]\n', [
      host({ policy: 'drop', rules: [rule(6, ACCEPT, { saddr: addrs(['64.0.0.0/2']) })] }),
    ])
    expect(of(fs, 'forbid-public-5432-tcp')).toEqual([
      expect.objectContaining({
        line: 6,
        message:
          '5432/tcp (5432/tcp) is reachable from the public Internet over IPv4 (from 2 public address range(s)): let in by rule 6',
        sources: IpSet.fromCidrs(4, ['64.0.0.0/2'])
          .difference(IpSet.fromCidrs(4, ['100.64.0.0/10', '127.0.0.0/8']))
          .toCidrs(),
      }),
    ])
  })

  it('checks only the ports a compose file publishes when no other config decides', () => {
    const compose: FirewallConfig = {
      file: 'docker-compose.yml',
      format: 'docker-compose',
      layer: 'docker',
      families: [4, 6],
      chains: [],
      published: [{ ports: [8080, 8080], protocol: 'tcp', service: 'web', line: 9 }],
      warnings: [],
    }
    const fs = findings('inbound:\n  forbidPublic: [8000-8100]\n', [compose])
    expect(
      of(fs, 'forbid-public-8000-8100-tcp').map((f) => [f.port, f.file, f.line, f.hint]),
    ).toEqual([
      [
        '8080',
        'docker-compose.yml',
        9,
        'Close it to the Internet: bind the port to a private address ("127.0.0.1:8080:8080"), drop the ports: entry, or restrict it in DOCKER-USER: -A DOCKER-USER -p tcp -m conntrack --ctorigdstport 8080 -j DROP after the ACCEPTs for the allowed sources',
      ],
      [
        '8080',
        'docker-compose.yml',
        9,
        'Close it to the Internet: bind the port to a private address ("127.0.0.1:8080:8080"), drop the ports: entry, or restrict it in DOCKER-USER: -A DOCKER-USER -p tcp -m conntrack --ctorigdstport 8080 -j DROP after the ACCEPTs for the allowed sources',
      ],
    ])
  })

  it('closes outbound ports in a security group with revoke-security-group-egress', () => {
    const fs = findings('outbound:\n  forbidPublic: [25]\n', [
      host({ policy: 'drop', rules: [] }, { policy: 'accept', rules: [] }, 'aws-sg'),
    ])
    expect(of(fs, 'forbid-public-out-25-tcp')[0]!.hint).toBe(
      'Close it to the Internet: aws ec2 revoke-security-group-egress for tcp 25 (keep only the sources that need it)',
    )
  })
})

describe('findingsFor: families and layers', () => {
  it('checks only the families a config decides, and notes the others as not checked', () => {
    const v4only: FirewallConfig = { ...host({ policy: 'accept', rules: [] }), families: [4] }
    const fs = findings('inbound:\n  forbidPublic: [5432]\n', [v4only])
    expect(of(fs, 'forbid-public-5432-tcp').map((f) => f.message)).toEqual([
      '5432/tcp (5432/tcp) is reachable from the public Internet over IPv4 (from anywhere): let in by chain INPUT policy accept',
    ])
    expect(of(fs, 'not-checked')).toEqual([
      {
        rule: 'not-checked',
        severity: 'note',
        direction: 'inbound',
        message: 'no config decides inbound IPv6 traffic: inbound IPv6 was not checked',
        hint: 'Pass the ip6tables-save / user6.rules file too, or an inet table (a file that only includes others decides nothing: pass the included files).',
      },
    ])
    expect(
      of(
        findings('unlisted: ignore\noutbound:\n  allow: [443]\n', [{ ...v4only, families: [6] }]),
        'not-checked',
      ),
    ).toEqual([
      expect.objectContaining({
        direction: 'outbound',
        message: 'no config decides outbound IPv4 traffic: outbound IPv4 was not checked',
        hint: 'Pass the iptables-save / user.rules file too, or an ip/inet table (a file that only includes others decides nothing: pass the included files).',
      }),
    ])
  })

  it('blames the cloud rule when only a security group decides', () => {
    const sg: FirewallConfig = {
      ...host({
        policy: 'drop',
        rules: [{ ...rule(9, ACCEPT, { dports: ports(3389) }), file: 'sg.json' }],
      }),
      file: 'sg.json',
      format: 'aws-sg',
      layer: 'cloud',
    }
    const fs = findings('inbound:\n  forbidPublic: [{ port: 3389, hint: Use the VPN. }]\n', [sg])
    expect(of(fs, 'forbid-public-3389-tcp')[0]).toMatchObject({
      file: 'sg.json',
      line: 9,
      hint: 'Close it to the Internet: aws ec2 revoke-security-group-ingress for tcp 3389 (keep only the sources that need it). Use the VPN.',
    })
  })
})

describe('findingsFor: unlisted ports', () => {
  it('reports open unlisted ports as errors when the policy denies them', () => {
    const fs = findings('unlisted: deny\ninbound:\n  require: [22]\n', [
      host({
        policy: 'drop',
        rules: [rule(4, ACCEPT, { protocols: ['tcp'], dports: ports(22, 23) })],
      }),
    ])
    expect(of(fs, 'unlisted-inbound').map((f) => [f.port, f.severity, f.line, f.message])).toEqual([
      [
        '23',
        'error',
        4,
        "23/tcp is reachable from the public Internet over IPv4, and policy 'p' does not list it (let in by rule 4)",
      ],
      [
        '23',
        'error',
        4,
        "23/tcp is reachable from the public Internet over IPv6, and policy 'p' does not list it (let in by rule 4)",
      ],
    ])
  })

  it('groups neighbouring open ports outside the policy into one finding, split by listed ports', () => {
    const config = host(
      { policy: 'drop', rules: [] },
      {
        policy: 'accept',
        rules: [
          rule(21, DROP, { dports: ports(25) }),
          rule(22, ACCEPT, { dports: ports(100, 199), daddr: addrs(['10.0.0.0/8']) }),
        ],
      },
    )
    const fs = findings(
      'unlisted: { inbound: ignore, outbound: warn }\noutbound:\n  allow: [443]\n',
      [config],
    )
    const tcp4 = of(fs, 'unlisted-outbound').filter(
      (f) => f.protocol === 'tcp' && f.sources?.[0] === '0.0.0.0/0',
    )
    expect(tcp4.map((f) => [f.port, f.severity, f.line])).toEqual([
      ['1-24', 'warning', 20],
      ['26-442', 'warning', 20],
      ['444-65535', 'warning', 20],
    ])
    expect(tcp4[0]!.message).toBe(
      "outbound 1-24/tcp is reachable to the public Internet over IPv4, and policy 'p' does not list it (let in by chain OUTPUT policy accept)",
    )
    expect(tcp4[0]!.hint).toBe(
      "Close what the platform does not need: -A OUTPUT -p tcp -m tcp --dport 1:24 -j DROP (or narrow the accepting rule with -d); or add the port to the policy as 'allow'.",
    )
  })
})

describe('findingsFor: UDP return traffic', () => {
  it('warns when replies to required outbound UDP cannot come back in', () => {
    const policy = 'udpReturnTraffic: true\noutbound:\n  require: [3478/udp]\n'
    const stateless = host({ policy: 'drop', rules: [] })
    const fs = of(findings(policy, [stateless]), 'udp-return')
    expect(fs.map((f) => [f.port, f.line, f.direction, f.sources])).toEqual([
      ['32768-60999', 2, 'inbound', ['0.0.0.0/0']],
      ['32768-60999', 2, 'inbound', ['::/0']],
    ])
    expect(fs[0]!.message).toBe(
      'replies to outbound 3478/udp (3478/udp) cannot come back over IPv4: the inbound side drops them (stateless filtering?), e.g. from 1.0.0.0',
    )
    const stateful = host({
      policy: 'drop',
      rules: [rule(3, ACCEPT, { states: { new: false, established: true } })],
    })
    expect(of(findings(policy, [stateful]), 'udp-return')).toEqual([])
  })

  it('looks only at required outbound UDP, and only where a config decides inbound', () => {
    const policy =
      'udpReturnTraffic: true\ninbound:\n  require: [53/udp]\noutbound:\n  require: [443, 53/udp]\n  allow: [123/udp]\n'
    const stateless = host({ policy: 'drop', rules: [] })
    expect(of(findings(policy, [stateless]), 'udp-return').map((f) => f.message)).toEqual([
      'replies to outbound 53/udp (53/udp) cannot come back over IPv4: the inbound side drops them (stateless filtering?), e.g. from 1.0.0.0',
      'replies to outbound 53/udp (53/udp) cannot come back over IPv6: the inbound side drops them (stateless filtering?), e.g. from 2000::',
    ])
    const outputOnly: FirewallConfig = {
      ...stateless,
      chains: stateless.chains.filter((c) => c.hook === 'output'),
    }
    expect(of(findings(policy, [outputOnly]), 'udp-return')).toEqual([])
  })
})

describe('findingsFor: notes', () => {
  it('says what the evaluator took a rule to do: under or over a rate, matching, not matching', () => {
    const text = [
      '*filter',
      ':INPUT DROP [0:0]',
      '-A INPUT -p tcp --dport 22 -m connlimit --connlimit-above 10 -j REJECT',
      '-A INPUT -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT',
      '-A INPUT -p tcp --dport 80 -m mac --mac-source 00:00:5e:00:53:01 -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n')
    const nft =
      'table ip nat {\n  chain pre {\n    type nat hook prerouting priority dstnat;\n    tcp dport 8080 dnat to numgen inc mod 2 map { 0 : 192.0.2.1, 1 : 192.0.2.2 }\n  }\n}\n'
    const configs = readFirewallConfigs([
      { text, file: 'rules.v4' },
      { text: nft, file: 'nat.nft' },
    ])
    const notes = evaluatePolicy(parsePolicy('inbound:\n  allow: [22]\n', 'p.yml'), configs)
      .findings.filter((f) => f.rule === 'not-modelled')
      .map((f) => `${f.file}:${f.line} ${f.hint}`)
    expect(notes).toEqual([
      'nat.nft:4 The evaluator takes this rule not to match any packet; check it by hand.',
      'rules.v4:3 The evaluator reads this rule for a first connection, which is not over the rate, so the rule is taken not to match; check by hand what it does to connections past the rate.',
      'rules.v4:4 The evaluator reads this rule for a first connection, which is under the rate, so the rule is taken to match; check by hand what happens to connections past the rate.',
      'rules.v4:5 The evaluator takes this rule to match every packet its other matches allow; check it by hand.',
    ])
  })

  it('turns config warnings into notes, at their file and line when the warning names them', () => {
    const config: FirewallConfig = {
      ...host({ policy: 'drop', rules: [] }),
      warnings: [
        { file: FILE, line: 7, message: '-m recent is not modelled' },
        { file: FILE, message: 'ipset list "blocklist" is empty' },
      ],
    }
    const fs = of(findings('inbound:\n  allow: [22]\n', [config]), 'not-modelled')
    expect(fs.map((f) => [f.file, f.line, f.message])).toEqual([
      [FILE, undefined, 'ipset list "blocklist" is empty'],
      [FILE, 7, '-m recent is not modelled'],
    ])
  })

  it('passes the policy notes on after the notes that have a file', () => {
    const fs = findings(
      "inbound:\n  allow: [22]\nnotes: ['Set the TCP session timeout to 14,400 s.']\n",
      [
        {
          ...host({ policy: 'drop', rules: [] }),
          warnings: [{ file: FILE, line: 7, message: '-m recent is not modelled' }],
        },
      ],
    )
    expect(fs.filter((f) => f.severity === 'note').map((f) => [f.rule, f.message, f.hint])).toEqual(
      [
        [
          'not-modelled',
          '-m recent is not modelled',
          'The evaluator leaves this out; check it by hand.',
        ],
        ['note', 'Set the TCP session timeout to 14,400 s.', 'From p.yml.'],
      ],
    )
  })
})
