/**
 * @module The nftables readers (text and `nft -j` JSON) on rate limits and service names:
 * `limit rate`, `limit rate over`, `meter`, set updates with a limit, `ct count`, `quota` are
 * read for a first connection with a note naming the rule; `dhcpv6-client` and every other
 * /etc/services name resolves. Where root and nft are here, nft itself checks the ruleset and,
 * loaded in a throwaway namespace, prints the JSON the JSON reader then reads to the same rules.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  reachOf,
  readFirewallConfig,
  type FirewallConfig,
} from '../../../shared/src/index.ts'
import { netnsSkipReason } from '../../helpers/netns.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

// an nftables.conf of a small host: the rate-limit idioms of the nft wiki, and service names
const RULESET = `table inet filter {
	set ssh4 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		udp dport dhcpv6-client accept
		udp dport { domain, ntp } accept
		tcp dport 22 meter ssh-meter { ip saddr limit rate 10/minute } accept
		tcp dport 80 limit rate over 100/second drop
		tcp dport { http, https } accept
		tcp dport 443 ct count over 20 reject
		tcp dport 8443 ct count 10 accept
		tcp dport 2222 update @ssh4 { ip saddr limit rate over 3/minute } drop
		tcp dport 2222 accept
		tcp dport 25 quota over 100 mbytes drop
		tcp dport 25 accept
		limit rate 5/second log prefix "dropped: "
	}
}
`

const lineOf = (needle: string) => RULESET.split('\n').findIndex((l) => l.includes(needle)) + 1

function reach(c: FirewallConfig, port: number, protocol: 'tcp' | 'udp' = 'tcp'): string {
  const r = reachOf(compileConfigs([c]), {
    direction: 'inbound',
    protocol,
    port,
    family: 4,
    state: 'new',
  })
  return r === undefined ? '-' : r.toCidrs().join(' ')
}

/** What both readers must agree on: a first connection gets in on each port. */
function expectFirstConnections(c: FirewallConfig) {
  for (const [port, protocol] of [
    [546, 'udp'],
    [53, 'udp'],
    [123, 'udp'],
    [22, 'tcp'],
    [80, 'tcp'],
    [443, 'tcp'],
    [2222, 'tcp'],
    [25, 'tcp'],
    [8443, 'tcp'],
  ] as const)
    expect(reach(c, port, protocol), `${port}/${protocol}`).toBe('0.0.0.0/0')
  expect(reach(c, 3306)).toBe('')
}

describe('readNftables: rate limits and service names', () => {
  const c = readFirewallConfig(RULESET, { file: 'nftables.conf' })

  it('reads a first connection through every rate limit, and resolves service names', () => {
    expectFirstConnections(c)
    const never = c.chains[0]!.rules.filter((r) => r.never).map((r) => r.line)
    expect(never).toEqual([
      lineOf('limit rate over 100'),
      lineOf('ct count over'),
      lineOf('update @ssh4'),
      lineOf('quota over'),
    ])
  })

  it('notes each rate-limited rule at its line; a limited log decides nothing and gets none', () => {
    const note = (needle: string, rate: string, over: boolean) =>
      `nftables.conf:${lineOf(needle)}: rate limit '${rate}' is not modelled: read for a first connection, under the rate, which the rule ${over ? 'does not match' : 'matches'}; connections past the rate are treated otherwise`
    expect(warningTexts(c.warnings)).toEqual([
      note('meter ssh-meter', 'meter ssh-meter { ip saddr limit rate 10/minute }', false),
      note('limit rate over 100', 'limit rate over 100/second', true),
      note('ct count over', 'ct count over 20', true),
      note('ct count 10', 'ct count 10', false),
      note('update @ssh4', 'update @ssh4 { ip saddr limit rate over 3/minute }', true),
      note('quota over', 'quota over 100 mbytes', true),
    ])
  })
})

const skip = netnsSkipReason('nft')
describe.skipIf(skip !== undefined)('nft agrees', () => {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` }
  const nft = (args: string[], input?: string) =>
    spawnSync('nft', args, { env, input, encoding: 'utf8' })

  it('nft -c takes the ruleset (dhcpv6-client included) and refuses `SSH`', () => {
    expect(nft(['-c', '-f', '-'], RULESET).stderr).toBe('')
    expect(nft(['-c', '-f', '-'], RULESET.replace('dport 22', 'dport SSH')).status).not.toBe(0)
  })

  it('the JSON nft prints for the loaded ruleset reads to the same reach and notes', () => {
    const ns = `asr-rd-nft-${process.pid}`
    expect(spawnSync('ip', ['netns', 'add', ns], { env }).status).toBe(0)
    try {
      const exec = (args: string[], input?: string) =>
        spawnSync('ip', ['netns', 'exec', ns, 'nft', ...args], { env, input, encoding: 'utf8' })
      expect(exec(['-f', '-'], RULESET).stderr).toBe('')
      const json = exec(['-j', 'list', 'ruleset']).stdout
      const c = readFirewallConfig(json, { file: 'ruleset.json' })
      expect(c.format).toBe('nft-json')
      expectFirstConnections(c)
      expect(warningTexts(c.warnings)).toHaveLength(6)
      expect(warningTexts(c.warnings).filter((w) => w.includes('does not match'))).toHaveLength(4)
      for (const w of warningTexts(c.warnings))
        expect(w).toMatch(/^ruleset\.json:\d+: rate limit '/)
    } finally {
      spawnSync('ip', ['netns', 'del', ns], { env })
    }
  })
})
if (skip) console.log(`read-nft-limits.test.ts: nft checks ${skip}`)
