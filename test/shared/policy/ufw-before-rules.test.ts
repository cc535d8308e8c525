/**
 * @module What ufw's stock before.rules accept ahead of every ufw rule (ufwBeforeRules in
 * rule-builder.ts), which `ufw status`, a ufw script and user.rules never show: proven against
 * the real artefact, the files Debian's ufw package installs (/etc/ufw/before.rules and
 * before6.rules: no other TCP or UDP port to this host's unicast addresses), and against the
 * kernel, real ufw enabled in a namespace: what verify says of each (source, port) is what a
 * real exchange does from some source port (68/udp gets in from a sender of source port 67;
 * 546/udp from a link-local sender of port 547, to a link-local address of this host only).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compileConfigs,
  reachOf,
  readFirewallConfig,
  toAddressValue,
  type CompiledConfigs,
  type ConfigFormat,
  type FirewallRule,
} from '../../../shared/src/index.ts'
import { ufwBeforeRules, UFW_BEFORE_RULES } from '../../../shared/src/policy/rule-builder.ts'
import { createKernelLab, type KernelLab, type LabProbe } from '../../helpers/kernel-lab.ts'
import { predict } from '../../helpers/kernel-truth.ts'
import { netnsSkipReason } from '../../helpers/netns.ts'
import { isolatedUfw, type IsolatedUfw } from '../../helpers/ufw.ts'
import { cidrs } from './rule-summary.ts'

const value = (address: string) => toAddressValue(address)!.value

/** Sources `reachOf` lets in for a UDP port to this host's `local` address (all interfaces). */
function udpReach(cs: CompiledConfigs, port: number, local: string): string {
  const reach = reachOf(cs, {
    direction: 'inbound',
    protocol: 'udp',
    port,
    family: local.includes(':') ? 6 : 4,
    state: 'new',
    local: value(local),
  })
  return reach!.toCidrs().join(' ')
}

const SCRIPT = [
  'ufw --force reset',
  'ufw default deny incoming',
  'ufw allow 22/tcp',
  'ufw --force enable',
]

describe('ufw readers: before.rules first', () => {
  it.each([
    ['ufw-commands', `${SCRIPT.join('\n')}\n`, [4, 6]],
    [
      'ufw-status',
      'Status: active\n\nTo  Action  From\n--  ------  ----\n22/tcp  ALLOW  Anywhere\n',
      [4, 6],
    ],
    [
      'ufw-rules',
      '*filter\n:ufw-user-input - [0:0]\n-A ufw-user-input -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
      [4],
    ],
    [
      'ufw-rules',
      '*filter\n:ufw6-user-input - [0:0]\n-A ufw6-user-input -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
      [6],
    ],
  ] satisfies [ConfigFormat, string, (4 | 6)[]][])(
    '%s: the accepts of before.rules, then the file’s own (%j)',
    (format, text, families: (4 | 6)[]) => {
      const c = readFirewallConfig(text, { file: 'f', format })
      const input = c.chains.find((ch) => ch.hook === 'input')!
      const implied = input.rules.filter((r) => r.text.startsWith(UFW_BEFORE_RULES))
      expect(input.rules.slice(0, implied.length)).toEqual(implied)
      expect(implied).toEqual(ufwBeforeRules('f', input.policyLine!, families))
      const cs = compileConfigs([c])
      if (families.includes(4)) {
        expect(udpReach(cs, 68, '192.0.2.1')).toBe('0.0.0.0/0')
        expect(udpReach(cs, 67, '192.0.2.1')).toBe('')
      }
      if (families.includes(6)) {
        // DHCPv6: from link-local senders to a link-local address of this host only
        expect(udpReach(cs, 546, 'fe80::1')).toBe('fe80::/10')
        expect(udpReach(cs, 546, '2001:db8::1')).toBe('')
      }
    },
  )
})

/** An accept of TCP or UDP in a before.rules file: its family, port and source, as modelled. */
function portAccepts(text: string, family: 4 | 6): string[] {
  const chain = family === 4 ? 'ufw-before-input' : 'ufw6-before-input'
  const out: string[] = []
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/)
    if (words[0] !== '-A' || words[1] !== chain || !line.includes('-j ACCEPT')) continue
    const arg = (flag: string) =>
      words.includes(flag) ? words[words.indexOf(flag) + 1] : undefined
    if (!['tcp', 'udp'].includes(arg('-p') ?? '')) continue
    const to = arg('-d')
    // to a multicast group (mDNS, UPnP): never traffic to this host's unicast addresses
    if (to !== undefined && (/^2(?:2[4-9]|3\d)\./.test(to) || /^ff/i.test(to))) continue
    out.push(
      `v${family} ${arg('-p')} ${arg('--dport')} from ${arg('-s') ?? 'any'} to ${to ?? 'any'}`,
    )
  }
  return out
}

function modelled(rule: FirewallRule): string {
  const [[port]] = rule.dports!.ranges as [[number, number]]
  return `v${rule.family} ${rule.protocols!.join()} ${port} from ${rule.saddr ? cidrs(rule.saddr) : 'any'} to ${rule.daddr ? cidrs(rule.daddr) : 'any'}`
}

const STOCK = ['/etc/ufw/before.rules', '/etc/ufw/before6.rules']
const noStock = STOCK.find((f) => !existsSync(f))
if (noStock)
  console.warn(
    `ufw before.rules artefact test: skipped, ${noStock} is absent (Debian's ufw package installs it; CI does)`,
  )

describe.skipIf(noStock !== undefined)('the stock before.rules (Debian ufw package)', () => {
  it('accept no TCP or UDP port to this host but the ones modelled', () => {
    const real = [
      ...portAccepts(readFileSync(STOCK[0]!, 'utf8'), 4),
      ...portAccepts(readFileSync(STOCK[1]!, 'utf8'), 6),
    ]
    const model = ufwBeforeRules('f', 1, [4, 6])
      .filter((r) => r.dports)
      .map(modelled)
    expect(real).toEqual(model)
  })
})

const why = netnsSkipReason('ufw', 'unshare', 'mount', 'conntrack', 'iptables', 'ip6tables')
if (why) console.warn(`ufw kernel test: ${why}`)

describe.skipIf(why !== undefined || noStock !== undefined)('real ufw in a namespace', () => {
  const local = { 4: '192.0.2.1', 6: '2001:db8::1' } as const
  const sources = ['198.51.100.7', '2001:db8:5::7']
  let lab: KernelLab
  let ufw: IsolatedUfw
  beforeAll(async () => {
    lab = createKernelLab('asr-ufw', {
      interfaces: ['eth0'],
      local: [local[4], local[6]],
      sources,
      containers: [],
    })
    ufw = isolatedUfw()
    const c = ufw.command(SCRIPT.map((l) => `${l} >/dev/null`).join('\n'))
    lab.run(c.command, c.args, c.input)
    await lab.listen([22, 2222], [68, 546, 1068])
  }, 60_000)
  afterAll(async () => {
    await lab?.destroy()
    ufw?.dispose()
  })

  it('lets in what verify says, from some source port: 68/udp from a sender of port 67', async () => {
    const config = readFirewallConfig(`${SCRIPT.join('\n')}\n`, { file: 'setup.sh' })
    const cs = compileConfigs([config])
    const probes: LabProbe[] = sources.flatMap((from) => {
      const to = local[from.includes(':') ? 6 : 4]
      return [
        ...[68, 546, 1068].map((port) => ({ from, to, port, protocol: 'udp' as const })),
        ...[22, 2222].map((port) => ({ from, to, port, protocol: 'tcp' as const })),
      ]
    })
    const random = await lab.probe('eth0', probes, 1500)
    const dhcp = await lab.probe('eth0', probes, 1500, 67)
    const dhcp6 = await lab.probe('eth0', probes, 1500, 547)
    const verdicts = predict(cs, probes, 'eth0')
    const seen = probes.map((p, k) => {
      const verify = verdicts[k]!
      const kernel = [random[k], dhcp[k], dhcp6[k]].map((r) => r === 'connected')
      return `${p.protocol} ${p.from} -> ${p.port}: verify ${verify ? 'open' : 'closed'}, kernel ${kernel.some(Boolean) ? 'open' : 'closed'} (random, 67, 547 source port: ${kernel.map((o) => (o ? 'in' : 'out')).join(' ')})`
    })
    expect(seen).toEqual([
      'udp 198.51.100.7 -> 68: verify open, kernel open (random, 67, 547 source port: out in out)',
      'udp 198.51.100.7 -> 546: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      'udp 198.51.100.7 -> 1068: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      'tcp 198.51.100.7 -> 22: verify open, kernel open (random, 67, 547 source port: in in in)',
      'tcp 198.51.100.7 -> 2222: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      // DHCPv6 is let in from link-local senders only: a global one gets nowhere, whatever its port
      'udp 2001:db8:5::7 -> 68: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      'udp 2001:db8:5::7 -> 546: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      'udp 2001:db8:5::7 -> 1068: verify closed, kernel closed (random, 67, 547 source port: out out out)',
      'tcp 2001:db8:5::7 -> 22: verify open, kernel open (random, 67, 547 source port: in in in)',
      'tcp 2001:db8:5::7 -> 2222: verify closed, kernel closed (random, 67, 547 source port: out out out)',
    ])
  }, 60_000)

  it('lets DHCPv6 in from a link-local sender to a link-local address, from source port 547', async () => {
    // a link-local address on each end of eth0, as every IPv6 interface has
    lab.run('ip', ['addr', 'add', 'fe80::1/64', 'dev', 'eth0', 'nodad'])
    const added = spawnSync('ip', [
      '-n',
      lab.client('eth0'),
      'addr',
      'add',
      'fe80::7/64',
      'dev',
      'p0',
      'nodad',
    ])
    expect(added.status, added.stderr?.toString()).toBe(0)
    await lab.listen([], [546, 1068], ['fe80::1%eth0'])
    const config = readFirewallConfig(`${SCRIPT.join('\n')}\n`, { file: 'setup.sh' })
    const probes: LabProbe[] = [
      { from: 'fe80::7', to: 'fe80::1', port: 546, protocol: 'udp' },
      { from: 'fe80::7', to: 'fe80::1', port: 1068, protocol: 'udp' },
      { from: 'fe80::7', to: local[6], port: 546, protocol: 'udp' },
      { from: 'fe80::7', to: 'fe80::1', port: 22, protocol: 'tcp' },
    ]
    // the client names the link of a link-local address by its zone
    const zoned = (a: string) => (a.startsWith('fe80:') ? `${a}%p0` : a)
    const sent = probes.map((p) => ({ ...p, from: zoned(p.from), to: zoned(p.to) }))
    const random = await lab.probe('eth0', sent, 1500)
    const dhcp6 = await lab.probe('eth0', sent, 1500, 547)
    const verdicts = predict(compileConfigs([config]), probes, 'eth0')
    const seen = probes.map((p, k) => {
      const kernel = [random[k], dhcp6[k]].map((r) => r === 'connected')
      return `${p.protocol} ${p.from} -> ${p.to} ${p.port}: verify ${verdicts[k] ? 'open' : 'closed'}, kernel ${kernel.some(Boolean) ? 'open' : 'closed'} (random, 547 source port: ${kernel.map((o) => (o ? 'in' : 'out')).join(' ')})`
    })
    expect(seen).toEqual([
      'udp fe80::7 -> fe80::1 546: verify open, kernel open (random, 547 source port: out in)',
      'udp fe80::7 -> fe80::1 1068: verify closed, kernel closed (random, 547 source port: out out)',
      // before6.rules lets DHCPv6 in to a link-local address only
      'udp fe80::7 -> 2001:db8::1 546: verify closed, kernel closed (random, 547 source port: out out)',
      'tcp fe80::7 -> fe80::1 22: verify open, kernel open (random, 547 source port: in in)',
    ])
  }, 60_000)
})
