/** @module parseConfig: valid configs, and errors that give file, line and column. */
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import schema from '../../action/allowlist-sync.schema.json' with { type: 'json' }
import { ConfigError, parseConfig } from '../../action/src/config.ts'

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
  it('passes allow-reserved through to an internal user feed, and checks its type', () => {
    const text = VALID.replace(
      '    parser: lines\n',
      '    parser: lines\n  - id: acme/lan\n    url: https://example.com/lan.txt\n    parser: lines\n    allow-reserved: true\n',
    )
    const c = parseConfig(text, 'c.yml')
    expect(c.userFeeds.map((f) => [f.id, f.allowReserved])).toEqual([
      ['acme/office', undefined],
      ['acme/lan', true],
    ])
    expect(errorsOf(text.replace('allow-reserved: true', 'allow-reserved: yes please'))).toEqual([
      "c.yml:10:21: 'feeds.1.allow-reserved': must be boolean",
    ])
  })

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
