/**
 * Tests worker/src/db/http-cache.ts inside workerd with real D1: a body some feed refused is not
 * hidden behind a 304 on the next run (the table stores no refusal to repeat, so no validators).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { runSync } from '../../../worker/src/jobs/scheduled.ts'
import {
  clearHistory,
  cloudflareMirror,
  envWith,
  mirrorRequests,
  rows,
  setFile,
} from '../support/harness.ts'

beforeEach(clearHistory)

describe('putHttpCache', () => {
  it('keeps no validators for a refused body, so the next run refuses it again rather than a 304', async () => {
    const mirror = await cloudflareMirror(['104.16.0.0/13'], ['2606:4700::/32'])
    const env = envWith({ UPSTREAM_MIRROR: mirror.url, ENABLED_FEEDS: 'cloudflare/edge' })
    expect((await runSync(env)).checks[0]).toMatchObject({ outcome: 'changed', version: 1 })
    const stored = await rows<{ url: string; etag: string | null }>(
      'SELECT url, etag FROM http_cache ORDER BY url',
    )
    expect(stored.every((r) => r.etag !== null)).toBe(true)

    await setFile(mirror, 'www.cloudflare.com/ips-v4', { text: '<!DOCTYPE html><html></html>' })
    for (let run = 0; run < 2; run++)
      expect((await runSync(env)).checks[0], `run ${run}`).toMatchObject({
        outcome: 'refused',
        guard: 'wrong-content',
        version: 1,
      })
    const v4 = await rows<{ etag: string | null }>(
      "SELECT etag FROM http_cache WHERE url LIKE '%ips-v4'",
    )
    expect(v4).toEqual([{ etag: null }])
    // Both URLs of the refused feed were read in full again (200, no If-None-Match).
    const last = (await mirrorRequests(mirror)).slice(-2)
    expect(last.map((r) => [r.key.replace(/^.*\//, ''), r.status]).sort()).toEqual([
      ['ips-v4', 200],
      ['ips-v6', 200],
    ])
  })
})
