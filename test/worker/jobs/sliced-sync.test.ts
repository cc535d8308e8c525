/**
 * Tests worker/src/jobs/sliced-sync.ts inside workerd: real D1, real KV (SLICED_BODIES), the
 * exported queue() handler, upstream from a mirror served by Node on loopback with the real
 * published files (AWS's ip-ranges.json of 2026-08-21, 2.6 MB; Azure's ServiceTags_Public of
 * 2025-06-14, 4.2 MB; ../shared/fixtures/feeds/PROVENANCE.md). The sync queue is captured, and
 * each message it is sent is delivered in turn, as the queue would (one per invocation): a body
 * over SLICE_OVER_BYTES is read one SLICE_BYTES slice per message, then judged one feed per
 * message, and what is stored is exactly what the whole-body sync of the same files gives.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, syncFeeds } from '../../../shared/src/index.ts'
import { getHttpCache } from '../../../worker/src/db/http-cache.ts'
import worker from '../../../worker/src/index.ts'
import { BODY_MEMORY } from '../../../worker/src/jobs/body-memory.ts'
import { PIECE_BYTES, SLICE_BYTES } from '../../../worker/src/jobs/slice-sizes.ts'
import type { SliceStep } from '../../../worker/src/jobs/sync-messages.ts'
import { sourceGroups } from '../../../worker/src/jobs/source-groups.ts'
import type { SyncMessage } from '../../../worker/src/jobs/sync-queue.ts'
import {
  capturingQueue,
  clearHistory,
  envWith,
  newMirror,
  rows,
  setFile,
  setLatestFixtures,
  type TestMirror,
} from '../support/harness.ts'

beforeEach(async () => {
  await clearHistory()
  for (const { name } of (await env.SLICED_BODIES.list()).keys) await env.SLICED_BODIES.delete(name)
})

const AWS_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json'
const AZURE_URL = 'https://www.microsoft.com/en-us/download/details.aspx?id=56519'
const groupOf = (url: string) =>
  sourceGroups(BUILTIN_FEEDS).find((ids) =>
    BUILTIN_FEEDS.find((f) => f.id === ids[0])!.sources.some((s) => s.url === url),
  )!

/** Delivers one message to queue() as a batch of one; returns the acks and retries. */
async function deliver(body: unknown, e: Env) {
  const batch = createMessageBatch<unknown>('allowlist-sync-sync', [
    { id: 'm0', timestamp: new Date(), attempts: 1, body },
  ])
  const ctx = createExecutionContext()
  await worker.queue(batch, e)
  return getQueueResult(batch, ctx)
}

/** An env whose sync queue is captured, with `mirror` as upstream. */
function capturing(mirror: TestMirror) {
  const { queue, sent } = capturingQueue<SyncMessage>()
  return { e: { ...envWith({ UPSTREAM_MIRROR: mirror.url }), SYNC_QUEUE: queue }, sent }
}

/** Delivers `first`, then every message it leads to, one at a time; returns the steps run. */
async function drain(first: SyncMessage, e: Env, sent: SyncMessage[]): Promise<SliceStep[]> {
  const steps: SliceStep[] = []
  let message: SyncMessage | undefined = first
  while (message !== undefined) {
    const result = await deliver(message, e)
    expect(result.explicitAcks, JSON.stringify(message.step?.kind)).toEqual(['m0'])
    if (message.step) steps.push(message.step)
    message = sent.shift()
  }
  return steps
}

/** An AWS-shaped body of 12,000 items of S3 (800 KB, one prefix), then `last`. */
const S3_ITEM = '{"ip_prefix": "3.5.0.0/16", "region": "us-east-1", "service": "S3"}'
const largeAwsBody = (last = S3_ITEM) =>
  `{"prefixes": [${`${S3_ITEM}, `.repeat(12_000)}${last}], "ipv6_prefixes": []}`

const storedVersions = async () =>
  new Map(
    (await rows<{ feed: string; sha256: string }>('SELECT feed, sha256 FROM versions')).map((r) => [
      r.feed,
      r.sha256,
    ]),
  )

describe('a body read in slices, one queue message per slice and per feed', () => {
  it.runIf(env.HAVE_FIXTURES)(
    "AWS's and Azure's files: stored as the whole-body sync stores them, then cleaned up; the same body again is one message",
    async () => {
      const mirror = await newMirror()
      await setLatestFixtures(mirror)
      const { e, sent } = capturing(mirror)
      for (const url of [AWS_URL, AZURE_URL]) {
        const ids = groupOf(url)
        const feeds = ids.map((id) => BUILTIN_FEEDS.find((f) => f.id === id)!)
        const steps = await drain({ runId: 'r1', feeds: ids }, e, sent)
        const reads = steps.filter((s) => s.kind === 'read')
        const judges = steps.filter((s) => s.kind === 'judge')
        expect(judges.map((s) => (s.kind === 'judge' ? s.feed : -1))).toEqual(ids.map((_, i) => i))
        const oracle = await syncFeeds(feeds, {
          fetch: (u, i) => fetch(u, i),
          now: Date.now,
          mirror: mirror.url,
        })
        // Each slice but the last reads at least SLICE_BYTES, and ends with the element it is in
        // (Azure's AzureCloud alone is about 300 KB): 2.6 MB and 4.2 MB.
        const bytes = (url === AWS_URL ? 2.6 : 4.2) * 1e6
        expect(reads.length).toBeLessThanOrEqual(Math.ceil(bytes / SLICE_BYTES))
        expect(reads.length).toBeGreaterThanOrEqual(Math.ceil(bytes / (2 * SLICE_BYTES)))
        const stored = await storedVersions()
        for (const o of oracle.outcomes)
          expect(stored.get(o.feed), o.feed).toBe(
            o.kind === 'changed' ? o.snapshot.sha256 : undefined,
          )
        expect((await getHttpCache(env.DB, [url]))[url]).toEqual(oracle.cache[url])
        const checks = await rows<{ feed: string; outcome: string }>(
          'SELECT feed, outcome FROM checks WHERE feed IN (SELECT value FROM json_each(?))',
          JSON.stringify(ids),
        )
        expect(checks.map((c) => [c.feed, c.outcome]).sort()).toEqual(
          oracle.outcomes.map((o) => [o.feed, o.kind]).sort(),
        )
      }
      expect(await rows('SELECT body FROM sliced_parts')).toEqual([])
      expect((await env.SLICED_BODIES.list()).keys).toEqual([])

      // The same bodies again: unchanged by their hash, in the message that fetched them.
      for (const url of [AWS_URL, AZURE_URL]) {
        expect(await drain({ runId: 'r2', feeds: groupOf(url) }, e, sent)).toEqual([])
      }
      const second = await rows<{ outcome: string; reason: string }>(
        `SELECT outcome, reason FROM checks WHERE run_id = 'r2'`,
      )
      expect(second.length).toBe(groupOf(AWS_URL).length + groupOf(AZURE_URL).length)
      expect(second.every((c) => c.outcome === 'unchanged')).toBe(true)
    },
    240_000,
  )

  it("a body handed over stays whole in KV when the isolate's body memory is reused by the next sync", async () => {
    // Two bodies of the same length: the second is read into the buffer the first was read into.
    const first = largeAwsBody()
    const second = largeAwsBody().replaceAll('3.5.0.0/16', '3.6.0.0/16')
    expect(second.length).toBe(first.length)
    const mirror = await newMirror()
    const { e, sent } = capturing(mirror)
    const ids = groupOf(AWS_URL)
    const before = BODY_MEMORY.idleBytes
    await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: first })
    await deliver({ runId: 'r1', feeds: ids }, e)
    const chain = sent.shift()!.step!
    // workerd's fetch body was read through a BYOB reader into memory the isolate keeps.
    expect(BODY_MEMORY.idleBytes).toBeGreaterThanOrEqual(Math.max(before, first.length))
    await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: second })
    await deliver({ runId: 'r2', feeds: ids }, e)
    expect(sent.shift()!.step!.body.sha256).not.toBe(chain.body.sha256)
    const pieces = await Promise.all(
      Array.from({ length: Math.ceil(first.length / PIECE_BYTES) }, (_, i) =>
        env.SLICED_BODIES.get(`sliced/${chain.body.sha256}/${i}`, 'text'),
      ),
    )
    expect(pieces.join('')).toBe(first)
  })

  it.runIf(env.HAVE_FIXTURES)(
    'a step delivered twice writes the same rows; a step of a chain already finished stops quietly',
    async () => {
      const mirror = await newMirror()
      await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', {
        fixture: 'aws/ip-ranges.2026-08-12-21-17-05.json',
      })
      const { e, sent } = capturing(mirror)
      const ids = groupOf(AWS_URL)
      await deliver({ runId: 'r', feeds: ids }, e)
      const firstRead = sent.shift()!
      await deliver(firstRead, e)
      const secondRead = sent.shift()!
      const parts = await rows('SELECT feed, slice, data FROM sliced_parts ORDER BY feed, slice')
      // at-least-once: the same step again
      await deliver(firstRead, e)
      const duplicate = sent.shift()!
      expect(duplicate).toEqual(secondRead)
      expect(await rows('SELECT feed, slice, data FROM sliced_parts ORDER BY feed, slice')).toEqual(
        parts,
      )
      await drain(secondRead, e, sent)
      const versions = await storedVersions()
      expect(versions.size).toBe(ids.length)
      // the duplicate chain: its read finds the body gone and judged, its judge finds no parts
      expect(await drain(duplicate, e, sent)).toEqual([duplicate.step])
      const judge: SyncMessage = {
        runId: 'r',
        feeds: ids,
        step: {
          kind: 'judge',
          body: secondRead.step!.body,
          slices: 11,
          keys: [],
          feed: 2,
          judged: [],
        },
      }
      expect(await drain(judge, e, sent)).toEqual([judge.step])
      expect(await storedVersions()).toEqual(versions)
    },
    120_000,
  )

  it.runIf(env.HAVE_FIXTURES)(
    'a large body that drops services and most of one: those refused, that one held, no cache entry',
    async () => {
      const mirror = await newMirror()
      await setLatestFixtures(mirror)
      const { e, sent } = capturing(mirror)
      const ids = groupOf(AWS_URL)
      await drain({ runId: 'r1', feeds: ids }, e, sent)
      const before = (await getHttpCache(env.DB, [AWS_URL]))[AWS_URL]
      await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: largeAwsBody() })
      await drain({ runId: 'r2', feeds: ids }, e, sent)
      const checks = await rows<{ feed: string; outcome: string; guard: string | null }>(
        `SELECT feed, outcome, guard FROM checks WHERE run_id = 'r2' ORDER BY feed`,
      )
      expect(checks).toEqual(
        [...ids]
          .sort()
          .map((feed) =>
            feed === 'aws/S3'
              ? { feed, outcome: 'held', guard: 'mass-removal' }
              : { feed, outcome: 'refused', guard: 'schema-drift' },
          ),
      )
      // a hold is judged again on the next fetch: the cache entry stays the last accepted body's
      expect((await getHttpCache(env.DB, [AWS_URL]))[AWS_URL]).toEqual(before)
      expect(await rows('SELECT body FROM sliced_parts')).toEqual([])
    },
    120_000,
  )

  it('a value longer than the pieces a step loads: the step loads pieces until it ends', async () => {
    const mirror = await newMirror()
    // A top-level string of 1.3 MB (three pieces) before the lists: the first step needs them all.
    const body = `{"padding": "${'x'.repeat(3 * PIECE_BYTES - 100_000)}", ${largeAwsBody().slice(1)}`
    await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: body })
    const { e, sent } = capturing(mirror)
    const ids = groupOf(AWS_URL)
    const steps = await drain({ runId: 'r', feeds: ids }, e, sent)
    const reads = steps.filter((s) => s.kind === 'read')
    // A read from the first piece took the padding whole (three pieces), then the lists went on.
    const padded = reads.findIndex((r) => r.state.offset < PIECE_BYTES && r.state.offset > 0)
    expect(reads[padded + 1]!.state.offset).toBeGreaterThan(3 * PIECE_BYTES - 100_000)
    const feeds = ids.map((id) => BUILTIN_FEEDS.find((f) => f.id === id)!)
    const oracle = await syncFeeds(feeds, {
      fetch: (u, i) => fetch(u, i),
      now: Date.now,
      mirror: mirror.url,
    })
    const checks = await rows<{ feed: string; outcome: string; guard: string | null }>(
      'SELECT feed, outcome, guard FROM checks ORDER BY feed',
    )
    expect(checks).toEqual(
      oracle.outcomes
        .map((o) => ({ feed: o.feed, outcome: o.kind, guard: 'guard' in o ? o.guard : null }))
        .sort((a, b) => a.feed.localeCompare(b.feed)),
    )
    const s3 = oracle.outcomes.find((o) => o.feed === 'aws/S3')
    expect(s3?.kind).toBe('changed')
    expect((await storedVersions()).get('aws/S3')).toBe(
      s3?.kind === 'changed' && s3.snapshot.sha256,
    )
    expect((await env.SLICED_BODIES.list()).keys).toEqual([])
  })

  it('a large body that is not JSON refuses every feed, remembers the refusal, and cleans up', async () => {
    const mirror = await newMirror()
    const broken = largeAwsBody('{"ip_prefix": , }')
    await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: broken })
    const { e, sent } = capturing(mirror)
    const ids = groupOf(AWS_URL)
    const steps = await drain({ runId: 'r', feeds: ids }, e, sent)
    expect(steps.length).toBeGreaterThan(1)
    expect(steps.every((s) => s.kind === 'read')).toBe(true)
    const checks = await rows<{ feed: string; outcome: string; guard: string; reason: string }>(
      'SELECT feed, outcome, guard, reason FROM checks ORDER BY feed',
    )
    expect(checks.map((c) => c.feed)).toEqual([...ids].sort())
    for (const c of checks) {
      expect(c).toMatchObject({ outcome: 'refused', guard: 'unparseable' })
      expect(c.reason).toMatch(
        /^https:\/\/ip-ranges\.amazonaws\.com\/ip-ranges\.json: the body is not JSON \(at byte \d+/,
      )
    }
    // the refusal is remembered with the body's hash: the same body is refused without a chain
    const cached = (await getHttpCache(env.DB, [AWS_URL]))[AWS_URL]!
    expect(Object.keys(cached.refused ?? {}).sort()).toEqual([...ids].sort())
    expect(await rows('SELECT body FROM sliced_parts')).toEqual([])
    expect((await env.SLICED_BODIES.list()).keys).toEqual([])
    expect(await drain({ runId: 'r2', feeds: ids }, e, sent)).toEqual([])
  })

  it('a read step whose body is not (yet) in KV is retried; a malformed step is dropped', async () => {
    const mirror = await newMirror()
    const { e } = capturing(mirror)
    const body = {
      url: AWS_URL,
      target: AWS_URL,
      sha256: 'ab'.repeat(32),
      validators: {},
      fetchedAt: '2026-12-06T00:00:00.000Z',
      size: 3_000_000,
    }
    const read = {
      kind: 'read',
      body,
      slice: 0,
      state: { offset: 0, array: null, index: 0, keys: [], done: false },
    }
    const result = await deliver({ runId: 'r', feeds: groupOf(AWS_URL), step: read }, e)
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
    for (const step of [
      { kind: 'read', body, slice: 0 },
      { kind: 'judge', body, slices: 1, keys: [], feed: 99, judged: [] },
      { kind: 'other', body },
      { kind: 'read', body: { url: AWS_URL }, slice: 0, state: {} },
      { kind: 'read', body: null, slice: 0, state: {} },
      { kind: 'read', body: { ...body, size: undefined }, slice: 0, state: read.state },
      { kind: 'read', body: { ...body, size: -1 }, slice: 0, state: read.state },
      null,
    ]) {
      const dropped = await deliver({ runId: 'r', feeds: groupOf(AWS_URL), step }, e)
      expect(dropped.explicitAcks, JSON.stringify(step)).toEqual(['m0'])
      expect(dropped.retryMessages).toEqual([])
    }
    // a step of a feed gone from the catalogue is dropped
    const gone = await deliver({ runId: 'r', feeds: ['aws/S3', 'nope/x'], step: read }, e)
    expect(gone.explicitAcks).toEqual(['m0'])
    // without SLICED_BODIES a step cannot run: retried (the binding may come back), never lost
    const { SLICED_BODIES: _, ...unbound } = e
    const retried = await deliver(
      { runId: 'r', feeds: groupOf(AWS_URL), step: read },
      unbound as Env,
    )
    expect(retried.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
    // and a large body is read whole in its message
    await setFile(mirror, 'ip-ranges.amazonaws.com/ip-ranges.json', { text: largeAwsBody() })
    const whole = await deliver({ runId: 'r', feeds: ['aws/S3'] }, unbound as Env)
    expect(whole.explicitAcks).toEqual(['m0'])
    expect(await rows('SELECT feed, version FROM versions')).toEqual([
      { feed: 'aws/S3', version: 1 },
    ])
  })
})
