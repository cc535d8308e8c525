/**
 * @module runChain's first-match sweep against the rule-by-rule walk it replaced
 * (test/helpers/run-chain-oracle.ts), on every chain, port class, family, state and interface:
 * random chains (plain verdicts interleaved with jumps, gotos, DNAT, negations, interfaces), a
 * generated 10,000-rule dump, and chains built from real published ranges (the GitHub and
 * Amazon IPv4 lists and Microsoft's IPv6 list in ../shared/fixtures/bench, dated in their names).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  compileConfigs,
  readFirewallConfigs,
  type FirewallConfig,
  type FirewallRule,
  type RuleVerdict,
} from '../../../shared/src/index.ts'
import { pathCtx, runChain, type ChainResult } from '../../../shared/src/policy/run-chain.ts'
import { bigIptablesSave } from '../../bench/policy.bench.ts'
import { FIXTURES_DIR, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { runChainOracle } from '../../helpers/run-chain-oracle.ts'

function show(r: ChainResult) {
  return {
    acc: r.acc.toCidrs(),
    drop: r.drop.toCidrs(),
    ret: r.ret.toCidrs(),
    nat: r.nat.map((n) => [n.set.toCidrs(), n.to.rule.line]),
  }
}

/** Compares the sweep with the oracle on every chain, port class, family, state and interface. */
function agree(configs: readonly FirewallConfig[], ifaces = ['eth0', 'docker0']): number {
  const cs = compileConfigs(configs)
  let compared = 0
  for (const cc of cs.compiled)
    for (const ch of cc.chains.values())
      for (const protocol of ['tcp', 'udp'] as const)
        for (const port of cs.classStarts[protocol])
          for (const family of [4, 6] as const)
            for (const state of ['new', 'established'] as const)
              for (const direction of ['inbound', 'outbound'] as const)
                for (const iif of ifaces) {
                  const shape = { direction, protocol, port, family, state }
                  const ctx = { ...pathCtx(cs, shape, { iif, oif: '' }), cc }
                  const all = IpSet.all(family)
                  expect(show(runChain(ch, all, ctx, 0))).toEqual(
                    show(runChainOracle(ch, all, ctx)),
                  )
                  compared++
                }
  return compared
}

const ACCEPT = { kind: 'accept' } as const
const cidr = fc
  .record({ low: fc.integer({ min: 0, max: 63 }), prefix: fc.integer({ min: 26, max: 32 }) })
  .map(({ low, prefix }) => `10.0.0.${low}/${prefix}`)

function randomRule(targets: readonly string[]): fc.Arbitrary<FirewallRule> {
  const verdicts: fc.Arbitrary<RuleVerdict>[] = [
    fc.constant(ACCEPT),
    fc.constant({ kind: 'drop' } as const),
    fc.constant({ kind: 'return' } as const),
    fc.constant({ kind: 'continue' } as const),
    fc.constant({ kind: 'dnat', addr: '172.17.0.2', port: 80 } as const),
    ...targets.flatMap((t) => [
      fc.constant({ kind: 'jump', target: t } as const),
      fc.constant({ kind: 'goto', target: t } as const),
    ]),
  ]
  return fc
    .record(
      {
        line: fc.integer({ min: 1, max: 999 }),
        // plain verdicts weigh most, so runs of them form between the jumps
        verdict: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(ACCEPT) }, ...verdicts),
        saddr: fc.record({ cidrs: fc.array(cidr, { maxLength: 3 }), negate: fc.boolean() }),
        dports: fc.record({ a: fc.integer({ min: 20, max: 25 }), negate: fc.boolean() }),
        iif: fc.record({ names: fc.constantFrom(['eth0'], ['docker*']), negate: fc.boolean() }),
        protocols: fc.constantFrom(['tcp'] as const, ['udp'] as const),
        family: fc.constantFrom(4 as const, 6 as const),
      },
      { requiredKeys: ['line', 'verdict'] },
    )
    .map((r): FirewallRule => ({
      file: 'rules.v4',
      line: r.line,
      text: `rule at line ${r.line}`,
      verdict: r.verdict,
      ...(r.saddr
        ? {
            saddr: {
              ipv4: IpSet.fromCidrs(4, r.saddr.cidrs),
              ipv6: IpSet.fromCidrs(
                6,
                r.saddr.cidrs.map((c) => {
                  const [low, prefix] = c.slice('10.0.0.'.length).split('/')
                  return `2001:db8::${low}/${96 + Number(prefix)}`
                }),
              ),
              negate: r.saddr.negate,
            },
          }
        : {}),
      ...(r.dports
        ? { dports: { ranges: [[r.dports.a, r.dports.a]], negate: r.dports.negate } }
        : {}),
      ...(r.iif ? { iif: r.iif } : {}),
      ...(r.protocols ? { protocols: r.protocols } : {}),
      ...(r.family ? { family: r.family } : {}),
    }))
}

const randomHost = fc
  .record({
    input: fc.array(randomRule(['U1', 'U2']), { maxLength: 30 }),
    u1: fc.array(randomRule(['U2']), { maxLength: 20 }),
    u2: fc.array(randomRule([]), { maxLength: 20 }),
  })
  .map(({ input, u1, u2 }): FirewallConfig => ({
    file: 'rules.v4',
    format: 'iptables-save',
    layer: 'host',
    families: [4, 6],
    chains: [
      { name: 'INPUT', hook: 'input', policy: 'drop', rules: input },
      { name: 'U1', rules: u1 },
      { name: 'U2', rules: u2 },
    ],
    published: [],
    warnings: [],
  }))

describe('runChain against the rule-by-rule walk', () => {
  it('agrees on random chains: runs of plain verdicts between jumps, gotos and DNAT', () => {
    fc.assert(
      fc.property(randomHost, (config) => {
        agree([config])
      }),
      { numRuns: 200 },
    )
  })

  it('agrees on a generated 10,000-rule iptables-save (20 user chains)', () => {
    const configs = readFirewallConfigs([{ text: bigIptablesSave(), file: 'rules.v4' }])
    // one interface, inbound and outbound, and a sample of the port classes
    const cs = compileConfigs(configs)
    expect(cs.classStarts.tcp.length).toBeGreaterThan(100)
    expect(agree(configs, ['eth0'])).toBeGreaterThan(1000)
  }, 120_000)
})

describe.skipIf(!HAVE_FIXTURES)('runChain against the walk, on real published ranges', () => {
  const lines = (name: string, n: number) =>
    readFileSync(path.join(FIXTURES_DIR, 'bench', name), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .slice(0, n)

  it('an allowlist of GitHub ranges, Amazon ranges dropped between them, fail2ban-style chain', () => {
    const github = lines('github-all-ipv4.2026-08-12.txt', 3000)
    const amazon = lines('amazon-ipv4.2026-08-22.txt', 3000)
    const ms6 = lines('microsoft-ipv6.2026-08-22.txt', 2000)
    const text = [
      '*filter',
      ':INPUT DROP [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':f2b-sshd - [0:0]',
      '-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd',
      // interleaved: accept a GitHub range, drop an Amazon one, now and then a jump
      ...github.flatMap((g, i) => [
        `-A INPUT -s ${g} -p tcp -m tcp --dport ${443 + (i % 3)} -j ACCEPT`,
        `-A INPUT -s ${amazon[i]!} -j DROP`,
        ...(i % 500 === 0 ? ['-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd'] : []),
      ]),
      ...amazon.map((a) => `-A f2b-sshd -s ${a} -j REJECT --reject-with icmp-port-unreachable`),
      '-A f2b-sshd -j RETURN',
      'COMMIT',
      '',
    ].join('\n')
    const text6 = [
      '*filter',
      ':INPUT DROP [0:0]',
      ...ms6.map((r, i) => `-A INPUT -s ${r} -j ${i % 2 ? 'ACCEPT' : 'DROP'}`),
      'COMMIT',
      '',
    ].join('\n')
    const configs = readFirewallConfigs([
      { text, file: 'rules.v4' },
      { text: text6, file: 'rules.v6' },
    ])
    expect(agree(configs, ['eth0'])).toBeGreaterThan(100)
  }, 120_000)
})
