/**
 * @module The cron's invocation, for the steps measured in workerd (issue 14: every invocation
 * within 10 ms, the cron's too): the worker's own runCron, as its scheduled handler runs it, with
 * the vars' defaults, over stand-ins that answer at once. D1 gives every built-in feed a current
 * version (its fetch time new at each call, as after a round of syncs), no held candidate, no
 * stranded delivery and nothing to prune; the head board (KV) keeps what was put, so each call
 * reads the last call's board and writes a new one; the sync queue takes the messages.
 *
 * As in store.ts, D1's and KV's own work and their bindings' JavaScript are not in the figures:
 * on Cloudflare the queries run outside the isolate. The cron's JavaScript around them is.
 */
import { BUILTIN_FEEDS } from '../../../shared/src/index.ts'
import { runCron } from '../../../worker/src/jobs/cron.ts'
import { sourceGroups } from '../../../worker/src/jobs/source-groups.ts'
import type { FanoutEnv } from '../../../worker/src/jobs/sync-queue.ts'

/** Calls so far: each gives the feeds a new fetch time. */
let calls = 0

/** A feed's current version as getFeedStates reads it (versions joined with their contents). */
function stateRow(feed: string, i: number) {
  return {
    feed,
    version: 1 + (i % 7),
    sha256: (i * 7919).toString(16).padStart(64, '0'),
    fetched_at: new Date(Date.UTC(2026, 11, 7, 0, calls)).toISOString(),
    changed_at: '2026-12-01T00:00:00.000Z',
    source: `https://upstream.example/${feed}`,
    upstream_version: null,
    ipv4_count: 100 + i,
    ipv6_count: 10 + i,
    ipv4_addresses: 25_600 * (i + 1),
  }
}

/**
 * D1 as the cron's functions see it, answering at once: the feeds' states and their ids for
 * queries of feed_status, a new cron run's id, and nothing else (no held candidate, no stranded
 * delivery, no subscription); every change changes no row.
 */
function cronD1(): D1Database {
  const answer = (sql: string) =>
    sql.includes('ipv4_count')
      ? BUILTIN_FEEDS.map((f, i) => stateRow(f.id, i))
      : sql.includes('SELECT feed FROM feed_status')
        ? BUILTIN_FEEDS.map((f) => ({ feed: f.id }))
        : []
  const none = { meta: { changes: 0 } }
  const prepare = (sql: string) => {
    const statement = {
      bind: () => statement,
      all: () => Promise.resolve({ results: answer(sql) }),
      first: () => Promise.resolve(sql.includes('RETURNING id') ? { id: calls } : null),
      run: () => Promise.resolve(none),
    }
    return statement
  }
  return {
    prepare,
    batch: (statements: readonly unknown[]) => Promise.resolve(statements.map(() => none)),
  } as unknown as D1Database
}

/** KV keeping what was put, as the head board's namespace. */
function keptKv(): KVNamespace {
  const kept = new Map<string, string>()
  return {
    get: (key: string) => Promise.resolve(kept.get(key) ?? null),
    put: (key: string, value: string) => Promise.resolve(void kept.set(key, value)),
  } as unknown as KVNamespace
}

const env = {
  DB: cronD1(),
  FEED_HEADS: keptKv(),
  SYNC_QUEUE: { sendBatch: () => Promise.resolve() },
  DELIVERY_QUEUE: { sendBatch: () => Promise.resolve() },
} as unknown as FanoutEnv

/**
 * One cron invocation, as the scheduled handler runs it; throws unless it ran ok, published every
 * feed's head anew and enqueued every source's message.
 */
export async function runCronOnce(): Promise<void> {
  calls++
  const run = await runCron(env, '*/10 * * * *')
  const { heads, sync } = run.summary as {
    heads?: { heads: number; written: boolean }
    sync?: { messages: number }
  }
  if (
    run.outcome !== 'ok' ||
    heads?.heads !== BUILTIN_FEEDS.length ||
    !heads.written ||
    sync?.messages !== sourceGroups(BUILTIN_FEEDS).length
  )
    throw new Error(`the cron did not do its work: ${JSON.stringify(run)}`)
}
