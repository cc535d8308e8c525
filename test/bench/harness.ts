/**
 * @module Benchmark helpers: medians of repeated runs, in-process or whole-process, and the
 * result shape every `*.bench.ts` file returns. Machines here are small and noisy: report medians
 * and ratios against a peer measured in the same run, never absolute pass/fail timings.
 */
import { spawnSync } from 'node:child_process'

export { FIXTURES_DIR as FIXTURES, HAVE_FIXTURES } from '../helpers/fixtures.ts'
export { hasCommand } from '../helpers/tools.ts'

/** One measured quantity: its median over `samples` runs. */
export interface Measurement {
  readonly median: number
  readonly unit: 'ms' | 'µs' | 'bytes' | 'req/s' | 'ops/s'
  readonly samples: number
}

/** One line of the report: ours, a peer's, and how they compare. */
export interface BenchResult {
  readonly name: string
  readonly ours: Measurement
  readonly peer?: { readonly name: string } & Measurement
  /** peer / ours for times (higher is better for us); stated in `ratioNote`. */
  readonly ratio?: number
  /** The target the issue sets, e.g. '>= 10x faster than cidr-tools'. */
  readonly target?: string
  /** Whether the target holds in this run. */
  readonly met?: boolean
  readonly note?: string
}

/** A benchmark file's default export. */
export type BenchFile = (options: { runs: number }) => Promise<BenchResult[]>

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median wall time of `fn` in ms after `warmup` unmeasured runs. */
export async function timeMedian(
  fn: () => unknown,
  { runs, warmup = 2 }: { runs: number; warmup?: number },
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn()
    samples.push(performance.now() - start)
  }
  return { median: median(samples), unit: 'ms', samples: runs }
}

/** Median wall time in ms of a whole process, start to exit; throws if it exits non-zero. */
export function timeProcess(
  command: string,
  args: string[],
  { runs, warmup = 1, stdin }: { runs: number; warmup?: number; stdin?: string },
): Measurement {
  const samples: number[] = []
  for (let i = 0; i < runs + warmup; i++) {
    const start = performance.now()
    const r = spawnSync(command, args, { input: stdin, stdio: ['pipe', 'ignore', 'pipe'] })
    const elapsed = performance.now() - start
    if (r.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`)
    if (i >= warmup) samples.push(elapsed)
  }
  return { median: median(samples), unit: 'ms', samples: runs }
}

/** Compares two timings: ratio = peer / ours, met when ratio >= minRatio. */
export function compareTimes(
  name: string,
  ours: Measurement,
  peer: { name: string } & Measurement,
  minRatio: number,
  target: string,
): BenchResult {
  const ratio = peer.median / ours.median
  return { name, ours, peer, ratio, target, met: ratio >= minRatio }
}
