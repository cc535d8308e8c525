/**
 * @module The cron invocation: record the run (cron_runs), publish every feed's head on the head
 * board (read-cache/head-board.ts: what the previous run's syncs stored, `fetchedAt` included),
 * enqueue one sync message per upstream source (jobs/sync-queue.ts; each message syncs its feeds
 * and publishes their new versions in an invocation of its own), re-enqueue stranded deliveries,
 * prune old history (and the parts of bodies read in slices left for a day), and re-seal
 * subscription secrets stored in clear or under an older SECRETS_KEY key. Each step runs even when an earlier one
 * failed; the run then ends `failed` and throws, so it shows in Cron Events.
 */
import { readConfig } from '../config.ts'
import { finishCronRun, startCronRun } from '../db/cron-runs.ts'
import { pruneHistory } from '../db/prune-history.ts'
import { deleteSlices } from '../db/sliced-parts.ts'
import { logEvent } from '../log-event.ts'
import { publishEveryHead } from '../read-cache/publish-pointers.ts'
import { resealSubscriptions, secretBoxOf } from '../secrets/subscription-secrets.ts'
import { DEFAULT_DEPS } from './deps.ts'
import type { JobDeps } from './deps.ts'
import { recordChecks } from '../db/checks.ts'
import { requeueStranded } from './scheduled.ts'
import { enqueueSyncs } from './sync-queue.ts'
import type { FanoutEnv } from './sync-queue.ts'

/** Longest error text kept in cron_runs. */
const MAX_ERROR = 500

/** What one cron invocation did (also stored as cron_runs.summary). */
export interface CronSummary {
  readonly runId: number
  readonly outcome: 'ok' | 'failed'
  readonly summary: Readonly<Record<string, unknown>>
}

function describe(error: unknown): string {
  const text =
    error instanceof AggregateError
      ? `${error.message}: ${error.errors.map(String).join('; ')}`
      : error instanceof Error
        ? error.message
        : String(error)
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text
}

/** One cron invocation; throws after recording it when any step failed. */
export async function runCron(
  env: FanoutEnv,
  cron: string,
  deps: JobDeps = DEFAULT_DEPS,
): Promise<CronSummary> {
  const runId = await startCronRun(env.DB, cron, new Date(deps.now()).toISOString())
  const summary: Record<string, unknown> = {}
  const errors: string[] = []
  const step = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      const value = await fn()
      if (value !== undefined) summary[name] = value
    } catch (error) {
      errors.push(`${name}: ${describe(error)}`)
    }
  }
  // Before this run's syncs start publishing their own new versions.
  await step('heads', async () =>
    env.FEED_HEADS === undefined ? undefined : publishEveryHead(env.DB, env.FEED_HEADS),
  )
  await step('sync', async () => {
    const runKey = crypto.randomUUID()
    const sent = await enqueueSyncs(env, runKey)
    if (sent.unknown.length > 0) {
      const at = new Date(deps.now()).toISOString()
      await recordChecks(
        env.DB,
        sent.unknown.map((id) => ({
          runId: runKey,
          feed: id,
          at,
          durationMs: 0,
          outcome: 'error' as const,
          reason: `unknown feed id "${id}" in ENABLED_FEEDS`,
        })),
      )
    }
    return { messages: sent.messages, feeds: sent.feeds, unknown: sent.unknown.length }
  })
  await step('requeued', () => requeueStranded(env, deps.now()))
  await step('pruned', async () => {
    const days = readConfig(env).checkRetentionDays
    const history = await pruneHistory(
      env.DB,
      new Date(deps.now() - days * 86_400_000).toISOString(),
    )
    // The parts of a body whose chain of sliced steps died (jobs/sliced-sync.ts).
    const before = new Date(deps.now() - 86_400_000).toISOString()
    return { ...history, slicedParts: await deleteSlices(env.DB, { before }) }
  })
  await step('secrets', async () => {
    const box = await secretBoxOf(readConfig(env))
    if (box === undefined) return undefined
    const result = await resealSubscriptions(env.DB, box)
    if (result.failed.length > 0) {
      // A key removed from SECRETS_KEY too early: deliveries of these cannot be signed or sent.
      throw new Error(
        `${result.resealed} re-sealed, ${result.failed.length} cannot be opened: ${result.failed.map((f) => `${f.id}: ${f.reason}`).join('; ')}`,
      )
    }
    return { resealed: result.resealed }
  })
  const outcome = errors.length === 0 ? 'ok' : 'failed'
  if (errors.length > 0) summary['error'] = describe(errors.join('; '))
  await finishCronRun(env.DB, runId, new Date(deps.now()).toISOString(), outcome, summary)
  logEvent(outcome === 'ok' ? 'info' : 'error', { event: 'cron', runId, cron, outcome, ...summary })
  if (errors.length > 0) throw new Error(`cron run ${runId} failed: ${summary['error'] as string}`)
  return { runId, outcome, summary }
}
