/**
 * @module `npm run bench [-- [--json] [--runs N] [NAME...]]`: runs every test/bench/*.bench.ts (or
 * those whose file name contains a NAME) and prints medians and ratios; `--json` for machines.
 */
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { BenchFile, BenchResult } from './harness.ts'

const { values, positionals } = parseArgs({
  options: { json: { type: 'boolean', default: false }, runs: { type: 'string', default: '7' } },
  allowPositionals: true,
})
const runs = Number(values.runs)
const files = (await readdir(import.meta.dirname))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => positionals.length === 0 || positionals.some((p) => f.includes(p)))
  .sort()

const report: Record<string, BenchResult[]> = {}
for (const file of files) {
  const mod = (await import(path.join(import.meta.dirname, file))) as { default: BenchFile }
  const results = await mod.default({ runs })
  report[file.replace(/\.bench\.ts$/, '')] = results
  if (!values.json) printResults(file, results)
}
if (values.json) process.stdout.write(`${JSON.stringify({ runs, report }, null, 2)}\n`)

function fmt(m: { median: number; unit: string }): string {
  return `${m.median < 10 ? m.median.toFixed(2) : m.median.toFixed(1)} ${m.unit}`
}

function printResults(file: string, results: BenchResult[]): void {
  console.log(`\n${file} (median of ${runs})`)
  for (const r of results) {
    const peer = r.peer ? `  vs ${r.peer.name} ${fmt(r.peer)}` : ''
    const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}x`
    const target = r.target ? `  target ${r.target}: ${r.met ? 'met' : 'NOT met'}` : ''
    console.log(
      `  ${r.name}: ${fmt(r.ours)}${peer}${ratio}${target}${r.note ? `  (${r.note})` : ''}`,
    )
  }
}
