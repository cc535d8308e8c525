/**
 * @module readNftJson: `nft -j list ruleset` output (a real nft 1.0.6 dump, one object a line)
 * into chains and rules, and the errors and odd shapes a hand-edited file brings.
 */
import { describe, expect, it } from 'vitest'
import { PolicyError, type FirewallConfig } from '../../../shared/src/index.ts'
import { readNftJson } from '../../../shared/src/policy/read-nft-json.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

/** `{"nftables": [` then one object a line: object k is on line k + 2. */
function dump(objects: readonly unknown[]): string {
  return `{"nftables": [\n${objects.map((o) => JSON.stringify(o)).join(',\n')}\n]}\n`
}

const inet = { family: 'inet', table: 't' }
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } })
const match = (left: unknown, right: unknown, op = '==') => ({ match: { op, left, right } })

/** `nft -j list ruleset` (nft 1.0.6) of a ruleset loaded into a fresh network namespace. */
const REAL = [
  { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
  { table: { family: 'inet', name: 't', handle: 1 } },
  { set: { ...inet, name: 'empty', type: 'ipv4_addr', handle: 3 } },
  {
    set: {
      ...inet,
      name: 'ports',
      type: 'inet_service',
      handle: 4,
      flags: ['interval'],
      elem: [22, { range: [8000, 8080] }],
    },
  },
  {
    set: {
      ...inet,
      name: 'admins',
      type: 'ipv4_addr',
      handle: 5,
      flags: ['interval'],
      elem: [
        { elem: { val: '192.0.2.10', comment: 'alice' } },
        { prefix: { addr: '198.51.100.0', len: 24 } },
      ],
    },
  },
  {
    set: {
      ...inet,
      name: 'pairs',
      type: ['ipv4_addr', 'inet_service'],
      handle: 6,
      elem: [{ concat: ['192.0.2.1', 22] }],
    },
  },
  {
    chain: {
      ...inet,
      name: 'input',
      handle: 1,
      type: 'filter',
      hook: 'input',
      prio: 0,
      policy: 'drop',
    },
  },
  { chain: { ...inet, name: 'web', handle: 2 } },
  {
    rule: {
      ...inet,
      chain: 'input',
      handle: 7,
      expr: [
        match(payload('ip', 'saddr'), '@admins'),
        match(payload('tcp', 'dport'), '@ports'),
        { accept: null },
      ],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'input',
      handle: 8,
      expr: [match({ meta: { key: 'iifname' } }, 'lo'), { accept: null }],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'input',
      handle: 9,
      expr: [
        match({ fib: { result: 'type', flags: ['daddr'] } }, 'local'),
        match(payload('tcp', 'dport'), 9),
        { drop: null },
      ],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'input',
      handle: 10,
      expr: [
        match({ concat: [payload('ip', 'saddr'), payload('tcp', 'dport')] }, '@pairs'),
        { accept: null },
      ],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'input',
      handle: 11,
      expr: [match(payload('tcp', 'dport'), 25), { goto: { target: 'web' } }],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'web',
      handle: 12,
      expr: [match(payload('tcp', 'dport'), 25, '!='), { return: null }],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'web',
      handle: 14,
      expr: [
        match(payload('tcp', 'dport'), { set: [80, 443] }),
        match({ ct: { key: 'state' } }, 'new', 'in'),
        { accept: null },
      ],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'web',
      handle: 15,
      expr: [
        match({ meta: { key: 'l4proto' } }, 'udp'),
        { counter: { packets: 0, bytes: 0 } },
        { drop: null },
      ],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'web',
      handle: 16,
      expr: [match({ 'tcp option': { name: 'sack-perm' } }, true), { accept: null }],
    },
  },
  {
    rule: {
      ...inet,
      chain: 'web',
      handle: 17,
      expr: [{ reject: { type: 'icmpx', expr: 'port-unreachable' } }],
    },
  },
]

const lineOf = (handle: number) =>
  REAL.findIndex((o) => 'rule' in o && o.rule?.handle === handle) + 2

function chainOf(config: FirewallConfig, name: string) {
  const c = config.chains.find((x) => x.name === name)
  if (c === undefined) throw new Error(`no chain '${name}'`)
  return c
}

describe('readNftJson', () => {
  it('reads a real dump: sets with commented, prefix and range elements, verdicts, lines', () => {
    const config = readNftJson(dump(REAL), 'ruleset.json')
    expect(config.format).toBe('nft-json')
    expect(config.families).toEqual([4, 6])
    const input = chainOf(config, 'inet t input')
    expect(input).toMatchObject({
      hook: 'input',
      priority: 0,
      policy: 'drop',
      policyLine: REAL.findIndex((o) => 'chain' in o) + 2,
    })
    const [admins, lo, fib, pairs, toWeb] = input.rules
    expect(admins?.saddr?.ipv4.toCidrs()).toEqual(['192.0.2.10/32', '198.51.100.0/24'])
    expect(admins?.dports).toEqual({
      ranges: [
        [22, 22],
        [8000, 8080],
      ],
      negate: false,
    })
    expect(admins).toMatchObject({
      line: lineOf(7),
      text: 'handle 7 in chain input',
      verdict: { kind: 'accept' },
    })
    expect(lo?.iif).toEqual({ names: ['lo'], negate: false })
    expect(fib?.dstLocal).toBe(true)
    expect(fib?.dports?.ranges).toEqual([[9, 9]])
    expect(fib?.verdict).toEqual({ kind: 'drop' })
    expect(pairs?.verdict).toEqual({ kind: 'accept' })
    expect(toWeb?.verdict).toEqual({ kind: 'goto', target: 'inet t web' })
    const web = chainOf(config, 'inet t web')
    expect(web.hook).toBeUndefined()
    expect(web.rules.map((r) => [r.dports, r.states, r.protocols, r.verdict.kind, r.line])).toEqual(
      [
        [{ ranges: [[25, 25]], negate: true }, undefined, ['tcp'], 'return', lineOf(12)],
        [
          {
            ranges: [
              [80, 80],
              [443, 443],
            ],
            negate: false,
          },
          { new: true, established: false },
          ['tcp'],
          'accept',
          lineOf(14),
        ],
        [undefined, undefined, ['udp'], 'drop', lineOf(15)],
        [undefined, undefined, undefined, 'accept', lineOf(16)],
        [undefined, undefined, undefined, 'drop', lineOf(17)],
      ],
    )
    // what no selector models is taken to match, with a note at the rule's line
    expect(config.whole).toBe(true)
    expect(warningTexts(config.warnings)).toEqual([
      `ruleset.json:${lineOf(10)}: 'concat' is not modelled; the rule is taken to match`,
      `ruleset.json:${lineOf(16)}: 'tcp option' is not modelled; the rule is taken to match`,
    ])
  })

  it('a verdict map is one rule per element, anonymous or named (real dump)', () => {
    const pairs = (...p: [unknown, unknown][]) => ({ set: p })
    const objects = [
      {
        map: {
          ...inet,
          name: 'ports',
          type: 'inet_service',
          handle: 4,
          map: 'verdict',
          elem: [[25, { drop: null }]],
        },
      },
      {
        chain: {
          ...inet,
          name: 'input',
          handle: 1,
          type: 'filter',
          hook: 'input',
          prio: 0,
          policy: 'drop',
        },
      },
      { chain: { ...inet, name: 'ssh', handle: 2 } },
      { chain: { ...inet, name: 'web', handle: 3 } },
      {
        rule: {
          ...inet,
          chain: 'input',
          handle: 6,
          expr: [
            {
              vmap: {
                key: { ct: { key: 'state' } },
                data: pairs(
                  ['invalid', { drop: null }],
                  ['established', { accept: null }],
                  ['related', { accept: null }],
                ),
              },
            },
          ],
        },
      },
      {
        rule: {
          ...inet,
          chain: 'input',
          handle: 10,
          expr: [
            {
              vmap: {
                key: payload('tcp', 'dport'),
                data: pairs(
                  [22, { jump: { target: 'ssh' } }],
                  [80, { goto: { target: 'web' } }],
                  [8080, { continue: null }],
                  [{ range: [9000, 9009] }, { return: null }],
                ),
              },
            },
          ],
        },
      },
      {
        rule: {
          ...inet,
          chain: 'input',
          handle: 11,
          expr: [{ vmap: { key: payload('tcp', 'dport'), data: '@ports' } }],
        },
      },
    ]
    const config = readNftJson(dump(objects), 'vmap.json')
    const states = objects.findIndex((o) => o.rule?.handle === 6) + 2
    const ports = states + 1
    expect(
      chainOf(config, 'inet t input').rules.map((r) => [
        r.line,
        r.states,
        r.dports?.ranges,
        r.verdict,
      ]),
    ).toEqual([
      [states, { new: false, established: false }, undefined, { kind: 'drop' }],
      [states, { new: false, established: true }, undefined, { kind: 'accept' }],
      [states, { new: false, established: true }, undefined, { kind: 'accept' }],
      [ports, undefined, [[22, 22]], { kind: 'jump', target: 'inet t ssh' }],
      [ports, undefined, [[80, 80]], { kind: 'goto', target: 'inet t web' }],
      [ports, undefined, [[8080, 8080]], { kind: 'continue' }],
      [ports, undefined, [[9000, 9009]], { kind: 'return' }],
      [ports + 1, undefined, [[25, 25]], { kind: 'drop' }],
    ])
    expect(config.warnings).toEqual([])
  })

  it.each([
    ['a map of another table', '@ports', 'other'],
    ['no such map', '@nope', 't'],
    ['not a map reference', 7, 't'],
  ])('a vmap of %s is an error at the rule', (_, data, table) => {
    const map = {
      map: { ...inet, table, name: 'ports', type: 'inet_service', map: 'verdict', elem: [] },
    }
    const rule = {
      ...inet,
      chain: 'c',
      handle: 5,
      expr: [{ vmap: { key: payload('tcp', 'dport'), data } }],
    }
    expect(() => readNftJson(dump([map, { rule }]), 'j')).toThrow(
      `j:3: '${String(data)}' is not a verdict map of this table`,
    )
  })

  it('a verdict map element without verdict is an error at the rule', () => {
    const vmap = { key: payload('tcp', 'dport'), data: { set: [[22, { accept: null }], [23]] } }
    expect(() =>
      readNftJson(dump([{ rule: { ...inet, chain: 'c', handle: 5, expr: [{ vmap }] } }]), 'j'),
    ).toThrow('j:2: verdict map element [23] is not [KEY, VERDICT]')
  })

  it('jumps to a chain of the same table', () => {
    const config = readNftJson(
      dump([
        { chain: { ...inet, name: 'input', type: 'filter', hook: 'input', prio: 0 } },
        { rule: { ...inet, chain: 'input', handle: 2, expr: [{ jump: { target: 'ssh' } }] } },
      ]),
      'j.json',
    )
    expect(chainOf(config, 'inet t input').rules[0]?.verdict).toEqual({
      kind: 'jump',
      target: 'inet t ssh',
    })
  })

  it('a rule of a chain not listed creates the chain at the rule; a rule without handle or expressions continues', () => {
    const config = readNftJson(dump([{ rule: { family: 'ip', table: 'f', chain: 'extra' } }]), 'j')
    expect(config.chains).toEqual([
      {
        name: 'ip f extra',
        rules: [
          {
            file: 'j',
            line: 2,
            text: 'handle ? in chain extra',
            family: 4,
            verdict: { kind: 'continue' },
          },
        ],
      },
    ])
  })

  it.each([
    ['a number', 1],
    ['an empty object', {}],
    ['a key without an object', { table: 't' }],
  ])('skips a list item that is %s', (_, item) => {
    const config = readNftJson(
      dump([item, { chain: { ...inet, name: 'input', type: 'filter', hook: 'input', prio: 0 } }]),
      'j',
    )
    expect(config.chains.map((c) => c.name)).toEqual(['inet t input'])
  })

  it.each([
    ['a scalar', 'tcp', 'unknown'],
    ['an empty object', {}, 'unknown'],
    ['a socket expression', { socket: { key: 'transparent' } }, 'socket'],
  ])('a match whose left side is %s is not modelled', (_, left, selector) => {
    const config = readNftJson(
      dump([
        { rule: { ...inet, chain: 'c', handle: 4, expr: [match(left, 1), { accept: null }] } },
      ]),
      'j',
    )
    expect(warningTexts(config.warnings)).toEqual([
      `j:2: '${selector}' is not modelled; the rule is taken to match`,
    ])
    expect(config.chains[0]?.rules[0]?.verdict).toEqual({ kind: 'accept' })
  })

  it.each([
    [
      'not JSON at its line',
      '{"nftables": [\n  {"table": {"name": "t"}},\n  , {"chain": {}}\n]}\n',
      3,
    ],
    ['no "nftables" array', '[]\n', 1],
    ['"nftables" not an array', '{"nftables": {"table": {}}}\n', 1],
  ])('rejects a file with %s', (_, text, line) => {
    let error: unknown
    try {
      readNftJson(text, 'bad.json')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect(error).toMatchObject({ code: 'ERR_POLICY_CONFIG', file: 'bad.json', line })
    expect((error as PolicyError).message).toMatch(new RegExp(`^bad\\.json:${line}: `))
  })
})

/**
 * `nft -j list ruleset` of Docker's nat rules (iptables-nft's shapes), printed by nft 1.0.6 after
 * `nft -f` of this ruleset in a scratch namespace (2026-12-04):
 *
 *     table ip nat {
 *       chain DOCKER {
 *         iifname "docker0" return
 *         iifname != "docker0" tcp dport 5432 dnat to 172.17.0.2:5432
 *         tcp dport 81 dnat to 172.17.0.3
 *         tcp dport 82 redirect to :8082
 *         tcp dport 83 redirect
 *       }
 *       chain PREROUTING {
 *         type nat hook prerouting priority dstnat; policy accept;
 *         fib daddr type local jump DOCKER
 *       }
 *     }
 */
const DOCKER_NAT = [
  { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
  { table: { family: 'ip', name: 'nat', handle: 1 } },
  { chain: { family: 'ip', table: 'nat', name: 'DOCKER', handle: 1 } },
  {
    chain: {
      family: 'ip',
      table: 'nat',
      name: 'PREROUTING',
      handle: 2,
      type: 'nat',
      hook: 'prerouting',
      prio: -100,
      policy: 'accept',
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'DOCKER',
      handle: 3,
      expr: [
        { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'docker0' } },
        { return: null },
      ],
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'DOCKER',
      handle: 4,
      expr: [
        { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'docker0' } },
        {
          match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 5432 },
        },
        { dnat: { addr: '172.17.0.2', port: 5432 } },
      ],
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'DOCKER',
      handle: 5,
      expr: [
        { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 81 } },
        { dnat: { addr: '172.17.0.3' } },
      ],
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'DOCKER',
      handle: 6,
      expr: [
        { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 82 } },
        { redirect: { port: 8082 } },
      ],
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'DOCKER',
      handle: 7,
      expr: [
        { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 83 } },
        { redirect: null },
      ],
    },
  },
  {
    rule: {
      family: 'ip',
      table: 'nat',
      chain: 'PREROUTING',
      handle: 8,
      expr: [
        {
          match: { op: '==', left: { fib: { result: 'type', flags: ['daddr'] } }, right: 'local' },
        },
        { jump: { target: 'DOCKER' } },
      ],
    },
  },
]

describe('readNftJson: destination NAT', () => {
  it('reads dnat and redirect statements, fib address types and ct directions', () => {
    const extra = [
      // hand-edited shapes: dnat without an address is not followed; fib flags as one word
      {
        rule: {
          family: 'ip',
          table: 'nat',
          chain: 'DOCKER',
          handle: 9,
          expr: [{ dnat: { port: 80 } }],
        },
      },
      { rule: { family: 'ip', table: 'nat', chain: 'DOCKER', handle: 10, expr: [{ dnat: null }] } },
      {
        rule: {
          family: 'ip',
          table: 'nat',
          chain: 'PREROUTING',
          handle: 11,
          expr: [
            match({ fib: { result: 'type', flags: 'daddr' } }, 'local'),
            match({ ct: { key: 'proto-dst', dir: 'original' } }, 8443),
            { accept: null },
          ],
        },
      },
    ]
    const c = readNftJson(dump([...DOCKER_NAT, ...extra]), 'ruleset.json')
    const docker = c.chains.find((ch) => ch.name === 'ip nat DOCKER')!
    expect(docker.rules.map((r) => r.verdict)).toEqual([
      { kind: 'return' },
      { kind: 'dnat', addr: '172.17.0.2', port: 5432 },
      { kind: 'dnat', addr: '172.17.0.3' },
      { kind: 'dnat', port: 8082 },
      { kind: 'dnat' },
      { kind: 'continue' },
      { kind: 'continue' },
    ])
    expect(docker.rules[1]!.iif).toEqual({ names: ['docker0'], negate: true })
    const pre = c.chains.find((ch) => ch.name === 'ip nat PREROUTING')!
    expect(pre.hook).toBe('prerouting')
    expect(pre.rules.map((r) => [r.dstLocal, r.verdict.kind])).toEqual([
      [true, 'jump'],
      [true, 'accept'],
    ])
    expect(pre.rules[1]!.origDports).toEqual({ ranges: [[8443, 8443]], negate: false })
  })
})
