/** @module parseConfig: valid configs, and errors that give file, line and column. */
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import schema from '../../action/allowlist-sync.schema.json' with { type: 'json' }
import { ConfigError, parseConfig } from '../../action/src/config.ts'
import { DEFAULT_LIMITS, FORMAT_IDS } from '../../shared/src/index.ts'

const VALID = `version: 1
source: https://allowlists.example.workers.dev
feeds:
  - id: acme/office
    url: https://example.com/office-ips.txt
    parser: lines
targets:
  - path: firewall/allow.nft
    format: nftables
    feeds: [github/hooks, coolify/cloud, acme/office]
    ports: [443/tcp]
    name: upstream_allow
policies:
  - preset: coolify-self-hosted
    configs: [firewall/*.nft]
pull-request:
  branch: allowlist-sync/update
  labels: [allowlist]
  reviewers: []
  draft: false
`

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, 'c.yml')
  } catch (e) {
    if (e instanceof ConfigError) return [...e.lines]
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('allowlist-sync.schema.json', () => {
  it('is a valid draft-07 JSON Schema', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true })
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true)
    expect(() => ajv.compile(schema)).not.toThrow()
  })
})

describe('parseConfig', () => {
  it('reads the documented example', () => {
    const c = parseConfig(VALID, 'c.yml')
    expect(c.source).toBe('https://allowlists.example.workers.dev')
    expect(c.lock).toBe('.github/allowlist-sync.lock.json')
    expect(c.userFeeds.map((f) => f.id)).toEqual(['acme/office'])
    expect(c.targets[0]).toMatchObject({
      path: 'firewall/allow.nft',
      format: 'nftables',
      feeds: ['github/hooks', 'coolify/cloud', 'acme/office'],
      ports: [{ port: 443, protocol: 'tcp' }],
      name: 'upstream_allow',
    })
    expect(c.policies).toEqual([{ preset: 'coolify-self-hosted', configs: ['firewall/*.nft'] }])
    expect(c.pullRequest).toMatchObject({
      branch: 'allowlist-sync/update',
      labels: ['allowlist'],
      draft: false,
    })
  })

  it.each([
    ['version: 1\ntargets: [\n', /^c\.yml:3:1: /],
    ['version: 2\ntargets: []\n', /^c\.yml:1:10: 'version': must be 1/],
    [
      'version: 1\ntargets:\n  - path: a\n    format: nft\n    feeds: [github/hooks]\n',
      /^c\.yml:4:13: 'targets\.0\.format': must be one of "nftables"/,
    ],
    [
      'version: 1\ntargets:\n  - path: a\n    format: txt\n    feeds: [github/hook]\n',
      /^c\.yml:5:13: unknown feed 'github\/hook'/,
    ],
    [
      'version: 1\ntargets:\n  - path: a\n    format: txt\n    feeds: [github/hooks]\n    colour: red\n',
      /^c\.yml:6:5: 'targets\.0': unknown key 'colour'/,
    ],
    [
      'version: 1\ntargets:\n  - path: a\n    format: txt\n',
      /^c\.yml:3:5: 'targets\.0': missing 'feeds'/,
    ],
    [
      'version: 1\ntargets:\n  - path: a\n    format: txt\n    feeds: [github/hooks]\n    ports: [70000/tcp]\n',
      /^c\.yml:6:13: /,
    ],
    [
      'version: 1\ntargets:\n  - path: /etc/x\n    format: txt\n    feeds: [github/hooks]\n',
      /^c\.yml:3:11: 'targets\.0\.path'/,
    ],
    ['version: 1\nversion: 1\ntargets: []\n', /^c\.yml:2:1: /],
  ])('rejects %j with a positioned error', (text, pattern) => {
    const lines = errorsOf(text)
    expect(
      lines.some((l) => pattern.test(l)),
      lines.join('\n'),
    ).toBe(true)
  })

  it('rejects a user feed on a built-in provider and a duplicate target path', () => {
    const lines = errorsOf(`version: 1
feeds:
  - { id: github/mine, url: 'https://example.com/x', parser: lines }
targets:
  - { path: a, format: txt, feeds: [github/hooks] }
  - { path: a, format: txt, feeds: [github/web] }
`)
    expect(lines.join('\n')).toMatch(/c\.yml:3:5: .*built in/)
    expect(lines.join('\n')).toMatch(/c\.yml:6:13: 'a' is already target 1/)
  })
})

describe('parseConfig: the formats of issue 18', () => {
  it('lists every format id in the schema, and every limit the renderers know', () => {
    const target = schema.properties.targets.items.properties
    expect(target.format.enum).toEqual([...FORMAT_IDS])
    expect(Object.keys(target.limits.properties).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort())
  })

  it('reads ip-strategy and limits into the target', () => {
    const c = parseConfig(
      'version: 1\ntargets:\n  - path: t.yml\n    format: traefik\n    feeds: [coolify/cloud]\n    ip-strategy: { excluded-ips: [203.0.113.9] }\n  - path: fw.json\n    format: hcloud-rules\n    feeds: [github/hooks]\n    limits: { hcloudEffectiveRules: 1000 }\n',
      'c.yml',
    )
    expect(c.targets[0]!.ipStrategy).toEqual({ excludedIPs: ['203.0.113.9'] })
    expect(c.targets[1]!.limits).toEqual({ hcloudEffectiveRules: 1000 })
  })

  it.each([
    [
      '    format: nginx\n    feeds: [github/hooks]\n    ip-strategy: { depth: 1 }\n',
      /c\.yml:6:18: ip-strategy is for the Traefik formats/,
    ],
    [
      '    format: traefik\n    feeds: [github/hooks]\n    ip-strategy: { depth: 1, excluded-ips: [192.0.2.1] }\n',
      /not both/,
    ],
    [
      '    format: traefik\n    feeds: [github/hooks]\n    ip-strategy: { depth: 0 }\n',
      /ip-strategy\.depth': must be >= 1/,
    ],
    [
      '    format: aws-sg\n    feeds: [github/hooks]\n    limits: { awsRules: 100 }\n',
      /unknown key 'awsRules'/,
    ],
  ])('refuses a bad ip-strategy or limit, naming the place: %#', (target, error) => {
    const lines = errorsOf(`version: 1\ntargets:\n  - path: a\n${target}`)
    expect(lines.join('\n')).toMatch(error)
  })
})
