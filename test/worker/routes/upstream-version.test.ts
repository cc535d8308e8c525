/**
 * Issue 15: the publisher's own version (Snapshot.upstreamVersion, migration 0006) as the worker
 * shows it: in the snapshot JSON of GET /v1/feeds/:provider/:list and /snapshots/:version, in
 * GET /v1/feeds and on the status page; an unchanged fetch with a new syncToken (Google's real
 * 2026-08-19 / 2026-08-21 pair: same addresses) updates it without a new version.
 */
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../../shared/src/index.ts'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import type { FeedSummary } from '../../../worker/src/routes/feed-catalogue.ts'
import { call, clearHistory, envWith, newMirror, setFile } from '../support/harness.ts'
import type { TestMirror } from '../support/harness.ts'

beforeEach(clearHistory)

async function publishGoogle(mirror: TestMirror, date: string): Promise<void> {
  await setFile(mirror, 'www.gstatic.com/ipranges/goog.json', {
    fixture: `google/goog.${date}.json`,
  })
  await setFile(mirror, 'www.gstatic.com/ipranges/cloud.json', {
    fixture: `google/cloud.${date}.json`,
  })
}

async function json<T>(path: string): Promise<T> {
  const res = await call(path)
  expect(res.status, path).toBe(200)
  return res.json<T>()
}

describe('upstreamVersion in the worker', () => {
  it.runIf(env.HAVE_FIXTURES)(
    'is stored with the version, updated by an unchanged fetch, and shown by the API and the status page',
    async () => {
      const mirror = await newMirror()
      const syncEnv = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'google/services' })
      await publishGoogle(mirror, '2026-08-19')
      expect((await runSync(syncEnv)).checks[0]).toMatchObject({ outcome: 'changed' })
      const first = { field: 'syncToken', value: '1787083562809' }
      expect((await json<Snapshot>('/v1/feeds/google/services')).upstreamVersion).toEqual(first)

      await publishGoogle(mirror, '2026-08-21')
      expect((await runSync(syncEnv)).checks[0]).toMatchObject({ outcome: 'unchanged', version: 1 })
      const second = { field: 'syncToken', value: '1787299542583' }
      const current = await json<Snapshot>('/v1/feeds/google/services')
      expect(current).toMatchObject({ version: 1, upstreamVersion: second })
      const v1 = await json<Snapshot>('/v1/feeds/google/services/snapshots/1')
      expect(v1.upstreamVersion).toEqual(second)
      const { feeds } = await json<{ feeds: FeedSummary[] }>('/v1/feeds')
      expect(feeds.find((f) => f.id === 'google/services')?.upstreamVersion).toEqual(second)
      expect(feeds.find((f) => f.id === 'github/hooks')?.upstreamVersion).toBeNull()
      const page = await (await call('/')).text()
      expect(page).toMatch(/data-feed="google\/services"[\s\S]*?syncToken 1787299542583/)
    },
  )

  it('falls back to the ETag for a list without a version of its own (Cloudflare)', async () => {
    const mirror = await newMirror()
    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '104.16.0.0/13\n' })
    await setFile(mirror, 'www.cloudflare.com/ips-v6', { text: '2606:4700::/32\n' })
    await runSync(envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' }))
    const snapshot = await json<Snapshot>('/v1/feeds/cloudflare/edge')
    expect(snapshot.version).toBe(1)
    expect(snapshot.upstreamVersion?.field).toBe('ETag')
    expect(snapshot.upstreamVersion?.value).toMatch(/^(W\/)?"/)
  })
})
