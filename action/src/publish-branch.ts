/**
 * @module Publishing the plan on the action's branch: exactly one commit on top of base (blobs
 * for contents GitHub does not hold yet, one tree, one commit), then the branch created, or
 * compared and moved. A commit that already carries this plan is left as it is; a newer run's
 * commit is never replaced.
 */
import { createHash } from 'node:crypto'
import type { CommitInfo, GitHubClient } from './github.ts'
import { gitBlobSha, type PlannedFile } from './plan.ts'
import type { TreeReader } from './tree-reader.ts'

const TRAILER_TREE = 'Allowlist-Sync-Tree'
const TRAILER_PLAN = 'Allowlist-Sync-Plan'
const TRAILER_TIME = 'Allowlist-Sync-Time'

/** A `Key: value` trailer of a commit message. */
export function trailer(message: string, key: string): string | undefined {
  return new RegExp(`^${key}: (\\S+)$`, 'm').exec(message)?.[1]
}

/** A commit the action made: one parent, and a tree trailer equal to its tree (not amended). */
export function isOwnCommit(commit: CommitInfo): boolean {
  return commit.parents.length === 1 && trailer(commit.message, TRAILER_TREE) === commit.tree
}

/** A digest of what a plan writes: changed paths and their blob ids, sorted. */
export function planDigest(files: readonly PlannedFile[]): string {
  const lines = files
    .filter((f) => f.changed && f.content !== undefined)
    .map((f) => `${f.path}\0${gitBlobSha(f.content!)}`)
    .sort()
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32)
}

/** Whether `head` is the action's commit of this very plan on this base. */
export function isCurrent(head: CommitInfo | undefined, baseSha: string, digest: string): boolean {
  return (
    head !== undefined &&
    isOwnCommit(head) &&
    head.parents[0] === baseSha &&
    trailer(head.message, TRAILER_PLAN) === digest
  )
}

/** What {@link publishBranch} needs. */
export interface PublishInput {
  readonly client: GitHubClient
  readonly branch: string
  readonly baseSha: string
  /** The base commit's tree, and its files (the blobs GitHub already holds). */
  readonly baseTree: string
  readonly base: TreeReader
  /** The branch head now, or undefined when the branch does not exist. */
  readonly head: CommitInfo | undefined
  /** The changed files, with content. */
  readonly files: readonly PlannedFile[]
  readonly digest: string
  /** The commit message's first line and body (trailers are added). */
  readonly message: string
  readonly now: () => number
}

/** What publishing did. */
export type PublishOutcome =
  /** The branch already holds this plan's commit, made at `at` (ISO). */
  | { readonly kind: 'current'; readonly sha: string; readonly at: string }
  /** The branch was created or moved to a new commit, made at `at` (ISO). */
  | { readonly kind: 'moved'; readonly sha: string; readonly at: string }
  /** A newer run's commit is there (its time trailer is later than this run's clock). */
  | { readonly kind: 'newer'; readonly sha: string; readonly at: string }
  /** The branch appeared or moved meanwhile: plan again. */
  | { readonly kind: 'raced' }

/** Blob ids for the files: reused where the base or the branch head holds the content already. */
async function blobsFor(p: PublishInput): Promise<{ path: string; sha: string }[]> {
  const headTree =
    p.head && isOwnCommit(p.head)
      ? new Set((await p.client.getTree(p.head.tree)).map((e) => e.sha))
      : undefined
  return Promise.all(
    p.files.map(async (f) => {
      const sha = gitBlobSha(f.content!)
      const known = p.base.hasBlob(sha) || headTree?.has(sha) === true
      return { path: f.path, sha: known ? sha : await p.client.createBlob(f.content!) }
    }),
  )
}

/** Puts the plan's commit on the branch (see the module note). */
export async function publishBranch(p: PublishInput): Promise<PublishOutcome> {
  if (isCurrent(p.head, p.baseSha, p.digest))
    return { kind: 'current', sha: p.head!.sha, at: trailer(p.head!.message, TRAILER_TIME) ?? '' }
  const newer = p.head && isOwnCommit(p.head) ? trailer(p.head.message, TRAILER_TIME) : undefined
  if (newer !== undefined && Date.parse(newer) > p.now())
    return { kind: 'newer', sha: p.head!.sha, at: newer }
  const tree = await p.client.createTree(p.baseTree, await blobsFor(p))
  const at = new Date(p.now()).toISOString()
  const message = `${p.message}\n\n${TRAILER_PLAN}: ${p.digest}\n${TRAILER_TREE}: ${tree}\n${TRAILER_TIME}: ${at}\n`
  const sha = await p.client.createCommit(message, tree, [p.baseSha])
  if (p.head === undefined) {
    if (!(await p.client.createBranch(p.branch, sha))) return { kind: 'raced' }
    return { kind: 'moved', sha, at }
  }
  // GitHub's ref API has no compare-and-swap: compare right before the forced move.
  if ((await p.client.getBranchSha(p.branch)) !== p.head.sha) return { kind: 'raced' }
  await p.client.moveBranch(p.branch, sha)
  return { kind: 'moved', sha, at }
}
