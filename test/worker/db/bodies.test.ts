/**
 * Tests worker/src/db/bodies.ts inside workerd with real D1, and a 500,000-entry feed through the
 * worker: stored (its lists, and its first change, as compressed parts: one D1 value may not
 * exceed 2 MB), served, diffed against a next version, and held when half of it goes.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Change, Snapshot } from '../../../shared/src/index.ts'
import {
  INLINE_MAX,
  PART_BYTES,
  prepareJson,
  preparePair,
  readJson,
} from '../../../worker/src/db/bodies.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { call, clearHistory, envWith, newMirror, rows, setFile } from '../support/harness.ts'

beforeEach(clearHistory)

/** `count` /24s of public space that never merge (odd third octets), from 11.0.1.0/24 on. */
function bigList(count: number): string[] {
  const out: string[] = []
  for (let a = 11, b = 0, c = 1; out.length < count;) {
    out.push(`${a}.${b}.${c}.0/24`)
    c += 2
    if (c > 255) [b, c] = [b + 1, 1]
    if (b > 255) [a, b] = [a + 1, 0]
  }
  return out
}

describe('prepareJson / readJson', () => {
  it('keeps a small value inline and round-trips a large one through compressed parts', async () => {
    const small = await prepareJson(env.DB, { a: [1, 2] })
    expect(small).toEqual({ text: '{"a":[1,2]}', body: null, statements: [] })
    // Random base64 compresses to about three quarters: 2 MB of it needs 2 parts.
    const random = new Uint8Array(1.5 * PART_BYTES)
    let noise = ''
    for (let at = 0; at < random.length; at += 30_000) {
      const chunk = crypto.getRandomValues(random.subarray(at, at + 30_000))
      noise += btoa(String.fromCharCode(...chunk))
    }
    const large = await prepareJson(env.DB, { noise })
    expect(large.text).toBe('')
    expect(large.body).toMatch(/^[0-9a-f]{64}$/)
    expect(large.statements.length).toBeGreaterThanOrEqual(2)
    await env.DB.batch(large.statements)
    expect(await readJson<{ noise: string }>(env.DB, '', large.body)).toEqual({ noise })
    // Content-addressed: the same value again adds no row.
    await env.DB.batch((await prepareJson(env.DB, { noise })).statements)
    expect(await rows('SELECT part FROM bodies WHERE sha256 = ?', large.body)).toHaveLength(
      large.statements.length,
    )
  })

  it('prepares a pair as the object of both, each value encoded once: its own column inline, one body of both otherwise', async () => {
    const lists = { ipv4: ['192.0.2.0/24', '198.51.100.0/24'], ipv6: ['2001:db8::/32'] }
    const small = await preparePair(env.DB, ['ipv4', 'ipv6'], [lists.ipv4, lists.ipv6])
    expect(small).toEqual({
      ...(await prepareJson(env.DB, lists)),
      columns: [JSON.stringify(lists.ipv4), JSON.stringify(lists.ipv6)],
    })
    // Over the inline limit together (not each alone): the same body, by the same key.
    const half = { added: ['x'.repeat(INLINE_MAX / 2)], removed: ['y'.repeat(INLINE_MAX / 2)] }
    const large = await preparePair(env.DB, ['added', 'removed'], [half.added, half.removed])
    const whole = await prepareJson(env.DB, half)
    expect(large.columns).toEqual(['', ''])
    expect(large.body).toBe(whole.body)
    expect(large.body).toMatch(/^[0-9a-f]{64}$/)
    await env.DB.batch(large.statements)
    expect(await readJson(env.DB, '', large.body)).toEqual(half)
  })

  it('refuses to read a body with a missing part', async () => {
    const value = { list: 'x'.repeat(INLINE_MAX + 1) }
    const { body, statements } = await prepareJson(env.DB, value)
    await env.DB.batch(statements)
    await env.DB.prepare('UPDATE bodies SET parts = 2 WHERE sha256 = ?').bind(body).run()
    await expect(readJson(env.DB, '', body)).rejects.toThrow(/1 of 2 parts stored/)
    await expect(readJson(env.DB, '', 'f'.repeat(64))).rejects.toThrow(/0 of \? parts stored/)
  })
})

describe('a 500,000-entry feed through the worker', () => {
  it('is stored in parts, served whole, diffed, and held when half of it goes', async () => {
    const mirror = await newMirror()
    const v1 = bigList(500_000)
    const text = `${v1.join('\n')}\n`
    expect(text.length).toBeLessThan(8 * 1024 * 1024)
    await setFile(mirror, 'coolify.io/ipv4.txt', { text })
    await setFile(mirror, 'coolify.io/ipv6.txt', { text: '2a01:4f8:c17:be0e::/64\n' })
    const e = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'coolify/cloud' })
    const first = await runSync(e)
    expect(first.checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const contents = await rows<{ ipv4: string; body: string | null; ipv4_count: number }>(
      'SELECT ipv4, body, ipv4_count FROM snapshot_contents',
    )
    expect(contents).toEqual([
      { ipv4: '', body: expect.stringMatching(/^[0-9a-f]{64}$/) as string, ipv4_count: 500_000 },
    ])
    const served = await (await call('/v1/feeds/coolify/cloud')).json<Snapshot>()
    expect(served.ipv4).toHaveLength(500_000)
    expect(served.ipv4.slice(0, 2)).toEqual(['11.0.1.0/24', '11.0.3.0/24'])
    const listing = await (
      await call('/v1/feeds')
    ).json<{
      feeds: { id: string; counts: { ipv4: number } }[]
    }>()
    expect(listing.feeds.find((f) => f.id === 'coolify/cloud')!.counts.ipv4).toBe(500_000)

    // The next version: 10 ranges gone, 10 new ones. A small change, stored inline.
    const v2 = [
      ...v1.filter((_, i) => i % 50_000 !== 7),
      ...bigList(10).map((c) => c.replace(/^11\./, '99.')),
    ]
    await setFile(mirror, 'coolify.io/ipv4.txt', { text: v2.join('\n') })
    const second = await runSync(e)
    expect(second.checks[0]).toMatchObject({ outcome: 'changed', version: 2 })
    const { changes } = await (
      await call('/v1/feeds/coolify/cloud/changes?since=0')
    ).json<{
      changes: Change[]
    }>()
    expect(changes.map((c) => c.version)).toEqual([1, 2])
    expect(changes[0]!.added.ipv4).toHaveLength(500_000)
    expect(changes[1]!.removed.ipv4).toHaveLength(10)
    expect(changes[1]!.added.ipv4).toEqual(bigList(10).map((c) => c.replace(/^11\./, '99.')))
    const stored = await rows<{ version: number; body: string | null }>(
      'SELECT version, body FROM changes ORDER BY version',
    )
    expect(stored.map((s) => s.body === null)).toEqual([false, true])

    // Half of it gone: held, with a 250,000-range removal kept in parts.
    await setFile(mirror, 'coolify.io/ipv4.txt', { text: bigList(250_000).join('\n') })
    const third = await runSync(e)
    expect(third.checks[0]).toMatchObject({ outcome: 'held', guard: 'mass-removal', version: 2 })
    const { feeds } = await (
      await call('/v1/feeds')
    ).json<{
      feeds: { id: string; version: number; held: { removedCounts: { ipv4: number } } }[]
    }>()
    const held = feeds.find((f) => f.id === 'coolify/cloud')!
    expect(held.version).toBe(2)
    // The listing counts the removal; the feed's snapshot carries it whole, read back from parts.
    expect(held.held.removedCounts.ipv4).toBeGreaterThan(249_000)
    expect(held.held).not.toHaveProperty('removed')
    const snapshot = await (
      await call('/v1/feeds/coolify/cloud')
    ).json<{ held: { removed: { ipv4: string[] } } }>()
    expect(snapshot.held.removed.ipv4).toHaveLength(held.held.removedCounts.ipv4)
  }, 240_000)
})
