/**
 * @module Helpers for tests inside workerd: drive the Node-side control server
 * (support/test-server.ts) through the TEST_SERVER binding, and build env objects that point the
 * worker's jobs at a test mirror or receiver.
 */
import { env } from 'cloudflare:workers'
import type { DeliveryMessage } from '../../../worker/src/jobs/deliver.ts'

/** A mirror the test controls. */
export interface TestMirror {
  readonly id: string
  /** The value for UPSTREAM_MIRROR. */
  readonly url: string
}

/** A receiver the test controls. */
export interface TestReceiver {
  readonly id: string
  /** Deliveries go to `${url}/anything`; GITHUB_API_URL can be `url` too. */
  readonly url: string
}

/** A request a receiver recorded. */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly at: number
  /** Dispatch requests only: violations of GitHub's OpenAPI request schema ([] when valid). */
  readonly schemaErrors?: string[]
}

async function control<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${env.TEST_SERVER}${path}`, init)
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}

/** A new, empty mirror. */
export function newMirror(): Promise<TestMirror> {
  return control<TestMirror>('/mirrors', { method: 'POST' })
}

/** What a mirror path serves: a fixture under ../shared/fixtures/feeds, text, or a bare status. */
export type FileSpec = { fixture: string } | { text: string } | { status: number }

/** Publishes `spec` at `HOST/PATH` in the mirror. */
export async function setFile(mirror: TestMirror, key: string, spec: FileSpec): Promise<void> {
  await control(`/mirrors/${mirror.id}/files`, {
    method: 'PUT',
    body: JSON.stringify({ key, ...spec }),
  })
}

/** Publishes the newest fixture of every built-in feed's upstream files; returns the layout. */
export function setLatestFixtures(mirror: TestMirror): Promise<Record<string, string>> {
  return control(`/mirrors/${mirror.id}/latest`, { method: 'PUT' })
}

/** Requests the mirror has seen. */
export function mirrorRequests(
  mirror: TestMirror,
): Promise<{ key: string; status: number; headers: Record<string, string> }[]> {
  return control(`/mirrors/${mirror.id}/requests`)
}

/** A receiver answering with `statuses` in order, then 200 (204 for dispatches). */
export function newReceiver(statuses: number[] = [], delayMs = 0): Promise<TestReceiver> {
  return control<TestReceiver>('/receivers', {
    method: 'POST',
    body: JSON.stringify({ statuses, delayMs }),
  })
}

/** Requests the receiver has seen, oldest first. */
export function received(receiver: TestReceiver): Promise<ReceivedRequest[]> {
  return control(`/receivers/${receiver.id}/requests`)
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or fails. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The worker's env with overrides (vars are plain strings here). */
export function envWith(overrides: Record<string, string>): Env {
  return { ...env, ...overrides }
}

/** Cloudflare's two lists, as text a test can vary (public stand-ins: reserved-space refuses documentation ranges). */
export function cloudflareFiles(v4: string[], v6: string[]): [string, FileSpec][] {
  return [
    ['www.cloudflare.com/ips-v4', { text: v4.join('\n') + '\n' }],
    ['www.cloudflare.com/ips-v6', { text: v6.join('\n') + '\n' }],
  ]
}

/** A mirror serving cloudflare/edge with the given lists. */
export async function cloudflareMirror(v4: string[], v6: string[]): Promise<TestMirror> {
  const mirror = await newMirror()
  await publishCloudflare(mirror, v4, v6)
  return mirror
}

/** Publishes new cloudflare/edge lists in a mirror. */
export async function publishCloudflare(
  mirror: TestMirror,
  v4: string[],
  v6: string[],
): Promise<void> {
  for (const [key, spec] of cloudflareFiles(v4, v6)) await setFile(mirror, key, spec)
}

/** Every row of a table, for assertions on what D1 holds. */
export async function rows<T>(sql: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await env.DB.prepare(sql)
    .bind(...params)
    .all<T>()
  return results
}

/**
 * Deletes every row the worker wrote (D1 storage lives as long as the test file), and forgets
 * the isolate's read cache, which would otherwise remember the deleted versions.
 */
export async function clearHistory(): Promise<void> {
  await env.DB.batch(
    [
      'delivery_attempts',
      'deliveries',
      'subscriptions',
      'changes',
      'checks',
      'feed_status',
      'cron_runs',
      'held_candidates',
      'versions',
      'snapshot_contents',
      'bodies',
      'http_cache',
      'sliced_parts',
    ].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  )
  for (const { name } of (await env.FEED_HEADS.list()).keys) await env.FEED_HEADS.delete(name)
  const { READ_CACHE } = await import('../../../worker/src/read-cache/read-cache.ts')
  READ_CACHE.clear()
}

/** A request to a fresh app with the test env plus overrides (STYLE: route tests via app.request). */
export async function call(
  path: string,
  init: RequestInit = {},
  overrides: Record<string, string> = {},
): Promise<Response> {
  const { createApp } = await import('../../../worker/src/app.ts')
  return createApp().request(`https://worker.test${path}`, init, envWith(overrides))
}

/** A problem-details body (RFC 9457). */
export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  errors?: { field: string; message: string }[]
}

/** Asserts a problem-details response and returns its body. */
export async function expectProblem(
  res: Response,
  status: number,
  code: string,
): Promise<ProblemBody> {
  const text = await res.text()
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`)
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`not problem+json: ${res.headers.get('content-type')}`)
  }
  const body = JSON.parse(text) as ProblemBody
  if (body.code !== code || body.status !== status || body.title === '' || body.detail === '') {
    throw new Error(`unexpected problem: ${text}`)
  }
  return body
}

/** A queue that records what is sent to it (a sync's deliveries, a cron's sync messages). */
export function capturingQueue<T = DeliveryMessage>(): { queue: Queue<T>; sent: T[] } {
  const sent: T[] = []
  const queue = {
    send: (body: T) => Promise.resolve(void sent.push(body)),
    sendBatch: (batch: Iterable<MessageSendRequest<T>>) =>
      Promise.resolve(void sent.push(...[...batch].map((m) => m.body))),
  } as unknown as Queue<T>
  return { queue, sent }
}
