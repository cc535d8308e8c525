/**
 * The table of SSRF and input cases (issue 14): worker/src/webhooks/check-target.ts (embedded
 * IPv4 in IPv6, special-use and private names, ports, schemes), check-dispatch-target.ts
 * (GitHub owner/name rules, tokens with control characters), and the same refusals through
 * POST /v1/subscriptions and again at delivery time for rows stored before the rules.
 */
import { createMessageBatch, getQueueResult, createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { consumeDeliveries } from '../../../worker/src/jobs/deliver.ts'
import type { DeliveryMessage } from '../../../worker/src/jobs/deliver.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { SecretBox } from '../../../worker/src/secrets/secret-box.ts'
import { dispatchTokenContext } from '../../../worker/src/secrets/subscription-secrets.ts'
import { checkRepository, checkToken } from '../../../worker/src/webhooks/check-dispatch-target.ts'
import { checkTargetUrl, SPECIAL_USE_SUFFIXES } from '../../../worker/src/webhooks/check-target.ts'
import type { TargetPolicy } from '../../../worker/src/webhooks/check-target.ts'
import {
  call,
  capturingQueue,
  clearHistory,
  cloudflareMirror,
  envWith,
  expectProblem,
  newReceiver,
  received,
} from '../support/harness.ts'

const PUBLIC: TargetPolicy = { allowPrivate: false, extraPorts: [] }
const PORTS_80_8443: TargetPolicy = { allowPrivate: false, extraPorts: [80, 8443] }
const PRIVATE_OK: TargetPolicy = { allowPrivate: true, extraPorts: [] }

describe('checkTargetUrl', () => {
  it.each<[string, TargetPolicy, RegExp | undefined]>([
    // Public receivers.
    ['https://hooks.slack.com/services/T0/B0/x', PUBLIC, undefined],
    ['https://hooks.slack.com:443/x', PUBLIC, undefined],
    ['https://104.16.132.229/x', PUBLIC, undefined],
    ['https://[2606:4700::6810:84e5]/x', PUBLIC, undefined],
    // IPv4 literals in every form the URL parser accepts.
    ['https://127.0.0.1/', PUBLIC, /^127\.0\.0\.1 is in 127\.0\.0\.0\/8: loopback$/],
    ['https://0x7f.1/', PUBLIC, /^127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
    ['https://2130706433/', PUBLIC, /^127\.0\.0\.1 is in/],
    ['https://017700000001/', PUBLIC, /^127\.0\.0\.1 is in/],
    ['https://169.254.169.254/latest/meta-data', PUBLIC, /link-local \(cloud metadata/],
    ['https://192.88.99.1/', PUBLIC, /6to4 relay anycast/],
    ['https://255.255.255.255/', PUBLIC, /reserved and broadcast/],
    // IPv4 embedded in IPv6: refused whatever the embedded address, which the reason names.
    [
      'https://[::127.0.0.1]/',
      PUBLIC,
      /^::7f00:1 is IPv4-compatible \(::\/96\) and embeds IPv4 127\.0\.0\.1 \(loopback\)/,
    ],
    [
      'https://[::8.8.8.8]/',
      PUBLIC,
      /IPv4-compatible .* embeds IPv4 8\.8\.8\.8: an address that reaches IPv4 space/,
    ],
    [
      'https://[::ffff:169.254.169.254]/',
      PUBLIC,
      /IPv4-mapped .* embeds IPv4 169\.254\.169\.254 \(link-local/,
    ],
    ['https://[::ffff:8.8.8.8]/', PUBLIC, /IPv4-mapped .* embeds IPv4 8\.8\.8\.8/],
    ['https://[::ffff:0:a9fe:a9fe]/', PUBLIC, /IPv4-translated .* embeds IPv4 169\.254\.169\.254/],
    [
      'https://[64:ff9b::a9fe:a9fe]/',
      PUBLIC,
      /NAT64 \(64:ff9b::\/96\) and embeds IPv4 169\.254\.169\.254/,
    ],
    ['https://[64:ff9b::10.0.0.1]/', PUBLIC, /NAT64 .* embeds IPv4 10\.0\.0\.1 \(private/],
    [
      'https://[64:ff9b:1:a9fe:a9:fe00::]/',
      PUBLIC,
      /local-use NAT64 .* embeds IPv4 169\.254\.169\.254/,
    ],
    [
      'https://[2002:a9fe:a9fe::]/',
      PUBLIC,
      /^2002:a9fe:a9fe:: is 6to4 \(2002::\/16\) and embeds IPv4 169\.254\.169\.254/,
    ],
    ['https://[2002:7f00:1::1]/', PUBLIC, /6to4 .* embeds IPv4 127\.0\.0\.1/],
    ['https://[2002:808:808::1]/', PUBLIC, /6to4 .* embeds IPv4 8\.8\.8\.8/],
    // RFC 4380 section 4's example: client 192.0.2.45 behind server 65.54.227.120.
    [
      'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
      PUBLIC,
      /Teredo \(2001::\/32\) and embeds IPv4 192\.0\.2\.45 \(documentation/,
    ],
    [
      'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
      PUBLIC,
      /Teredo .* embeds IPv4 127\.0\.0\.1/,
    ],
    // Other IPv6 special-purpose space.
    ['https://[::1]/', PUBLIC, /^::1 is in ::\/127: unspecified or loopback$/],
    ['https://[::]/', PUBLIC, /^:: is in ::\/127/],
    ['https://[fe80::1]/', PUBLIC, /link-local/],
    ['https://[fd00::1]/', PUBLIC, /unique local/],
    ['https://[fec0::1]/', PUBLIC, /site-local/],
    ['https://[ff02::1]/', PUBLIC, /multicast/],
    ['https://[2001:db8::1]/', PUBLIC, /documentation/],
    ['https://[3fff::1]/', PUBLIC, /documentation \(RFC 9637\)/],
    ['https://[100::1]/', PUBLIC, /discard-only/],
    ['https://[5f00::1]/', PUBLIC, /SRv6/],
    // Special-use and private names.
    [
      'https://hooks.test/',
      PUBLIC,
      /^"hooks\.test" is under \.test, a special-use or private name$/,
    ],
    ['https://HOOKS.TEST./', PUBLIC, /"hooks\.test" is under \.test/],
    ['https://a.invalid/', PUBLIC, /\.invalid/],
    ['https://docs.example/', PUBLIC, /\.example/],
    ['https://example.com/', PUBLIC, /\.example\.com/],
    ['https://hooks.example.org/', PUBLIC, /\.example\.org/],
    ['https://localhost/', PUBLIC, /\.localhost/],
    ['https://api.localhost/', PUBLIC, /\.localhost/],
    ['https://printer.local/', PUBLIC, /\.local,/],
    ['https://abc.onion/', PUBLIC, /\.onion/],
    ['https://router.home.arpa/', PUBLIC, /\.arpa/],
    ['https://1.0.0.127.in-addr.arpa/', PUBLIC, /\.arpa/],
    ['https://x.alt/', PUBLIC, /\.alt/],
    ['https://box.localdomain/', PUBLIC, /\.localdomain/],
    ['https://nas.home/', PUBLIC, /\.home,/],
    ['https://dc1.corp/', PUBLIC, /\.corp/],
    ['https://pi.lan/', PUBLIC, /\.lan/],
    ['https://metadata.google.internal/computeMetadata/v1/', PUBLIC, /\.internal/],
    ['https://wiki.intranet/', PUBLIC, /\.intranet/],
    ['https://vault.private/', PUBLIC, /\.private/],
    ['https://smtp.mail/', PUBLIC, /\.mail/],
    ['https://api.default.svc/', PUBLIC, /\.svc,/],
    ['https://api.default.svc.cluster.local/', PUBLIC, /\.local,/],
    ['https://intranet/', PUBLIC, /^"intranet" is under \.intranet/],
    ['https://jenkins/', PUBLIC, /^"jenkins" is a single-label \(local\) name$/],
    // Ports and schemes.
    ['https://hooks.slack.com:22/', PUBLIC, /^port 22 is not allowed: use 443/],
    ['https://hooks.slack.com:6379/', PUBLIC, /^port 6379 is not allowed/],
    ['https://hooks.slack.com:0/', PUBLIC, /^port 0 is not allowed/],
    ['https://hooks.slack.com:80/', PUBLIC, /^port 80 is not allowed/],
    ['https://hooks.slack.com:8443/', PUBLIC, /^port 8443 is not allowed/],
    ['http://hooks.slack.com/', PUBLIC, /^port 80 is not allowed/],
    ['https://hooks.slack.com:8443/', PORTS_80_8443, undefined],
    ['http://hooks.slack.com/', PORTS_80_8443, undefined],
    ['http://hooks.slack.com:8443/', PORTS_80_8443, /^plain http is allowed only on port 80/],
    ['https://hooks.slack.com:8080/', PORTS_80_8443, /^port 8080 is not allowed/],
    ['ftp://hooks.slack.com/', PUBLIC, /^scheme "ftp:" is not allowed/],
    ['gopher://127.0.0.1:6379/_SET', PRIVATE_OK, /^scheme "gopher:"/],
    ['https://u:p@hooks.slack.com/', PUBLIC, /^credentials in the URL/],
    ['https://u:p@127.0.0.1/', PRIVATE_OK, /^credentials in the URL/],
    ['not a url', PUBLIC, /^not an absolute URL$/],
    // The operator's opt-in for private networks and tests lifts addresses, names and ports.
    ['http://127.0.0.1:6379/', PRIVATE_OK, undefined],
    ['https://[2002:a9fe:a9fe::]/', PRIVATE_OK, undefined],
  ])('%s', (url, policy, expected) => {
    const refused = checkTargetUrl(url, policy)
    if (expected === undefined) expect(refused).toBeUndefined()
    else expect(refused).toMatch(expected)
  })

  it('covers the brief’s list of names', () => {
    for (const name of ['test', 'invalid', 'example', 'localhost', 'local', 'onion', 'arpa']) {
      expect(SPECIAL_USE_SUFFIXES).toContain(name)
    }
    for (const name of ['localdomain', 'home', 'corp', 'lan', 'internal', 'intranet', 'svc']) {
      expect(SPECIAL_USE_SUFFIXES).toContain(name)
    }
    expect(SPECIAL_USE_SUFFIXES).toContain('cluster.local')
  })
})

describe('checkRepository', () => {
  it.each<[string, RegExp | undefined]>([
    ['octo-org/fw-config', undefined],
    ['a/b', undefined],
    ['A1-b2/.github', undefined],
    ['o/x.y_z-1', undefined],
    [`${'a'.repeat(39)}/r`, undefined],
    [`o/${'r'.repeat(100)}`, undefined],
    ['o/..', /not "\." or "\.\."/],
    ['o/.', /not "\." or "\.\."/],
    ['-o/r', /not starting or ending with a hyphen/],
    ['o-/r', /hyphen/],
    ['o--o/r', /single hyphens/],
    ['o_o/r', /letters, digits or single hyphens/],
    [`${'a'.repeat(40)}/r`, /1-39/],
    [`o/${'r'.repeat(101)}`, /1-100/],
    ['o/r/x', /^must be "owner\/name"$/],
    ['o', /^must be "owner\/name"$/],
    ['o/', /1-100/],
    ['/r', /1-39/],
    ['o/r%2F..', /1-100 letters/],
    ['o/r?x', /1-100 letters/],
    ['o r/x', /letters, digits/],
    ['ö/r', /letters, digits/],
  ])('%s', (repository, expected) => {
    const problem = checkRepository(repository)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})

describe('checkToken', () => {
  it.each<[string, string, RegExp | undefined]>([
    ['a classic token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', undefined],
    ['a fine-grained token', `github_pat_${'A1_b'.repeat(20)}`, undefined],
    [
      'CR/LF (header injection)',
      'ghp_abc\r\nX-Evil: 1',
      /control character \(U\+000D at position 8\)/,
    ],
    ['a bare LF', 'ghp_abc\nx', /control character \(U\+000A/],
    ['a tab', 'ghp_\tabc', /control character \(U\+0009/],
    ['NUL', 'ghp_abc\u0000', /control character \(U\+0000/],
    ['DEL', 'ghp_abc\u007f', /control character \(U\+007F/],
    ['a space', 'ghp abc', /space or non-ASCII character \(U\+0020/],
    ['non-ASCII', 'ghp_ünï', /space or non-ASCII character \(U\+00FC/],
    ['a bidi override', 'ghp_\u202Eabc', /space or non-ASCII character \(U\+202E/],
    ['empty', '', /^must be 1-500 characters$/],
    ['too long', 'x'.repeat(501), /^must be 1-500 characters$/],
  ])('%s', (_name, token, expected) => {
    const problem = checkToken(token)
    if (expected === undefined) expect(problem).toBeUndefined()
    else {
      expect(problem).toMatch(expected)
      if (token.length > 3) expect(problem).not.toContain(token)
    }
  })
})

const AUTH = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }

function create(body: unknown, overrides: Record<string, string> = {}): Promise<Response> {
  return call(
    '/v1/subscriptions',
    { method: 'POST', headers: AUTH, body: JSON.stringify(body) },
    overrides,
  )
}

describe('POST /v1/subscriptions refuses the same cases', () => {
  beforeEach(clearHistory)

  it.each([
    ['o/..', 'ghp_ok'],
    ['-o/r', 'ghp_ok'],
    ['o/r', 'ghp_abc\r\nX-Evil: 1'],
    ['o/r', 'ghp_\u202Eabc'],
  ])('refuses repository %j with token %j, never echoing the token', async (repository, token) => {
    const res = await create({ kind: 'github-dispatch', repository, token, feeds: ['*'] })
    const text = await res.clone().text()
    const problem = await expectProblem(res, 400, 'ERR_VALIDATION')
    expect(problem.errors?.length).toBe(1)
    if (token !== 'ghp_ok') expect(text).not.toContain(JSON.stringify(token).slice(1, -1))
  })

  it.each([
    'https://[2002:a9fe:a9fe::]/hook',
    'https://[::127.0.0.1]/hook',
    'https://hooks.test/hook',
    'https://hooks.slack.com:6379/hook',
  ])('refuses the webhook target %s', async (url) => {
    const problem = await expectProblem(
      await create(
        { kind: 'webhook', url, feeds: ['*'] },
        { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' },
      ),
      422,
      'ERR_TARGET_REFUSED',
    )
    expect(problem.errors).toEqual([{ field: 'json.url', message: expect.any(String) as string }])
  })
})

describe('deliveries of rows stored before these rules', () => {
  beforeEach(clearHistory)

  it('fail permanently, without a request, for a bad repository or a token with CR/LF', async () => {
    const receiver = await newReceiver()
    const box = await SecretBox.fromSecretsKey(env.SECRETS_KEY)
    const now = new Date().toISOString()
    const rows: [string, string, string][] = [
      ['sub_000000000000000000000001', 'o/..', 'ghp_fine'],
      ['sub_000000000000000000000002', 'octo/fw', 'ghp_abc\r\nX-Evil: 1'],
    ]
    for (const [id, repository, token] of rows) {
      await env.DB.prepare(
        `INSERT INTO subscriptions (id, kind, feeds, repository, token, created_at) VALUES (?, 'github-dispatch', '["*"]', ?, ?, ?)`,
      )
        .bind(id, repository, await box.seal(token, dispatchTokenContext(id)), now)
        .run()
    }
    const { queue, sent } = capturingQueue()
    const mirror = await cloudflareMirror(['173.245.48.0/20'], ['2400:cb00::/32'])
    await runSync({
      ...envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }),
      DELIVERY_QUEUE: queue,
    })
    expect(sent).toHaveLength(2)
    const batch = createMessageBatch<DeliveryMessage>(
      'allowlist-sync-deliveries',
      sent.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
    )
    const ctx = createExecutionContext()
    await consumeDeliveries(batch, {
      ...envWith({ GITHUB_API_URL: receiver.url }),
      DEAD_LETTER_QUEUE: env.DEAD_LETTER_QUEUE,
    })
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toHaveLength(2)
    expect(result.retryMessages).toHaveLength(0)
    expect(await received(receiver)).toEqual([])
    const attempts = await env.DB.prepare(
      `SELECT d.subscription_id, d.status, a.error FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id ORDER BY d.subscription_id`,
    ).all<{ subscription_id: string; status: string; error: string }>()
    expect(attempts.results.map((r) => [r.status, r.error.replace(/ \(.*/, '')])).toEqual([
      [
        'failed',
        'repository refused: the name must be 1-100 letters, digits, ".", "-" or "_", and not "." or ".."',
      ],
      ['failed', 'token refused: contains a control character'],
    ])
    expect(JSON.stringify(attempts.results)).not.toContain('ghp_abc')
  })
})
