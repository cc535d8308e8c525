/**
 * @module The policy readers at scale (issue 12, must-show 4): peak memory and time of
 * `allowlist-sync verify` (read, then evaluate the web-minimal preset) on 10 MB, 50 MB and 100 MB
 * `iptables-save` dumps of a Docker + fail2ban host (realistic-dump.ts), as a user runs it: the
 * CLI's own process (action/src/cli/cli.ts; configs this big are verified in its worker thread,
 * verify-thread.ts), its peak RSS from /usr/bin/time, less the peak of the same command on a
 * 10 kB dump of the same host with the worker forced (ALLOWLIST_SYNC_VERIFY_THREAD_FROM=0): Node,
 * the modules and the thread. Memory is reported as a multiple of the dump's size (target at most 5x); time as ms per
 * MB, which stays flat when time is linear.
 * The readers alone, in the main thread (policy-readers-child.ts, peak from
 * process.resourceUsage()): their time, whether it is linear, their peak without the worker's
 * capped young generation, and the heap the configs hold after a full collection, per line.
 * Peer, on the same files in the same run: `iptables-restore --test` in a throwaway network
 * namespace (root only; the dump's ipsets restored there first), its peak RSS from
 * /usr/bin/time. Runs: at most 3 per size (a 100 MB verify takes seconds).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { IS_ROOT, hasCommand } from '../helpers/tools.ts'
import { median, type BenchFile, type BenchResult, type Measurement } from './harness.ts'
import { realisticIpsets, realisticIptablesSave } from './realistic-dump.ts'

const CHILD = path.join(import.meta.dirname, 'policy-readers-child.ts')
const CLI = path.join(import.meta.dirname, '../../action/src/cli/cli.ts')
const SIZES_MB = [10, 50, 100]
const MB = 1e6
const ENV = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` }

/** What one run of the child prints. */
interface ChildRun {
  ms: number
  rules: number
  maxRss: number
  heapUsed: number
}

/** One run of the child: its own time for reading, its peak RSS and the heap it holds. */
function child(args: string[]): ChildRun {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, ...args], {
    encoding: 'utf8',
    env: ENV,
  })
  if (r.status !== 0) throw new Error(`policy-readers-child exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as ChildRun
}

/**
 * A command's wall time and peak RSS (from /usr/bin/time -f %M, in KiB); throws unless it exits
 * with one of `codes`.
 */
function timed(
  args: string[],
  { env = ENV, codes = [0] }: { env?: NodeJS.ProcessEnv; codes?: number[] } = {},
): { ms: number; maxRss: number } {
  const start = performance.now()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...args], { encoding: 'utf8', env })
  const ms = performance.now() - start
  if (!codes.includes(r.status ?? -1))
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return { ms, maxRss: Number(r.stderr.trim().split('\n').at(-1)) * 1024 }
}

/** `allowlist-sync verify` of web-minimal on `configs` (exit 0 compliant, 1 violations). */
const verify = (configs: string[], env: NodeJS.ProcessEnv = ENV) =>
  timed(
    [
      process.execPath,
      CLI,
      'verify',
      '--policy',
      'web-minimal',
      ...configs.flatMap((c) => ['--config', c]),
    ],
    { env, codes: [0, 1] },
  )

const ms = (v: number): Measurement => ({ median: v, unit: 'ms', samples: 1 })

const bench: BenchFile = ({ runs }) => {
  const n = Math.max(1, Math.min(runs, 3))
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-rd-bench-'))
  const ipsets = path.join(dir, 'ipsets.save')
  writeFileSync(ipsets, realisticIpsets())
  const results: BenchResult[] = []
  const canPeer =
    IS_ROOT && hasCommand('ip') && hasCommand('iptables-restore') && hasCommand('ipset')
  const ns = `asr-rd-bench-${process.pid}`
  if (canPeer) {
    spawnSync('ip', ['netns', 'add', ns], { env: ENV })
    spawnSync('ip', ['netns', 'exec', ns, 'ipset', 'restore', '-f', ipsets], { env: ENV })
  }
  try {
    const empty = Array.from({ length: n }, () => child([ipsets]))
    const base = median(empty.map((e) => e.maxRss))
    const baseHeap = median(empty.map((e) => e.heapUsed))
    const perMb: number[] = []
    const peers = new Map<number, { ms: number; maxRss: number }>()
    for (const size of SIZES_MB) {
      const file = path.join(dir, `rules-${size}mb.v4`)
      const text = realisticIptablesSave(size * MB)
      writeFileSync(file, text)
      const bytes = text.length
      const ours = Array.from({ length: n }, () => child([ipsets, file]))
      const oursMs = median(ours.map((o) => o.ms))
      const peak = median(ours.map((o) => o.maxRss)) - base
      perMb.push(oursMs / (bytes / MB))
      let peer: { ms: number; maxRss: number } | undefined
      if (canPeer) {
        const p = Array.from({ length: n }, () =>
          timed(['ip', 'netns', 'exec', ns, 'iptables-restore', '--test', file]),
        )
        peer = { ms: median(p.map((x) => x.ms)), maxRss: median(p.map((x) => x.maxRss)) }
        peers.set(size, peer)
      }
      const rules = text.split('\n').length
      results.push({
        name: `read a ${size} MB iptables-save (${rules.toLocaleString('en')} lines): time`,
        ours: { ...ms(oursMs), samples: n },
        ...(peer
          ? {
              peer: { name: 'iptables-restore --test', ...ms(peer.ms), samples: n },
              ratio: peer.ms / oursMs,
            }
          : {}),
        note: `${(oursMs / (bytes / MB)).toFixed(0)} ms/MB${peer ? `; peer ${(peer.ms / (bytes / MB)).toFixed(0)} ms/MB` : '; peer skipped: needs root, ip, ipset and iptables-restore'}`,
      })
      const multiple = peak / bytes
      const held = median(ours.map((o) => o.heapUsed)) - baseHeap
      const perLine = (held - bytes) / rules
      // the target is verify's, below: the process a user runs, its worker thread included
      results.push({
        name: `read a ${size} MB iptables-save in the main thread: peak memory over an empty run`,
        ours: { median: peak, unit: 'bytes', samples: n },
        note: `${multiple.toFixed(2)}x the input (${(peak / 2 ** 20).toFixed(0)} MiB); after a full GC the heap holds ${(held / bytes).toFixed(2)}x: the input and ${perLine.toFixed(0)} B per line (runs of rules are held as one)`,
      })
      rmSync(file)
    }
    results.push({
      name: 'time is linear: ms per MB at 100 MB (ours) against ms per MB at 10 MB (peer column)',
      ours: { ...ms(perMb.at(-1)!), samples: n },
      peer: { name: 'the same reader at 10 MB', ...ms(perMb[0]!), samples: n },
      ratio: perMb[0]! / perMb.at(-1)!,
      target: '>= 0.67 (ms per MB flat within 1.5x)',
      met: perMb[0]! / perMb.at(-1)! >= 1 / 1.5,
      note: `ms/MB: ${perMb.map((v) => v.toFixed(0)).join(', ')} at ${SIZES_MB.join(', ')} MB`,
    })
    // verify as a user runs it (read + evaluate a preset), over the same command on a 10 kB dump
    const tiny = path.join(dir, 'verify-10kb.v4')
    writeFileSync(tiny, realisticIptablesSave(10_000))
    const noDump = Array.from({ length: n }, () =>
      verify([ipsets, tiny], { ...ENV, ALLOWLIST_SYNC_VERIFY_THREAD_FROM: '0' }),
    )
    const verifyBase = median(noDump.map((r) => r.maxRss))
    for (const size of SIZES_MB) {
      const file = path.join(dir, `verify-${size}mb.v4`)
      const text = realisticIptablesSave(size * MB)
      writeFileSync(file, text)
      const runs = Array.from({ length: n }, () => verify([ipsets, file]))
      const peak = median(runs.map((r) => r.maxRss)) - verifyBase
      const multiple = peak / text.length
      const peer = peers.get(size)
      results.push({
        name: `allowlist-sync verify (read + evaluate web-minimal) a ${size} MB iptables-save: peak memory over the same command on a 10 kB dump`,
        ours: { median: peak, unit: 'bytes', samples: n },
        ...(peer
          ? {
              peer: {
                name: 'iptables-restore --test (whole process)',
                median: peer.maxRss,
                unit: 'bytes',
                samples: n,
              },
            }
          : {}),
        target: '<= 5x the input',
        met: multiple <= 5,
        note: `${multiple.toFixed(2)}x the input (${(peak / 2 ** 20).toFixed(0)} MiB); ${(median(runs.map((r) => r.ms)) / size).toFixed(0)} ms/MB, the whole process`,
      })
      rmSync(file)
    }
  } finally {
    if (canPeer) spawnSync('ip', ['netns', 'del', ns], { env: ENV })
    rmSync(dir, { recursive: true, force: true })
  }
  return Promise.resolve(results)
}

export default bench
