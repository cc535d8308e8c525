/**
 * @module The evaluator's paths read from real syntax: nft filter chains on prerouting (raw
 * priority) that drop by rule or by policy, per family; REDIRECT and DNAT to this host through
 * INPUT, traced; rules on this host's own address (-d) split into classes, and past the limit
 * taken to match; several public interfaces named in findings; no public interface at all.
 */
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  compileConfigs,
  evaluatePolicy,
  parsePolicy,
  reachOf,
  readFirewallConfigs,
  traceAddress,
  type FirewallConfig,
  type PacketShape,
} from '../../../shared/src/index.ts'

const read = (files: Record<string, string>) =>
  readFirewallConfigs(Object.entries(files).map(([file, text]) => ({ text, file })))

const shape = (port: number, family: 4 | 6 = 4): PacketShape => ({
  direction: 'inbound',
  protocol: 'tcp',
  port,
  family,
  state: 'new',
})

function reach(configs: readonly FirewallConfig[], port: number, family: 4 | 6 = 4) {
  return reachOf(compileConfigs(configs), shape(port, family))?.toCidrs().join(' ') ?? '-'
}

function trace(configs: readonly FirewallConfig[], port: number, address: string) {
  const family = address.includes(':') ? 6 : 4
  const value = IpSet.fromCidrs(family, [address]).firstValue()!
  return traceAddress(compileConfigs(configs), shape(port, family), value).map(
    (t) => `${t.file}:${t.line} ${t.accepted ? 'accepted' : 'dropped'} (${t.text})`,
  )
}

const RAW = (policy: 'accept' | 'drop', rule: string) =>
  [
    'table ip raw {',
    '  chain pre {',
    `    type filter hook prerouting priority raw; policy ${policy};`,
    `    ${rule}`,
    '  }',
    '}',
    'table inet filter {',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '  }',
    '}',
    '',
  ].join('\n')

describe('filter chains on prerouting', () => {
  it('a drop there keeps a source out before INPUT; an ip table leaves IPv6 to the rest', () => {
    const configs = read({ 'raw.nft': RAW('accept', 'ip saddr 192.0.2.0/24 drop') })
    expect(reach(configs, 22)).toBe(
      IpSet.fromCidrs(4, ['192.0.2.0/24']).complement().toCidrs().join(' '),
    )
    expect(reach(configs, 22, 6)).toBe('::/0')
    expect(trace(configs, 22, '192.0.2.1')).toEqual([
      'raw.nft:4 dropped (ip saddr 192.0.2.0/24 drop)',
    ])
  })

  it('its drop policy keeps out what no rule there accepts', () => {
    const configs = read({ 'raw.nft': RAW('drop', 'tcp dport 22 accept') })
    expect(reach(configs, 22)).toBe('0.0.0.0/0')
    expect(reach(configs, 80)).toBe('')
    expect(trace(configs, 80, '198.51.100.1')).toEqual([
      'raw.nft:3 dropped (chain ip raw pre policy drop)',
    ])
  })
})

describe('destination NAT to this host', () => {
  const dump = (target: string) =>
    [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      `-A PREROUTING -p tcp --dport 80 ${target}`,
      'COMMIT',
      '*filter',
      ':INPUT DROP [0:0]',
      '-A INPUT -p tcp --dport 8080 -s 198.51.100.0/24 -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n')

  it.each([
    ['-j REDIRECT --to-ports 8080', '(destination NAT port 8080)'],
    ['-j DNAT --to-destination 127.0.0.1:8080', '(destination NAT to 127.0.0.1 port 8080)'],
  ])('%s: INPUT decides on the new port', (target, note) => {
    const configs = read({ 'rules.v4': dump(target) })
    expect(reach(configs, 80)).toBe('198.51.100.0/24')
    expect(trace(configs, 80, '198.51.100.1')).toEqual([
      `rules.v4:3 accepted (${`-A PREROUTING -p tcp --dport 80 ${target}`} ${note})`,
      'rules.v4:7 accepted (-A INPUT -p tcp --dport 8080 -s 198.51.100.0/24 -j ACCEPT)',
    ])
    expect(trace(configs, 80, '203.0.113.1')).toEqual([
      `rules.v4:3 accepted (${`-A PREROUTING -p tcp --dport 80 ${target}`} ${note})`,
      'rules.v4:1 dropped (chain INPUT policy DROP)'
        .replace('1 dropped', '6 dropped')
        .replace('DROP', 'drop'),
    ])
  })
})

describe('ct status dnat', () => {
  // martijnvds-debian-router.nftables.conf (real-configs) opened every port of the router through
  // `ct status dnat accept`, taken to match; the kernel matches it on DNATed connections only
  const nft = (input: string) => `table inet f {
  chain input {
    type filter hook input priority 0; policy drop;
    ${input}
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct status dnat accept
  }
}
table ip nat {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    tcp dport 8080 dnat to 198.51.100.2:80
  }
}
`
  it('matches a connection a DNAT rule translated, not one to this host', () => {
    const configs = read({ 'router.nft': nft('ct status dnat accept') })
    expect(reach(configs, 22)).toBe('')
    expect(reach(configs, 8080)).toBe('0.0.0.0/0')
  })

  it('negated, matches a connection to this host only', () => {
    const configs = read({ 'router.nft': nft('ct status != dnat accept') })
    expect(reach(configs, 22)).toBe('0.0.0.0/0')
    expect(reach(configs, 22, 6)).toBe('::/0')
  })
})

describe("this host's own address", () => {
  it('a rule on one of its addresses opens the port: reach is what gets to any', () => {
    const configs = read({
      'rules.v4': [
        '*filter',
        ':INPUT DROP [0:0]',
        '-A INPUT -d 203.0.113.5/32 -p tcp --dport 22 -j ACCEPT',
        '-A INPUT -d 127.0.0.1/32 -p tcp --dport 23 -j ACCEPT',
        'COMMIT',
        '',
      ].join('\n'),
    })
    expect(reach(configs, 22)).toBe('0.0.0.0/0')
    // a loopback destination is never this host's address for traffic from outside
    expect(reach(configs, 23)).toBe('')
    const cs = compileConfigs(configs)
    expect(cs.hostAddresses.inbound[4].length).toBe(2)
    expect(cs.hostAddresses.inbound[6]).toEqual([undefined])
    // traced at a given interface and address of this host: only that address's rules apply
    const at = (local: string) =>
      traceAddress(
        cs,
        { ...shape(22), iface: 'eth0', local: IpSet.fromCidrs(4, [local]).firstValue()! },
        IpSet.fromCidrs(4, ['192.0.2.1']).firstValue()!,
      ).map((t) => `${t.line} ${t.accepted}`)
    expect([at('203.0.113.5'), at('203.0.113.6')]).toEqual([['3 true'], ['2 false']])
  })

  it('past 32 classes, or 128 rules on it, a rule on it is taken to match', () => {
    const dump = (n: number) =>
      [
        '*filter',
        ':INPUT DROP [0:0]',
        ...Array.from(
          { length: n },
          (_, i) =>
            `-A INPUT -d ${i % 2 ? '198.51.100' : '203.0.113'}.${i >> 1}/32 -p tcp --dport ${1000 + i} -j ACCEPT`,
        ),
        'COMMIT',
        '',
      ].join('\n')
    for (const n of [40, 130]) {
      const configs = read({ 'rules.v4': dump(n) })
      expect(compileConfigs(configs).hostAddresses.inbound[4]).toEqual([undefined])
      expect(reach(configs, 1001)).toBe('0.0.0.0/0')
    }
  })
})

describe('interfaces in findings', () => {
  const rules = [
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -i eth1 -p tcp --dport 5432 -j ACCEPT',
    '-A INPUT -i eth0 -j DROP',
    'COMMIT',
    '',
  ].join('\n')
  const check = (extra: string) =>
    evaluatePolicy(
      parsePolicy(`inbound:\n  forbidPublic: [5432/tcp]\n${extra}`, 'p.yml'),
      read({ 'rules.v4': rules }),
    )

  it('names the interface a port is open on when more than one is public', () => {
    const e = check('')
    expect(e.interfaces.public).toEqual(['eth0', 'eth1', 'any other interface'])
    const f = e.findings.find((x) => x.severity === 'error')!
    expect([f.line, f.message]).toEqual([3, expect.stringContaining('(arriving on eth1)')])
  })

  it('names the interface a connection leaves by, outbound', () => {
    const out = [
      '*filter',
      ':OUTPUT DROP [0:0]',
      '-A OUTPUT -o eth1 -p tcp --dport 25 -j ACCEPT',
      '-A OUTPUT -o eth0 -j DROP',
      'COMMIT',
      '',
    ].join('\n')
    const e = evaluatePolicy(
      parsePolicy('outbound:\n  forbidPublic: [25/tcp]\n', 'p.yml'),
      read({ 'rules.v4': out }),
    )
    const f = e.findings.find((x) => x.severity === 'error')!
    expect([f.line, f.message]).toEqual([3, expect.stringContaining('(leaving by eth1)')])
  })

  it('with every interface internal, nothing arrives from the Internet', () => {
    const e = check("interfaces: { '*': internal, 'eth*': internal }\n")
    expect(e.interfaces.public).toEqual([])
    expect(e.findings.filter((x) => x.severity === 'error')).toEqual([])
  })
})

describe('more paths', () => {
  it('prerouting chains of the other family are passed over; a bare redirect keeps the port', () => {
    const configs = read({
      'pre.nft': [
        'table ip6 raw6 {',
        '  chain pre6 {',
        '    type filter hook prerouting priority raw; policy drop;',
        '  }',
        '}',
        'table ip nat {',
        '  chain pre {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        '    tcp dport 22 redirect',
        '  }',
        '}',
        'table inet filter {',
        '  chain input {',
        '    type filter hook input priority filter; policy drop;',
        '    tcp dport 22 accept',
        '  }',
        '}',
        '',
      ].join('\n'),
    })
    expect(reach(configs, 22)).toBe('0.0.0.0/0')
    expect(reach(configs, 22, 6)).toBe('')
    expect(trace(configs, 22, '192.0.2.1')).toEqual([
      'pre.nft:9 accepted (tcp dport 22 redirect (destination NAT))',
      'pre.nft:15 accepted (tcp dport 22 accept)',
    ])
    expect(trace(configs, 22, '2001:db8::1')).toEqual([
      'pre.nft:3 dropped (chain ip6 raw6 pre6 policy drop)',
    ])
  })

  it('a prerouting chain built without a policy line is blamed at line 1', () => {
    const config: FirewallConfig = {
      file: 'built.json',
      format: 'nftables',
      layer: 'host',
      families: [4],
      chains: [{ name: 'pre', hook: 'prerouting', policy: 'drop', rules: [] }],
      published: [],
      warnings: [],
    }
    expect(trace([config], 22, '192.0.2.1')).toEqual([
      'built.json:1 dropped (chain pre policy drop)',
    ])
  })

  it('matches the output interface outbound, and LOCAL destinations only on the way to this host', () => {
    const configs = read({
      'rules.v4': [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT DROP [0:0]',
        '-A INPUT -p tcp --dport 22 -m addrtype ! --dst-type LOCAL -j DROP',
        '-A INPUT -p tcp --dport 23 -m addrtype --dst-type LOCAL -j DROP',
        '-A OUTPUT -o eth1 -p tcp --dport 443 -j ACCEPT',
        'COMMIT',
        '',
      ].join('\n'),
    })
    expect(reach(configs, 22)).toBe('0.0.0.0/0')
    expect(reach(configs, 23)).toBe('')
    const cs = compileConfigs(configs)
    const out = (iface: string) =>
      reachOf(cs, { ...shape(443), direction: 'outbound', iface })
        ?.toCidrs()
        .join(' ')
    expect([out('eth1'), out('eth0')]).toEqual(['0.0.0.0/0', ''])
  })

  it('with every interface internal, a trace walks the path of no interface', () => {
    const configs = read({
      'rules.v4': '*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth0 -j ACCEPT\nCOMMIT\n',
    })
    const cs = compileConfigs(configs, { interfaces: { '*': 'internal', eth0: 'internal' } })
    const steps = traceAddress(cs, shape(22), IpSet.fromCidrs(4, ['192.0.2.1']).firstValue()!)
    expect(steps.map((s) => `${s.line} ${s.accepted}`)).toEqual(['2 false'])
    const e = evaluatePolicy(parsePolicy('inbound:\n  require: [22/tcp]\n', 'p.yml'), cs)
    expect(e.findings.find((f) => f.rule === 'require-22-tcp')?.line).toBe(2)
    // with INPUT accepting, nothing on the path drops: the finding says why nothing arrives
    const open = read({ 'rules.v4': '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' })
    const e2 = evaluatePolicy(parsePolicy('inbound:\n  require: [22/tcp]\n', 'p.yml'), open, {
      interfaces: { '*': 'internal' },
    })
    const f = e2.findings.find((x) => x.rule === 'require-22-tcp')!
    expect([f.file, f.line]).toEqual(['rules.v4', 1])
    expect(f.message).toContain('no interface is taken as public')
  })
})
