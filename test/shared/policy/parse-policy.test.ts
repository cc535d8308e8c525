/** @module parsePolicy: user policy files, YAML and JSON, and errors that name file and field. */
import { describe, expect, it } from 'vitest'
import { parsePolicy, PolicyError, PRESETS, requiredFeeds } from '../../../shared/src/index.ts'

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
})
