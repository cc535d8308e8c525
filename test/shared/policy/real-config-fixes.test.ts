/**
 * @module The reader fixes the real-config corpus forced, each on a small constructed case beside
 * the real file that showed it (test/fixtures/real-configs/): what iptables-restore does with an
 * open quote, a jump to no chain, CRLF line endings; compose's `${VAR:-default}` ports; AWS
 * groups of several VPCs; and the text of a port let in because no chain is on the hook.
 */
import { describe, expect, it } from 'vitest'
import {
  evaluatePolicy,
  parsePolicy,
  PolicyError,
  readFirewallConfig,
  readFirewallConfigs,
} from '../../../shared/src/index.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const save = (...rules: string[]) =>
  ['*filter', ':INPUT DROP [0:0]', ':F2B - [0:0]', ...rules, 'COMMIT', ''].join('\n')

function refusal(text: string, file = 'rules.v4'): PolicyError {
  try {
    readFirewallConfig(text, { file })
  } catch (e) {
    return e as PolicyError
  }
  throw new Error('not refused')
}

describe('iptables-save as iptables-restore reads it', () => {
  it('an open double quote runs to the end of the line (a comment cut short by a terminal)', () => {
    const c = readFirewallConfig(
      save(
        '-A INPUT -p tcp -m tcp --dport 3260 -m comment --comment "See the Oracle re$',
        '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      ),
      { file: 'rules.v4' },
    )
    const input = c.chains.find((ch) => ch.name === 'INPUT')!
    expect(input.rules.map((r) => [r.line, r.verdict.kind])).toEqual([
      [4, 'continue'],
      [5, 'accept'],
    ])
  })

  it('a jump or goto to no chain and no known target is refused, naming both', () => {
    const e = refusal(save('-A INPUT -p tcp -j $'))
    expect(e.code).toBe('ERR_POLICY_CONFIG')
    expect(e.message).toBe(
      "rules.v4:4: '-j $': no chain '$' in this table and no such target (iptables-restore refuses the file)",
    )
    expect(refusal(save('-A INPUT -g f2b-sshd')).message).toMatch(/'-g f2b-sshd': no chain/)
    // declared chains and Debian's target extensions are fine
    expect(() =>
      readFirewallConfig(save('-A INPUT -j F2B', '-A INPUT -j NFLOG', '-A INPUT -j TCPMSS'), {
        file: 'a',
      }),
    ).not.toThrow()
  })

  it("ufw's files jump to chains its other files declare: not refused", () => {
    const user = [
      '*filter',
      ':ufw-user-input - [0:0]',
      '-A ufw-user-input -p tcp --dport 22 -j ufw-user-limit',
      'COMMIT',
      '',
    ].join('\n')
    expect(readFirewallConfig(user, { file: 'user.rules' }).format).toBe('ufw-rules')
  })

  it('a carriage return (CRLF line endings) is refused at its line, as iptables-restore fails', () => {
    const crlf = save('-A INPUT -p tcp --dport 22 -j ACCEPT').replace('COMMIT\n', 'COMMIT\r\n')
    const e = refusal(crlf)
    expect(e.line).toBe(5)
    expect(e.message).toMatch(/^rules\.v4:5: carriage return \(Windows line endings\)/)
    expect(refusal('*filter\r\n:INPUT DROP [0:0]\r\nCOMMIT\r\n').line).toBe(1)
  })
})

describe("compose ports with compose's variables", () => {
  const policy = parsePolicy('inbound:\n  forbidPublic: [8000/tcp]\n', 'p.yml')
  const compose = (port: string) =>
    readFirewallConfigs([
      { file: 'compose.yml', text: `services:\n  app:\n    ports:\n      - ${port}\n` },
    ])

  it('a default is read as compose reads it with nothing set, and said so', () => {
    const e = evaluatePolicy(policy, compose('"${APP_PORT:-8000}:80"'))
    expect(e.findings.filter((f) => f.severity === 'error').map((f) => f.line)).toEqual([4, 4])
    expect(e.findings.map((f) => f.message)).toContain(
      "services.app.ports: '${APP_PORT:-8000}:80' read as '8000:80', the default of ${APP_PORT:-8000}: a value set in the host's .env or environment changes it",
    )
  })

  it('the long syntax too; an empty HOST_IP is every address', () => {
    const long = readFirewallConfigs([
      {
        file: 'compose.yml',
        text: 'services:\n  app:\n    ports:\n      - target: 80\n        published: ${P:-8000}\n        host_ip: ${IP:-0.0.0.0}\n',
      },
    ])
    expect(long[0]!.published.map((p) => [p.ports, p.hostIp])).toEqual([[[8000, 8000], '0.0.0.0']])
    expect(compose('":8000:80"')[0]!.published.map((p) => p.hostIp)).toEqual([undefined])
  })

  it('a variable with no default is refused by name: its value is on the host only', () => {
    expect(() => compose('"${APP_PORT}:80"')).toThrow(
      "compose.yml:4: services.app.ports: '${APP_PORT}': variable 'APP_PORT' has no default here",
    )
  })
})

describe('AWS groups of several VPCs', () => {
  const group = (id: string, vpc: string) =>
    `{ "GroupId": "${id}", "VpcId": "${vpc}", "IpPermissions": [] }`
  it('are read together with a note that no instance has them all', () => {
    const two = readFirewallConfig(
      `{ "SecurityGroups": [${group('sg-1', 'vpc-a')}, ${group('sg-2', 'vpc-b')}] }`,
      { file: 'sg.json' },
    )
    expect(warningTexts(two.warnings)).toEqual([
      "sg.json:1: groups of 2 VPCs (vpc-a, vpc-b) are read as attached to one instance together, which AWS never does (an instance's groups are all of its own VPC): pass the groups of one instance (describe-security-groups --group-ids)",
    ])
    const one = readFirewallConfig(
      `{ "SecurityGroups": [${group('sg-1', 'vpc-a')}, ${group('sg-2', 'vpc-a')}] }`,
      { file: 'sg.json' },
    )
    expect(one.warnings).toEqual([])
  })
})

describe('a port let in because no chain is on the hook', () => {
  it('says so, inbound and outbound', () => {
    const nft =
      'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n'
    const policy = parsePolicy(
      'inbound:\n  forbidPublic: [22/tcp]\noutbound:\n  restrict: [{ port: 25, to: [203.0.113.0/24] }]\n',
      'p.yml',
    )
    const e = evaluatePolicy(policy, readFirewallConfigs([{ file: 'out.nft', text: nft }]))
    const out = e.findings.filter((f) => f.rule === 'restrict-out-25-tcp')
    expect(out).toHaveLength(2)
    for (const f of out)
      expect(f.message).toContain(
        '(let in by no chain on the output hook filters it: the kernel lets it through)',
      )
    const ruleset =
      'table ip nat {\n  chain pre {\n    type nat hook prerouting priority -100; policy accept;\n  }\n}\n'
    const open = evaluatePolicy(policy, readFirewallConfigs([{ file: 'nat.nft', text: ruleset }]))
    expect(open.findings.find((f) => f.rule === 'forbid-public-22-tcp')?.message).toContain(
      'let in by no chain on the input hook filters it: the kernel lets it through',
    )
  })
})

describe('TCP flags, judged on a connection’s first packet (a bare SYN)', () => {
  const reach22 = (file: string, text: string) =>
    evaluatePolicy(
      parsePolicy('inbound:\n  require: [22/tcp]\n', 'p.yml'),
      readFirewallConfigs([{ file, text }]),
    ).findings.filter((f) => f.severity === 'error')

  it.each([
    ['-A INPUT -p tcp --tcp-flags ALL NONE -j DROP', []],
    ['-A INPUT -p tcp --tcp-flags SYN,FIN SYN,FIN -j DROP', []],
    ['-A INPUT -p tcp -m conntrack --ctstate NEW ! --syn -j REJECT', []],
    ['-A INPUT -p tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP', []],
    ['-A INPUT -p tcp --syn -j DROP', ['require-22-tcp']],
    ['-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j DROP', ['require-22-tcp']],
    // A mask without SYN: the first packet has none of FIN, RST set, so NONE matches it.
    ['-A INPUT -p tcp --tcp-flags FIN,RST NONE -j DROP', ['require-22-tcp']],
  ])('iptables: %s, then --dport 22 ACCEPT', (rule, errors) => {
    const found = reach22('rules.v4', save(rule, '-A INPUT -p tcp --dport 22 -j ACCEPT'))
    expect(found.map((f) => f.rule)).toEqual(errors)
  })

  it('iptables: an unknown flag is refused, as iptables-restore refuses it', () => {
    expect(refusal(save('-A INPUT -p tcp --tcp-flags ALL BOGUS -j DROP')).message).toBe(
      "rules.v4:4: '--tcp-flags ALL BOGUS': unknown flag 'BOGUS'",
    )
  })

  it('iptables: the long command forms (--append, --insert, --new-chain, --policy)', () => {
    const c = readFirewallConfig(
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        '--new-chain SSH',
        '--policy INPUT DROP',
        '--append SSH --source 192.168.0.0/24 --jump ACCEPT',
        '--append INPUT --protocol tcp --destination-port 22 --jump SSH',
        '--insert INPUT --in-interface lo --jump ACCEPT',
        'COMMIT',
        '',
      ].join('\n'),
      { file: 'rules.v4' },
    )
    const input = c.chains.find((ch) => ch.name === 'INPUT')!
    expect(input.policy).toBe('drop')
    expect(input.rules.map((r) => r.line)).toEqual([7, 6])
  })

  it.each([
    ['tcp flags & (fin|syn|rst|ack) != syn drop', []],
    ['tcp flags & (fin|syn|rst|ack) == syn drop', ['require-22-tcp']],
    ['tcp flags == 0x0 drop', []],
    ['tcp flags == syn drop', ['require-22-tcp']],
    ['tcp flags syn drop', ['require-22-tcp']],
    ['tcp flags fin drop', []],
    ['tcp flags syn / syn,ack drop', ['require-22-tcp']],
    ['tcp flags eq syn|ack drop', []],
    ['tcp flags != syn / syn,ack drop', []],
  ])('nftables: %s, then tcp dport 22 accept', (rule, errors) => {
    const text = `table ip f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ${rule}\n    tcp dport 22 accept\n  }\n}\n`
    expect(reach22('a.nft', text).map((f) => f.rule)).toEqual(errors)
  })

  it('nftables: a form not read here is taken to match, with a note', () => {
    const text =
      'table ip f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp flags != syn drop\n    tcp flags & (syn|bogus) == syn drop\n    tcp flags & (syn|ack) == bogus drop\n    tcp flags & syn == syn|ack|fin|urg|psh|rst|ecn|cwr|0x1 drop\n  }\n}\n'
    const c = readFirewallConfig(text, { file: 'a.nft' })
    expect(warningTexts(c.warnings)).toEqual([
      "a.nft:4: 'tcp flags != syn' is not modelled; the rule is taken to match",
      "a.nft:5: 'tcp flags & (syn|bogus) == syn' is not modelled; the rule is taken to match",
      "a.nft:6: 'tcp flags & (syn|ack) == bogus' is not modelled; the rule is taken to match",
      "a.nft:7: 'tcp flags & syn == syn|ack|fin|urg|psh|rst|ecn|cwr|0x1' is not modelled; the rule is taken to match",
    ])
  })
})
