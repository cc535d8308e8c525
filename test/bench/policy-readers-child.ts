/**
 * @module The process test/bench/policy-readers.bench.ts measures: reads its config files as the
 * CLI does (`readFileSync` as UTF-8 text), runs the readers on them (and, with `--verify`, the
 * evaluator too), and prints `{"ms": ..., "maxRss": ...}` (maxRss in bytes, from
 * process.resourceUsage(): the peak of the whole process) and `heapUsed`, the heap still in use
 * after a full collection once the configs are read (run with --expose-gc; taken after the peak,
 * so it does not change it). With no files it measures the baseline: Node and the modules
 * loaded, nothing read.
 */
import { readFileSync } from 'node:fs'
import { evaluatePolicy, presetPolicy, readFirewallConfigs } from '../../shared/src/index.ts'

const verify = process.argv.includes('--verify')
const files = process.argv.slice(2).filter((a) => a !== '--verify')
const start = performance.now()
const inputs = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }))
const configs = readFirewallConfigs(inputs)
let rules = configs.reduce((n, c) => n + c.chains.reduce((m, ch) => m + ch.rules.length, 0), 0)
if (verify) rules += evaluatePolicy(presetPolicy('web-minimal'), configs).findings.length
const ms = performance.now() - start
const maxRss = process.resourceUsage().maxRSS * 1024
// the configs (and the inputs) stay reachable while the heap is measured
Object.assign(globalThis, { held: { configs, inputs } })
;(globalThis as { gc?: () => void }).gc?.()
const heapUsed = process.memoryUsage().heapUsed
process.stdout.write(`${JSON.stringify({ ms, rules, maxRss, heapUsed })}\n`)
