/**
 * Tests worker/src/jobs/body-memory.ts: a buffer is held by one lease at a time, the smallest idle
 * buffer that fits is lent, and what is given back is kept up to the limit, largest first.
 */
import { describe, expect, it } from 'vitest'
import { BodyMemoryPool } from '../../../worker/src/jobs/body-memory.ts'

const MB = 1024 * 1024

describe('BodyMemoryPool', () => {
  it('lends a new buffer, then the one given back; never one a lease still holds', () => {
    const pool = new BodyMemoryPool()
    const a = pool.lend()
    const first = a.take(3 * MB)
    expect(first.byteLength).toBe(3 * MB)
    a.keep(first)
    // An overlapping lease (an isolate runs invocations concurrently) gets a buffer of its own.
    const b = pool.lend()
    const other = b.take(MB)
    expect(other).not.toBe(first)
    a.giveBack()
    expect(pool.idleBytes).toBe(3 * MB)
    const c = pool.lend()
    expect(c.take(2 * MB)).toBe(first)
    expect(pool.idleBytes).toBe(0)
    // Taken and not kept (a body that failed, or a buffer grown from): not given back.
    c.giveBack()
    expect(pool.idleBytes).toBe(0)
  })

  it('lends the smallest idle buffer that fits, and a new one when none does', () => {
    const pool = new BodyMemoryPool()
    const lease = pool.lend()
    const sizes = [4 * MB, MB, 2 * MB]
    const buffers = sizes.map((n) => lease.take(n))
    for (const b of buffers) lease.keep(b)
    lease.giveBack()
    const next = pool.lend()
    expect(next.take(MB + 1)).toBe(buffers[2])
    expect(next.take(10)).toBe(buffers[1])
    expect(next.take(5 * MB).byteLength).toBe(5 * MB)
    expect(pool.idleBytes).toBe(4 * MB)
  })

  it('keeps at most its limit, the largest buffers first; drops detached ones; gives back once', () => {
    const pool = new BodyMemoryPool(5 * MB)
    const lease = pool.lend()
    const big = lease.take(4 * MB)
    const middle = lease.take(2 * MB)
    const small = lease.take(MB)
    const detached = lease.take(MB)
    structuredClone(detached, { transfer: [detached] })
    expect(detached.byteLength).toBe(0)
    for (const b of [small, middle, detached, big]) lease.keep(b)
    lease.giveBack()
    expect(pool.idleBytes).toBe(5 * MB)
    lease.giveBack()
    expect(pool.idleBytes).toBe(5 * MB)
    const next = pool.lend()
    expect(next.take(3 * MB)).toBe(big)
    expect(next.take(MB)).toBe(small)
    expect(next.take(MB)).not.toBe(middle)
  })
})
