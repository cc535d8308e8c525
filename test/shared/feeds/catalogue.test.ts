/** Tests of the catalogue: built-in ids, aws/ id resolution, user-defined feed validation. */
import { describe, expect, it } from 'vitest'
import {
  BUILTIN_FEEDS,
  defineUserFeed,
  findFeed,
  type UserFeedInput,
} from '../../../shared/src/feeds/index.ts'

describe('BUILTIN_FEEDS', () => {
  it('has the ids of DESIGN.md, each once, every URL https', () => {
    const ids = BUILTIN_FEEDS.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const key of [
      'hooks',
      'web',
      'api',
      'git',
      'packages',
      'pages',
      'importer',
      'github_enterprise_importer',
      'actions',
      'actions_macos',
      'codespaces',
      'dependabot',
      'copilot',
    ])
      expect(ids).toContain(`github/${key}`)
    for (const id of [
      'coolify/cloud',
      'firezone/portal',
      'firezone/portal-app',
      'firezone/portal-api',
      'firezone/relays',
      'cloudflare/edge',
    ])
      expect(ids).toContain(id)
    for (const f of BUILTIN_FEEDS) {
      expect(f.docsUrl).toMatch(/^https:\/\//)
      for (const s of f.sources) expect(s.url).toMatch(/^https:\/\/[a-z0-9.-]+\//)
    }
  })

  it('reads firezone/portal as the union of the app and api endpoints of one file', () => {
    const portal = findFeed('firezone/portal')!
    expect(portal.sources.map((s) => s.parser)).toEqual([
      { kind: 'json', path: 'endpoints["app.firezone.dev"]' },
      { kind: 'json', path: 'endpoints["api.firezone.dev"]' },
    ])
    expect(new Set(portal.sources.map((s) => s.url)).size).toBe(1)
  })
})

describe('findFeed', () => {
  it.each([
    ['aws/EC2', 'aws/EC2', []],
    ['aws/ec2', 'aws/EC2', []],
    ['aws/EC2@us-east-1', 'aws/EC2@us-east-1', ['us-east-1']],
    [
      'aws/EC2@EU-WEST-1,us-east-1,eu-west-1',
      'aws/EC2@eu-west-1,us-east-1',
      ['eu-west-1', 'us-east-1'],
    ],
    ['aws/CLOUDFRONT@global', 'aws/CLOUDFRONT@GLOBAL', ['GLOBAL']],
  ])('resolves %s as %s', (id, canonical, regions) => {
    const feed = findFeed(id)!
    expect(feed.id).toBe(canonical)
    expect(feed.sources[0]!.parser).toMatchObject({ kind: 'aws', regions })
  })

  it('gives an aws/ service listed nowhere the limits of all of AWS (AMAZON)', () => {
    expect(findFeed('aws/LAMBDA')!.broadestPrefix).toEqual(findFeed('aws/AMAZON')!.broadestPrefix)
    expect(findFeed('aws/S3@us-east-1')!.broadestPrefix).toEqual(findFeed('aws/S3')!.broadestPrefix)
  })

  it.each(['aws/', 'aws/EC2@', 'aws/EC2@us east', 'aws/EC2;rm', 'github/nope', 'nope', ''])(
    'does not know %j',
    (id) => {
      expect(findFeed(id)).toBeUndefined()
    },
  )

  it('finds user feeds after the built-in ones', () => {
    const office = defineUserFeed({
      id: 'acme/office',
      url: 'https://acme.example/ips.txt',
      parser: { kind: 'lines' },
    })
    expect(findFeed('acme/office', [office])).toBe(office)
    expect(findFeed('acme/office')).toBeUndefined()
  })
})

describe('defineUserFeed', () => {
  const ok: UserFeedInput = {
    id: 'acme/office',
    url: 'https://acme.example/ips.json',
    parser: { kind: 'json', path: 'endpoints["app.acme.example"].ipv4' },
  }

  it('returns a one-source definition marked as user-defined', () => {
    expect(defineUserFeed({ ...ok, title: 'Acme office' })).toEqual({
      id: 'acme/office',
      title: 'Acme office',
      docsUrl: ok.url,
      sources: [{ url: ok.url, parser: ok.parser }],
      user: true,
    })
    expect(
      defineUserFeed({ ...ok, parser: { kind: 'csv', column: 'cidr', family: 4 } }).sources[0]!
        .parser.kind,
    ).toBe('csv')
    expect(
      defineUserFeed({ ...ok, parser: { kind: 'csv', column: 2 } }).sources[0]!.parser.kind,
    ).toBe('csv')
  })

  it.each<[string, Partial<UserFeedInput> | Record<string, unknown>, string]>([
    ['an id without a provider', { id: 'office' }, 'ERR_FEED_ID'],
    ['an upper-case id', { id: 'Acme/Office' }, 'ERR_FEED_ID'],
    ['a built-in provider', { id: 'github/mine' }, 'ERR_FEED_ID'],
    ['an aws id', { id: 'aws/mine' }, 'ERR_FEED_ID'],
    ['an http URL', { url: 'http://acme.example/ips' }, 'ERR_FEED_URL'],
    ['a URL with a space', { url: 'https://acme.example/a b' }, 'ERR_FEED_URL'],
    ['a URL with credentials', { url: 'https://user:pw@acme.example/' }, 'ERR_FEED_URL'],
    [
      'an unknown parser',
      { parser: { kind: 'github-meta', key: 'hooks', required: true } },
      'ERR_FEED_PARSER',
    ],
    ['a bad JSON path', { parser: { kind: 'json', path: 'a..b' } }, 'ERR_FEED_PARSER'],
    [
      'an unterminated JSON path key',
      { parser: { kind: 'json', path: 'a["b' } },
      'ERR_FEED_PARSER',
    ],
    ['a CSV column 0', { parser: { kind: 'csv', column: 0 } }, 'ERR_FEED_PARSER'],
    ['an empty CSV column name', { parser: { kind: 'csv', column: '' } }, 'ERR_FEED_PARSER'],
    ['family 5', { parser: { kind: 'lines', family: 5 } }, 'ERR_FEED_PARSER'],
  ])('refuses %s', (_name, change, code) => {
    expect(() => defineUserFeed({ ...ok, ...change })).toThrow(expect.objectContaining({ code }))
  })

  it('names the field when a JSON path is not a string', () => {
    const parser = {
      kind: 'json',
      path: ['endpoints', 'app'],
    } as unknown as UserFeedInput['parser']
    const define = () => defineUserFeed({ ...ok, parser })
    expect(define).toThrow(expect.objectContaining({ code: 'ERR_FEED_PARSER' }))
    expect(define).toThrow(/^feed acme\/office: parser .*: path must be a string$/)
  })
})
