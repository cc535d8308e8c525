/**
 * @module This project's own rendered firewall files, read back by the policy readers: what
 * renderFormat writes for a set and guarded ports must, evaluated, let exactly that set reach the
 * guarded ports (and leave other ports as the format leaves them).
 */
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  parsePort,
  reachOf,
  readFirewallConfigs,
  renderFormat,
  type ConfigFormat,
} from '../../../shared/src/index.ts'

const INPUT = {
  feeds: [{ id: 'github/hooks' }],
  ipv4: ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.64/26'],
  ipv6: ['2001:db8:1::/48', '2001:db8:ff::1/128'],
}
const PORTS = [parsePort('443/tcp'), parsePort('8000-8100/tcp'), parsePort('51820/udp')]

function reach(
  files: { text: string; file: string; format?: ConfigFormat }[],
  port: number,
  family: 4 | 6,
  protocol: 'tcp' | 'udp' = 'tcp',
) {
  const r = reachOf(compileConfigs(readFirewallConfigs(files)), {
    direction: 'inbound',
    protocol,
    port,
    family,
    state: 'new',
  })
  return r === undefined ? undefined : r.toCidrs()
}

const render = (format: string) => renderFormat(format, INPUT, { ports: PORTS })
const ALL4 = ['0.0.0.0/0']
const ALL6 = ['::/0']

describe('rendered files read back', () => {
  it.each([
    ['nftables', 'rules.nft', 'nftables', ALL4, ALL6],
    ['ufw', 'ufw.sh', 'ufw-commands', [], []],
    ['aws-sg', 'sg.json', 'aws-sg', [], []],
  ] as const)(
    '%s: the guarded ports reach exactly the set; port 22 as the format leaves it',
    (format, file, readAs, open4, open6) => {
      const files = [{ text: render(format), file }]
      expect(readFirewallConfigs(files)[0]!.format).toBe(readAs)
      for (const [port, protocol] of [
        [443, 'tcp'],
        [8050, 'tcp'],
        [51820, 'udp'],
      ] as const) {
        expect(reach(files, port, 4, protocol)).toEqual(INPUT.ipv4)
        expect(reach(files, port, 6, protocol)).toEqual(INPUT.ipv6)
      }
      expect(reach(files, 22, 4)).toEqual(open4)
      expect(reach(files, 22, 6)).toEqual(open6)
    },
  )

  it.each([
    ['iptables', 4, INPUT.ipv4, ALL4],
    ['ip6tables', 6, INPUT.ipv6, ALL6],
  ] as const)(
    '%s: alone it decides nothing (its chain is not hooked); hooked into INPUT as its header says, it guards the ports',
    (format, family, want, other) => {
      const text = render(format)
      expect(reach([{ text, file: 'alone.rules' }], 443, family)).toBeUndefined()
      const hooks = [...text.matchAll(/ip6?tables -I INPUT (.*?)$/gm)].map(
        (m) => `-A INPUT ${m[1]!}`,
      )
      expect(hooks.length).toBeGreaterThan(0)
      const hooked = text.replace(
        /^\*filter$/m,
        ['*filter', ':INPUT ACCEPT [0:0]', ...hooks].join('\n'),
      )
      const files = [{ text: hooked, file: `${format}.rules` }]
      expect(reach(files, 443, family)).toEqual(want)
      expect(reach(files, 51820, family, 'udp')).toEqual(want)
      expect(reach(files, 22, family)).toEqual(other)
      expect(reach(files, 443, family === 4 ? 6 : 4)).toBeUndefined()
    },
  )

  it('ipset: the sets, with the iptables rules its header names, guard the ports', () => {
    const ipset = render('ipset')
    const refs = [...ipset.matchAll(/^#\s+iptables -I INPUT (.*)$/gm)].map(
      (m) => `-A INPUT ${m[1]!}`,
    )
    expect(refs.length).toBeGreaterThan(0)
    const files = [
      { text: ipset, file: 'sets.ipset' },
      {
        text: ['*filter', ':INPUT ACCEPT [0:0]', ...refs, 'COMMIT', ''].join('\n'),
        file: 'rules.v4',
      },
    ]
    expect(reach(files, 443, 4)).toEqual(INPUT.ipv4)
    expect(reach(files, 22, 4)).toEqual(ALL4)
  })

  it('docker-user: ports a compose file publishes reach only the set, IPv4 and IPv6, once the script has run', () => {
    const compose =
      'services:\n  web:\n    image: x\n    ports:\n      - "443:8443"\n      - "22:22"\n'
    const script = render('docker-user')
    // What the script loads per family (its here-documents) and the jump it adds to DOCKER-USER.
    const loaded = [4, 6].map((f) => {
      const doc = new RegExp(`<<'ALLOWLIST_SYNC_IPV${f}'\\n([^]*?)\\nALLOWLIST_SYNC_IPV${f}\\n`)
      const text = doc
        .exec(script)![1]!
        .replace(/^\*filter$/m, '*filter\n:DOCKER-USER - [0:0]\n-A DOCKER-USER -j allowlist-sync')
      return { text, file: `docker-user.v${f}.rules`, format: 'iptables-save' as const }
    })
    const files = [...loaded, { text: compose, file: 'docker-compose.yml' }]
    expect(reach(files, 443, 4)).toEqual(INPUT.ipv4)
    expect(reach(files, 443, 6)).toEqual(INPUT.ipv6)
    expect(reach(files, 22, 4)).toEqual(ALL4)
    expect(reach(files, 22, 6)).toEqual(ALL6)
  })
})
