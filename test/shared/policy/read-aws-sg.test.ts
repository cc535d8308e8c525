/**
 * @module readAwsSecurityGroups through readFirewallConfig: describe-security-groups output and
 * bare IpPermissions lists into ingress/egress chains (what reaches a port afterwards), warnings
 * for what is not modelled, and errors that name file, line and field.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  detectConfigFormat,
  PolicyError,
  reachOf,
  readFirewallConfig,
  type FirewallConfig,
} from '../../../shared/src/index.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const FILE = 'sg.json'

function read(text: string): FirewallConfig {
  return readFirewallConfig(text, { file: FILE, format: 'aws-sg' })
}

/** The CIDRs that reach a port ('-' when nothing decides it). */
function reach(
  config: FirewallConfig,
  direction: 'inbound' | 'outbound',
  protocol: 'tcp' | 'udp',
  port: number,
  family: 4 | 6 = 4,
  state: 'new' | 'established' = 'new',
): string[] | '-' {
  const r = reachOf(compileConfigs([config]), { direction, protocol, port, family, state })
  return r === undefined ? '-' : r.toCidrs()
}

/** describe-security-groups output, one permission a line, from line 4 on. */
function groups(ingress: readonly object[], egress?: readonly object[]): string {
  return [
    '{',
    '  "SecurityGroups": [',
    '    { "GroupId": "sg-0123", "IpPermissions": [',
    ...ingress.map((p, k) => `      ${JSON.stringify(p)}${k < ingress.length - 1 ? ',' : ''}`),
    `    ]${egress ? ', "IpPermissionsEgress": [' : ''}`,
    ...(egress ?? []).map(
      (p, k) => `      ${JSON.stringify(p)}${k < egress!.length - 1 ? ',' : ''}`,
    ),
    `    ${egress ? ']' : ''}}`,
    '  ]',
    '}',
  ].join('\n')
}

function errorOf(text: string): PolicyError {
  try {
    read(text)
  } catch (e) {
    if (e instanceof PolicyError) return e
    throw e
  }
  throw new Error('no error')
}

describe('readAwsSecurityGroups', () => {
  it('lets in what ingress permissions allow, per protocol, port range and family', () => {
    const c = read(
      groups([
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
        {
          IpProtocol: '17',
          FromPort: 10000,
          ToPort: 20000,
          IpRanges: [{ CidrIp: '198.51.100.7/32' }],
          Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }],
        },
        { IpProtocol: '6', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ]),
    )
    expect(c).toMatchObject({ file: FILE, format: 'aws-sg', layer: 'cloud', families: [4, 6] })
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual(['203.0.113.0/24'])
    expect(reach(c, 'inbound', 'tcp', 23)).toEqual([])
    expect(reach(c, 'inbound', 'udp', 22)).toEqual([])
    expect(reach(c, 'inbound', 'udp', 10000)).toEqual(['198.51.100.7/32'])
    expect(reach(c, 'inbound', 'udp', 20000, 6)).toEqual(['2001:db8::/32'])
    expect(reach(c, 'inbound', 'udp', 20001, 6)).toEqual([])
    expect(reach(c, 'inbound', 'tcp', 443, 6)).toEqual(['::/0'])
    expect(reach(c, 'inbound', 'tcp', 443, 4)).toEqual([])
    expect(c.chains[0]!.rules.slice(1).map((r) => [r.line, r.text])).toEqual([
      [4, 'tcp 22 203.0.113.0/24'],
      [5, '17 10000-20000 198.51.100.7/32 2001:db8::/32'],
      [6, '6 443 ::/0'],
    ])
  })

  it('is stateful: replies come back in whatever the ingress rules say', () => {
    const c = read(groups([]))
    expect(reach(c, 'inbound', 'tcp', 40000, 4, 'established')).toEqual(['0.0.0.0/0'])
    expect(reach(c, 'inbound', 'tcp', 40000, 4, 'new')).toEqual([])
  })

  it('reads protocol -1 (or all) as every port of TCP and UDP, and FromPort/ToPort -1 as every port', () => {
    const c = read(
      groups([
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        { IpProtocol: 'all', IpRanges: [{ CidrIp: '172.16.0.0/12' }] },
        { IpProtocol: 'udp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '192.168.0.0/16' }] },
      ]),
    )
    expect(reach(c, 'inbound', 'tcp', 1)).toEqual(['10.0.0.0/8', '172.16.0.0/12'])
    expect(reach(c, 'inbound', 'udp', 65535)).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
    ])
    expect(c.chains[0]!.rules.slice(1).map((r) => r.text)).toEqual([
      '-1 all 10.0.0.0/8',
      'all all 172.16.0.0/12',
      'udp all 192.168.0.0/16',
    ])
  })

  it('lets a permission of another protocol (ICMP) match no TCP or UDP traffic', () => {
    const c = read(
      groups([{ IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]),
    )
    expect(reach(c, 'inbound', 'tcp', 8)).toEqual([])
    expect(reach(c, 'inbound', 'udp', 8)).toEqual([])
  })

  it('shortens a long source list in the rule text', () => {
    const cidrs = ['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32', '192.0.2.4/32']
    const c = read(
      groups([
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: cidrs.map((CidrIp) => ({ CidrIp })),
        },
      ]),
    )
    expect(c.chains[0]!.rules[1]!.text).toBe(`tcp 22 ${cidrs.slice(0, 3).join(' ')} ...`)
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual(['192.0.2.1/32', '192.0.2.2/31', '192.0.2.4/32'])
  })

  it('warns about source groups and prefix lists (not modelled); a permission left without CIDRs allows nothing', () => {
    const c = read(
      groups([
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          UserIdGroupPairs: [{ GroupId: 'sg-0456' }],
          PrefixListIds: [],
          IpRanges: 'none',
        },
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          PrefixListIds: [{ PrefixListId: 'pl-0789' }],
          UserIdGroupPairs: [],
          IpRanges: [{ CidrIp: '198.51.100.0/24' }],
          Ipv6Ranges: [],
        },
      ]),
    )
    expect(warningTexts(c.warnings)).toEqual([
      `${FILE}:4: source security groups are not modelled (only CIDR ranges)`,
      `${FILE}:5: prefix lists are not modelled (only CIDR ranges)`,
    ])
    expect(c.chains[0]!.rules.map((r) => r.line)).toEqual([1, 5])
    expect(reach(c, 'inbound', 'tcp', 5432)).toEqual([])
    expect(reach(c, 'inbound', 'tcp', 443)).toEqual(['198.51.100.0/24'])
  })

  it('limits egress to the listed destinations when a group has egress permissions', () => {
    const c = read(
      groups(
        [],
        [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.0.2.0/24' }] }],
      ),
    )
    expect(reach(c, 'outbound', 'tcp', 443)).toEqual(['192.0.2.0/24'])
    expect(reach(c, 'outbound', 'tcp', 80)).toEqual([])
    expect(c.chains[1]!.rules[0]!.daddr?.ipv4.toCidrs()).toEqual(['192.0.2.0/24'])
  })

  it('reads a bare IpPermissions array as ingress, leaving AWS default egress (allow all)', () => {
    const c = read(
      JSON.stringify([
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ]),
    )
    expect(reach(c, 'inbound', 'tcp', 80)).toEqual(['0.0.0.0/0'])
    expect(reach(c, 'outbound', 'udp', 53, 6)).toEqual(['::/0'])
  })

  it('reads a single group object with IpPermissions and IpPermissionsEgress', () => {
    const c = read(
      [
        '{',
        '  "IpPermissions": [',
        '    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.5/32"}]}',
        '  ],',
        '  "IpPermissionsEgress": [',
        '    {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "192.0.2.53/32"}]}',
        '  ]',
        '}',
      ].join('\n'),
    )
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual(['203.0.113.5/32'])
    expect(reach(c, 'outbound', 'udp', 53)).toEqual(['192.0.2.53/32'])
    expect(reach(c, 'outbound', 'tcp', 53)).toEqual([])
    expect(c.chains[1]!.rules[0]!.line).toBe(6)
  })

  it('reads groups without permissions as allowing nothing', () => {
    const c = read(
      JSON.stringify({
        SecurityGroups: [
          { GroupId: 'sg-0456', IpPermissions: [] },
          {
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
            ],
          },
        ],
      }),
    )
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual(['10.0.0.0/8'])
    expect(reach(c, 'inbound', 'tcp', 80)).toEqual([])
  })

  it.each([
    ['{\n  "SecurityGroups": [\n    {"GroupId": "sg-1",\n', 4, 'not valid JSON ('],
    [
      '{"SecurityGroups": [{"GroupId": "sg-1",\n "IpPermissions": {}}]}',
      2,
      'sg-1.IpPermissions: expected a list',
    ],
    [
      '{"SecurityGroups": [{\n "IpPermissionsEgress": "all"}]}',
      2,
      'group.IpPermissionsEgress: expected a list',
    ],
    [
      '[\n  22\n]',
      2,
      "[0]: expected 'aws ec2 describe-security-groups' output (a response, a security group, a permission, or a list of them), not '22'",
    ],
    [
      '[\n  {"FromPort": 22, "ToPort": 22}\n]',
      2,
      '[0]: neither a security group (no IpPermissions), a permission (no IpProtocol) nor a security group rule (no IsEgress)',
    ],
    [
      '{"SecurityGroups": [\n "sg-0123"]}',
      2,
      "SecurityGroups[0]: expected 'aws ec2 describe-security-groups' output",
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,\n "IpRanges": [{"Description": "no CIDR"}]}]',
      1,
      '[0]: IpRanges[0] has no CidrIp',
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [null]}]',
      1,
      '[0]: Ipv6Ranges[0] has no CidrIpv6',
    ],
    ['', 1, "the document: expected 'aws ec2 describe-security-groups' output"],
    [
      '[{"IpProtocol": "tcp"},\n {"IpProtocol": "tcp", "FromPort": 22}]',
      1,
      '[0]: FromPort/ToPort are missing',
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22},\n {"IpProtocol": "tcp", "FromPort": 22}]',
      2,
      '[1]: FromPort/ToPort are missing',
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": -1, "ToPort": 80}]',
      1,
      '[0]: ports -1-80 are not a port range',
    ],
    [
      '[{"IpProtocol": "udp", "FromPort": 80, "ToPort": -1}]',
      1,
      '[0]: ports 80--1 are not a port range',
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": 100, "ToPort": 70000}]',
      1,
      '[0]: ports 100-70000 are not a port range',
    ],
    [
      '[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 80}]',
      1,
      '[0]: ports 443-80 are not a port range',
    ],
    [
      '[\n {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.300/8"}]}]',
      2,
      "'10.0.0.300/8' is not an address, CIDR or range",
    ],
    [
      '{"GroupId": "sg-1"}',
      1,
      'the document: neither a security group (no IpPermissions), a permission (no IpProtocol)',
    ],
    ['{"SecurityGroups": "sg-1"}', 1, 'SecurityGroups: expected a list'],
    [
      '{"SecurityGroupRules": [\n {"IsEgress": false, "FromPort": 22, "ToPort": 22}]}',
      2,
      'SecurityGroupRules[0]: IpProtocol is missing',
    ],
    [
      '{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [\n {"FromPort": 22, "ToPort": 22}]}]}',
      2,
      'sg-1.IpPermissions[0]: IpProtocol is missing',
    ],
    [
      '{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [\n 22]}]}',
      2,
      'sg-1.IpPermissions[0]: expected an object',
    ],
    ['"sg-1"', 1, "the document: expected 'aws ec2 describe-security-groups' output"],
  ])('refuses %j at its line', (text, line, reason) => {
    const e = errorOf(text)
    expect(e.code).toBe('ERR_POLICY_CONFIG')
    expect(e.file).toBe(FILE)
    expect(e.line).toBe(line)
    expect(e.message).toContain(`${FILE}:${line}: ${reason}`)
  })
})

describe('readFirewallConfig: real describe-security-groups output, whole and cut by --query', () => {
  const FIX = path.resolve(import.meta.dirname, '../../fixtures/policy/aws')
  const real = (name: string) => readFileSync(path.join(FIX, name), 'utf8')
  /** What `aws --output json` prints for a value: JSON with a four-space indent. */
  const cli = (value: unknown) => `${JSON.stringify(value, null, 4)}\n`
  const lab = real('describe-security-groups.lab.json')
  const groups = (JSON.parse(lab) as { SecurityGroups: { IpPermissions: unknown[] }[] })
    .SecurityGroups

  it.each([
    ['the whole output', lab],
    // --query SecurityGroups: a bare array of groups (issue 12: refused, 'IpProtocol is missing')
    ['--query SecurityGroups', cli(groups)],
    // --query 'SecurityGroups[*].IpPermissions': a list of each group's ingress list
    ["--query 'SecurityGroups[*].IpPermissions'", cli(groups.map((g) => g.IpPermissions))],
    ["--query 'SecurityGroups[0]'", cli(groups[0])],
  ])('%s: port 80 open to all, 3306 only to a group (not modelled, noted)', (_, text) => {
    expect(detectConfigFormat(text)).toBe('aws-sg')
    const c = read(text)
    expect(reach(c, 'inbound', 'tcp', 80)).toEqual(['0.0.0.0/0'])
    expect(reach(c, 'inbound', 'tcp', 3306)).toEqual([])
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual([])
  })

  it('notes that a bare permission list is taken as ingress', () => {
    const c = read(cli(groups.map((g) => g.IpPermissions)))
    expect(warningTexts(c.warnings)).toContain(
      "sg.json:1: a bare list of permissions is read as ingress (IpPermissions); egress is left at AWS's default (all allowed)",
    )
    expect(
      warningTexts(c.warnings).some((w) => /source security groups are not modelled/.test(w)),
    ).toBe(true)
  })

  it("reads the AWS CLI's own documented output (trailing commas and all)", () => {
    const c = read(real('describe-security-groups.aws-cli-docs.json'))
    expect(reach(c, 'inbound', 'tcp', 22)).toEqual(['203.0.113.0/24'])
    expect(reach(c, 'outbound', 'udp', 53)).toEqual(['0.0.0.0/0'])
  })

  it('reads describe-security-group-rules output: IsEgress, CidrIpv4 and CidrIpv6', () => {
    // the shape of `aws ec2 describe-security-group-rules` (getmoto/moto#7831 shows one)
    const c = read(
      cli({
        SecurityGroupRules: [
          { IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' },
          {
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv6: '2001:db8::/32',
          },
          {
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            ReferencedGroupInfo: { GroupId: 'sg-1' },
          },
          { IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' },
          { IsEgress: true, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListId: 'pl-1' },
        ],
      }),
    )
    expect(reach(c, 'inbound', 'tcp', 443)).toEqual(['0.0.0.0/0'])
    expect(reach(c, 'inbound', 'tcp', 22, 6)).toEqual(['2001:db8::/32'])
    expect(reach(c, 'inbound', 'tcp', 5432)).toEqual([])
    expect(reach(c, 'outbound', 'tcp', 25)).toEqual(['0.0.0.0/0'])
    expect(reach(c, 'outbound', 'tcp', 25, 6)).toEqual([])
    expect(warningTexts(c.warnings)).toEqual([
      'sg.json:17: source security groups are not modelled (only CIDR ranges)',
      'sg.json:33: prefix lists are not modelled (only CIDR ranges)',
    ])
  })
})
