/**
 * @module Benchmark: HTTP load with wrk against the worker under `wrangler dev` (`npm start` in a
 * fresh copy, local D1) on loopback: `GET /v1/feeds/github/hooks` served from the read cache,
 * without and with a matching If-None-Match (a 304), as requests per second and p99 latency, each
 * as a ratio to a hello-world Worker run by the same wrangler in the same run, alternating the
 * two so machine noise hits both alike (target: >= 0.9x). D1 queries per 1,000 cached reads (target
 * 0) and head-board KV reads (at most one a minute) are counted by the worker's development
 * counters (/__dev/counters, on under `npm start`).
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import {
  runCronAndWait,
  startOtherWorkerDev,
  startWorkerDev,
} from '../worker/support/wrangler-dev.ts'
import { HAVE_FIXTURES, hasCommand, median } from './harness.ts'
import type { BenchFile, BenchResult, Measurement } from './harness.ts'

/** Seconds per wrk run, connections, threads. */
const DURATION_S = 3
const CONNECTIONS = 8
const THREADS = 1
/** The ratio to the hello-world Worker issue 14 asks for. */
const TARGET_RATIO = 0.9

interface WrkResult {
  readonly rps: number
  readonly p99Ms: number
  readonly requests: number
  readonly non2xx3xx: number
}

function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (m === null) throw new Error(`wrk latency "${text}" not understood`)
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

/** Runs wrk once and reads requests/s, the request count and the p99 from its report. */
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
  const requests = /(\d+) requests in/.exec(out)
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  if (rps === null || p99 === null || requests === null) {
    throw new Error(`wrk output not understood:\n${out}`)
  }
  return {
    rps: Number(rps[1]),
    p99Ms: parseDuration(p99[1]!),
    requests: Number(requests[1]),
    non2xx3xx: Number(errors?.[1] ?? 0),
  }
}

interface Counters {
  readonly d1Queries: number
  readonly boardReads: number
}

async function counters(base: string): Promise<Counters> {
  const res = await fetch(`${base}/__dev/counters`)
  if (!res.ok) throw new Error(`/__dev/counters: ${res.status} (is DEV_COUNTERS on?)`)
  return (await res.json()) as Counters
}

const m = (values: number[], unit: Measurement['unit'], samples: number): Measurement => ({
  median: median(values),
  unit,
  samples,
})

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
  const hello = await startOtherWorkerDev(path.join(import.meta.dirname, 'hello-world'))
  try {
    await runCronAndWait(dev.url)
    const ours = `${dev.url}/v1/feeds/github/hooks`
    const first = await fetch(ours)
    if (first.status !== 200) throw new Error(`GET ${ours}: ${first.status}`)
    const bytes = (await first.arrayBuffer()).byteLength
    const etag = first.headers.get('etag')!
    await wrk(ours, {}) // warm-up: isolate, caches
    await wrk(`${hello.url}/`, {})
    const cases: { name: string; headers: Record<string, string> }[] = [
      { name: 'GET /v1/feeds/github/hooks, cached (200)', headers: {} },
      {
        name: 'GET /v1/feeds/github/hooks, If-None-Match (304)',
        headers: { 'if-none-match': etag },
      },
    ]
    const results: BenchResult[] = []
    let reads = 0
    let queries = 0
    let boardReads = 0
    const started = Date.now()
    for (const c of cases) {
      const o: WrkResult[] = []
      const p: WrkResult[] = []
      for (let i = 0; i < rounds; i++) {
        const before = await counters(dev.url)
        const run = await wrk(ours, c.headers)
        const after = await counters(dev.url)
        queries += after.d1Queries - before.d1Queries
        boardReads += after.boardReads - before.boardReads
        reads += run.requests
        o.push(run)
        p.push(await wrk(`${hello.url}/`, {}))
      }
      const errors = o.reduce((n, r) => n + r.non2xx3xx, 0)
      const oursRps = m(
        o.map((r) => r.rps),
        'req/s',
        rounds,
      )
      const peerRps = m(
        p.map((r) => r.rps),
        'req/s',
        rounds,
      )
      const oursP99 = m(
        o.map((r) => r.p99Ms),
        'ms',
        rounds,
      )
      const peerP99 = m(
        p.map((r) => r.p99Ms),
        'ms',
        rounds,
      )
      const detail = `${c.headers['if-none-match'] === undefined ? `${bytes} B body` : 'no body'}, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION_S}s x${rounds} alternating${errors > 0 ? `, ${errors} non-2xx/3xx` : ''}`
      const ratio = oursRps.median / peerRps.median
      results.push(
        {
          name: `${c.name} req/s`,
          ours: oursRps,
          peer: { name: 'hello-world Worker, same wrangler dev', ...peerRps },
          ratio,
          target: `>= ${TARGET_RATIO}x`,
          met: ratio >= TARGET_RATIO,
          note: `ratio = ours / hello world (higher is better); ${detail}`,
        },
        {
          name: `${c.name} p99`,
          ours: oursP99,
          peer: { name: 'hello-world Worker, same wrangler dev', ...peerP99 },
          ratio: peerP99.median / oursP99.median,
          note: 'ratio = hello world / ours (higher is better)',
        },
      )
    }
    // Pointers are trusted for READ_CACHE_TTL_SECONDS, then refreshed from the head board in KV:
    // one board read per window, whatever the load; D1 never.
    const windows = Math.ceil((Date.now() - started) / 60_000)
    results.push(
      {
        name: 'D1 queries per 1,000 cached reads',
        ours: { median: (queries / reads) * 1000, unit: 'ops/s', samples: reads },
        target: '0',
        met: queries === 0,
        note: `${queries} queries in ${reads} reads over ${windows} min, counted by /__dev/counters (unit: queries per 1,000 reads)`,
      },
      {
        name: 'head-board KV reads per 1,000 cached reads',
        ours: { median: (boardReads / reads) * 1000, unit: 'ops/s', samples: reads },
        target: `at most one per ${windows} 60 s window(s) of the run`,
        met: boardReads <= windows,
        note: `${boardReads} reads of FEED_HEADS in ${reads} reads over ${windows} min (Workers Free: 100,000 KV reads a day; unit: reads per 1,000 reads)`,
      },
    )
    return results
  } finally {
    await hello.stop()
    await dev.stop()
    await mirror.close()
  }
}

export default bench
