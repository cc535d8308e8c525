/**
 * @module readNftables: nftables text in block and command form (each ruleset here passes
 * `nft -c -f` of nft 1.0.6, but for the errors and the `position`/`index`/`handle` forms, which
 * need a loaded ruleset), into chains, rules at their lines, and errors naming file and line.
 */
import { describe, expect, it } from 'vitest'
import { IpSet, PolicyError, type FirewallConfig } from '../../../shared/src/index.ts'
import { readNftables } from '../../../shared/src/policy/read-nftables.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const text = (...lines: string[]) => `${lines.join('\n')}\n`
/** The 1-based line of the first line of `lines` that starts with `start` (after indentation). */
const lineOf = (lines: readonly string[], start: string) =>
  lines.findIndex((l) => l.trimStart().startsWith(start)) + 1

function chainOf(config: FirewallConfig, name: string) {
  const c = config.chains.find((x) => x.name === name)
  if (c === undefined)
    throw new Error(`no chain '${name}' in ${config.chains.map((x) => x.name).join(', ')}`)
  return c
}

function errorOf(nft: string): PolicyError {
  try {
    readNftables(nft, 'rules.nft')
  } catch (e) {
    if (e instanceof PolicyError) return e
    throw e
  }
  throw new Error('no error')
}

describe('readNftables', () => {
  it('reads a table block: objects without rules skipped, chain policy and priority, continued lines', () => {
    const lines = [
      '#!/usr/sbin/nft -f',
      '# the host firewall',
      'table inet filter {',
      '  comment "host firewall"',
      '  counter ssh-hits {',
      '    packets 0 bytes 0',
      '  }',
      '  quota q { 25 mbytes }',
      '  limit lim { rate 10/second }',
      '  ct helper ftp-std {',
      '    type "ftp" protocol tcp',
      '    l3proto ip',
      '  }',
      '  synproxy sp {',
      '    mss 1460',
      '    wscale 7',
      '  }',
      '  chain input {',
      '    type filter hook input priority filter - 10; policy drop;',
      '    comment "inbound"',
      '    ct state established,related accept',
      '    tcp dport 22 \\',
      '      accept',
      '    tcp dport 80 accept comment "web"',
      '  }',
      '}',
    ]
    const config = readNftables(text(...lines), 'rules.nft')
    expect(config).toMatchObject({ format: 'nftables', families: [4, 6], warnings: [] })
    const input = chainOf(config, 'inet filter input')
    expect(input).toMatchObject({
      hook: 'input',
      priority: -10,
      policy: 'drop',
      policyLine: lineOf(lines, 'type filter'),
    })
    expect(input.rules.map((r) => [r.line, r.states, r.dports?.ranges, r.verdict.kind])).toEqual([
      [lineOf(lines, 'ct state'), { new: false, established: true }, undefined, 'accept'],
      [lineOf(lines, 'tcp dport 22'), undefined, [[22, 22]], 'accept'],
      [lineOf(lines, 'tcp dport 80'), undefined, [[80, 80]], 'accept'],
    ])
    expect(input.rules[1]?.text).toBe('tcp dport 22 \\')
  })

  it('reads commands: add/insert rule, elements into port and other sets, delete table', () => {
    const lines = [
      'define ssh = 22',
      'add table inet t',
      'add chain inet t input { type filter hook input priority 0; policy drop; }',
      'add set inet t ports { type inet_service; }',
      'add element inet t ports { 80 }',
      'add element inet t ports { 443, 8443 }',
      'add set inet t ifs { type ifname; }',
      'add element inet t ifs { "eth0" }',
      'add counter inet t cnt',
      'add map inet t m { type ipv4_addr : verdict; }',
      'add rule inet t input tcp dport @ports accept',
      'add rule inet t input position 11 udp dport 53 accept',
      'add rule inet t input handle 11 udp dport 123 accept',
      'insert rule inet t input index 0 tcp dport 22 accept',
      'add rule inet t input iifname @ifs accept',
      'delete rule inet t input handle 12',
      'list ruleset',
      'add table ip old',
      'add chain ip old input { type filter hook input priority 0; policy drop; }',
      'add rule ip old input tcp dport 23 accept',
      'add table legacy',
      'add chain legacy input { type filter hook input priority 0; policy drop; }',
      'add rule legacy input tcp dport 21 accept',
      'delete table ip old',
      'delete table legacy',
    ]
    const config = readNftables(text(...lines), 'rules.nft')
    // `add table legacy` is an ip table: `delete table legacy` deletes it
    expect(config.chains.map((c) => c.name)).toEqual(['inet t input'])
    expect(
      config.chains[0]?.rules.map((r) => [r.line, r.protocols, r.dports?.ranges, r.never]),
    ).toEqual([
      [lineOf(lines, 'insert rule'), ['tcp'], [[22, 22]], undefined],
      [
        lineOf(lines, 'add rule inet t input tcp dport @ports'),
        ['tcp'],
        [
          [80, 80],
          [443, 443],
          [8443, 8443],
        ],
        undefined,
      ],
      [lineOf(lines, 'add rule inet t input position'), ['udp'], [[53, 53]], undefined],
      [lineOf(lines, 'add rule inet t input handle'), ['udp'], [[123, 123]], undefined],
      [lineOf(lines, 'add rule inet t input iifname'), undefined, undefined, undefined],
    ])
    expect(warningTexts(config.warnings)).toEqual([])
  })

  it('add table takes a block too', () => {
    const lines = [
      'add table inet t {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    tcp dport 22 accept',
      '  }',
      '}',
    ]
    const input = chainOf(readNftables(text(...lines), 'f'), 'inet t input')
    expect(input.policy).toBe('drop')
    expect(input.rules.map((r) => r.line)).toEqual([lineOf(lines, 'tcp dport 22')])
  })

  it('flush ruleset forgets what came before it', () => {
    const config = readNftables(
      text(
        'table inet t {',
        '  set ok { type ipv4_addr; elements = { 192.0.2.1 } }',
        '  chain input {',
        '    type filter hook input priority 0; policy drop;',
        '  }',
        '}',
        'add rule inet t input ip saddr @ok accept',
        'flush ruleset',
        'table inet u {',
        '}',
      ),
      'f',
    )
    expect(config.chains).toEqual([])
  })

  it('flush and delete of tables and chains drop the rules added before; sets stay', () => {
    const lines = [
      'table inet filter',
      'flush table inet filter',
      'table inet filter {',
      '  set blocked { type ipv4_addr; elements = { 192.0.2.1 } }',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ip saddr @blocked drop',
      '    tcp dport 23 accept',
      '  }',
      '  chain output {',
      '    type filter hook output priority 0; policy accept;',
      '    tcp dport 25 drop',
      '  }',
      '  chain old {',
      '    tcp dport 21 accept',
      '  }',
      '}',
      'flush chain inet filter input',
      'flush set inet filter blocked',
      'add rule inet filter input ip saddr @blocked tcp dport 22 accept',
      'add chain inet filter spare',
      'delete chain inet filter old',
      'table legacy {',
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      '    tcp dport 80 accept',
      '  }',
      '}',
      'flush table legacy',
    ]
    const config = readNftables(text(...lines), 'f')
    expect(
      config.chains.map((c) => [c.name, c.policy, c.rules.map((r) => r.dports?.ranges)]),
    ).toEqual([
      ['inet filter input', 'drop', [[[22, 22]]]],
      ['inet filter output', 'accept', [[[25, 25]]]],
      ['inet filter spare', undefined, []],
      ['ip legacy input', 'accept', []],
    ])
    expect(config.chains[0]?.rules[0]?.line).toBe(lineOf(lines, 'add rule'))
  })

  it('an include is not followed, with a note at its line', () => {
    const config = readNftables(text('flush ruleset', 'include "/etc/nftables.d/*.nft"'), 'f')
    expect(warningTexts(config.warnings)).toEqual([
      'f:2: include is not followed; pass the included file as a config too',
    ])
  })

  it('a sets-only fragment (for an include inside a table) is read', () => {
    const fragment = ['set allow_v4 {', '  type ipv4_addr', '  flags interval']
    expect(
      readNftables(text(...fragment, '  elements = { 192.0.2.0/24 }', '}'), 'f'),
    ).toMatchObject({ chains: [], warnings: [] })
    expect(errorOf(text(...fragment, '  elements = { 192.0.2.0/33 }', '}'))).toMatchObject({
      line: fragment.length + 1,
      message: "rules.nft:4: '192.0.2.0/33' is not an address, CIDR or range",
    })
  })

  it('ip and ip6 tables see their family; arp, bridge and netdev tables are left out', () => {
    const lines = [
      'table ip6 six {',
      '  chain in {',
      '    type filter hook input priority 0; policy drop;',
      '    tcp dport 22 accept',
      '  }',
      '}',
      'table bridge br {',
      '  chain in {',
      '    type filter hook input priority 0; policy drop;',
      '  }',
      '}',
      'table netdev nd {',
      '}',
      'table arp a {',
      '  chain in {',
      '    type filter hook input priority 0; policy drop;',
      '  }',
      '}',
    ]
    const config = readNftables(text(...lines), 'f')
    // a whole ruleset decides both families: no ip or inet input chain lets all IPv4 in
    expect(config.families).toEqual([4, 6])
    expect(config.whole).toBe(true)
    expect(config.chains.map((c) => [c.name, c.family])).toEqual([['ip6 six in', 6]])
    expect(config.chains[0]?.rules[0]?.family).toBe(6)
  })

  it('sets by type and typeof; concatenations and maps hold neither addresses nor ports', () => {
    const lines = [
      'table inet t {',
      '  set v6 { typeof ip6 saddr; flags interval; elements = { 2001:db8::/32 } }',
      '  set v4 { typeof ip saddr; flags interval; elements = { 192.0.2.0/24 } }',
      '  set p { typeof tcp dport; elements = { 22, 443 } }',
      '  set ifs { typeof meta iifname; elements = { "eth0" } }',
      '  set pairs { type ipv4_addr . inet_service; elements = { 192.0.2.1 . 22 } }',
      '  map verdicts { type ipv4_addr : verdict; elements = { 192.0.2.1 : accept } }',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ip6 saddr @v6 tcp dport @p accept',
      '    ip saddr @v4 tcp dport @p accept',
      '    iifname @ifs accept',
      '  }',
      '}',
    ]
    const [v6, v4, ifs] = chainOf(readNftables(text(...lines), 'f'), 'inet t input').rules
    expect([v6?.family, v6?.saddr?.ipv6.toCidrs(), v6?.dports?.ranges]).toEqual([
      6,
      ['2001:db8::/32'],
      [
        [22, 22],
        [443, 443],
      ],
    ])
    expect([v4?.family, v4?.saddr?.ipv4.toCidrs()]).toEqual([4, ['192.0.2.0/24']])
    expect(ifs).toMatchObject({ line: lineOf(lines, 'iifname'), verdict: { kind: 'accept' } })
    expect(ifs?.never).toBeUndefined()
    // a port set is no address set
    expect(errorOf(text(...lines.slice(0, 9), '    ip saddr @p accept', '  }', '}')).message).toBe(
      "rules.nft:10: 'ip saddr' compared with a set that holds no addresses",
    )
  })

  const rule = (r: string) =>
    readNftables(text('table inet t {', '  chain c {', `    ${r}`, '  }', '}'), 'f')

  it('elements added later join an address set declared in the table', () => {
    const lines = [
      'table inet t {',
      '  set ok { type ipv4_addr; flags interval; elements = { 192.0.2.1 } }',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ip saddr @ok tcp dport 22 accept',
      '  }',
      '}',
      'add element inet t ok { 198.51.100.0/24 }',
    ]
    const [ok] = chainOf(readNftables(text(...lines), 'f'), 'inet t input').rules
    expect(ok?.saddr?.ipv4.toCidrs()).toEqual(['192.0.2.1/32', '198.51.100.0/24'])
  })

  it('expands defines where they are used, at the line of the use', () => {
    const lines = [
      'define prio = -10',
      'define admins = { 192.0.2.1, 198.51.100.0/24 }',
      'define web = 80',
      'define web_ports = { $web, 443 }',
      'define ssh = 2222',
      'redefine ssh = 22',
      'define unused = 1',
      'undefine unused',
      'table inet t {',
      '  set a {',
      '    type ipv4_addr; flags interval',
      '    elements = $admins',
      '  }',
      '  chain c {',
      '    type filter hook input priority $prio; policy drop;',
      '    ip saddr @a tcp dport $ssh accept',
      '    ip saddr $admins tcp dport $web_ports accept',
      '  }',
      '}',
    ]
    const c = chainOf(readNftables(text(...lines), 'f'), 'inet t c')
    expect(c).toMatchObject({ hook: 'input', priority: -10, policy: 'drop' })
    expect(
      c.rules.map((r) => [r.line, r.saddr?.ipv4.toCidrs(), r.dports?.ranges, r.verdict.kind]),
    ).toEqual([
      [lineOf(lines, 'ip saddr @a'), ['192.0.2.1/32', '198.51.100.0/24'], [[22, 22]], 'accept'],
      [
        lineOf(lines, 'ip saddr $admins'),
        ['192.0.2.1/32', '198.51.100.0/24'],
        [
          [80, 80],
          [443, 443],
        ],
        'accept',
      ],
    ])
  })

  it('expands a definition of 60,000 addresses (more than a call can spread)', () => {
    const addresses = Array.from(
      { length: 60_000 },
      (_, k) => `10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`,
    )
    const config = readNftables(
      text(
        `define allowed = { ${addresses.join(', ')} }`,
        'table inet t {',
        '  chain input { type filter hook input priority 0; policy drop; ip saddr $allowed accept; }',
        '}',
      ),
      'rules.nft',
    )
    const [rule] = chainOf(config, 'inet t input').rules
    expect(rule?.line).toBe(3)
    expect(rule?.saddr?.ipv4.addressCount()).toBe(60_000n)
  })

  it('refuses definitions that blow up (each doubling the last), naming the line of the use', () => {
    const lines = ['define a0 = 22']
    for (let k = 1; k <= 24; k++) lines.push(`define a${k} = { $a${k - 1}, $a${k - 1} }`)
    const started = performance.now()
    let error: unknown
    try {
      readNftables(text(...lines), 'rules.nft')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect((error as PolicyError).message).toMatch(
      /^rules\.nft:\d+: variables expand to over 2000000 tokens in all$/,
    )
    // It stops at the definition that crosses the limit, long before 2^24 copies.
    expect(Number((error as PolicyError).message.split(':')[1])).toBeLessThan(lines.length)
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  it('a verdict map is one rule per element, at its line, anonymous or named', () => {
    const lines = [
      'table inet t {',
      '  map ports { type inet_service : verdict; elements = { 25 : drop, 26 : jump ssh } }',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ct state vmap { established : accept, related : accept, invalid : drop }',
      '    iifname vmap { "lo" : accept }',
      '    tcp dport vmap { 22 : jump ssh, 80 : goto web, 443 : accept, 8080 : continue, 9000-9009 : return }',
      '    tcp dport vmap @ports',
      '  }',
      '  chain ssh {',
      '    ip saddr 192.0.2.0/24 accept',
      '  }',
      '  chain web {',
      '    accept',
      '  }',
      '}',
    ]
    const config = readNftables(text(...lines), 'f')
    const input = chainOf(config, 'inet t input')
    const states = lineOf(lines, 'ct state vmap')
    const ports = lineOf(lines, 'tcp dport vmap {')
    const named = lineOf(lines, 'tcp dport vmap @ports')
    expect(input.rules.map((r) => [r.line, r.states, r.iif, r.dports?.ranges, r.verdict])).toEqual([
      [states, { new: false, established: true }, undefined, undefined, { kind: 'accept' }],
      [states, { new: false, established: true }, undefined, undefined, { kind: 'accept' }],
      [states, { new: false, established: false }, undefined, undefined, { kind: 'drop' }],
      [
        lineOf(lines, 'iifname vmap'),
        undefined,
        { names: ['lo'], negate: false },
        undefined,
        { kind: 'accept' },
      ],
      [ports, undefined, undefined, [[22, 22]], { kind: 'jump', target: 'inet t ssh' }],
      [ports, undefined, undefined, [[80, 80]], { kind: 'goto', target: 'inet t web' }],
      [ports, undefined, undefined, [[443, 443]], { kind: 'accept' }],
      [ports, undefined, undefined, [[8080, 8080]], { kind: 'continue' }],
      [ports, undefined, undefined, [[9000, 9009]], { kind: 'return' }],
      [named, undefined, undefined, [[25, 25]], { kind: 'drop' }],
      [named, undefined, undefined, [[26, 26]], { kind: 'jump', target: 'inet t ssh' }],
    ])
    expect(config.warnings).toEqual([])
  })

  it('a named verdict map: declared with typeof, given elements later, used before its declaration', () => {
    // Docker's nftables backend (moby-docker-bridges-portmap.nft) dispatches FORWARD this way
    const lines = [
      'table ip t {',
      '  chain forward {',
      '    type filter hook forward priority 0; policy drop;',
      '    oifname vmap @jumps',
      '  }',
      '  chain to-br {',
      '    accept',
      '  }',
      '  map jumps { typeof oifname : verdict; elements = { "br0" : jump to-br } }',
      '}',
      'add element ip t jumps { "br1" : accept }',
    ]
    const config = readNftables(text(...lines), 'f')
    const at = lineOf(lines, 'oifname vmap @jumps')
    expect(chainOf(config, 'ip t forward').rules.map((r) => [r.line, r.oif, r.verdict])).toEqual([
      [at, { names: ['br0'], negate: false }, { kind: 'jump', target: 'ip t to-br' }],
      [at, { names: ['br1'], negate: false }, { kind: 'accept' }],
    ])
  })

  it.each([
    [
      'a set, not a map',
      '  set ports { type inet_service; elements = { 22 } }',
      'tcp dport vmap @ports',
      "'@ports' is not a verdict map of this table",
    ],
    ['no such map', '', 'tcp dport vmap @nope', "'@nope' is not a verdict map of this table"],
    [
      'a word, not @name',
      '',
      'tcp dport vmap ports',
      "'@ports' is not a verdict map of this table",
    ],
  ])('refuses a vmap of %s, naming the line', (_, decl, rule, message) => {
    const lines = [
      'table inet t {',
      decl,
      '  chain input {',
      '    type filter hook input priority 0;',
      `    ${rule}`,
      '  }',
      '}',
    ]
    expect(() => readNftables(text(...lines), 'f')).toThrow(`f:${lineOf(lines, rule)}: ${message}`)
  })

  it('a concatenation with an anonymous set or a verdict map (anonymous or named) is one rule per element; with a named set it is taken to match, with a note', () => {
    // martijnvds-debian-router.nftables.conf (real-configs) accepted every port through
    // `ip protocol . th dport vmap { udp . 51820 : accept }` read as a bare accept
    const lines = [
      'table inet t {',
      '  set pairs { type ipv4_addr . inet_service; elements = { 192.0.2.1 . 22 } }',
      '  map pv { type inet_proto . inet_service : verdict; elements = { tcp . 8080 : drop } }',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ip saddr . tcp dport @pairs accept',
      '    meta l4proto . th dport vmap @pv',
      '    iifname . ip saddr { "eth0" . 192.0.2.1 } accept',
      '    tcp dport . iifname { 22 . "eth0", 80 . "eth1" } accept',
      '    ip protocol . th dport vmap { udp . 67 : accept, tcp . 22 : jump ssh }',
      '    tcp dport 80 accept',
      '  }',
      '  chain ssh {',
      '    accept',
      '  }',
      '}',
    ]
    const config = readNftables(text(...lines), 'f')
    const v4 = (cidr: string) => IpSet.fromCidrs(4, [cidr])
    expect(
      chainOf(config, 'inet t input').rules.map((r) => [
        r.line,
        r.saddr?.ipv4.toCidrs(),
        r.iif?.names,
        r.protocols,
        r.dports?.ranges,
        r.verdict.kind,
      ]),
    ).toEqual([
      [lineOf(lines, 'ip saddr .'), undefined, undefined, undefined, undefined, 'accept'],
      [lineOf(lines, 'meta l4proto .'), undefined, undefined, ['tcp'], [[8080, 8080]], 'drop'],
      [
        lineOf(lines, 'iifname .'),
        v4('192.0.2.1/32').toCidrs(),
        ['eth0'],
        undefined,
        undefined,
        'accept',
      ],
      [lineOf(lines, 'tcp dport .'), undefined, ['eth0'], ['tcp'], [[22, 22]], 'accept'],
      [lineOf(lines, 'tcp dport .'), undefined, ['eth1'], ['tcp'], [[80, 80]], 'accept'],
      [lineOf(lines, 'ip protocol .'), undefined, undefined, ['udp'], [[67, 67]], 'accept'],
      [lineOf(lines, 'ip protocol .'), undefined, undefined, ['tcp'], [[22, 22]], 'jump'],
      [lineOf(lines, 'tcp dport 80'), undefined, undefined, ['tcp'], [[80, 80]], 'accept'],
    ])
    expect(warningTexts(config.warnings)).toEqual([
      `f:${lineOf(lines, 'ip saddr .')}: concatenation 'ip saddr . ...' is not modelled; the rule is taken to match`,
    ])
  })

  it('an element that does not fit the concatenation is refused at its line', () => {
    const e = errorOf(
      text(
        'table inet t {',
        '  chain input {',
        '    type filter hook input priority 0; policy drop;',
        '    ip protocol . th dport vmap { udp : accept }',
        '  }',
        '}',
      ),
    )
    expect(e.message).toContain("rules.nft:4: element 'udp' does not fit 'ip protocol . th dport'")
  })

  it('a priority name of the bridge family only is left to the default', () => {
    const lines = [
      'table bridge br {',
      '  chain c {',
      '    type filter hook output priority out; policy accept;',
      '  }',
      '}',
    ]
    expect(readNftables(text(...lines), 'f')).toMatchObject({ chains: [], warnings: [] })
  })

  it.each([
    ['tcp dport == 22 accept', [[22, 22]], 'accept'],
    ['tcp dport eq 22 accept', [[22, 22]], 'accept'],
    ['tcp flags syn tcp dport 22 accept', [[22, 22]], 'accept'],
    ['tcp flags & (syn | ack) == syn counter accept', undefined, 'accept'],
    ['tcp dport 22 tcp flags syn', [[22, 22]], 'continue'],
    ['tcp dport 22 counter packets 10 bytes 600 log prefix "ssh " accept', [[22, 22]], 'accept'],
    ['tcp dport 22 accept comment "ssh"', [[22, 22]], 'accept'],
    [
      'ct state new,untracked tcp dport { 22, 2222 } reject with tcp reset',
      [
        [22, 22],
        [2222, 2222],
      ],
      'drop',
    ],
  ])('%s: ports %j, verdict %s', (r, ranges, verdict) => {
    const config = rule(r)
    expect(config.chains[0]?.rules[0]?.dports?.ranges).toEqual(ranges)
    expect(config.chains[0]?.rules[0]?.verdict.kind).toBe(verdict)
    expect(warningTexts(config.warnings)).toEqual([])
  })

  it.each([
    ['tcp dport != 22 drop', { dports: { ranges: [[22, 22]], negate: true } }],
    ['tcp dport ne 22 drop', { dports: { ranges: [[22, 22]], negate: true } }],
    ['meta iifname "lo" accept', { iif: { names: ['lo'], negate: false } }],
    ['iifname != { "eth0", "wg*" } drop', { iif: { names: ['eth0', 'wg*'], negate: true } }],
    ['oif eth1 accept', { oif: { names: ['eth1'], negate: false } }],
    ['fib daddr type local accept', { dstLocal: true }],
    ['fib daddr . iif type != local accept', { dstLocal: false }],
    ['fib daddr type { broadcast, multicast } drop', { never: true }],
    ['fib saddr . iif oif missing drop', { never: true }],
    [
      'ct original proto-dst 5432 accept',
      { origDports: { ranges: [[5432, 5432]], negate: false } },
    ],
    ['meta nfproto ipv6 tcp dport 22 accept', { family: 6 }],
    ['meta l4proto { tcp, udp } th dport 53 accept', { protocols: ['tcp', 'udp'] }],
    ['jump other', { verdict: { kind: 'jump', target: 'inet t other' } }],
  ])('%s: %j', (r, expected) => {
    expect(rule(r).chains[0]?.rules[0]).toMatchObject({ line: 3, ...expected })
  })

  it.each([
    ['tcp dport >= 1024 accept', ["comparison '>=' is not modelled"]],
    ['tcp dport gt 1024 accept', ["comparison 'gt' is not modelled"]],
    ['fib daddr type foo accept', ["'fib daddr type foo' is not modelled"]],
    ['fib daddr oifname "x" accept', ["'fib daddr oifname' is not modelled"]],
  ])('%s is taken to match, with notes', (r, notes) => {
    const config = rule(r)
    expect(config.chains[0]?.rules[0]).toMatchObject({ verdict: { kind: 'accept' } })
    expect(config.chains[0]?.rules[0]?.dports).toBeUndefined()
    expect(warningTexts(config.warnings)).toEqual(
      notes.map((n) => `f:3: ${n}; the rule is taken to match`),
    )
  })

  it.each<[string, string[], number, string]>([
    ['an unclosed table', ['table inet t {'], 2, 'unexpected end of file (missing "}"?)'],
    [
      'an unclosed chain',
      ['table inet t {', '  chain c {', '    accept'],
      2,
      "chain 'c' is not closed",
    ],
    ['a stray brace', ['table inet t {', '}', '}'], 3, "unexpected '}'"],
    [
      'an unknown command',
      ['tabel inet t {', '}'],
      1,
      "unexpected 'tabel' (expected table, add, insert, flush, define, ...)",
    ],
    ...[
      ['22 accept', "'22 accept'"],
      ['22 : reject', "'22 : reject'"],
      ['22 : jump', "'22 : jump'"],
    ].map(([elements, shown]): [string, string[], number, string] => [
      `a verdict map element ${elements}`,
      ['table inet t {', '  chain c {', `    tcp dport vmap { ${elements} }`, '  }', '}'],
      3,
      `verdict map element ${shown} is not KEY : VERDICT`,
    ]),
    ['a define without =', ['define ssh 22'], 1, "expected 'define NAME = VALUE'"],
    ['a define without value', ['define ssh ='], 1, "expected 'define NAME = VALUE'"],
    [
      'an undefined variable',
      [
        'define ssh = 22',
        'undefine ssh',
        'add table inet t',
        'add rule inet t c tcp dport $ssh accept',
      ],
      4,
      "'$ssh' is not defined",
    ],
    [
      'an unknown table statement',
      ['table inet t {', '  rule c accept', '}'],
      2,
      "unexpected 'rule' in table 't'",
    ],
    [
      'elements without =',
      [
        'table inet t {',
        '  set s {',
        '    type ipv4_addr',
        '    elements { 192.0.2.1 }',
        '  }',
        '}',
      ],
      4,
      "expected '=', got '{'",
    ],
    [
      'a chain type without hook',
      ['table inet t {', '  chain c {', '    type filter;', '  }', '}'],
      3,
      'a chain type needs a hook and a priority',
    ],
    [
      'a policy that is no verdict',
      ['table inet t {', '  chain c {', '    policy continue;', '  }', '}'],
      3,
      "policy 'continue' is neither accept nor drop",
    ],
    [
      'a policy without verdict',
      ['table inet t {', '  chain c {', '    policy;', '  }', '}'],
      3,
      "policy '' is neither accept nor drop",
    ],
    [
      'a match without value',
      ['table inet t {', '  chain c {', '    tcp dport', '  }', '}'],
      3,
      'a match needs a value',
    ],
    [
      'a jump without chain',
      ['table inet t {', '  chain c {', '    jump', '  }', '}'],
      3,
      "'jump' needs a chain",
    ],
    [
      'a selector without field',
      ['table inet t {', '  chain c {', '    meta', '  }', '}'],
      3,
      "'meta' needs a field",
    ],
    [
      'elements of an undeclared set',
      ['add table inet t', 'add element inet t s { 192.0.2.1 }'],
      2,
      "set 's' is not declared",
    ],
    [
      'a port set with no port',
      [
        'add table inet t',
        'add set inet t p { type inet_service; }',
        'add element inet t p { 22, 65536 }',
      ],
      3,
      "'65536' is not a port or port range",
    ],
  ])('rejects %s at its line', (_, lines, line, reason) => {
    expect(errorOf(text(...lines))).toMatchObject({
      code: 'ERR_POLICY_CONFIG',
      file: 'rules.nft',
      line,
      message: `rules.nft:${line}: ${reason}`,
    })
  })
})

describe('readNftables: NAT, fib and interface sets', () => {
  const ruleset = (...rules: string[]) =>
    text(
      'table ip nat {',
      '  set ifs { typeof iifname; elements = { "eth0", "eth1" } }',
      '  chain pre {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      ...rules.map((r) => `    ${r}`),
      '  }',
      '}',
      'table inet raw {',
      '  chain rpf {',
      '    type filter hook prerouting priority raw; policy accept;',
      '    fib saddr . iif oif missing drop',
      '    fib saddr . iif oif != missing accept',
      '  }',
      '  chain ingress {',
      '    type filter hook ingress priority 0; devices = { eth0 };',
      '  }',
      '}',
    )

  it('reads dnat and redirect targets, and notes the ones it cannot follow', () => {
    const nft = ruleset(
      'iifname @ifs tcp dport 80 dnat to 172.17.0.2:8080',
      'tcp dport 81 dnat ip to 172.17.0.2',
      'tcp dport 82 redirect to :8082',
      'tcp dport 83 redirect',
      'tcp dport 84 dnat to 172.17.0.2-172.17.0.3',
      'tcp dport 85 dnat to tcp dport map { 85 : 172.17.0.9 }',
      'tcp dport 86 dnat',
      'tcp dport 87 dnat to nohost',
    )
    const c = readNftables(nft, 'rules.nft')
    const pre = chainOf(c, 'ip nat pre')
    expect(pre.hook).toBe('prerouting')
    expect(pre.rules.map((r) => r.verdict)).toEqual([
      { kind: 'dnat', addr: '172.17.0.2', port: 8080 },
      { kind: 'dnat', addr: '172.17.0.2' },
      { kind: 'dnat', port: 8082 },
      { kind: 'dnat' },
      { kind: 'dnat', addr: '172.17.0.2' },
      { kind: 'continue' },
      { kind: 'continue' },
      { kind: 'continue' },
    ])
    expect(pre.rules[0]!.iif).toEqual({ names: ['eth0', 'eth1'], negate: false })
    const lines = nft.split('\n')
    expect(warningTexts(c.warnings)).toEqual([
      `rules.nft:${lineOf(lines, 'tcp dport 84')}: dnat to a range ('172.17.0.2-172.17.0.3'): the first address and port are taken`,
      `rules.nft:${lineOf(lines, 'tcp dport 85')}: dnat to 'to tcp dport map { 85 : 172.17.0.9 }' is not modelled; the rule is taken not to translate`,
      `rules.nft:${lineOf(lines, 'tcp dport 86')}: dnat to '' is not modelled; the rule is taken not to translate`,
      `rules.nft:${lineOf(lines, 'tcp dport 87')}: dnat to 'to nohost' is not modelled; the rule is taken not to translate`,
    ])
  })

  it('reverse-path filtering never drops a source with a route back; filter prerouting is a base chain, ingress is not', () => {
    const c = readNftables(ruleset(), 'rules.nft')
    const rpf = chainOf(c, 'inet raw rpf')
    expect(rpf.hook).toBe('prerouting')
    expect(rpf.rules.map((r) => [r.never ?? false, r.verdict.kind])).toEqual([
      [true, 'drop'],
      [false, 'accept'],
    ])
    expect(chainOf(c, 'inet raw ingress').hook).toBeUndefined()
  })

  it('ct original proto-dst reads ports; a word that is none is an error at the line', () => {
    const nft = (port: string) =>
      text(
        'table inet filter {',
        '  chain DOCKER-USER {',
        `    ct original proto-dst ${port} ip saddr != 198.51.100.0/24 drop`,
        '  }',
        '}',
      )
    const c = readNftables(nft('5432'), 'rules.nft')
    expect(chainOf(c, 'inet filter DOCKER-USER').rules[0]!.origDports).toEqual({
      ranges: [[5432, 5432]],
      negate: false,
    })
    expect(errorOf(nft('nope')).message).toBe("rules.nft:3: 'nope' is not a port or port range")
  })
})

describe('readNftables: odd selectors', () => {
  const one = (rule: string) =>
    readNftables(
      text(
        'table inet filter {',
        '  set marks { typeof meta mark; elements = { 1, 2 } }',
        '  chain input {',
        '    type filter hook input priority 0; policy drop;',
        `    ${rule}`,
        '  }',
        '}',
      ),
      'rules.nft',
    )

  it('fib saddr oif with an interface, and words it does not know, are noted and taken to match', () => {
    for (const rule of [
      'fib saddr oif "eth0" tcp dport 22 accept',
      'ipsec in reqid 1 tcp dport 22 accept',
    ]) {
      const c = one(rule)
      expect(chainOf(c, 'inet filter input').rules[0]!.never).toBeUndefined()
      expect(warningTexts(c.warnings)).toEqual([
        expect.stringMatching(/^rules\.nft:5: '.*' is not modelled; the rule is taken to match$/),
      ])
    }
  })

  it('a set typed by another selector holds neither addresses nor ports', () => {
    const c = one('meta mark @marks accept')
    expect(c.chains.length).toBe(1)
  })
})

describe('readNftables: selectors cut short', () => {
  it.each(['tcp dport 22 fib', 'fib daddr', 'fib daddr . iif', 'ct original'])(
    '%s is an error at its line',
    (rule) => {
      const nft = text(
        'table inet f {',
        '  chain input {',
        '    type filter hook input priority 0; policy drop;',
        `    ${rule}`,
        '  }',
        '}',
      )
      expect(errorOf(nft).message).toBe('rules.nft:4: a match needs a value')
    },
  )
})
