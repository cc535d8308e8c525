/**
 * @module Benchmark (issue 11): a 500,000-entry feed (7.6 MB of one-CIDR lines, under the 8 MiB
 * body limit; /24s that never merge) through the bundled CLI (`fetch`, `fetch --previous` against
 * a next version 10 ranges apart, `render --format nftables`) and through the worker under
 * `wrangler dev` (sync and store from nothing, sync and diff the next version, serve it), with
 * wall time and peak memory (RSS high-water mark), beside FireHOL's `iprange` on the same list
 * (`--optimize`, `--diff`) and a static node:http server sending the same snapshot bytes.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { bundle } from '../../action/build.ts'
import { startMirror } from '../scripts/mirror-server.ts'
import { startWorkerDev } from '../worker/support/wrangler-dev.ts'
import {
  hasCommand,
  median,
  type BenchFile,
  type BenchResult,
  type Measurement,
} from './harness.ts'

const ENTRIES = 500_000

/** `count` /24s of public space that never merge (odd third octets), from 11.0.1.0/24 on. */
function bigList(count: number): string[] {
  const out: string[] = []
  for (let a = 11, b = 0, c = 1; out.length < count;) {
    out.push(`${a}.${b}.${c}.0/24`)
    c += 2
    if (c > 255) [b, c] = [b + 1, 1]
    if (b > 255) [a, b] = [a + 1, 0]
  }
  return out
}

interface Sample {
  readonly ms: number
  readonly peakKb: number
}

/**
 * One whole process under GNU time: wall ms and peak RSS; `ok` lists accepted exit codes. Not
 * spawnSync: the mirror the process fetches from runs in this process's event loop.
 */
async function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ok = [0],
): Promise<Sample> {
  const child = spawn('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const m = /^([\d.]+) (\d+)$/.exec(stderr.trim().split('\n').at(-1) ?? '')
  if (!ok.includes(status ?? -1) || m === null)
    throw new Error(`${command} ${args.join(' ')} exited ${status}: ${stderr}`)
  return { ms: Number(m[1]) * 1000, peakKb: Number(m[2]) }
}

/** `runs` samples of `fn`, one after the other. */
async function repeat(runs: number, fn: () => Promise<Sample>): Promise<Sample[]> {
  const out: Sample[] = []
  for (let i = 0; i < runs; i++) out.push(await fn())
  return out
}

function medians(samples: Sample[]): { time: Measurement; peak: Measurement } {
  return {
    time: { median: median(samples.map((s) => s.ms)), unit: 'ms', samples: samples.length },
    peak: {
      median: median(samples.map((s) => s.peakKb * 1024)),
      unit: 'bytes',
      samples: samples.length,
    },
  }
}

/** Two lines of the report: time against the peer's time, peak memory against the peer's. */
function pair(name: string, ours: Sample[], peerName: string, peer: Sample[], note: string) {
  const o = medians(ours)
  const p = medians(peer)
  return [
    {
      name: `${name}: time`,
      ours: o.time,
      peer: { name: peerName, ...p.time },
      ratio: p.time.median / o.time.median,
      note: `ratio = ${peerName} / ours; ${note}`,
    },
    {
      name: `${name}: peak RSS`,
      ours: o.peak,
      peer: { name: peerName, ...p.peak },
      ratio: p.peak.median / o.peak.median,
      note: `${(o.peak.median / 2 ** 20).toFixed(0)} MiB vs ${(p.peak.median / 2 ** 20).toFixed(0)} MiB`,
    },
  ] satisfies BenchResult[]
}

/** The RSS high-water mark (bytes) of the workerd serving `mirrorUrl`, read from /proc. */
function workerdPeak(mirrorUrl: string): number {
  let peak = 0
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')) continue
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').includes(mirrorUrl)) continue
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      peak = Math.max(peak, Number(hwm?.[1] ?? 0) * 1024)
    } catch {
      // gone, or not ours to read
    }
  }
  return peak
}

async function cliCases(dir: string, runs: number, mirrorUrl: string): Promise<BenchResult[]> {
  const cli = path.join(dir, 'dist', 'cli', 'cli.js')
  const env = { ...process.env, UPSTREAM_MIRROR: mirrorUrl }
  const v1 = path.join(dir, 'mirror', 'coolify.io', 'v1.txt')
  const v2 = path.join(dir, 'mirror', 'coolify.io', 'v2.txt')
  const live = path.join(dir, 'mirror', 'coolify.io', 'ipv4.txt')
  const previous = path.join(dir, 'previous.json')
  writeFileSync(live, readFileSync(v1))
  const out = spawn(process.execPath, [cli, 'fetch', 'coolify/cloud', '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const chunks: Buffer[] = []
  out.stdout.on('data', (c: Buffer) => chunks.push(c))
  if ((await new Promise((resolve) => out.on('close', resolve))) !== 0)
    throw new Error('fetch --json failed')
  writeFileSync(previous, Buffer.concat(chunks))
  const node = process.execPath
  const run = (args: string[]) => repeat(runs, () => timed(node, [cli, ...args], env))
  const iprange = (args: string[], ok = [0]) => repeat(runs, () => timed('iprange', args, env, ok))
  const fetchOne = await run(['fetch', 'coolify/cloud'])
  const render = await run(['render', 'coolify/cloud', '--format', 'nftables'])
  const optimize = await iprange(['--optimize', v1])
  writeFileSync(live, readFileSync(v2))
  const diff = await run(['fetch', 'coolify/cloud', '--previous', previous])
  // --diff exits 1 when the sets differ, as they do here.
  const peerDiff = await iprange([v1, '--diff', v2], [0, 1])
  return [
    ...pair(
      'CLI fetch (500,000 lines from a mirror)',
      fetchOne,
      'iprange --optimize',
      optimize,
      'whole processes; ours also fetches over HTTP, guards, hashes and prints the snapshot',
    ),
    ...pair(
      'CLI render --format nftables',
      render,
      'iprange --optimize',
      optimize,
      'whole processes',
    ),
    ...pair(
      'CLI fetch --previous (diff: 10 out, 10 in)',
      diff,
      'iprange A --diff B',
      peerDiff,
      'whole processes; ours parses the previous snapshot JSON too',
    ),
  ]
}

async function workerCases(dir: string, runs: number): Promise<BenchResult[]> {
  const v1 = readFileSync(path.join(dir, 'mirror', 'coolify.io', 'v1.txt'))
  const v2 = readFileSync(path.join(dir, 'mirror', 'coolify.io', 'v2.txt'))
  const mirror = await startMirror({
    'coolify.io/ipv4.txt': v1,
    'coolify.io/ipv6.txt': '2a01:4f8:c17:be0e::/64\n',
  })
  const dev = await startWorkerDev({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'coolify/cloud' })
  const sync = async (): Promise<number> => {
    const start = performance.now()
    const res = await fetch(`${dev.url}/__scheduled`)
    if (res.status !== 200) throw new Error(`/__scheduled: ${res.status}`)
    return performance.now() - start
  }
  try {
    const store = [await sync()]
    const listed = (await (await fetch(`${dev.url}/v1/feeds`)).json()) as {
      feeds: { id: string; version: number | null; counts: { ipv4: number } | null }[]
    }
    const feed = listed.feeds.find((f) => f.id === 'coolify/cloud')!
    if (feed.counts?.ipv4 !== ENTRIES) throw new Error(`stored ${JSON.stringify(feed)}`)
    const diffs: number[] = []
    for (let i = 0; i < runs; i++) {
      mirror.files['coolify.io/ipv4.txt'] = i % 2 === 0 ? v2 : v1
      diffs.push(await sync())
    }
    const url = `${dev.url}/v1/feeds/coolify/cloud`
    const body = Buffer.from(await (await fetch(url)).arrayBuffer())
    const peer = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(body),
    )
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r))
    const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/`
    const get = async (u: string) => {
      const start = performance.now()
      const res = await fetch(u)
      await res.arrayBuffer()
      return performance.now() - start
    }
    const served: number[] = []
    const peerServed: number[] = []
    for (let i = 0; i < runs; i++) {
      served.push(await get(url))
      peerServed.push(await get(peerUrl))
    }
    await new Promise<void>((r) => peer.close(() => r()))
    const iprange = await repeat(runs, () =>
      timed(
        'iprange',
        ['--optimize', path.join(dir, 'mirror', 'coolify.io', 'v1.txt')],
        process.env,
      ),
    )
    const peerMs: Measurement = {
      median: median(iprange.map((s) => s.ms)),
      unit: 'ms',
      samples: runs,
    }
    const m = (values: number[]): Measurement => ({
      median: median(values),
      unit: 'ms',
      samples: values.length,
    })
    const peak = workerdPeak(mirror.url)
    return [
      {
        name: 'worker: first sync, stored in D1 (lists and change as compressed parts)',
        ours: m(store),
        peer: { name: 'iprange --optimize', ...peerMs },
        ratio: peerMs.median / m(store).median,
        note: 'one /__scheduled under wrangler dev, from nothing',
      },
      {
        name: 'worker: sync and diff the next version (10 out, 10 in), stored',
        ours: m(diffs),
        peer: { name: 'iprange --optimize', ...peerMs },
        ratio: peerMs.median / m(diffs).median,
        note: 'alternating the two versions',
      },
      {
        name: `worker: GET /v1/feeds/coolify/cloud (${(body.byteLength / 2 ** 20).toFixed(1)} MiB JSON)`,
        ours: m(served),
        peer: { name: 'node:http static, same bytes', ...m(peerServed) },
        ratio: median(peerServed) / median(served),
        note: 'ratio = static / ours',
      },
      {
        name: 'worker: workerd peak RSS over the runs above',
        ours: { median: peak, unit: 'bytes', samples: 1 },
        note: `${(peak / 2 ** 20).toFixed(0)} MiB (a deployed Worker has 128 MB; this is the local dev runtime)`,
      },
    ]
  } finally {
    await dev.stop()
    await mirror.close()
  }
}

const bench: BenchFile = async ({ runs }) => {
  if (!hasCommand('iprange')) {
    console.warn('guards bench skipped: iprange not installed (apt-get install iprange)')
    return []
  }
  const rounds = Math.max(1, Math.min(runs, 5))
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-gd-bench-'))
  try {
    await bundle(path.join(dir, 'dist'))
    mkdirSync(path.join(dir, 'mirror', 'coolify.io'), { recursive: true })
    const v1 = bigList(ENTRIES)
    const fresh = bigList(10).map((c) => c.replace(/^11\./, '99.'))
    const v2 = [...v1.filter((_, i) => i % 50_000 !== 7), ...fresh]
    writeFileSync(path.join(dir, 'mirror', 'coolify.io', 'v1.txt'), `${v1.join('\n')}\n`)
    writeFileSync(path.join(dir, 'mirror', 'coolify.io', 'v2.txt'), `${v2.join('\n')}\n`)
    writeFileSync(path.join(dir, 'mirror', 'coolify.io', 'ipv6.txt'), '2a01:4f8:c17:be0e::/64\n')
    const mirror = await startMirror(path.join(dir, 'mirror'))
    let results: BenchResult[]
    try {
      results = await cliCases(dir, rounds, mirror.url)
    } finally {
      await mirror.close()
    }
    return [...results, ...(await workerCases(dir, rounds))]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export default bench
