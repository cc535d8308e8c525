/**
 * @module The evaluator against the real kernel: random iptables and nftables rule sets are
 * loaded into a server namespace, and for every (client address, listening port) pair the
 * evaluator's verdict must equal what a real TCP connect from the client namespace does. The
 * files read are both the generated ones and the kernel's own dumps (`iptables-save` with `ipset save`,
 * `nft -j list ruleset`). Documentation addresses only; needs root (CI runs it as root).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createNetnsPair,
  netnsSkipReason,
  type NetnsPair,
  type NetnsServer,
} from '../../helpers/netns.ts'
import {
  compileConfigs,
  readFirewallConfig,
  readFirewallConfigs,
  reachOf,
  type FirewallConfig,
} from '../../../shared/src/index.ts'

const SERVER = ['192.0.2.1', '2001:db8::1']
const CLIENT_V4 = ['198.51.100.10', '198.51.100.130', '203.0.113.10', '203.0.113.200', '192.0.2.50']
const CLIENT_V6 = ['2001:db8:1::10', '2001:db8:2::10']
const V4_POOL = [
  '198.51.100.0/24',
  '198.51.100.0/25',
  '198.51.100.128/25',
  '203.0.113.0/24',
  '203.0.113.10',
  '203.0.113.128/25',
  '192.0.2.0/24',
  '192.0.2.50/32',
  '0.0.0.0/0',
]
const V6_POOL = ['2001:db8:1::/48', '2001:db8::/32', '2001:db8:2::10', '2001:db8:2::/48']
const RULE_SETS = 6
const LISTENERS = 4

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
  return { next, pick, chance: (p: number) => next() < p }
}

type Rng = ReturnType<typeof rng>

function portMatchIpt(r: Rng, ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b)
  switch (Math.floor(r.next() * 7)) {
    case 0:
      return ''
    case 1:
      return `-p tcp -m tcp --dport ${r.pick(ports)} `
    case 2:
      return `-p tcp -m multiport --dports ${r.pick(ports)},${r.pick(ports)} `
    case 3:
      return `-p tcp -m tcp --dport ${sorted[0]}:${sorted[1]} `
    case 4:
      return `-p tcp -m tcp ! --dport ${r.pick(ports)} `
    case 5:
      return `-p udp -m udp --dport ${r.pick(ports)} `
    default:
      return '-p tcp '
  }
}

function iptablesRuleSet(seed: number, ports: readonly number[]): string {
  const r = rng(seed)
  const lines = [
    '*filter',
    `:INPUT ${r.chance(0.5) ? 'DROP' : 'ACCEPT'} [0:0]`,
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':c1 - [0:0]',
    ':c2 - [0:0]',
  ]
  lines.push('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT')
  const rule = (chain: 'INPUT' | 'c1' | 'c2') => {
    let s = `-A ${chain} `
    if (r.chance(0.08)) s += '-i lo '
    if (r.chance(0.7)) {
      if (r.chance(0.25)) s += `-m set ${r.chance(0.3) ? '! ' : ''}--match-set asrset src `
      else s += `${r.chance(0.2) ? '! ' : ''}-s ${r.pick(V4_POOL.slice(0, -1))} `
    }
    s += portMatchIpt(r, ports)
    if (r.chance(0.15)) s += '-m conntrack --ctstate NEW '
    const targets =
      chain === 'INPUT'
        ? ['ACCEPT', 'ACCEPT', 'REJECT', 'c1', 'c2', 'LOG', 'DROP']
        : chain === 'c1'
          ? ['ACCEPT', 'REJECT', 'RETURN', 'c2', 'GOTO', 'DROP']
          : ['ACCEPT', 'REJECT', 'RETURN', 'RETURN']
    const t = r.pick(targets)
    s += t === 'GOTO' ? '-g c2' : `-j ${t}`
    return s
  }
  for (let i = 0; i < 8; i++) lines.push(rule('INPUT'))
  for (let i = 0; i < 5; i++) lines.push(rule('c1'))
  for (let i = 0; i < 5; i++) lines.push(rule('c2'))
  lines.push('COMMIT', '')
  return lines.join('\n')
}

/** The ipset the iptables rule sets' `-m set` matches name (loaded with `ipset restore`). */
const IPSET =
  'create asrset hash:net family inet hashsize 1024 maxelem 65536\nadd asrset 203.0.113.10\nadd asrset 198.51.100.128/25\n'

function nftRuleSet(seed: number, ports: readonly number[]): string {
  const r = rng(seed)
  const sorted = [...ports].sort((a, b) => a - b)
  const addr = () => {
    if (r.chance(0.35)) {
      const c = r.pick(V6_POOL)
      return `ip6 saddr ${r.chance(0.2) ? '!= ' : ''}${c} `
    }
    const kind = Math.floor(r.next() * 4)
    if (kind === 0) return `ip saddr @allow4 `
    if (kind === 1)
      return `ip saddr { ${r.pick(V4_POOL.slice(0, -1))}, ${r.pick(V4_POOL.slice(0, -1))} } `
    return `ip saddr ${r.chance(0.2) ? '!= ' : ''}${r.pick(V4_POOL.slice(0, -1))} `
  }
  const port = () => {
    switch (Math.floor(r.next() * 7)) {
      case 0:
        return ''
      case 1:
        return `tcp dport ${r.pick(ports)} `
      case 2:
        return `tcp dport { ${r.pick(ports)}, ${r.pick(ports)} } `
      case 3:
        return `tcp dport ${sorted[0]}-${sorted[1]} `
      case 4:
        return `tcp dport != ${r.pick(ports)} `
      case 5:
        return `udp dport ${r.pick(ports)} `
      default:
        return 'meta l4proto tcp '
    }
  }
  const rule = (chain: string) => {
    let s = '    '
    if (r.chance(0.08)) s += 'iifname "lo" '
    if (r.chance(0.7)) s += addr()
    s += port()
    if (r.chance(0.15)) s += 'ct state new '
    s += 'counter '
    const verdicts =
      chain === 'input'
        ? ['accept', 'accept', 'reject', 'jump c1', 'jump c2', 'drop', '']
        : chain === 'c1'
          ? ['accept', 'reject', 'return', 'jump c2', 'goto c2', 'drop']
          : ['accept', 'reject', 'return', 'return']
    s += r.pick(verdicts)
    return s.trimEnd()
  }
  const chain = (name: string, n: number) => Array.from({ length: n }, () => rule(name))
  return [
    'table inet asrpolicy {',
    '  set allow4 {',
    '    type ipv4_addr',
    '    flags interval',
    `    elements = { ${r.pick(V4_POOL.slice(0, -1))}, ${r.pick(['203.0.113.200', '198.51.100.128/26'])} }`,
    '  }',
    // a named verdict map (as Docker's nftables backend writes them), used mid-chain
    '  map pv {',
    '    type inet_service : verdict',
    `    elements = { ${sorted[0]} : jump c1, ${sorted[sorted.length - 1]} : drop }`,
    '  }',
    '  chain input {',
    `    type filter hook input priority filter; policy ${r.chance(0.5) ? 'drop' : 'accept'};`,
    '    ct state established,related accept',
    // neighbour discovery: without it a drop policy cuts IPv6 off altogether
    '    meta l4proto ipv6-icmp accept',
    ...chain('input', 8).toSpliced(4, 0, '    tcp dport vmap @pv'),
    '  }',
    '  chain c1 {',
    ...chain('c1', 5),
    '  }',
    '  chain c2 {',
    ...chain('c2', 5),
    '  }',
    '}',
    '',
  ].join('\n')
}

const skip = netnsSkipReason('iptables-restore', 'iptables-save', 'ipset', 'nft')
if (skip) console.warn(`kernel-equivalence: ${skip}`)

describe.skipIf(skip !== undefined)('evaluatePolicy verdicts against the kernel', () => {
  let pair: NetnsPair
  const servers: NetnsServer[] = []
  let ports: number[] = []

  beforeAll(async () => {
    pair = createNetnsPair('asr-policy', { server: SERVER, client: [...CLIENT_V4, ...CLIENT_V6] })
    for (let i = 0; i < LISTENERS; i++) servers.push(await pair.listen('::'))
    ports = servers.map((s) => s.port)
  })

  afterAll(async () => {
    for (const s of servers) await s.stop()
    pair?.destroy()
  })

  async function compare(
    configs: { label: string; config: FirewallConfig }[],
    clients: readonly string[],
  ) {
    const samples = clients.flatMap((from) => ports.map((port) => ({ from, port })))
    const actual: string[] = []
    for (let i = 0; i < samples.length; i += 8) {
      const batch = samples.slice(i, i + 8)
      const results = await Promise.all(
        batch.map(({ from, port }) =>
          pair.connect({
            from,
            to: from.includes(':') ? SERVER[1]! : SERVER[0]!,
            port,
            timeoutMs: 800,
          }),
        ),
      )
      actual.push(...results)
    }
    for (const { label, config } of configs) {
      const cs = compileConfigs([config])
      const predicted = samples.map(({ from, port }) => {
        const family = from.includes(':') ? 6 : 4
        const reach = reachOf(cs, {
          direction: 'inbound',
          protocol: 'tcp',
          port,
          family,
          state: 'new',
        })
        return reach?.contains(from) ? 'connected' : 'blocked'
      })
      const kernel = actual.map((a) => (a === 'connected' ? 'connected' : 'blocked'))
      const rows = samples.map(
        (s, k) => `${label} ${s.from} -> ${s.port}: evaluator ${predicted[k]}, kernel ${actual[k]}`,
      )
      expect(rows.filter((_, k) => predicted[k] !== kernel[k])).toEqual([])
    }
    if (process.env.ASR_POLICY_DEBUG) console.log(configs[0]?.label, actual.join(' '))
    return actual
  }

  for (let n = 0; n < RULE_SETS; n++) {
    const seed = 1000 + n
    it(`iptables rule set seed ${seed}: verdicts equal real connects (generated file and iptables-save dump)`, async () => {
      const text = iptablesRuleSet(seed, ports)
      pair.tryRun('server', 'nft', ['flush', 'ruleset'])
      pair.tryRun('server', 'ipset', ['destroy', 'asrset'])
      pair.run('server', 'ipset', ['restore'], IPSET)
      pair.run('server', 'iptables-restore', [], text)
      const dump = pair.run('server', 'iptables-save', []).stdout
      const setDump = pair.run('server', 'ipset', ['save']).stdout
      const actual = await compare(
        [
          {
            label: 'generated',
            config: readFirewallConfigs([
              { text: IPSET, file: 'sets.ipset' },
              { text, file: `seed-${seed}.rules`, format: 'iptables-save' },
            ])[1]!,
          },
          {
            label: 'iptables-save + ipset save',
            config: readFirewallConfigs([
              { text: dump, file: 'dump.rules' },
              { text: setDump, file: 'dump.ipset' },
            ])[0]!,
          },
        ],
        CLIENT_V4,
      )
      // a rule set where everything or nothing connects proves little: the seeds are chosen so that both happen
      expect(actual.length).toBe(CLIENT_V4.length * LISTENERS)
    })
    it(`nftables rule set seed ${seed}: verdicts equal real connects (generated file and nft -j dump)`, async () => {
      const text = nftRuleSet(seed, ports)
      pair.tryRun('server', 'iptables', ['-F'])
      pair.tryRun('server', 'iptables', ['-X'])
      pair.tryRun('server', 'iptables', ['-P', 'INPUT', 'ACCEPT'])
      pair.tryRun('server', 'ipset', ['destroy', 'asrset'])
      pair.run('server', 'nft', ['flush', 'ruleset'])
      pair.run('server', 'nft', ['-f', '-'], text)
      const json = pair.run('server', 'nft', ['-j', 'list', 'ruleset']).stdout
      const listed = pair.run('server', 'nft', ['list', 'ruleset']).stdout
      await compare(
        [
          { label: 'generated', config: readFirewallConfig(text, { file: `seed-${seed}.nft` }) },
          { label: 'nft list ruleset', config: readFirewallConfig(listed, { file: 'list.nft' }) },
          { label: 'nft -j', config: readFirewallConfig(json, { file: 'list.json' }) },
        ],
        [...CLIENT_V4, ...CLIENT_V6],
      )
    })
  }

  it('the generated rule sets are not trivial: some pairs connect and some do not', () => {
    pair.run('server', 'nft', ['flush', 'ruleset'])
    const outcomes = new Set<string>()
    for (let n = 0; n < RULE_SETS; n++) {
      const cs = compileConfigs(
        readFirewallConfigs([
          { text: IPSET, file: 'sets.ipset' },
          { text: iptablesRuleSet(1000 + n, ports), file: 'x.rules' },
        ]),
      )
      for (const from of CLIENT_V4)
        for (const port of ports)
          outcomes.add(
            reachOf(cs, {
              direction: 'inbound',
              protocol: 'tcp',
              port,
              family: 4,
              state: 'new',
            })?.contains(from)
              ? 'in'
              : 'out',
          )
    }
    expect([...outcomes].sort()).toEqual(['in', 'out'])
  })
})
