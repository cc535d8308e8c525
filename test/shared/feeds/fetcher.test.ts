/**
 * Tests of the fetcher: one upstream URL through the guards that need no parsing. Responses come
 * from a real local HTTP server (the test mirror) read with the real global fetch; a test double
 * of `fetch` only where a custom fetch may do what no HTTP server can make Node's fetch do.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CacheEntry, FetchLike } from '../../../shared/src/feeds/index.ts'
import {
  fetchSource,
  USER_AGENT,
  type FetchSourceOptions,
} from '../../../shared/src/feeds/fetcher.ts'
import { startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'

const FEED_URL = 'https://acme.example/ips.txt'
const KEY = 'acme.example/ips.txt'

let mirror: MirrorServer
beforeAll(async () => {
  mirror = await startMirror({})
})
afterAll(async () => {
  await mirror.close()
})

/** Matches `prefix` followed by a non-empty message (the runtime's own wording). */
function startsWith(prefix: string): RegExp {
  const literal = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${literal}\\S`)
}

function options(overrides: Partial<FetchSourceOptions> = {}): FetchSourceOptions {
  return {
    fetch,
    mirror: mirror.url,
    githubToken: undefined,
    userAgent: USER_AGENT,
    maxBodyBytes: 1024,
    timeoutMs: 5000,
    validators: undefined,
    ...overrides,
  }
}

describe('fetchSource', () => {
  it('refuses as network-error a server that refuses the connection', async () => {
    const gone = await startMirror({})
    await gone.close()
    const result = await fetchSource(FEED_URL, options({ mirror: gone.url }))
    expect(result).toMatchObject({
      kind: 'refused',
      guard: 'network-error',
      record: { url: FEED_URL, requested: `${gone.url}/${KEY}`, status: 0, bytes: 0 },
    })
    expect(result.kind === 'refused' && result.reason).toMatch(
      startsWith(`request to ${gone.url}/${KEY} failed: `),
    )
  })

  it('quotes a custom fetch that rejects with something other than an Error', async () => {
    // A non-Error rejection is the point of this test.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const offline: FetchLike = () => Promise.reject('offline (airplane mode)')
    expect(
      await fetchSource(FEED_URL, options({ fetch: offline, mirror: undefined })),
    ).toMatchObject({
      kind: 'refused',
      guard: 'network-error',
      reason: `request to ${FEED_URL} failed: offline (airplane mode)`,
      record: { requested: FEED_URL, status: 0 },
    })
  })

  it('refuses a 304 to a request that sent no validators', async () => {
    mirror.files[KEY] = (_req, res) => {
      res.writeHead(304, { etag: '"v1"' }).end()
    }
    expect(await fetchSource(FEED_URL, options())).toMatchObject({
      kind: 'refused',
      guard: 'http-error',
      reason: 'HTTP 304 to an unconditional request',
      record: { status: 304, conditional: false },
    })
  })

  it('keeps the validators it sent when the answer is 304', async () => {
    const sent: CacheEntry = { etag: '"v1"', lastModified: 'Thu, 01 Jan 2026 00:00:00 GMT' }
    mirror.files[KEY] = (req, res) => {
      res.writeHead(req.headers['if-none-match'] === sent.etag ? 304 : 500, { etag: '"v2"' }).end()
    }
    expect(await fetchSource(FEED_URL, options({ validators: sent }))).toMatchObject({
      kind: 'not-modified',
      validators: sent,
      record: { status: 304, bytes: 0, conditional: true },
    })
  })

  it('refuses a redirect to a Location that is not a URL', async () => {
    mirror.files[KEY] = (_req, res) => {
      res.writeHead(302, { location: '//[2a0b:db8::1/ips.txt' }).end()
    }
    expect(await fetchSource(FEED_URL, options())).toMatchObject({
      kind: 'refused',
      guard: 'redirect',
      reason: 'HTTP 302 to an invalid Location "//[2a0b:db8::1/ips.txt"',
      record: { requested: `${mirror.url}/${KEY}`, status: 302 },
    })
  })

  it('reads a 204 No Content (no body at all) as an empty text', async () => {
    mirror.files[KEY] = (_req, res) => {
      res.writeHead(204, { 'content-type': 'text/plain', etag: '"empty"' }).end()
    }
    expect(await fetchSource(FEED_URL, options())).toMatchObject({
      kind: 'body',
      text: '',
      contentType: 'text/plain',
      validators: { etag: '"empty"' },
      record: { status: 204, bytes: 0 },
    })
  })

  it('reports an absent Content-Type as an empty one', async () => {
    const body = '11.0.2.0/24\n'
    mirror.files[KEY] = (_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) }).end(body)
    }
    expect(await fetchSource(FEED_URL, options())).toMatchObject({
      kind: 'body',
      text: body,
      contentType: '',
      validators: {},
      record: { status: 200, bytes: body.length },
    })
  })

  it('refuses as network-error a connection dropped in the middle of the body', async () => {
    const part = '11.0.2.0/24\n'
    mirror.files[KEY] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      res.write(part, () => res.destroy())
    }
    const result = await fetchSource(FEED_URL, options())
    expect(result).toMatchObject({
      kind: 'refused',
      guard: 'network-error',
      record: { status: 200 },
    })
    expect(result.kind === 'refused' && result.reason).toMatch(
      startsWith(`reading ${mirror.url}/${KEY} failed: `),
    )
  })

  it('skips reads that carry no chunk, as a custom reader may return', async () => {
    const chunks = ['11.0.2.0/24\n', '2a0b:db8::/32\n']
    const reads = [chunks[0], undefined, chunks[1]].map((text) => ({
      done: false,
      ...(text === undefined ? {} : { value: new TextEncoder().encode(text) }),
    }))
    const custom: FetchLike = () =>
      Promise.resolve({
        status: 200,
        headers: { get: (name) => (name === 'content-type' ? 'text/plain' : null) },
        body: {
          getReader: () => ({
            read: () => Promise.resolve(reads.shift() ?? { done: true }),
            cancel: () => Promise.resolve(),
          }),
        },
      })
    expect(
      await fetchSource(FEED_URL, options({ fetch: custom, mirror: undefined })),
    ).toMatchObject({
      kind: 'body',
      text: chunks.join(''),
      record: { bytes: chunks.join('').length },
    })
  })
})

describe('fetchSource: a body read before (knownSha256)', () => {
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

  it('hashes it and leaves it undecoded until its text is asked for', async () => {
    // not UTF-8: a body that was decoded would be refused (wrong-content)
    const bytes = Buffer.from([0x31, 0x30, 0xff, 0x0a])
    mirror.files[KEY] = bytes
    const result = await fetchSource(FEED_URL, options({ knownSha256: sha(bytes) }))
    expect(result).toMatchObject({ kind: 'body', sha256: sha(bytes), record: { bytes: 4 } })
    expect(() => result.kind === 'body' && result.text).toThrow(TypeError)
  })

  it('decodes it when its text is asked for; another body at once, as always', async () => {
    mirror.files[KEY] = '\uFEFF192.0.2.0/24\n'
    const known = sha(Buffer.from('\uFEFF192.0.2.0/24\n'))
    const result = await fetchSource(FEED_URL, options({ knownSha256: known }))
    expect(Object.getOwnPropertyDescriptor(result, 'text')).toHaveProperty('get')
    const text = result.kind === 'body' ? result.text : undefined
    expect(text).toBe('192.0.2.0/24\n')
    expect(result.kind === 'body' && result.text).toBe(text)
    const other = await fetchSource(FEED_URL, options({ knownSha256: sha(Buffer.from('x')) }))
    expect(Object.getOwnPropertyDescriptor(other, 'text')).toMatchObject({
      value: '192.0.2.0/24\n',
    })
    mirror.files[KEY] = Buffer.from([0xff])
    expect(await fetchSource(FEED_URL, options({ knownSha256: known }))).toMatchObject({
      kind: 'refused',
      guard: 'wrong-content',
    })
  })
})

describe('fetchSource: POST (Imperva serves its list only to a POST)', () => {
  const validators: CacheEntry = { etag: '"v1"', lastModified: 'Mon, 01 Jun 2026 00:00:00 GMT' }

  it('sends a POST with an empty body and never a validator, through the mirror', async () => {
    mirror.files[KEY] = '{"res":0}'
    const before = mirror.requests.length
    const result = await fetchSource(FEED_URL, options({ method: 'POST', validators }))
    expect(result).toMatchObject({
      kind: 'body',
      text: '{"res":0}',
      record: { conditional: false },
    })
    const seen = mirror.requests.slice(before)
    expect(seen.map((r) => [r.method, r.key, r.body])).toEqual([['POST', KEY, '']])
    expect(seen[0]!.headers['if-none-match']).toBeUndefined()
    expect(seen[0]!.headers['if-modified-since']).toBeUndefined()
  })

  it('follows a same-host 307 or 308 as a POST', async () => {
    mirror.files[KEY] = (_req, res) => res.writeHead(308, { location: '/acme.example/v2' }).end()
    mirror.files['acme.example/v2'] = (req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"method":"${req.method}"}`)
    expect(await fetchSource(FEED_URL, options({ method: 'POST' }))).toMatchObject({
      kind: 'body',
      text: '{"method":"POST"}',
    })
  })

  it.each([301, 302, 303])('refuses a %s, which would turn the POST into a GET', async (status) => {
    mirror.files[KEY] = (_req, res) => res.writeHead(status, { location: '/acme.example/v2' }).end()
    expect(await fetchSource(FEED_URL, options({ method: 'POST' }))).toMatchObject({
      kind: 'refused',
      guard: 'redirect',
      reason: `HTTP ${status} to a POST (only 307 and 308 keep it one)`,
    })
  })
})
