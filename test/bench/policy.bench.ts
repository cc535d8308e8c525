/**
 * @module Policy verification at scale: a 10,000-rule iptables-save and a ruleset with a
 * 50,000-element set (nftables named set; and iptables `-m set` with an `ipset save` file), read,
 * compiled and checked against a preset (exact reach for every port class). Peers measured in
 * the same run: the kernel tools loading the same files without committing them
 * (`iptables-restore --test`, `nft -c -f`, in a scratch namespace, root only), and a naive
 * linear evaluator (one packet at a time, first match over every rule) answering far less: 1,000
 * sampled (source, port) pairs. And the chain walk itself on 20,000 per-source rules of real
 * published ranges: the first-match sweep against the rule-by-rule walk it replaced
 * (test/helpers/run-chain-oracle.ts), which is quadratic in the rules.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  compileConfigs,
  evaluatePolicy,
  presetPolicy,
  readFirewallConfigs,
  traceAddress,
  IpSet,
  type FirewallConfig,
} from '../../shared/src/index.ts'
import { pathCtx, runChain } from '../../shared/src/policy/run-chain.ts'
import { runChainOracle } from '../helpers/run-chain-oracle.ts'
import { IS_ROOT, hasCommand } from '../helpers/tools.ts'
import {
  FIXTURES,
  HAVE_FIXTURES,
  compareTimes,
  timeMedian,
  timeProcess,
  type BenchFile,
  type BenchResult,
} from './harness.ts'

/** mulberry32, so every run measures the same files. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ip = (r: () => number) =>
  `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`

/** 10,000 rules: INPUT plus 20 user chains, per-source and per-port accepts and drops, multiport. */
export function bigIptablesSave(rules = 10_000): string {
  const r = rng(7)
  const ports = Array.from({ length: 200 }, (_, i) => 1000 + i * 37)
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]']
  for (let c = 0; c < 20; c++) lines.push(`:svc${c} - [0:0]`)
  lines.push(
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -i lo -j ACCEPT',
  )
  for (let c = 0; c < 20; c++) lines.push(`-A INPUT -p tcp -m tcp --dport ${ports[c]!} -j svc${c}`)
  for (let i = lines.length; i < rules; i++) {
    const chain = r() < 0.5 ? 'INPUT' : `svc${Math.floor(r() * 20)}`
    const src = `${ip(r)}/${[32, 24, 16][Math.floor(r() * 3)]!}`
    const port =
      r() < 0.2
        ? `-m multiport --dports ${ports[Math.floor(r() * 200)]!},${ports[Math.floor(r() * 200)]!}`
        : `-m tcp --dport ${ports[Math.floor(r() * 200)]!}`
    lines.push(`-A ${chain} -s ${src} -p tcp ${port} -j ${r() < 0.7 ? 'ACCEPT' : 'DROP'}`)
  }
  lines.push('-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT', 'COMMIT', '')
  return lines.join('\n')
}

function bigSetElements(n: number): string[] {
  const r = rng(11)
  const seen = new Set<string>()
  while (seen.size < n) seen.add(r() < 0.8 ? `${ip(r)}` : `${ip(r).replace(/\.\d+$/, '.0')}/24`)
  return [...seen]
}

export function bigNftables(elements: readonly string[]): string {
  return [
    'table inet filter {',
    '  set blocked {',
    '    type ipv4_addr',
    '    flags interval',
    '    auto-merge',
    `    elements = { ${elements.join(',\n      ')} }`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    '    ip saddr @blocked drop',
    '    tcp dport { 22, 80, 443 } accept',
    '    ip saddr @blocked tcp dport 5432 accept',
    '  }',
    '}',
    '',
  ].join('\n')
}

function ipsetSave(elements: readonly string[]): string {
  return [
    'create blocked hash:net family inet hashsize 65536 maxelem 131072',
    ...elements.map((e) => `add blocked ${e}`),
    '',
  ].join('\n')
}

const IPT_WITH_SET = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m set --match-set blocked src -j DROP
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
COMMIT
`

/** The naive peer: 1,000 (source, port) packets, each walked rule by rule (first match, jumps). */
function naive(
  configs: readonly FirewallConfig[],
  samples: readonly { addr: bigint; port: number }[],
): number {
  const cs = compileConfigs(configs)
  let open = 0
  for (const s of samples) {
    const steps = traceAddress(
      cs,
      { direction: 'inbound', protocol: 'tcp', port: s.port, family: 4, state: 'new' },
      s.addr,
    )
    if (steps.every((x) => x.accepted)) open++
  }
  return open
}

function samples(n: number): { addr: bigint; port: number }[] {
  const r = rng(3)
  return Array.from({ length: n }, () => ({
    addr: BigInt(Math.floor(r() * 2 ** 32)),
    port: 1000 + Math.floor(r() * 200) * 37,
  }))
}

/** Runs a kernel tool on a file in a scratch namespace (nothing is committed anywhere). */
function kernelPeer(name: string, args: (file: string) => string[], file: string, runs: number) {
  const ns = `asr-policy-bench-${process.pid}`
  spawnSync('ip', ['netns', 'add', ns])
  try {
    return { name, ...timeProcess('ip', ['netns', 'exec', ns, ...args(file)], { runs }) }
  } finally {
    spawnSync('ip', ['netns', 'del', ns])
  }
}

/**
 * INPUT with `rules` per-source rules: ranges of the real GitHub, Amazon and Microsoft IPv4 lists
 * (random addresses without the fixtures), mostly DROP with every fifth ACCEPT, a jump to a
 * fail2ban chain every 1,000 rules.
 */
function perSourceChain(rules: number): string {
  const r = rng(5)
  const real = HAVE_FIXTURES
    ? [
        'github-all-ipv4.2026-08-12.txt',
        'amazon-ipv4.2026-08-22.txt',
        'microsoft-ipv4.2026-08-22.txt',
      ]
        .flatMap((f) => readFileSync(path.join(FIXTURES, 'bench', f), 'utf8').split('\n'))
        .filter((l) => /^\d/.test(l))
    : []
  const lines = ['*filter', ':INPUT DROP [0:0]', ':f2b-sshd - [0:0]']
  for (let i = 0; i < rules; i++) {
    if (i % 1000 === 0) lines.push('-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd')
    lines.push(`-A INPUT -s ${real[i] ?? ip(r)} -j ${i % 5 === 0 ? 'ACCEPT' : 'DROP'}`)
  }
  lines.push('-A f2b-sshd -s 192.0.2.7/32 -j REJECT', '-A f2b-sshd -j RETURN', 'COMMIT', '')
  return lines.join('\n')
}

/** The chain walk alone, every TCP port class of INPUT over every source: sweep vs oracle. */
async function chainWalk(runs: number): Promise<BenchResult> {
  const cs = compileConfigs(
    readFirewallConfigs([{ text: perSourceChain(20_000), file: 'rules.v4' }]),
  )
  const cc = cs.compiled[0]!
  const input = cc.hooks.input[0]!
  const walk = (run: typeof runChain) => {
    let n = 0
    for (const port of cs.classStarts.tcp) {
      const shape = {
        direction: 'inbound',
        protocol: 'tcp',
        port,
        family: 4,
        state: 'new',
      } as const
      const ctx = { ...pathCtx(cs, shape, { iif: 'eth0', oif: '' }), cc }
      n += run(input, IpSet.all(4), ctx, 0).acc.rangeCount
    }
    return n
  }
  const ours = await timeMedian(() => walk(runChain), { runs })
  const oracle = await timeMedian(() => walk(runChainOracle), {
    runs: Math.min(runs, 3),
    warmup: 1,
  })
  return compareTimes(
    `runChain over 20,000 per-source rules (${HAVE_FIXTURES ? 'real GitHub/Amazon/Microsoft ranges' : 'random addresses'}), ${cs.classStarts.tcp.length} port classes`,
    ours,
    { name: 'rule-by-rule walk (the old runChain)', ...oracle },
    10,
    '>= 10x (near-linear vs quadratic)',
  )
}

const bench: BenchFile = async ({ runs }) => {
  const results: BenchResult[] = []
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-policy-bench-'))
  const policy = presetPolicy('web-minimal')
  const canKernel = IS_ROOT && hasCommand('ip')

  // 1. 10,000-rule iptables-save
  const ipt = bigIptablesSave()
  const iptFile = path.join(dir, 'rules.v4')
  writeFileSync(iptFile, ipt)
  const verify = (inputs: { text: string; file: string }[]) =>
    evaluatePolicy(policy, readFirewallConfigs(inputs)).findings.length
  const ours = await timeMedian(() => verify([{ text: ipt, file: 'rules.v4' }]), { runs })
  const configs = readFirewallConfigs([{ text: ipt, file: 'rules.v4' }])
  const compiled = compileConfigs(configs)
  const evalOnly = await timeMedian(() => evaluatePolicy(policy, compiled).findings.length, {
    runs,
  })
  results.push({
    name: '10,000-rule iptables-save: evaluate only (compiled once)',
    ours: evalOnly,
    note: `${compiled.classStarts.tcp.length} TCP port classes`,
  })
  const sample = samples(1000)
  const naivePeer = await timeMedian(() => naive(configs, sample), { runs })
  results.push(
    compareTimes(
      '10,000-rule iptables-save: read + compile + verify (exact reach, all ports)',
      ours,
      { name: 'naive linear evaluator, 1,000 packets', ...naivePeer },
      0,
      'reported only (ours answers for every source and port; the peer for 1,000 packets)',
    ),
  )
  if (canKernel && hasCommand('iptables-restore'))
    results.push(
      compareTimes(
        '10,000-rule iptables-save vs the kernel tool',
        ours,
        kernelPeer(
          'iptables-restore --test',
          (f) => ['iptables-restore', '--test', f],
          iptFile,
          runs,
        ),
        0,
        'reported only',
      ),
    )
  else
    results.push({
      name: '10,000-rule iptables-save vs iptables-restore --test',
      ours,
      note: 'peer skipped: needs root and iptables',
    })

  // 2. 50,000-element set: nftables named set, and iptables -m set with an ipset save file
  const elements = bigSetElements(50_000)
  const nft = bigNftables(elements)
  const nftFile = path.join(dir, 'big.nft')
  writeFileSync(nftFile, nft)
  const oursNft = await timeMedian(() => verify([{ text: nft, file: 'big.nft' }]), { runs })
  if (canKernel && hasCommand('nft'))
    results.push(
      compareTimes(
        'nftables, 50,000-element set: read + compile + verify',
        oursNft,
        kernelPeer('nft -c -f (check only)', (f) => ['nft', '-c', '-f', f], nftFile, runs),
        1,
        '>= 1x (faster than nft checking the same file)',
      ),
    )
  else
    results.push({
      name: 'nftables, 50,000-element set: read + compile + verify',
      ours: oursNft,
      note: 'peer skipped: needs root and nft',
    })
  const ipset = ipsetSave(elements)
  const oursSet = await timeMedian(
    () =>
      verify([
        { text: ipset, file: 'ipsets.save' },
        { text: IPT_WITH_SET, file: 'rules.v4' },
      ]),
    { runs },
  )
  const setConfigs = readFirewallConfigs([
    { text: ipset, file: 'ipsets.save' },
    { text: IPT_WITH_SET, file: 'rules.v4' },
  ])
  const naiveSet = await timeMedian(() => naive(setConfigs, sample), { runs })
  results.push(
    compareTimes(
      'iptables -m set + 50,000-entry ipset save: read + compile + verify',
      oursSet,
      { name: 'naive linear evaluator, 1,000 packets', ...naiveSet },
      0,
      'reported only',
    ),
  )
  results.push(await chainWalk(runs))
  return results
}

export default bench
