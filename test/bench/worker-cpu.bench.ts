/**
 * @module Benchmark (issue 14, must show 1): CPU per sync-queue invocation, per upstream source of
 * the built-in catalogue, in the JavaScript path as Workers run it (a child process with
 * WebAssembly removed: worker-cpu-child.ts), median and max over the runs, against the 10 ms
 * CPU budget of a free Workers invocation; the catalogue's sum; the unchanged-fetch path; and
 * today's path (one invocation syncing the whole catalogue) in the same run, as a ratio.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { HAVE_FIXTURES, FIXTURES, median, type BenchFile, type BenchResult } from './harness.ts'

const BUDGET_MS = 10
const CHILD = path.join(import.meta.dirname, 'worker-cpu-child.ts')

interface Measured {
  readonly label?: string
  readonly first?: boolean
  readonly bytes?: number
  readonly changed?: number[]
  readonly unchanged?: number[]
}

function row(name: string, samples: number[], runs: number, note: string): BenchResult {
  const max = Math.max(...samples)
  return {
    name,
    ours: { median: median(samples), unit: 'ms', samples: runs },
    target: `CPU <= ${BUDGET_MS} ms per invocation (median and max)`,
    met: max <= BUDGET_MS,
    note: `max ${max.toFixed(2)} ms; ${note}`,
  }
}

const bench: BenchFile = ({ runs }) => {
  if (!HAVE_FIXTURES) {
    console.warn(`skipping worker-cpu bench: ${FIXTURES} is absent`)
    return Promise.resolve([])
  }
  const r = spawnSync(process.execPath, [CHILD, String(runs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  })
  if (r.status !== 0) throw new Error(`worker-cpu-child exited ${r.status}: ${r.stderr}`)
  const out = JSON.parse(r.stdout) as { wasm: string; perSource: Measured[]; today: Measured }
  if (out.wasm !== 'undefined') throw new Error('the child still had WebAssembly')
  const results: BenchResult[] = []
  const sums = { changed: 0, unchanged: 0 }
  for (const m of out.perSource) {
    const mb = `${(m.bytes! / 1e6).toFixed(2)} MB`
    results.push(
      row(`${m.label}, ${m.first ? 'first sync (one fixture)' : 'changed'}`, m.changed!, runs, mb),
    )
    results.push(row(`${m.label}, unchanged fetch`, m.unchanged!, runs, mb))
    sums.changed += median(m.changed!)
    sums.unchanged += median(m.unchanged!)
  }
  const today = median(out.today.changed!)
  const todayUnchanged = median(out.today.unchanged!)
  const worst = Math.max(...out.perSource.flatMap((m) => m.changed ?? []))
  results.push({
    name: 'whole catalogue, sum of per-source medians, changed',
    ours: { median: sums.changed, unit: 'ms', samples: runs },
    peer: {
      name: "today's path: one invocation syncs everything",
      median: today,
      unit: 'ms',
      samples: runs,
    },
    ratio: today / sums.changed,
    note: `largest single invocation (max) ${worst.toFixed(2)} ms = ${(worst / today).toFixed(2)}x today's one invocation`,
  })
  results.push({
    name: 'whole catalogue, sum of per-source medians, unchanged fetch',
    ours: { median: sums.unchanged, unit: 'ms', samples: runs },
    peer: { name: "today's path, unchanged", median: todayUnchanged, unit: 'ms', samples: runs },
    ratio: todayUnchanged / sums.unchanged,
  })
  return Promise.resolve(results)
}

export default bench
