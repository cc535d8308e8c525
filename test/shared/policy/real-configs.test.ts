/**
 * @module Issue 12 must-show 1: every real configuration of test/fixtures/real-configs/ read and
 * judged end to end, against the verdict and findings read by hand as the kernel reads the file
 * (the table in real-configs.table.ts, its sources in SOURCES.md).
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  evaluatePolicy,
  isPresetId,
  parsePolicy,
  PolicyError,
  presetPolicy,
  reachOf,
  readFirewallConfigs,
  type Evaluation,
  type Policy,
} from '../../../shared/src/index.ts'
import { REAL_CONFIGS, type Reach, type RealConfigCase } from './real-configs.table.ts'

const ROOT = path.resolve(import.meta.dirname, '../../fixtures/real-configs')

function policyOf(c: RealConfigCase): Policy {
  if (isPresetId(c.policy)) return presetPolicy(c.policy)
  const file = path.join('policies', c.policy)
  return parsePolicy(readFileSync(path.join(ROOT, file), 'utf8'), file)
}

function read(c: RealConfigCase) {
  return readFirewallConfigs(
    [c.file, ...(c.with ?? [])].map((file) => ({
      file,
      text: readFileSync(path.join(ROOT, file), 'utf8'),
    })),
  )
}

/** `RULE PORT/PROTO vFAMILY :LINE` of every error finding, sorted. */
function errorsOf(e: Evaluation): string[] {
  return e.findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const fam = /over IPv6/.test(f.message) ? 6 : 4
      return `${f.rule} ${f.port}/${f.protocol} v${fam} :${f.line}`
    })
    .sort()
}

function reachText(
  c: RealConfigCase,
  configs: ReturnType<typeof read>,
  key: string,
  fam: 4 | 6,
): Reach {
  const [port, protocol] = key.split('/') as [string, 'tcp' | 'udp']
  const cs = compileConfigs(configs, { interfaces: policyOf(c).interfaces ?? {} })
  const r = reachOf(cs, {
    direction: 'inbound',
    protocol,
    port: Number(port),
    family: fam,
    state: 'new',
  })
  if (r === undefined) return 'unchecked'
  if (r.isAll) return 'all'
  if (r.isEmpty) return 'none'
  return r.toCidrs()
}

describe('the corpus', () => {
  it('has an expectation for every file, and a source row in SOURCES.md', () => {
    const files = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.startsWith('policies') && f.includes(path.sep))
      .sort()
    const expected = new Set(REAL_CONFIGS.flatMap((c) => [c.file, ...(c.with ?? [])]))
    expect(files.filter((f) => !expected.has(f))).toEqual([])
    expect(files.length).toBeGreaterThanOrEqual(30)
    const sources = readFileSync(path.join(ROOT, 'SOURCES.md'), 'utf8')
    const rows = new Set([...sources.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]))
    expect(files.filter((f) => !rows.has(f))).toEqual([])
  })
})

describe.each(REAL_CONFIGS.map((c) => [c.file, c] as const))('%s', (_, c) => {
  const v = c.verdict
  if (typeof v === 'object') {
    it(`is refused (exit 2): ${v.refused.source}`, () => {
      let error: unknown
      try {
        evaluatePolicy(policyOf(c), read(c))
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(PolicyError)
      expect((error as PolicyError).message).toMatch(v.refused)
      expect((error as PolicyError).line).toBe(v.line === 0 ? undefined : v.line)
    })
    return
  }
  const configs = read(c)
  const e = evaluatePolicy(policyOf(c), configs)
  if (c.gap) {
    const gap = c.gap
    it(`today: ${gap.verdict}, where the kernel's reading is ${v} (a known gap, flagged by notes)`, () => {
      expect(e.verdict).toBe(gap.verdict)
      const notes = e.findings.filter((f) => f.severity === 'note').map((f) => f.message)
      for (const n of gap.notes)
        expect(
          notes.some((m) => n.test(m)),
          String(n),
        ).toBe(true)
    })
  } else
    it(`is ${v}`, () => {
      expect(e.verdict).toBe(v)
    })
  if (c.notes)
    it('says what it assumed', () => {
      const notes = e.findings.filter((f) => f.severity === 'note').map((f) => f.message)
      for (const n of c.notes!)
        expect(
          notes.some((m) => n.test(m)),
          String(n),
        ).toBe(true)
    })
  if (c.errors && !c.gap)
    it('finds exactly the errors read by hand', () => {
      expect(errorsOf(e)).toEqual([...c.errors!].sort())
    })
  for (const [key, want] of Object.entries(c.reach ?? {}))
    it(`lets ${key} in from what the rules allow`, () => {
      if (want.v4 !== undefined) expect(reachText(c, configs, key, 4), 'IPv4').toEqual(want.v4)
      if (want.v6 !== undefined) expect(reachText(c, configs, key, 6), 'IPv6').toEqual(want.v6)
    })
})
