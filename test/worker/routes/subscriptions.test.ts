/**
 * Tests worker/src/routes/subscriptions.ts: admin auth, validation, body limits, secrets shown
 * once, rotation, deliveries listing, and SSRF refusal of private targets.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { call, clearHistory, expectProblem } from '../support/harness.ts'

const AUTH = { authorization: 'Bearer test-admin-token' }
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' }
const PUBLIC_ONLY = { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' }

function create(body: unknown, overrides: Record<string, string> = {}): Promise<Response> {
  return call(
    '/v1/subscriptions',
    { method: 'POST', headers: JSON_AUTH, body: JSON.stringify(body) },
    overrides,
  )
}

beforeEach(clearHistory)

describe('admin authentication', () => {
  it('requires the Bearer ADMIN_TOKEN on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/subscriptions'],
      ['POST', '/v1/subscriptions'],
      ['GET', '/v1/subscriptions/sub_000000000000000000000000'],
      ['DELETE', '/v1/subscriptions/sub_000000000000000000000000'],
      ['GET', '/v1/subscriptions/sub_000000000000000000000000/deliveries'],
    ] as const) {
      for (const authorization of [
        undefined,
        'Bearer wrong',
        'Bearer test-admin-token-longer',
        'Basic dGVzdA==',
        'test-admin-token',
      ]) {
        const res = await call(path, {
          method,
          headers: authorization === undefined ? {} : { authorization },
        })
        await expectProblem(res, 401, 'ERR_UNAUTHORIZED')
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      }
    }
    expect((await call('/v1/subscriptions', { headers: AUTH })).status).toBe(200)
  })

  it('answers 503 when no ADMIN_TOKEN is configured', async () => {
    await expectProblem(
      await call('/v1/subscriptions', { headers: AUTH }, { ADMIN_TOKEN: '' }),
      503,
      'ERR_ADMIN_DISABLED',
    )
  })
})

describe('POST /v1/subscriptions', () => {
  it('creates a webhook subscription and returns its secret once', async () => {
    const res = await create({
      kind: 'webhook',
      url: 'https://hooks.example.com/allowlist',
      feeds: ['github/hooks', '*'],
    })
    expect(res.status).toBe(201)
    const created = await res.json<Record<string, string>>()
    expect(created).toEqual({
      id: expect.stringMatching(/^sub_[0-9a-f]{24}$/) as string,
      kind: 'webhook',
      feeds: ['github/hooks', '*'],
      url: 'https://hooks.example.com/allowlist',
      createdAt: expect.any(String) as string,
      secretsKeyId: expect.stringMatching(/^[0-9a-f]{8}$/) as string,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) as string,
    })
    expect(res.headers.get('location')).toBe(`/v1/subscriptions/${created['id']}`)
    const one = await (await call(`/v1/subscriptions/${created['id']}`, { headers: AUTH })).json()
    const list = await (
      await call('/v1/subscriptions', { headers: AUTH })
    ).json<{ subscriptions: unknown[] }>()
    const { secret, ...visible } = created
    expect(one).toEqual(visible)
    expect(list.subscriptions).toEqual([visible])
    expect(JSON.stringify([one, list])).not.toContain(secret!)
  })

  it('creates a github-dispatch subscription without ever showing its token', async () => {
    const res = await create({
      kind: 'github-dispatch',
      repository: 'octo-org/fw-config',
      token: 'ghp_secret',
      feeds: ['coolify/cloud'],
    })
    expect(res.status).toBe(201)
    const created = await res.json<Record<string, unknown>>()
    expect(created).toMatchObject({
      kind: 'github-dispatch',
      repository: 'octo-org/fw-config',
      feeds: ['coolify/cloud'],
    })
    expect(JSON.stringify(created)).not.toContain('ghp_secret')
    expect(
      JSON.stringify(await (await call('/v1/subscriptions', { headers: AUTH })).json()),
    ).not.toContain('ghp_secret')
  })

  it.each([
    [{ kind: 'webhook', url: 'https://h.example.com', feeds: [] }, 'json.feeds'],
    [{ kind: 'webhook', url: 'https://h.example.com', feeds: ['no/such-feed'] }, 'json.feeds.0'],
    [{ kind: 'webhook', url: 'ftp://h.example.com/x', feeds: ['*'] }, 'json.url'],
    [{ kind: 'webhook', url: 'not a url', feeds: ['*'] }, 'json.url'],
    [{ kind: 'webhook', url: 'https://h.example.com', feeds: ['*'], extra: 1 }, 'json'],
    [
      { kind: 'github-dispatch', repository: 'no-slash', token: 't', feeds: ['*'] },
      'json.repository',
    ],
    [{ kind: 'github-dispatch', repository: 'o/r', feeds: ['*'] }, 'json.token'],
    [{ kind: 'email', feeds: ['*'] }, 'json.kind'],
  ])('refuses %j naming %s', async (body, field) => {
    const problem = await expectProblem(await create(body), 400, 'ERR_VALIDATION')
    expect(problem.errors?.map((e) => e.field)).toContain(field)
  })

  it('refuses malformed JSON, other media types and bodies over 16 KiB', async () => {
    await expectProblem(
      await call('/v1/subscriptions', { method: 'POST', headers: JSON_AUTH, body: '{"kind":' }),
      400,
      'ERR_VALIDATION',
    )
    await expectProblem(
      await call('/v1/subscriptions', {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'text/plain' },
        body: '{}',
      }),
      415,
      'ERR_UNSUPPORTED_MEDIA_TYPE',
    )
    const big = JSON.stringify({
      kind: 'webhook',
      url: 'https://h.example.com',
      feeds: ['*'],
      pad: 'x'.repeat(20_000),
    })
    await expectProblem(
      await call('/v1/subscriptions', { method: 'POST', headers: JSON_AUTH, body: big }),
      413,
      'ERR_BODY_TOO_LARGE',
    )
  })
})

describe('SSRF: subscriber URLs', () => {
  it.each([
    'https://127.0.0.1/hook',
    'https://127.1/hook',
    'https://2130706433/hook',
    'https://0x7f000001/hook',
    'https://10.1.2.3/hook',
    'https://172.16.0.1/hook',
    'https://192.168.1.1:8443/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[fe80::1]/hook',
    'https://[fd00::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://localhost/hook',
    'https://api.localhost/hook',
    'https://printer.local/hook',
    'https://metadata.google.internal/computeMetadata',
    'https://intranet/hook',
    'http://hooks.example.com/plain-http',
  ])('refuses %s unless ALLOW_PRIVATE_WEBHOOK_TARGETS', async (url) => {
    const problem = await expectProblem(
      await create({ kind: 'webhook', url, feeds: ['*'] }, PUBLIC_ONLY),
      422,
      'ERR_TARGET_REFUSED',
    )
    expect(problem.detail).toMatch(/^url: /)
    expect(problem.detail).toContain('ALLOW_PRIVATE_WEBHOOK_TARGETS')
  })

  it.each(['https://hooks.slack.com/x', 'https://203.0.114.1/x', 'https://[2606:4700::1]/x'])(
    'accepts the public target %s',
    async (url) => {
      expect((await create({ kind: 'webhook', url, feeds: ['*'] }, PUBLIC_ONLY)).status).toBe(201)
    },
  )

  it('refuses credentials in the URL even when private targets are allowed', async () => {
    await expectProblem(
      await create({ kind: 'webhook', url: 'https://u:p@127.0.0.1/x', feeds: ['*'] }),
      422,
      'ERR_TARGET_REFUSED',
    )
    expect(
      (await create({ kind: 'webhook', url: 'http://127.0.0.1:9/x', feeds: ['*'] })).status,
    ).toBe(201)
  })
})

describe('DELETE, rotate-secret, deliveries', () => {
  it('deletes a subscription, then 404s', async () => {
    const { id } = await (
      await create({ kind: 'webhook', url: 'https://h.example.com/x', feeds: ['*'] })
    ).json<{ id: string }>()
    expect(
      (await call(`/v1/subscriptions/${id}`, { method: 'DELETE', headers: AUTH })).status,
    ).toBe(204)
    await expectProblem(
      await call(`/v1/subscriptions/${id}`, { method: 'DELETE', headers: AUTH }),
      404,
      'ERR_NOT_FOUND',
    )
    await expectProblem(
      await call(`/v1/subscriptions/${id}`, { headers: AUTH }),
      404,
      'ERR_NOT_FOUND',
    )
    await expectProblem(
      await call('/v1/subscriptions/not-an-id', { headers: AUTH }),
      400,
      'ERR_VALIDATION',
    )
  })

  it('rotates a webhook secret, keeping the old one for an overlap', async () => {
    const created = await (
      await create({ kind: 'webhook', url: 'https://h.example.com/x', feeds: ['*'] })
    ).json<{ id: string; secret: string }>()
    const res = await call(`/v1/subscriptions/${created.id}/rotate-secret`, {
      method: 'POST',
      headers: AUTH,
    })
    expect(res.status).toBe(200)
    const rotated = await res.json<{
      id: string
      secret: string
      previousSecretExpiresAt: string
    }>()
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(created.secret)
    const hours = (Date.parse(rotated.previousSecretExpiresAt) - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23.9)
    expect(
      await (await call(`/v1/subscriptions/${created.id}`, { headers: AUTH })).json(),
    ).toMatchObject({
      previousSecretExpiresAt: rotated.previousSecretExpiresAt,
    })
    const dispatch = await (
      await create({ kind: 'github-dispatch', repository: 'o/r', token: 't', feeds: ['*'] })
    ).json<{ id: string }>()
    await expectProblem(
      await call(`/v1/subscriptions/${dispatch.id}/rotate-secret`, {
        method: 'POST',
        headers: AUTH,
      }),
      400,
      'ERR_VALIDATION',
    )
  })

  it('lists deliveries (empty for a new subscription)', async () => {
    const { id } = await (
      await create({ kind: 'webhook', url: 'https://h.example.com/x', feeds: ['*'] })
    ).json<{ id: string }>()
    expect(
      await (await call(`/v1/subscriptions/${id}/deliveries`, { headers: AUTH })).json(),
    ).toEqual({ subscription: id, deliveries: [] })
    await expectProblem(
      await call('/v1/subscriptions/sub_000000000000000000000000/deliveries', { headers: AUTH }),
      404,
      'ERR_NOT_FOUND',
    )
  })
})
