/**
 * Tests of how the fetcher reads a body: every byte once, whatever the chunks it arrives in and
 * whatever length the server declared (a gzip body's Content-Length is the compressed one), and
 * refused once it passes the limit. The oracle is the bytes sent. Real responses come from a
 * node:http server on loopback read with the real global fetch (exact, gzip, chunked); fast-check
 * then varies chunk sizes, declared lengths and limits on byte streams in memory (what a fetch body
 * is) against a reader of plain chunks. With memory lent (a worker's: BodyMemory), the body is read
 * into it through a BYOB reader, and the same bytes come out.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BodyMemory, FetchLike } from '../../../shared/src/feeds/index.ts'
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

/**
 * Memory lent as a worker lends it: a buffer of `extra` bytes more than asked (an idle one that
 * fits is larger), recording what was taken and kept.
 */
function lentMemory(extra = 0) {
  const taken: ArrayBuffer[] = []
  const kept: ArrayBuffer[] = []
  const memory: BodyMemory = {
    take: (size) => {
      const buffer = new ArrayBuffer(size + extra)
      taken.push(buffer)
      return buffer
    },
    keep: (buffer) => void kept.push(buffer),
  }
  return { memory, taken, kept }
}

function options(
  fetch: FetchLike,
  maxBodyBytes: number,
  bodyMemory?: BodyMemory,
): FetchSourceOptions {
  return {
    ...(bodyMemory === undefined ? {} : { bodyMemory }),
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

  // With memory lent (a worker's): read through a BYOB reader into it, the body a view of it.
  it.each(['/exact', '/gzip', '/chunked'])(
    '%s, into memory lent: every byte, once, in the buffer kept',
    async (path) => {
      const fetchIt: FetchLike = (_url, init) => fetch(`${base}${path}`, init)
      const { memory, taken, kept } = lentMemory(100)
      const result = await fetchSource(URL_, options(fetchIt, 1_000_000, memory))
      expect(result.kind).toBe('body')
      if (result.kind !== 'body') return
      expect(Buffer.from(result.bytes).equals(big)).toBe(true)
      expect(result.sha256).toBe(sha(big))
      expect(result.record.bytes).toBe(big.length)
      expect(kept).toEqual([result.bytes.buffer])
      expect(result.bytes.byteOffset).toBe(0)
      // The declared length was taken at once; a compressed or absent one grew by taking more.
      expect(taken.length === 1).toBe(path === '/exact')
    },
  )

  it.each(['/gzip', '/chunked'])('%s: refused once it passes the limit', async (path) => {
    const fetchIt: FetchLike = (_url, init) => fetch(`${base}${path}`, init)
    const { memory, kept } = lentMemory()
    for (const lent of [undefined, memory]) {
      const result = await fetchSource(URL_, options(fetchIt, big.length - 1, lent))
      expect(result).toMatchObject({ kind: 'refused', guard: 'oversized' })
      expect(result.kind === 'refused' && result.reason).toBe(
        `the body is over the limit of ${big.length - 1} bytes`,
      )
    }
    expect(kept).toEqual([])
  })

  it('a body that is not a byte stream is read by chunks, memory lent or not', async () => {
    const { memory, taken } = lentMemory()
    const parts = [big.subarray(0, 1000), big.subarray(1000)]
    const custom: FetchLike = () =>
      Promise.resolve({ status: 200, headers: { get: () => null }, body: chunkReader(parts) })
    // A stream of chunks, not of bytes: it has no BYOB reader.
    const notBytes: FetchLike = () => {
      const queue = [...parts]
      const stream = new ReadableStream<Uint8Array>({
        pull: (c) => (queue.length > 0 ? c.enqueue(new Uint8Array(queue.shift()!)) : c.close()),
      })
      return Promise.resolve(new Response(stream, { status: 200 }))
    }
    for (const fetchIt of [custom, notBytes]) {
      const result = await fetchSource(URL_, options(fetchIt, 1_000_000, memory))
      expect(result.kind === 'body' && Buffer.from(result.bytes).equals(big)).toBe(true)
    }
    expect(taken).toEqual([])
  })
})

/**
 * A byte stream sending `chunks`, as a fetch body arrives, answering BYOB reads (at most the view)
 * as a socket does: never with nothing (a byte stream refuses an empty chunk).
 */
function byteStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  const queue = chunks.filter((c) => c.byteLength > 0).map((c) => new Uint8Array(c))
  return new ReadableStream({
    type: 'bytes',
    pull(controller) {
      const chunk = queue[0]
      if (chunk === undefined) {
        controller.close()
        controller.byobRequest?.respond(0)
        return
      }
      const request = controller.byobRequest
      const view = request?.view
      if (!request || !view) {
        controller.enqueue(queue.shift()!)
        return
      }
      const n = Math.min(view.byteLength, chunk.byteLength)
      new Uint8Array(view.buffer, view.byteOffset, n).set(chunk.subarray(0, n))
      if (n === chunk.byteLength) queue.shift()
      else queue[0] = chunk.subarray(n)
      request.respond(n)
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
        // Memory lent (a worker's: BYOB into it, a buffer as large as asked or larger), or none.
        fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 3 })),
        async (sizes, declared, max, extra) => {
          const lent = extra === undefined ? undefined : lentMemory(extra)
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
            fetchSource(URL_, options(asBytes, max, lent?.memory)),
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
            if (lent === undefined) expect(read.bytes.buffer.byteLength).toBe(all.length)
            else expect(lent.kept).toEqual([read.bytes.buffer])
          } else expect(lent?.kept ?? []).toEqual([])
        },
      ),
      { numRuns: 150 },
    )
  })
})
