/**
 * @module What the Action's sync and verify share: the dependencies a run gets (inputs, client,
 * network, clock, runner facts, log), what it returns, and the reads every run starts with (the
 * config, checked against the commit's own files, and the lock).
 */
import { ConfigError, parseConfig, type SyncConfig } from './config.ts'
import { parseLock, type FeedState, type FeedStateOptions, type LockCursor } from './feed-state.ts'
import type { GitHubClient } from './github.ts'
import type { Inputs } from './inputs.ts'
import type { PolicyFinding } from './policy-check.ts'
import type { RunOutcome } from './summary.ts'
import type { TreeReader } from './tree-reader.ts'
import { errorMessage, type SarifLog } from '../../shared/src/index.ts'

/** The default branch name the action commits to. */
export const DEFAULT_BRANCH = 'allowlist-sync/update'

/** What the runner tells the action besides inputs. */
export interface RunEnv {
  /** UPSTREAM_MIRROR */
  readonly mirror?: string
  /** The repository's default branch from the event payload, saving an API call. */
  readonly defaultBranch?: string
  /** The commit `verify` checks: the PR head from the event, else GITHUB_SHA. */
  readonly verifySha?: string
  readonly runUrl?: string
}

/** Everything the orchestrator needs; tests pass their own. */
export interface SyncDeps {
  readonly inputs: Inputs
  readonly client: GitHubClient
  /** The network for feeds (the GitHub client has its own). */
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly env: RunEnv
  readonly log: { info(message: string): void; warning(message: string): void }
}

/** The Action's outputs, before they are strings. */
export interface SyncOutputs {
  readonly changed: boolean
  readonly pullRequestNumber?: number
  readonly pullRequestUrl?: string
  /** The PR's head commit. */
  readonly pullRequestHeadSha?: string
  /** The PR's branch. */
  readonly pullRequestBranch?: string
  readonly operation: RunOutcome['operation']
  readonly added: number
  readonly removed: number
  readonly violations: number
}

/** What a run produced: outputs, the job summary, findings to annotate, a SARIF log to write. */
export interface SyncResult {
  readonly outputs: SyncOutputs
  readonly summary: string
  readonly findings: readonly PolicyFinding[]
  readonly sarif: SarifLog | undefined
  readonly warnings: readonly string[]
  /** Why the step fails, when it does (after outputs and the summary are written). */
  readonly failure?: string
}

/** Reads and checks the config at a commit (its files checked against that commit's tree). */
export async function readConfig(
  deps: SyncDeps,
  reader: TreeReader,
  where: string,
): Promise<SyncConfig> {
  const path = deps.inputs.config
  const text = await reader.read(path)
  if (text === undefined)
    throw new ConfigError([
      `${path}: no such file at ${where} (set the 'config' input, or add the file)`,
    ])
  return parseConfig(text, path, {
    files: reader,
    allowWorkflowFiles: deps.inputs.allowWorkflowFiles,
  })
}

/** The lock's snapshots; an unreadable lock is rebuilt, with a warning. */
export function readLock(text: string | undefined, deps: SyncDeps): ReturnType<typeof parseLock> {
  try {
    return parseLock(text, new Date(deps.now()).toISOString())
  } catch (cause) {
    deps.log.warning(`the lock file is unreadable and is rebuilt: ${errorMessage(cause)}`)
    return {}
  }
}

/** getFeedState's options for this run. */
export function feedOptions(
  deps: SyncDeps,
  config: SyncConfig,
  previous: ReturnType<typeof parseLock>,
  cursor?: LockCursor,
): FeedStateOptions {
  return {
    userFeeds: config.userFeeds,
    source: deps.inputs.source || config.source || '',
    fetch: deps.fetch,
    now: deps.now,
    ...(deps.env.mirror ? { mirror: deps.env.mirror } : {}),
    maxRemovalPercent: deps.inputs.maxRemovalPercent,
    allowMassRemoval: deps.inputs.allowMassRemoval,
    previous,
    ...(cursor ? { cursor } : {}),
  }
}

/** CIDRs added and removed across the changed feeds. */
export function countChanges(state: FeedState | undefined): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const c of state?.changes.values() ?? []) {
    added += c.added.ipv4.length + c.added.ipv6.length
    removed += c.removed.ipv4.length + c.removed.ipv6.length
  }
  return { added, removed }
}
