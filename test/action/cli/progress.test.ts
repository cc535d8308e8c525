/**
 * @module The progress line: only on a terminal, only after a second, redrawn in place and erased
 * at the end; an injected isTTY, clock and timer stand in for the terminal and time.
 */
import { describe, expect, it } from 'vitest'
import { PROGRESS_EVERY_MS, startProgress } from '../../../action/src/cli/progress.ts'
import { testIo } from './in-process.ts'

function terminal(isTTY: boolean) {
  let now = 0
  let stderr = ''
  const ticks: (() => void)[] = []
  let cancelled = 0
  const io = testIo({
    stderr: (t) => void (stderr += t),
    now: () => now,
    stderrIsTTY: isTTY,
    every: (ms, fn) => {
      expect(ms).toBe(PROGRESS_EVERY_MS)
      ticks.push(fn)
      return () => void cancelled++
    },
  })
  return {
    io,
    advance: (ms: number) => {
      now += ms
      for (const tick of ticks) tick()
    },
    stderr: () => stderr,
    cancelled: () => cancelled,
  }
}

describe('startProgress', () => {
  it('draws nothing for work under a second, and nothing to erase', () => {
    const t = terminal(true)
    const p = startProgress(t.io, 'fetching 2 feeds')
    t.advance(400)
    p.update('1 of 2 requests answered')
    t.advance(600)
    p.stop()
    expect(t.stderr()).toBe('')
    expect(t.cancelled()).toBe(1)
  })

  it('after a second, redraws one line in place with the elapsed time, and erases it at the end', () => {
    const t = terminal(true)
    const p = startProgress(t.io, 'fetching 2 feeds')
    p.update('0 of 1 requests answered')
    t.advance(1250)
    p.update('1 of 2 requests answered')
    t.advance(250)
    p.stop()
    p.stop()
    t.advance(5000)
    p.update('late')
    expect(t.stderr()).toBe(
      '\r\x1b[Kfetching 2 feeds: 0 of 1 requests answered (1.3 s)' +
        '\r\x1b[Kfetching 2 feeds: 1 of 2 requests answered (1.3 s)' +
        '\r\x1b[Kfetching 2 feeds: 1 of 2 requests answered (1.5 s)' +
        '\r\x1b[K',
    )
    expect(t.cancelled()).toBe(1)
  })

  it('draws the label alone before any text', () => {
    const t = terminal(true)
    const p = startProgress(t.io, 'working')
    t.advance(2000)
    p.stop()
    expect(t.stderr()).toBe('\r\x1b[Kworking (2.0 s)\r\x1b[K')
  })

  it('draws nothing when stderr is not a terminal, however long the work takes', () => {
    const t = terminal(false)
    const p = startProgress(t.io, 'fetching 1 feed')
    t.advance(10_000)
    p.update('0 of 1 requests answered')
    p.stop()
    expect(t.stderr()).toBe('')
  })
})
