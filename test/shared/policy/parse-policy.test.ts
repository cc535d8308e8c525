/** @module parsePolicy: user policy files, YAML and JSON, and errors that name file and field. */
import { describe, expect, it } from 'vitest'
import {
  formatPortRange,
  parsePolicy,
  PolicyError,
  PRESETS,
  requiredFeeds,
} from '../../../shared/src/index.ts'

describe('parsePolicy', () => {
  it('reads the documented YAML form, extending a preset', () => {
    const p = parsePolicy(
      [
        'id: my-odoo',
        'extends: oec',
        'unlisted: deny',
        'inbound:',
        '  require: [22/tcp, { port: 443, from: [any] }]',
        '  restrict: [{ port: 22, from: [feed:coolify/cloud, 203.0.113.0/24] }]',
        '  forbidPublic: [5432/tcp]',
        '  allow: [8069, 49152-65535/udp]',
        'outbound:',
        '  require: [{ port: 443, to: [feed:firezone/portal] }]',
        "notes: ['Set the TCP session timeout to 14,400 s.']",
      ].join('\n'),
      'policies/my-odoo.yml',
    )
    expect(p.id).toBe('my-odoo')
    expect(p.source).toBe('policies/my-odoo.yml')
    expect(p.unlisted).toEqual({ inbound: 'deny', outbound: PRESETS.oec.unlisted.outbound })
    expect(p.rules.slice(0, PRESETS.oec.rules.length)).toEqual(PRESETS.oec.rules)
    const added = p.rules.slice(PRESETS.oec.rules.length)
    expect(added.map((r) => [r.id, r.kind, r.direction, r.protocol, r.ports])).toEqual([
      ['require-22-tcp-2', 'require', 'inbound', 'tcp', [22, 22]],
      ['require-443-tcp-2', 'require', 'inbound', 'tcp', [443, 443]],
      ['restrict-22-tcp', 'restrict', 'inbound', 'tcp', [22, 22]],
      ['forbid-public-5432-tcp-2', 'forbid-public', 'inbound', 'tcp', [5432, 5432]],
      ['allow-8069-tcp-2', 'allow', 'inbound', 'tcp', [8069, 8069]],
      ['allow-49152-65535-udp', 'allow', 'inbound', 'udp', [49152, 65535]],
      ['require-out-443-tcp-2', 'require', 'outbound', 'tcp', [443, 443]],
    ])
    expect(requiredFeeds(p)).toEqual(['coolify/cloud', 'firezone/portal'])
    expect(p.notes.at(-1)).toBe('Set the TCP session timeout to 14,400 s.')
  })

  it('reads JSON too, and takes the id from the file name', () => {
    const p = parsePolicy(
      '{"inbound": {"require": ["80/tcp"]}, "unlisted": {"inbound": "warn"}}',
      'dir/web.json',
    )
    expect(p.id).toBe('web')
    expect(p.rules).toHaveLength(1)
  })

  it.each([
    ['inbound:\n  require: [70000]\n', "p.yml: inbound.require[0].port: '70000' is not a port"],
    [
      'inbound:\n  require: [{ port: 22, protocol: icmp }]\n',
      "p.yml: inbound.require[0].protocol: 'icmp' is not tcp or udp",
    ],
    [
      'inbound:\n  restrict: [22]\n',
      'p.yml: inbound.restrict[0].from: restrict needs the sources it allows',
    ],
    [
      'inbound:\n  require: [{ port: 22, from: [10.0.0.300] }]\n',
      "p.yml: inbound.require[0].from[0]: '10.0.0.300' is not 'any', a CIDR or feed:<provider/list>",
    ],
    ['inbound:\n  open: [22]\n', 'p.yml: inbound.open: unknown rule kind'],
    [
      'inbound:\n  allow: [22]\ninterfaces: [eth0]\n',
      'p.yml: interfaces: expected a mapping of interface names to public or internal',
    ],
    [
      "inbound:\n  allow: [22]\ninterfaces: { 'eth 0': public }\n",
      "p.yml: interfaces.eth 0: 'eth 0' is not an interface name (a trailing * matches many)",
    ],
    [
      'inbound:\n  allow: [22]\ninterfaces: { eth0: outside }\n',
      "p.yml: interfaces.eth0: 'outside' is not public or internal",
    ],
    ['extends: nope\n', "p.yml: extends: 'nope' is not a preset"],
    [
      'unlisted: maybe\ninbound:\n  require: [22]\n',
      "p.yml: unlisted: 'maybe' is not deny, warn or ignore",
    ],
    ['ports: [22]\n', 'p.yml: ports: unknown field'],
    ['inbound: [\n', 'p.yml: not valid YAML or JSON'],
    ['- 22\n', 'p.yml: expected a mapping at the top'],
    [
      'inbound:\n  require: [{ port: 22, sevrity: error }]\n',
      'p.yml: inbound.require[0].sevrity: unknown field',
    ],
    ['id: my policy\ninbound:\n  require: [22]\n', "p.yml: id: 'my policy' must be letters"],
    ['id: -web\ninbound:\n  require: [22]\n', "p.yml: id: '-web' must be letters"],
    [`id: ${'a'.repeat(65)}\ninbound:\n  require: [22]\n`, `p.yml: id: '${'a'.repeat(65)}' must`],
    ['inbound: 22\n', 'p.yml: inbound: expected a mapping of require / forbidPublic'],
    ['outbound: [443]\n', 'p.yml: outbound: expected a mapping of require / forbidPublic'],
    ['inbound:\n  require: 22/tcp\n', 'p.yml: inbound.require: expected a list'],
    ["inbound:\n  require: [22]\nnotes: 'one note'\n", 'p.yml: notes: expected a list of strings'],
    ['inbound:\n  require: [ssh]\n', "p.yml: inbound.require[0].port: 'ssh' is not a port"],
    ['inbound:\n  require: [0]\n', "p.yml: inbound.require[0].port: '0' is not a port"],
    [
      'inbound:\n  require: [2000-1000]\n',
      "p.yml: inbound.require[0].port: '2000-1000' is not a port",
    ],
    [
      'inbound:\n  require: [true]\n',
      'p.yml: inbound.require[0]: expected "PORT[/PROTO]" or a mapping',
    ],
    [
      'inbound:\n  require: [[22]]\n',
      'p.yml: inbound.require[0]: expected "PORT[/PROTO]" or a mapping',
    ],
    [
      'inbound:\n  require: [~]\n',
      'p.yml: inbound.require[0]: expected "PORT[/PROTO]" or a mapping',
    ],
    ['inbound:\n  require: [{ from: [any] }]\n', 'p.yml: inbound.require[0].port: missing'],
    [
      'inbound:\n  restrict: [{ port: 22, from: [] }]\n',
      'p.yml: inbound.restrict[0].from: empty list',
    ],
    [
      'outbound:\n  require: [{ port: 443, to: example.com }]\n',
      "p.yml: outbound.require[0].to[0]: 'example.com' is not 'any', a CIDR or feed:<provider/list>",
    ],
    [
      'inbound:\n  require: [{ port: 22, sources: [feed:Coolify/cloud] }]\n',
      "p.yml: inbound.require[0].sources[0]: 'feed:Coolify/cloud' is not 'any'",
    ],
    [
      'inbound:\n  require: [{ port: 22, severity: critical }]\n',
      "p.yml: inbound.require[0].severity: 'critical' is not error, warning or note",
    ],
    [
      'unlisted: [deny]\ninbound:\n  require: [22]\n',
      'p.yml: unlisted: expected deny, warn, ignore',
    ],
    [
      'unlisted: { outbound: block }\ninbound:\n  require: [22]\n',
      "p.yml: unlisted.outbound: 'block' is not deny, warn or ignore",
    ],
    [
      'unlisted: { inbound: 1 }\ninbound:\n  require: [22]\n',
      "p.yml: unlisted.inbound: '1' is not deny, warn or ignore",
    ],
    [
      'unlisted: ignore\n',
      'p.yml: the policy has no rules and ignores unlisted ports: it checks nothing',
    ],
    [
      'unlisted: { inbound: ignore }\ninbound: {}\noutbound:\n',
      'p.yml: the policy has no rules and ignores unlisted ports',
    ],
    [
      '{"inbound": {"require": [22]},\n "inbound": {}}',
      'p.yml: not valid YAML or JSON (Map keys must be unique',
    ],
  ])('rejects %j naming the file and field', (text, message) => {
    let error: unknown
    try {
      parsePolicy(text, 'p.yml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect((error as PolicyError).code).toBe('ERR_POLICY_FILE')
    expect((error as PolicyError).message.startsWith(message)).toBe(true)
  })

  it('keeps to the preset it extends where the file says nothing, and says so in the title', () => {
    const p = parsePolicy('extends: firezone-gateway\n', 'policies/gw.yml')
    const base = PRESETS['firezone-gateway']
    expect(p.id).toBe('gw')
    expect(p.title).toBe(`${base.title}, customised`)
    expect(p.rules).toEqual(base.rules)
    expect(p.unlisted).toEqual(base.unlisted)
    expect(p.udpReturnTraffic).toBe(true)
    expect(p.notes).toEqual(base.notes)
  })

  it('lets the file override the title, the UDP return check and single unlisted stances', () => {
    const p = parsePolicy(
      [
        'extends: firezone-gateway',
        'title: Gateway in the lab',
        'udpReturnTraffic: false',
        'unlisted: { outbound: warn }',
      ].join('\n'),
      'gw.yaml',
    )
    expect(p.title).toBe('Gateway in the lab')
    expect(p.udpReturnTraffic).toBe(false)
    expect(p.unlisted).toEqual({
      inbound: PRESETS['firezone-gateway'].unlisted.inbound,
      outbound: 'warn',
    })
  })

  it('defaults to warn inbound and ignore outbound, and takes the id from a bare file name', () => {
    const p = parsePolicy('inbound:\n  require: [443]\n', 'web.yml')
    expect(p.id).toBe('web')
    expect(p.title).toBe('web')
    expect(p.unlisted).toEqual({ inbound: 'warn', outbound: 'ignore' })
    expect(p).not.toHaveProperty('udpReturnTraffic')
    expect(p.notes).toEqual([])
  })

  it('checks unlisted ports alone when it lists none, and turns udpReturnTraffic on', () => {
    const p = parsePolicy('id: closed\nunlisted: deny\nudpReturnTraffic: true\n', 'closed.json')
    expect(p.rules).toEqual([])
    expect(p.unlisted).toEqual({ inbound: 'deny', outbound: 'ignore' })
    expect(p.udpReturnTraffic).toBe(true)
  })

  it('reads every field of a rule mapping', () => {
    const p = parsePolicy(
      [
        'id: 42',
        'inbound:',
        '  restrict:',
        '    - id: ssh-from-office',
        '      ports: 22/tcp',
        '      from: 203.0.113.0/24',
        '      title: SSH',
        '      severity: warning',
        '      hint: Ask the office admins.',
        '  forbid-public: [{ port: 5432, sources: [0.0.0.0/0, ::/0, anywhere, " any "] }]',
        '  require: [{ port: "3478", protocol: udp, severity: note }]',
        'outbound:',
        '  allow: [{ port: 1000-2000/udp, to: [2001:db8::/32] }]',
      ].join('\n'),
      'p.yml',
    )
    expect(p.id).toBe('42')
    expect(p.rules).toEqual([
      {
        id: 'ssh-from-office',
        kind: 'restrict',
        direction: 'inbound',
        protocol: 'tcp',
        ports: [22, 22],
        title: 'SSH',
        sources: ['203.0.113.0/24'],
        severity: 'warning',
        hint: 'Ask the office admins.',
      },
      {
        id: 'forbid-public-5432-tcp',
        kind: 'forbid-public',
        direction: 'inbound',
        protocol: 'tcp',
        ports: [5432, 5432],
        title: '5432/tcp',
        sources: ['0.0.0.0/0', '::/0', 'any', 'any'],
      },
      {
        id: 'require-3478-udp',
        kind: 'require',
        direction: 'inbound',
        protocol: 'udp',
        ports: [3478, 3478],
        title: '3478/udp',
        severity: 'note',
      },
      {
        id: 'allow-out-1000-2000-udp',
        kind: 'allow',
        direction: 'outbound',
        protocol: 'udp',
        ports: [1000, 2000],
        title: '1000-2000/udp',
        sources: ['2001:db8::/32'],
      },
    ])
  })

  it('numbers rules whose ids collide', () => {
    const p = parsePolicy('inbound:\n  require: [22, 22/tcp, "22:22"]\n', 'p.yml')
    expect(p.rules.map((r) => r.id)).toEqual([
      'require-22-tcp',
      'require-22-tcp-2',
      'require-22-tcp-3',
    ])
  })
})

describe('formatPortRange', () => {
  it.each([
    [[443, 443], '443'],
    [[49152, 65535], '49152-65535'],
  ] as const)('prints %j as %s', (range, text) => {
    expect(formatPortRange(range)).toBe(text)
  })
})
