/** @module parseConfig: valid configs, and errors that give file, line and column. */
import { Ajv } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import schema from '../../action/allowlist-sync.schema.json' with { type: 'json' }
import { configJsonSchema, configSchema } from '../../action/src/config-schema.ts'
import { ConfigError, parseConfig, type RepoFiles } from '../../action/src/config.ts'
import { DEFAULT_LIMITS, FORMAT_IDS, PRESET_IDS } from '../../shared/src/index.ts'

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

function errorsOf(text: string, files?: RepoFiles): string[] {
  try {
    parseConfig(text, 'c.yml', files ? { files } : {})
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

  it('lists the formats and presets shared/ has (npm run schemas rewrites it)', () => {
    const props = schema.properties
    expect(props.targets.items.properties.format.enum).toEqual([...FORMAT_IDS])
    expect(props.policies.items.properties.preset.enum).toEqual([...PRESET_IDS])
    expect(schema).toEqual(configJsonSchema())
  })
})

describe('configSchema and the generated JSON Schema', () => {
  const validate = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(
    configJsonSchema(),
  )
  const target = '  - { path: a, format: txt, feeds: [github/hooks] }\n'

  it.each([
    ['the documented example', VALID, true],
    ['a wrong version', 'version: 2\ntargets: []\n', false],
    ['no targets', 'version: 1\ntargets: []\n', false],
    ['an unknown top-level key', `version: 1\ncolour: red\ntargets:\n${target}`, false],
    [
      'an unknown format',
      'version: 1\ntargets:\n  - { path: a, format: nft, feeds: [x] }\n',
      false,
    ],
    [
      'a bad port',
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [x], ports: [http] }\n',
      false,
    ],
    [
      'a bad table',
      'version: 1\ntargets:\n  - { path: a, format: nftables, feeds: [x], table: filter }\n',
      false,
    ],
    [
      'depth 0',
      'version: 1\ntargets:\n  - { path: a, format: traefik, feeds: [x], ip-strategy: { depth: 0 } }\n',
      false,
    ],
    [
      'an unknown limit',
      'version: 1\ntargets:\n  - { path: a, format: aws-sg, feeds: [x], limits: { awsRules: 1 } }\n',
      false,
    ],
    [
      'a csv column number',
      `version: 1\nfeeds:\n  - { id: a/b, url: 'https://x', parser: csv, column: 2 }\ntargets:\n${target}`,
      true,
    ],
    [
      'a fractional csv column',
      `version: 1\nfeeds:\n  - { id: a/b, url: 'https://x', parser: csv, column: 2.5 }\ntargets:\n${target}`,
      false,
    ],
    [
      'family 5',
      `version: 1\nfeeds:\n  - { id: a/b, url: 'https://x', parser: lines, family: 5 }\ntargets:\n${target}`,
      false,
    ],
    [
      'an http:// feed',
      `version: 1\nfeeds:\n  - { id: a/b, url: 'http://x', parser: lines }\ntargets:\n${target}`,
      false,
    ],
    [
      'a policy with a preset and a file',
      `version: 1\ntargets:\n${target}policies:\n  - { preset: oec, file: p.yml, configs: [a] }\n`,
      false,
    ],
    [
      'a policy with neither',
      `version: 1\ntargets:\n${target}policies:\n  - { configs: [a] }\n`,
      false,
    ],
    [
      'a policy interface role',
      `version: 1\ntargets:\n${target}policies:\n  - { preset: oec, configs: [a], interfaces: { 'wg*': internal } }\n`,
      true,
    ],
    [
      'a bad interface name',
      `version: 1\ntargets:\n${target}policies:\n  - { preset: oec, configs: [a], interfaces: { 'a/b': internal } }\n`,
      false,
    ],
    [
      'a bad interface role',
      `version: 1\ntargets:\n${target}policies:\n  - { preset: oec, configs: [a], interfaces: { eth0: dmz } }\n`,
      false,
    ],
    [
      'a pull-request draft string',
      `version: 1\ntargets:\n${target}pull-request: { draft: 'yes' }\n`,
      false,
    ],
  ])('agree on %s', (_, text, valid) => {
    const doc: unknown = parseYaml(text)
    expect(configSchema.safeParse(doc).success).toBe(valid)
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(valid)
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
      /^c\.yml:4:13: 'targets\.0\.format': unknown format 'nft'; did you mean 'nftables'\?/,
    ],
    [
      'version: 1\ntargets:\n  - path: a\n    format: txt\n    feeds: [github/hook]\n',
      /^c\.yml:5:13: 'targets\.0\.feeds\.0': unknown feed 'github\/hook'; did you mean 'github\/hooks'\?/,
    ],
    [
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\npolicies:\n  - preset: coolify-selfhosted\n    configs: [a]\n',
      /^c\.yml:5:13: 'policies\.0\.preset': unknown preset 'coolify-selfhosted'; did you mean 'coolify-self-hosted'\?/,
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
    ...(
      [
        ['/etc/x', 'is absolute'],
        ['../x', "leaves the repository \\('\\.\\.'\\)"],
        ['a/../../x', 'leaves the repository'],
        ['./proxy/allow.conf', "is not normalised \\(write 'proxy/allow\\.conf'\\)"],
        ['proxy//allow.conf', 'is not normalised'],
        ['.git/config', "is inside '\\.git'"],
        ['sub/.GIT/x', "is inside '\\.git'"],
        [
          '.github/workflows/allow.yml',
          'is under \\.github/workflows/.*allow-workflow-files: true',
        ],
        ['C:/x', 'is absolute'],
        ['a\\\\b', 'holds a backslash'],
      ] as const
    ).map(([path, why]): [string, RegExp] => [
      `version: 1\ntargets:\n  - path: '${path}'\n    format: txt\n    feeds: [github/hooks]\n`,
      new RegExp(`^c\\.yml:3:11: 'targets\\.0\\.path': .* ${why}`),
    ]),
    [
      'version: 1\nlock: ../x.json\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\n',
      /^c\.yml:2:7: 'lock': '\.\.\/x\.json' leaves the repository/,
    ],
    [
      'version: 1\nlock: a\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\n',
      /^c\.yml:2:7: 'lock': 'a' is also a target/,
    ],
    [
      `version: 1\ntargets:\n${Array.from({ length: 101 }, (_, i) => `  - { path: t${i}, format: txt, feeds: [github/hooks] }\n`).join('')}`,
      /^c\.yml:3:3: 'targets': 101 targets; at most 100 are allowed/,
    ],
    ['version: 1\nversion: 1\ntargets: []\n', /^c\.yml:2:1: /],
  ])('rejects %j with a positioned error', (text, pattern) => {
    const lines = errorsOf(text)
    expect(
      lines.some((l) => pattern.test(l)),
      lines.join('\n'),
    ).toBe(true)
  })

  it('reads the packet-filter options of a target: table, exempt-loopback, exempt-private', () => {
    const c = parseConfig(
      `version: 1
targets:
  - { path: a.nft, format: nftables, feeds: [github/hooks], table: ip fw, exempt-loopback: false }
  - { path: d.sh, format: docker-user, feeds: [github/hooks], exempt-private: true }
`,
      'c.yml',
    )
    expect(c.targets[0]).toMatchObject({ table: 'ip fw', exemptLoopback: false })
    expect(c.targets[1]).toMatchObject({ exemptPrivate: true })
    expect(c.targets[1]).not.toHaveProperty('exemptLoopback')
    expect(
      errorsOf(
        'version: 1\ntargets:\n  - { path: a, format: nftables, feeds: [github/hooks], table: filter }\n',
      ).some((l) => /^c\.yml:3:\d+: 'targets\.0\.table'/.test(l)),
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

describe('parseConfig: schema failures in words, at their place', () => {
  const target = '  - { path: a, format: txt, feeds: [github/hooks] }\n'
  it.each([
    [
      `version: 1\nfeeds:\n  - { id: a/b, url: 'https://x', parser: csv, column: 2.5 }\ntargets:\n${target}`,
      "c.yml:3:55: 'feeds.0.column': must be string or integer",
    ],
    [
      `version: 1\ntargets:\n${target}policies:\n  - { preset: oec, file: p.yml, configs: [a] }\n`,
      "c.yml:5:5: 'policies.0': needs one of 'preset' and 'file', not both",
    ],
    [
      `version: 1\ntargets:\n  - { path: a, format: txt, feeds: [x], comment: ${'x'.repeat(201)} }\n`,
      "c.yml:3:50: 'targets.0.comment': must have at most 200 characters",
    ],
    [
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [] }\n',
      "c.yml:3:36: 'targets.0.feeds': must have at least 1 items",
    ],
    [
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [x], ports: [http] }\n',
      "c.yml:3:49: 'targets.0.ports.0': must match pattern",
    ],
    ['- just a list\n', 'c.yml:1:1: the config: must be object'],
    [
      `version: 1\nfeeds:\n  - { id: a/b, url: 'https://x', parser: lines, family: 5 }\ntargets:\n${target}`,
      "'feeds.0.family': must be one of 4, 6",
    ],
  ])('%j', (text, line) => {
    const lines = errorsOf(text)
    expect(
      lines.some((l) => l.startsWith(line) || l.includes(line)),
      lines.join('\n'),
    ).toBe(true)
  })
})

describe('parseConfig against the repository files', () => {
  const files = (entries: Record<string, 'file' | 'link' | 'submodule'>): RepoFiles => ({
    kind: (p) => entries[p],
    paths: Object.keys(entries).filter((p) => entries[p] === 'file'),
  })
  const repo = files({
    'policies/db.yaml': 'file',
    'firewall/host.nft': 'file',
    conf: 'link',
    'lists/out.txt': 'link',
    'vendor/lib': 'submodule',
  })

  it.each([
    [
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\npolicies:\n  - file: policies/db.yml\n    configs: [firewall/*.nft]\n',
      /^c\.yml:5:11: 'policies\.0\.file': no file 'policies\/db\.yml' in the repository; did you mean 'policies\/db\.yaml'\?/,
    ],
    [
      'version: 1\ntargets:\n  - { path: a, format: txt, feeds: [github/hooks] }\npolicies:\n  - preset: web-minimal\n    configs: [firewal/*.nft]\n',
      /^c\.yml:6:15: 'policies\.0\.configs\.0': 'firewal\/\*\.nft' matches no file, so the policy would check nothing/,
    ],
    [
      'version: 1\ntargets:\n  - { path: lists/out.txt, format: txt, feeds: [github/hooks] }\n',
      /^c\.yml:3:13: 'targets\.0\.path': 'lists\/out\.txt' is a symbolic link in the repository/,
    ],
    [
      'version: 1\ntargets:\n  - { path: conf/allow.txt, format: txt, feeds: [github/hooks] }\n',
      /^c\.yml:3:13: 'targets\.0\.path': 'conf\/allow\.txt' lies in 'conf', which is a symbolic link/,
    ],
    [
      'version: 1\ntargets:\n  - { path: vendor/lib/x.txt, format: txt, feeds: [github/hooks] }\n',
      /^c\.yml:3:13: 'targets\.0\.path': 'vendor\/lib\/x\.txt' lies in 'vendor\/lib', which is a submodule/,
    ],
  ])('rejects %j with a positioned error', (text, pattern) => {
    const lines = errorsOf(text, repo)
    expect(
      lines.some((l) => pattern.test(l)),
      lines.join('\n'),
    ).toBe(true)
  })

  it('accepts a policy glob that matches only a file the plan writes, and workflows when allowed', () => {
    const text =
      'version: 1\ntargets:\n  - { path: .github/workflows/allow.txt, format: txt, feeds: [github/hooks] }\n  - { path: fw/new.nft, format: nftables, feeds: [github/hooks] }\npolicies:\n  - preset: web-minimal\n    configs: [fw/*.nft]\n'
    const c = parseConfig(text, 'c.yml', { files: repo, allowWorkflowFiles: true })
    expect(c.targets.map((t) => t.path)).toEqual(['.github/workflows/allow.txt', 'fw/new.nft'])
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
