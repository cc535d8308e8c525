/**
 * @module Benchmark (issue 14, must show 1): CPU per sync-queue invocation, per upstream source of
 * the built-in catalogue, in the JavaScript path as Workers run it (a child process with
 * WebAssembly removed: worker-cpu-child.ts), median and max over the runs, against the 10 ms
 * CPU budget of a free Workers invocation; the catalogue's sum; the unchanged-fetch path; and
 * today's path (one invocation syncing the whole catalogue) in the same run, as a ratio.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { BUILTIN_FEEDS } from '../../shared/src/feeds/index.ts'
import { sourceGroups } from '../../worker/src/jobs/source-groups.ts'
import { HAVE_FIXTURES, FIXTURES, median, type BenchFile, type BenchResult } from './harness.ts'

const BUDGET_MS = 10
const CHILD = path.join(import.meta.dirname, 'worker-cpu-child.ts')

interface Measured {
  readonly label?: string
  readonly first?: boolean
  readonly bytes?: number
  /** The sync invocation; for a body read in slices, the one that fetches and hands it over. */
  readonly changed?: number[]
  readonly unchanged?: number[]
  /** A body read in slices: each slice's read, and each feed's judge, one invocation each. */
  readonly reads?: number[][]
  readonly judges?: { feed: string; samples: number[] }[]
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
  // One child per source group, and one for today's path: each heap holds what one invocation
  // of that kind holds (a shared heap full of every fixture makes every garbage collection dear).
  const child = (group: string) => {
    const r = spawnSync(process.execPath, [CHILD, String(runs), group], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    })
    if (r.status !== 0) throw new Error(`worker-cpu-child ${group} exited ${r.status}: ${r.stderr}`)
    const out = JSON.parse(r.stdout) as { wasm: string; perSource: Measured[]; today?: Measured }
    if (out.wasm !== 'undefined') throw new Error('the child still had WebAssembly')
    return out
  }
  const out = {
    perSource: sourceGroups(BUILTIN_FEEDS).flatMap((_, i) => child(String(i)).perSource),
    today: child('today').today!,
  }
  const results: BenchResult[] = []
  const sums = { changed: 0, unchanged: 0 }
  for (const m of out.perSource) {
    const mb = `${(m.bytes! / 1e6).toFixed(2)} MB`
    const kind = m.first ? 'first sync (one fixture)' : 'changed'
    if (m.reads === undefined) results.push(row(`${m.label}, ${kind}`, m.changed!, runs, mb))
    else {
      results.push(row(`${m.label}, ${kind}: fetch and hand over`, m.changed!, runs, mb))
      // The slowest slice (by median) stands for them all; its max is the max over every slice.
      const slowest = m.reads.reduce((a, b) => (median(b) > median(a) ? b : a))
      const max = Math.max(...m.reads.flat())
      results.push({
        ...row(
          `${m.label}, ${kind}: read one slice (slowest of ${m.reads.length})`,
          slowest,
          runs,
          '',
        ),
        met: max <= BUDGET_MS,
        note: `max over every slice ${max.toFixed(2)} ms; medians ${m.reads.map((r) => median(r).toFixed(1)).join(' ')}`,
      })
      for (const j of m.judges!)
        results.push(row(`${m.label}, ${kind}: judge ${j.feed}`, j.samples, runs, 'from its parts'))
    }
    results.push(row(`${m.label}, unchanged fetch`, m.unchanged!, runs, mb))
    // A sliced source's sync is every step it takes.
    sums.changed +=
      median(m.changed!) +
      (m.reads ?? []).reduce((n, r) => n + median(r), 0) +
      (m.judges ?? []).reduce((n, j) => n + median(j.samples), 0)
    sums.unchanged += median(m.unchanged!)
  }
  const today = median(out.today.changed!)
  const todayUnchanged = median(out.today.unchanged!)
  const worst = Math.max(
    ...out.perSource.flatMap((m) => [
      ...(m.changed ?? []),
      ...(m.reads ?? []).flat(),
      ...(m.judges ?? []).flatMap((j) => j.samples),
    ]),
  )
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
