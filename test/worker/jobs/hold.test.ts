/**
 * Tests worker/src/jobs/hold.ts inside workerd with real D1: a held candidate is counted while
 * upstream serves it unchanged, becomes the next version (confirmedAfterHold in the change, the
 * API, Atom and the webhook payload) after GUARD_CONFIRM_FETCHES identical fetches and
 * GUARD_CONFIRM_MINUTES, restarts on any other answer, keeps through fetch failures, and a
 * rejected one is not held again. The clock is injected (deps.now), never slept on.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Change } from '../../../shared/src/index.ts'
import { webhookPayload } from '../../../worker/src/jobs/deliver.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import { readConfig } from '../../../worker/src/config.ts'
import { getChange } from '../../../worker/src/db/snapshots.ts'
import {
  call,
  clearHistory,
  cloudflareMirror,
  envWith,
  publishCloudflare,
  rows,
  setFile,
} from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

beforeEach(clearHistory)

const T0 = Date.parse('2026-06-01T00:00:00Z')
const MIN = 60_000
const V1 = { v4: ['173.245.48.0/20', '103.21.244.0/22'], v6: ['2606:4700::/32'] }
/** Every IPv4 address of V1 replaced: a mass removal (held). */
const V2 = { v4: ['104.16.0.0/13'], v6: ['2606:4700::/32'] }
const V3 = { v4: ['162.158.0.0/15'], v6: ['2606:4700::/32'] }

function syncEnv(mirror: TestMirror, vars: Record<string, string> = {}): Env {
  return envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge', ...vars })
}

/** One sync at `minute` minutes after T0. */
function syncAt(mirror: TestMirror, minute: number, vars: Record<string, string> = {}) {
  return runSync(syncEnv(mirror, vars), {
    fetch: (input, init) => fetch(input, init),
    now: () => T0 + minute * MIN,
  })
}

interface HeldJson {
  sha256: string
  guard: string
  status: string
  baseVersion: number
  seenCount: number
  firstSeenAt: string
  confirms: { fetches: number; notBefore: string } | null
  removed: { ipv4: string[]; ipv6: string[] }
  added: { ipv4: string[]; ipv6: string[] }
}

/** The held candidate in full, as the feed's snapshot carries it (the listing has only counts). */
async function heldOf(): Promise<HeldJson | null> {
  const res = await call('/v1/feeds/cloudflare/edge')
  return (await res.json<{ held: HeldJson | null }>()).held
}

async function versionOf(): Promise<number> {
  return (await (await call('/v1/feeds/cloudflare/edge')).json<{ version: number }>()).version
}

describe('held candidates in the sync', () => {
  it('a mass removal is held, counted, and confirmed after 3 identical fetches and 30 minutes', async () => {
    const mirror = await cloudflareMirror(V1.v4, V1.v6)
    await syncAt(mirror, 0)
    await publishCloudflare(mirror, V2.v4, V2.v6)
    const first = await syncAt(mirror, 15)
    expect(first.checks[0]).toMatchObject({ outcome: 'held', guard: 'mass-removal', version: 1 })
    expect(first.checks[0]!.reason).toMatch(
      /every IPv4 address of version 1 would be removed; candidate [0-9a-f]{12} held: fetched identically 1 of 3 times since 2026-06-01T00:15:00\.000Z, confirmed from 2026-06-01T00:45:00\.000Z on/,
    )
    expect(await versionOf()).toBe(1)
    expect(await heldOf()).toMatchObject({
      guard: 'mass-removal',
      status: 'held',
      baseVersion: 1,
      seenCount: 1,
      firstSeenAt: '2026-06-01T00:15:00.000Z',
      confirms: { fetches: 3, notBefore: '2026-06-01T00:45:00.000Z' },
      removed: { ipv4: ['103.21.244.0/22', '173.245.48.0/20'], ipv6: [] },
      added: { ipv4: ['104.16.0.0/13'], ipv6: [] },
    })
    // Three identical fetches, but only 20 minutes: still held.
    await syncAt(mirror, 25)
    const third = await syncAt(mirror, 35)
    expect(third.checks[0]).toMatchObject({ outcome: 'held' })
    expect((await heldOf())!.seenCount).toBe(3)
    // The fourth, 30 minutes after the first: confirmed.
    const confirmed = await syncAt(mirror, 45)
    expect(confirmed.checks[0]).toMatchObject({ outcome: 'changed', version: 2 })
    expect(confirmed.checks[0]!.reason).toMatch(/confirmed after a hold \(mass-removal\)/)
    expect(await versionOf()).toBe(2)
    expect(await heldOf()).toBeNull()
    expect(await rows('SELECT * FROM held_candidates')).toEqual([])
    // The change says so in the API, the change log, Atom and a webhook payload.
    const { changes } = await (
      await call('/v1/feeds/cloudflare/edge/changes?since=1')
    ).json<{
      changes: Change[]
    }>()
    expect(changes).toEqual([
      expect.objectContaining({ version: 2, previousVersion: 1, confirmedAfterHold: true }),
    ])
    const log = await (await call('/v1/changes')).json<{ changes: Change[] }>()
    expect(log.changes.map((c) => c.confirmedAfterHold)).toEqual([undefined, true])
    const atom = await (await call('/v1/changes.atom')).text()
    expect(atom).toContain('cloudflare/edge: version 2 (+1 −2), confirmed after a hold')
    expect(atom).toContain('<category term="confirmed-after-hold"/>')
    const stored = await getChange(env.DB, 'cloudflare/edge@2')
    const body = JSON.parse(webhookPayload(stored!, 'x', readConfig(env), T0)) as {
      data: { confirmedAfterHold?: boolean }
    }
    expect(body.data.confirmedAfterHold).toBe(true)
  })

  it('any different answer restarts the count; a failed fetch does not', async () => {
    const mirror = await cloudflareMirror(V1.v4, V1.v6)
    await syncAt(mirror, 0)
    await publishCloudflare(mirror, V2.v4, V2.v6)
    await syncAt(mirror, 1)
    await syncAt(mirror, 2)
    // A failed fetch (HTTP 503): no answer, the count stays.
    await setFile(mirror, 'www.cloudflare.com/ips-v4', { status: 503 })
    expect((await syncAt(mirror, 3)).checks[0]).toMatchObject({ guard: 'http-error' })
    expect((await heldOf())!.seenCount).toBe(2)
    // Another candidate: counted from 1 again, first seen now.
    await publishCloudflare(mirror, V3.v4, V3.v6)
    await syncAt(mirror, 4)
    expect(await heldOf()).toMatchObject({
      seenCount: 1,
      firstSeenAt: '2026-06-01T00:04:00.000Z',
      added: { ipv4: ['162.158.0.0/15'] },
    })
    // A refused answer (an HTML page): the held candidate is dropped.
    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '<html>Just a moment...</html>' })
    expect((await syncAt(mirror, 5)).checks[0]).toMatchObject({ guard: 'wrong-content' })
    expect(await heldOf()).toBeNull()
    // Back to V3: held from 1 again. Then upstream goes back to the current version: dropped.
    await publishCloudflare(mirror, V3.v4, V3.v6)
    await syncAt(mirror, 6)
    expect((await heldOf())!.seenCount).toBe(1)
    await publishCloudflare(mirror, V1.v4, V1.v6)
    expect((await syncAt(mirror, 7)).checks[0]).toMatchObject({ outcome: 'unchanged' })
    expect(await heldOf()).toBeNull()
    expect(await versionOf()).toBe(1)
  })

  it('GUARD_CONFIRM_FETCHES=1 and GUARD_CONFIRM_MINUTES=0 confirm at the first fetch', async () => {
    const mirror = await cloudflareMirror(V1.v4, V1.v6)
    const vars = { GUARD_CONFIRM_FETCHES: '1', GUARD_CONFIRM_MINUTES: '0' }
    await syncAt(mirror, 0, vars)
    await publishCloudflare(mirror, V2.v4, V2.v6)
    expect((await syncAt(mirror, 1, vars)).checks[0]).toMatchObject({
      outcome: 'changed',
      version: 2,
    })
  })

  it('a doubling is held as a mass addition', async () => {
    const mirror = await cloudflareMirror(V1.v4, V1.v6)
    await syncAt(mirror, 0)
    await publishCloudflare(mirror, [...V1.v4, '162.158.0.0/15'], V1.v6)
    expect((await syncAt(mirror, 1)).checks[0]).toMatchObject({
      outcome: 'held',
      guard: 'mass-addition',
    })
  })

  it('refuses a bad GUARD_CONFIRM_FETCHES or GUARD_CONFIRM_MINUTES, naming it', async () => {
    const mirror = await cloudflareMirror(V1.v4, V1.v6)
    await expect(syncAt(mirror, 0, { GUARD_CONFIRM_FETCHES: '0' })).rejects.toThrow(
      /GUARD_CONFIRM_FETCHES.*must be a whole number ≥ 1/,
    )
    await expect(syncAt(mirror, 0, { GUARD_CONFIRM_MINUTES: '2.5' })).rejects.toThrow(
      /GUARD_CONFIRM_MINUTES/,
    )
  })
})
