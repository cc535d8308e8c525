/**
 * @module Benchmark: HTTP load with wrk against the worker under `wrangler dev` (`npm start` in a
 * fresh copy, local D1) on loopback: `GET /v1/feeds/github/hooks` without and with a matching
 * If-None-Match (a 304), as requests per second and p99 latency, each as a ratio to a static file
 * server (node:http, serving the same JSON bytes with an ETag and 304s) measured in the same run,
 * alternating the two so machine noise hits both alike. `GET /healthz` on the same wrangler dev is
 * measured too: the floor of the development server itself, no binding touched.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import { startWorkerDev } from '../worker/support/wrangler-dev.ts'
import { HAVE_FIXTURES, hasCommand, median } from './harness.ts'
import type { BenchFile, BenchResult, Measurement } from './harness.ts'

/** Seconds per wrk run, connections, threads. */
const DURATION_S = 3
const CONNECTIONS = 8
const THREADS = 1

interface WrkResult {
  readonly rps: number
  readonly p99Ms: number
  readonly non2xx3xx: number
}

function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (m === null) throw new Error(`wrk latency "${text}" not understood`)
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

/** Runs wrk once and reads requests/s and the p99 from its --latency report. */
async function wrk(url: string, headers: Record<string, string>): Promise<WrkResult> {
  const args = [
    '-t',
    String(THREADS),
    '-c',
    String(CONNECTIONS),
    '-d',
    `${DURATION_S}s`,
    '--latency',
  ]
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
  args.push(url)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout.on('data', (c: Buffer) => (text += c.toString()))
    child.stderr.on('data', (c: Buffer) => (text += c.toString()))
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
    )
  })
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  if (rps === null || p99 === null) throw new Error(`wrk output not understood:\n${out}`)
  return { rps: Number(rps[1]), p99Ms: parseDuration(p99[1]!), non2xx3xx: Number(errors?.[1] ?? 0) }
}

/** A static file server: the same bytes, a strong ETag, 304 on If-None-Match. */
async function startStatic(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const etag = `"${createHash('sha256').update(body).digest('hex')}"`
  const server = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'public, max-age=60' }).end()
      return
    }
    res
      .writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.byteLength,
        etag,
        'cache-control': 'public, max-age=60',
      })
      .end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const bench: BenchFile = async ({ runs }) => {
  if (!hasCommand('wrk')) {
    console.warn('worker bench skipped: wrk not installed (apt-get install wrk)')
    return []
  }
  if (!HAVE_FIXTURES) {
    console.warn('worker bench skipped: ../shared/fixtures is absent (github/hooks comes from it)')
    return []
  }
  const rounds = Math.max(1, Math.min(runs, 5))
  const mirror = await startMirror(fixtureMirrorLayout(LATEST_FIXTURES))
  const dev = await startWorkerDev({ UPSTREAM_MIRROR: mirror.url })
  let peer: Awaited<ReturnType<typeof startStatic>> | undefined
  try {
    if ((await fetch(`${dev.url}/__scheduled`)).status !== 200) throw new Error('sync failed')
    const ours = `${dev.url}/v1/feeds/github/hooks`
    const first = await fetch(ours)
    if (first.status !== 200) throw new Error(`GET ${ours}: ${first.status}`)
    const body = Buffer.from(await first.arrayBuffer())
    const workerEtag = first.headers.get('etag')!
    peer = await startStatic(body)
    const peerEtag = (await fetch(peer.url)).headers.get('etag')!
    await wrk(ours, {}) // warm-up: isolate, D1 page cache
    const cases: {
      name: string
      url: string
      ours: Record<string, string>
      peer: Record<string, string>
    }[] = [
      { name: 'GET /v1/feeds/github/hooks (200)', url: ours, ours: {}, peer: {} },
      {
        name: 'GET /v1/feeds/github/hooks, If-None-Match (304)',
        url: ours,
        ours: { 'if-none-match': workerEtag },
        peer: { 'if-none-match': peerEtag },
      },
      // The floor of wrangler dev itself: a route that touches no binding and sends 11 bytes.
      { name: 'GET /healthz (wrangler dev floor)', url: `${dev.url}/healthz`, ours: {}, peer: {} },
    ]
    const results: BenchResult[] = []
    for (const c of cases) {
      const o: WrkResult[] = []
      const p: WrkResult[] = []
      for (let i = 0; i < rounds; i++) {
        o.push(await wrk(c.url, c.ours))
        p.push(await wrk(peer.url, c.peer))
      }
      const errors = o.reduce((n, r) => n + r.non2xx3xx, 0)
      const m = (values: number[], unit: Measurement['unit']): Measurement => ({
        median: median(values),
        unit,
        samples: rounds,
      })
      const oursRps = m(
        o.map((r) => r.rps),
        'req/s',
      )
      const peerRps = m(
        p.map((r) => r.rps),
        'req/s',
      )
      const oursP99 = m(
        o.map((r) => r.p99Ms),
        'ms',
      )
      const peerP99 = m(
        p.map((r) => r.p99Ms),
        'ms',
      )
      const detail = `${body.byteLength} B body, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION_S}s x${rounds} alternating${errors > 0 ? `, ${errors} non-2xx/3xx` : ''}`
      results.push(
        {
          name: `${c.name} req/s`,
          ours: oursRps,
          peer: { name: 'node:http static file', ...peerRps },
          ratio: oursRps.median / peerRps.median,
          note: `ratio = ours / static (higher is better); ${detail}`,
        },
        {
          name: `${c.name} p99`,
          ours: oursP99,
          peer: { name: 'node:http static file', ...peerP99 },
          ratio: peerP99.median / oursP99.median,
          note: 'ratio = static / ours (higher is better)',
        },
      )
    }
    return results
  } finally {
    await peer?.close()
    await dev.stop()
    await mirror.close()
  }
}

export default bench
