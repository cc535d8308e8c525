/**
 * @module policySchema: the one grammar of a policy file. The published action/policy.schema.json
 * is generated from it (`npm run check:schemas` keeps it current); here every policy file the
 * repository ships (the real-config corpus's policies, the YAML examples of action/CLI.md) passes
 * both that JSON Schema (ajv, as an editor checks it) and parsePolicy, and a bad shape fails both,
 * at the same field.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import published from '../../../action/policy.schema.json' with { type: 'json' }
import { parsePolicy, policyJsonSchema } from '../../../shared/src/index.ts'

const root = path.join(import.meta.dirname, '../../..')
const corpus = path.join(root, 'test/fixtures/real-configs/policies')

/** The ```yaml blocks of action/CLI.md that are policies (they have inbound or outbound). */
function documentedPolicies(): [string, string][] {
  const text = readFileSync(path.join(root, 'action/CLI.md'), 'utf8')
  return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .map((m, i): [string, string] => [`action/CLI.md, YAML block ${i + 1}`, m[1]!])
    .filter(([, yaml]) => /^(inbound|outbound):/m.test(yaml))
}

const SHIPPED: [string, string][] = [
  ...readdirSync(corpus).map((f): [string, string] => [
    `real-configs/policies/${f}`,
    readFileSync(path.join(corpus, f), 'utf8'),
  ]),
  ...documentedPolicies(),
]

describe('policySchema', () => {
  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(policyJsonSchema())

  it('is what action/policy.schema.json publishes', () => {
    expect(policyJsonSchema()).toEqual(published)
  })

  it('covers the corpus and the documentation', () => {
    expect(SHIPPED.filter(([name]) => name.startsWith('real-configs')).length).toBeGreaterThan(5)
    expect(SHIPPED.filter(([name]) => name.startsWith('action/CLI.md')).length).toBeGreaterThan(0)
  })

  it.each(SHIPPED)('%s passes the JSON Schema and parsePolicy', (name, yaml) => {
    expect(validate(parse(yaml)), JSON.stringify(validate.errors)).toBe(true)
    expect(parsePolicy(yaml, name).rules.length).toBeGreaterThan(0)
  })

  it.each([
    ['an unknown top key', { ports: [22] }, '/', 'ports: unknown field'],
    [
      'an unknown rule kind',
      { inbound: { open: [22] } },
      '/inbound',
      'inbound.open: unknown rule kind',
    ],
    [
      'a list of rules that is not a list',
      { inbound: { require: '22/tcp' } },
      '/inbound/require',
      'inbound.require: expected a list',
    ],
    [
      'a rule item that is neither',
      { inbound: { require: [true] } },
      '/inbound/require/0',
      'inbound.require[0]: expected "PORT[/PROTO]" or a mapping',
    ],
    [
      'an unknown rule key',
      { inbound: { require: [{ port: 22, sevrity: 'error' }] } },
      '/inbound/require/0',
      'inbound.require[0].sevrity: unknown field',
    ],
    [
      'another protocol',
      { inbound: { require: [{ port: 22, protocol: 'icmp' }] } },
      '/inbound/require/0/protocol',
      "inbound.require[0].protocol: 'icmp' is not tcp or udp",
    ],
    [
      'an unknown preset',
      { extends: 'nope', inbound: { allow: [22] } },
      '/extends',
      "extends: 'nope' is not a preset",
    ],
    [
      'a stance that is none',
      { unlisted: { outbound: 'block' } },
      '/unlisted/outbound',
      "unlisted.outbound: 'block' is not deny, warn or ignore",
    ],
    [
      'an interface role that is none',
      { inbound: { allow: [22] }, interfaces: { eth0: 'outside' } },
      '/interfaces/eth0',
      "interfaces.eth0: 'outside' is not public or internal",
    ],
    [
      'an interface name with a space',
      { inbound: { allow: [22] }, interfaces: { 'eth 0': 'public' } },
      '/interfaces',
      "interfaces.eth 0: 'eth 0' is not an interface name",
    ],
    [
      'notes that are not a list',
      { inbound: { allow: [22] }, notes: 'one' },
      '/notes',
      'notes: expected a list of strings',
    ],
  ])('%s fails both, at the same field', (_, doc, pointer, message) => {
    expect(validate(doc)).toBe(false)
    expect(validate.errors!.map((e) => e.instancePath || '/')).toContain(pointer)
    expect(() => parsePolicy(JSON.stringify(doc), 'p.json')).toThrow(`p.json: ${message}`)
  })

  it('leaves to parsePolicy what a schema cannot say: a port in range, a CIDR, restrict sources', () => {
    for (const [doc, message] of [
      [{ inbound: { require: [70000] } }, "inbound.require[0].port: '70000' is not a port"],
      [{ inbound: { require: [{ port: 22, from: ['10.0.0.300'] }] } }, "'10.0.0.300' is not 'any'"],
      [{ inbound: { restrict: [22] } }, 'restrict needs the sources it allows'],
    ] as const) {
      expect(validate(doc)).toBe(true)
      expect(() => parsePolicy(JSON.stringify(doc), 'p.json')).toThrow(message)
    }
  })
})
