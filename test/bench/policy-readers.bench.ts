/**
 * @module The policy readers at scale (issue 12, must-show 4): peak memory and time of reading
 * 10 MB, 50 MB and 100 MB `iptables-save` dumps of a Docker + fail2ban host (realistic-dump.ts),
 * each in a child process (policy-readers-child.ts: peak RSS from process.resourceUsage(), minus
 * the same child's peak with no dump: Node and the modules). Memory is reported as a multiple of
 * the dump's size (target at most 5x); time as ms per MB, which stays flat when time is linear.
 * Where the memory goes: the heap the configs still hold after a full collection, less the
 * input text and the baseline's heap, per line of the dump. Then `verify` as a whole (read and
 * evaluate the web-minimal preset) at each size, one run: its peak and its time per MB.
 * Peer, on the same files in the same run: `iptables-restore --test` in a throwaway network
 * namespace (root only; the dump's ipsets restored there first), its peak RSS from
 * /usr/bin/time. Runs: at most 3 per size (a 100 MB read takes tens of seconds).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { IS_ROOT, hasCommand } from '../helpers/tools.ts'
import { median, type BenchFile, type BenchResult, type Measurement } from './harness.ts'
import { realisticIpsets, realisticIptablesSave } from './realistic-dump.ts'

const CHILD = path.join(import.meta.dirname, 'policy-readers-child.ts')
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

/** A command's wall time and peak RSS (from /usr/bin/time -f %M, in KiB). */
function timed(args: string[]): { ms: number; maxRss: number } {
  const start = performance.now()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...args], { encoding: 'utf8', env: ENV })
  const ms = performance.now() - start
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return { ms, maxRss: Number(r.stderr.trim().split('\n').at(-1)) * 1024 }
}

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
      results.push({
        name: `read a ${size} MB iptables-save: peak memory over an empty run`,
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
    // verify as a whole (read + evaluate a preset), one run per size: peak and time per MB
    for (const size of SIZES_MB) {
      const file = path.join(dir, `verify-${size}mb.v4`)
      const text = realisticIptablesSave(size * MB)
      writeFileSync(file, text)
      const r = child(['--verify', ipsets, file])
      const multiple = (r.maxRss - base) / text.length
      results.push({
        name: `verify (read + evaluate web-minimal) a ${size} MB iptables-save, one run`,
        ours: ms(r.ms),
        target: 'peak <= 5x the input',
        met: multiple <= 5,
        note: `${(r.ms / size).toFixed(0)} ms/MB; peak ${multiple.toFixed(2)}x the input over an empty run`,
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
