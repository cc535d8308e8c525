import { describe, expect, it } from 'vitest'
import { checkPolicies } from '../../action/src/policy-check.ts'
import { parseConfig } from '../../action/src/config.ts'
import { PRESETS } from '../../shared/src/index.ts'

const IPTABLES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A INPUT -p tcp --dport 5432 -m set --match-set office src -j ACCEPT
COMMIT
`
const check = (paths: string[], files: Map<string, string>) =>
  checkPolicies(
    [{ policy: PRESETS['web-minimal'], configs: ['firewall/*'] }],
    [],
    paths,
    (path) => Promise.resolve(files.get(path)),
    new Map(),
  )

const IPSET = `create office hash:net family inet hashsize 1024 maxelem 65536
add office 192.0.2.0/24
`

describe('checkPolicies', () => {
  // `ipset save` files must be read before the iptables files that name their sets, whatever
  // order the config globs list them in.
  it.each([
    ['ipset file first', ['firewall/a.ipset', 'firewall/b.rules']],
    ['iptables file first', ['firewall/a.rules', 'firewall/b.ipset']],
  ])('resolves -m set against an ipset file in the same policy (%s)', async (_, paths) => {
    const files = new Map(paths.map((p) => [p, p.endsWith('.ipset') ? IPSET : IPTABLES]))
    const result = await check(paths, files)
    expect(result.errors).toEqual([])
    expect(result.files).toEqual(paths)
    // The set's members reach the unlisted port 5432, and web-minimal denies unlisted ports.
    const unlisted = result.findings.filter((f) => f.rule === 'unlisted-inbound')
    expect(unlisted.map((f) => [f.port, f.file, f.line])).toEqual([
      ['5432', paths.find((p) => p.endsWith('.rules')), 7],
    ])
    expect(unlisted[0]?.message).toContain('--match-set office src')
  })

  it('reports a set that no ipset file supplies, naming it', async () => {
    const result = await check(['firewall/b.rules'], new Map([['firewall/b.rules', IPTABLES]]))
    expect(result.errors.join('\n')).toContain('office')
  })
})

describe('checkPolicies: the interfaces key', () => {
  const VPN = IPTABLES.replace('COMMIT', '-A INPUT -i wg0 -p tcp --dport 6379 -j ACCEPT\nCOMMIT')
  const run = (interfaces?: Record<string, 'public' | 'internal'>) =>
    checkPolicies(
      [
        {
          policy: PRESETS['web-minimal'],
          configs: ['firewall/*'],
          ...(interfaces ? { interfaces } : {}),
        },
      ],
      [],
      ['firewall/a.ipset', 'firewall/b.rules'],
      (path) => Promise.resolve(path.endsWith('.ipset') ? IPSET : VPN),
      new Map(),
    )
  const on6379 = (r: Awaited<ReturnType<typeof run>>) =>
    r.findings.filter((f) => f.port === '6379').map((f) => [f.rule, f.line])

  it('takes wg0 as internal by default, and as public when the config says so', async () => {
    expect(on6379(await run())).toEqual([])
    expect(on6379(await run({ wg0: 'public' }))).toEqual([['unlisted-inbound', 8]])
  })

  it('reads the key from the Action config', () => {
    const c = parseConfig(
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\npolicies:\n  - preset: web-minimal\n    configs: [firewall/*]\n    interfaces: { wg0: public, eth1: internal }\n',
      'c.yml',
    )
    expect(c.policies[0]?.interfaces).toEqual({ wg0: 'public', eth1: 'internal' })
    expect(() =>
      parseConfig(
        'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\npolicies:\n  - preset: web-minimal\n    configs: [x]\n    interfaces: { wg0: outside }\n',
        'c.yml',
      ),
    ).toThrow(/c\.yml:7:.*interfaces/)
  })
})
