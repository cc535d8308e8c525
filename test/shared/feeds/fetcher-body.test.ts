/**
 * Tests of how the fetcher reads a body: every byte once, whatever the chunks it arrives in and
 * whatever length the server declared (a gzip body's Content-Length is the compressed one), and
 * refused once it passes the limit. The oracle is the bytes sent. Real responses come from a
 * node:http server on loopback read with the real global fetch (exact, gzip, chunked); fast-check
 * then varies chunk sizes, declared lengths and limits on byte streams in memory (what a fetch body
 * is) against a reader of plain chunks.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FetchLike } from '../../../shared/src/feeds/index.ts'
import {
  fetchSource,
  USER_AGENT,
  type FetchSourceOptions,
} from '../../../shared/src/feeds/fetcher.ts'

const URL_ = 'https://acme.example/ips.txt'

/** Lines of addresses, `n` bytes or a little more: a body whose every byte is checked. */
function body(n: number): Buffer {
  const lines: string[] = []
  for (let i = 0, size = 0; size < n; i++) {
    const line = `198.51.${(i >> 8) & 255}.${i & 255}/32\n`
    lines.push(line)
    size += line.length
  }
  return Buffer.from(lines.join('').slice(0, n))
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

function options(fetch: FetchLike, maxBodyBytes: number): FetchSourceOptions {
  return {
    fetch,
    mirror: undefined,
    githubToken: undefined,
    userAgent: USER_AGENT,
    maxBodyBytes,
    timeoutMs: 5000,
    validators: undefined,
  }
}

describe('fetchSource: a real response body', () => {
  const big = body(300_000)
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/gzip') {
        const packed = gzipSync(big)
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': packed.length })
        res.end(packed)
      } else if (req.url === '/chunked') {
        res.writeHead(200) // no Content-Length: chunked
        for (let at = 0; at < big.length; at += 7_000) res.write(big.subarray(at, at + 7_000))
        res.end()
      } else {
        res.writeHead(200, { 'content-length': big.length })
        res.end(big)
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  // fetch decodes gzip: the declared length is the compressed one, far below what arrives.
  it.each(['/exact', '/gzip', '/chunked'])('%s: every byte, once', async (path) => {
    const fetchIt: FetchLike = (_url, init) => fetch(`${base}${path}`, init)
    const result = await fetchSource(URL_, options(fetchIt, 1_000_000))
    expect(result.kind).toBe('body')
    if (result.kind !== 'body') return
    expect(result.bytes.byteLength).toBe(big.length)
    expect(result.bytes.buffer.byteLength).toBe(big.length)
    expect(result.sha256).toBe(sha(big))
    expect(result.record.bytes).toBe(big.length)
  })

  it.each(['/gzip', '/chunked'])('%s: refused once it passes the limit', async (path) => {
    const fetchIt: FetchLike = (_url, init) => fetch(`${base}${path}`, init)
    const result = await fetchSource(URL_, options(fetchIt, big.length - 1))
    expect(result).toMatchObject({ kind: 'refused', guard: 'oversized' })
    expect(result.kind === 'refused' && result.reason).toBe(
      `the body is over the limit of ${big.length - 1} bytes`,
    )
  })
})

/** A byte stream sending `chunks`, as a fetch body arrives: never an empty one (refused). */
function byteStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  const queue = chunks.filter((c) => c.byteLength > 0).map((c) => new Uint8Array(c))
  return new ReadableStream({
    type: 'bytes',
    pull(controller) {
      const chunk = queue.shift()
      if (chunk === undefined) controller.close()
      else controller.enqueue(chunk)
    },
  })
}

/** The same chunks through a reader of plain chunks (a custom body). */
function chunkReader(chunks: readonly Uint8Array[]) {
  const queue = chunks.map((c) => ({ done: false, value: new Uint8Array(c) }))
  return {
    getReader: () => ({
      read: () => Promise.resolve(queue.shift() ?? { done: true }),
      cancel: () => Promise.resolve(),
    }),
  }
}

describe('fetchSource: a byte stream against a reader of plain chunks', () => {
  it('reads any chunks under any declared length into exactly the bytes sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 90_000 }), { maxLength: 6 }),
        fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 400_000 })),
        fc.integer({ min: 0, max: 300_000 }),
        async (sizes, declared, max) => {
          const all = body(sizes.reduce((n, s) => n + s, 0))
          const chunks: Uint8Array[] = []
          for (let at = 0, i = 0; i < sizes.length; at += sizes[i]!, i++)
            chunks.push(all.subarray(at, at + sizes[i]!))
          const headers: Record<string, string> =
            declared === undefined ? {} : { 'content-length': String(declared) }
          const asBytes: FetchLike = () =>
            Promise.resolve(new Response(byteStream(chunks), { status: 200, headers }))
          const asChunks: FetchLike = () =>
            Promise.resolve({
              status: 200,
              headers: {
                get: (name: string) =>
                  name === 'content-length' ? (headers['content-length'] ?? null) : null,
              },
              body: chunkReader(chunks),
            })
          const [read, oracle] = await Promise.all([
            fetchSource(URL_, options(asBytes, max)),
            fetchSource(URL_, options(asChunks, max)),
          ])
          const over = all.length > max || (declared ?? 0) > max
          expect(read.kind).toBe(over ? 'refused' : 'body')
          // A refusal counts what was read until then, which depends on the reads' sizes.
          if (read.kind === 'refused' && read.record.bytes !== oracle.record.bytes)
            expect(read.record.bytes).toBeGreaterThan(max)
          expect(read).toEqual({
            ...oracle,
            record: { ...oracle.record, bytes: read.record.bytes },
          })
          if (read.kind === 'body') {
            expect(Buffer.from(read.bytes).equals(all)).toBe(true)
            expect(read.bytes.buffer.byteLength).toBe(all.length)
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})
