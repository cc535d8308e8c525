/** @module Durations on the command line: units, bare seconds, the deprecated -ms spelling. */
import { describe, expect, it } from 'vitest'
import {
  durationOption,
  formatDuration,
  parseDuration,
  timeoutOption,
} from '../../../action/src/cli/duration.ts'
import { testIo } from './in-process.ts'

function fakeIo() {
  let stderr = ''
  const io = testIo({ stderr: (t) => void (stderr += t) })
  return { io, stderr: () => stderr }
}

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['500ms', 500],
    ['30', 30_000],
    ['1.5s', 1500],
    ['0.25', 250],
    ['0', 0],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '1h', '-1s', '10 s', 's', '1e3', '1.s', ' 5s', '5S'])(
    '%j is no duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined()
    },
  )
})

describe('formatDuration', () => {
  it.each([
    [2000, '2s'],
    [90_000, '90s'],
    [1500, '1500ms'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('timeoutOption', () => {
  const bounds = { min: 100, max: 600_000 }

  it('reads --timeout with a unit or bare seconds, and nothing when absent', () => {
    const { io, stderr } = fakeIo()
    expect(timeoutOption({ timeout: '2m' }, bounds, io)).toBe(120_000)
    expect(timeoutOption({ timeout: '45' }, bounds, io)).toBe(45_000)
    expect(timeoutOption({}, bounds, io)).toBeUndefined()
    expect(stderr()).toBe('')
  })

  it('reads the deprecated --timeout-ms and warns on stderr with the new spelling', () => {
    const { io, stderr } = fakeIo()
    expect(timeoutOption({ 'timeout-ms': '1500' }, bounds, io)).toBe(1500)
    expect(stderr()).toBe(
      'warning: --timeout-ms is deprecated and will be removed; write --timeout 1500ms\n',
    )
  })

  it.each([
    [{ timeout: '1s', 'timeout-ms': '1000' }, /give --timeout or --timeout-ms, not both/],
    [{ timeout: '11m' }, /--timeout "11m": expected a duration from 100ms to 600s, e\.g\. 30s/],
    [{ timeout: 'soon' }, /--timeout "soon": expected a duration/],
    // fetch's old --timeout was milliseconds: a bare 10000 is now 10000 s, refused with a hint
    [{ timeout: '10000' }, /a bare number is seconds: did you mean 10000ms\?/],
    [{ 'timeout-ms': '5' }, /--timeout-ms '5': expected a whole number from 100 to 600000/],
    [{ 'timeout-ms': '2s' }, /--timeout-ms '2s': expected a whole number/],
  ])('refuses %j', (values, error) => {
    expect(() => timeoutOption(values, bounds, fakeIo().io)).toThrow(error)
  })
})

describe('durationOption', () => {
  it('serves other names the same way (probe --total, --total-ms)', () => {
    const { io, stderr } = fakeIo()
    const bounds = { min: 100, max: 300_000 }
    expect(durationOption({ total: '5m' }, 'total', bounds, io)).toBe(300_000)
    expect(durationOption({ 'total-ms': '20000' }, 'total', bounds, io)).toBe(20_000)
    expect(stderr()).toContain('write --total 20s')
  })
})
