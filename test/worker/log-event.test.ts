/** Tests worker/src/log-event.ts: lines bounded in size, bidi controls escaped, still JSON. */
import { describe, expect, it, vi } from 'vitest'
import {
  formatLogLine,
  logEvent,
  MAX_LOG_ITEMS,
  MAX_LOG_LINE,
  MAX_LOG_STRING,
} from '../../worker/src/log-event.ts'

describe('formatLogLine', () => {
  it('cuts a 1.5 MB upstream reason to a bounded line that still parses', () => {
    const reason = `unexpected token in "${'A'.repeat(1_500_000)}"`
    const line = formatLogLine({ event: 'sync', reason })
    expect(line.length).toBeLessThan(MAX_LOG_STRING + 200)
    const parsed = JSON.parse(line) as { reason: string }
    expect(parsed.reason).toMatch(/^unexpected token in "A+… \(1498998 more characters\)$/)
  })

  it('caps arrays and keeps the whole line under MAX_LOG_LINE', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `key_${i}`)
    const capped = JSON.parse(formatLogLine({ event: 'sync', unknownKeys: keys })) as {
      unknownKeys: string[]
    }
    expect(capped.unknownKeys).toHaveLength(MAX_LOG_ITEMS + 1)
    expect(capped.unknownKeys.at(-1)).toBe(`… (${5000 - MAX_LOG_ITEMS} more items)`)
    const many = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`f${i}`, 'x'.repeat(MAX_LOG_STRING)]),
    )
    const line = formatLogLine({ event: 'big', ...many })
    expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE)
    expect(JSON.parse(line)).toMatchObject({ event: 'big', truncated: true })
  })

  it('writes bidi controls and line separators as \\u escapes that parse back to the same text', () => {
    const reason = 'evil\u202Etxt.exe \u2066x\u2069 \u200E\u200F a\u2028b'
    const line = formatLogLine({ event: 'refused', reason })
    expect(line).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/)
    expect(line).toContain('evil\\u202etxt.exe')
    expect((JSON.parse(line) as { reason: string }).reason).toBe(reason)
  })

  it('logs errors by name and message', () => {
    expect(JSON.parse(formatLogLine({ event: 'x', error: new TypeError('bad') }))).toEqual({
      event: 'x',
      error: { name: 'TypeError', message: 'bad' },
    })
  })
})

describe('logEvent', () => {
  it('writes info to console.log and errors to console.error, one line each', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    logEvent('info', { event: 'a' })
    logEvent('error', { event: 'b' })
    expect(log.mock.calls).toEqual([['{"event":"a"}']])
    expect(error.mock.calls).toEqual([['{"event":"b"}']])
    log.mockRestore()
    error.mockRestore()
  })
})
