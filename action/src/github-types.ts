/**
 * @module The shapes GitHubClient reads and writes (trees, commits, pull requests, check runs), and
 * the two mappings between them and GitHub's JSON.
 */
import type { Octokit } from './octokit-client.ts'

/** One entry of a tree listing: a file (mode 100644/100755), a link (120000) or a submodule. */
export interface TreeEntry {
  readonly path: string
  readonly sha: string
  readonly mode?: string
}

/** A commit, as far as the sync needs it. */
export interface CommitInfo {
  readonly sha: string
  readonly tree: string
  readonly parents: readonly string[]
  readonly message: string
}

/** A pull request, as far as the sync needs it. */
export interface PullInfo {
  readonly number: number
  readonly url: string
  /** GraphQL node id (for the draft-state mutations). */
  readonly nodeId: string
  readonly title: string
  readonly body: string
  readonly headSha: string
  readonly labels: readonly string[]
  readonly draft: boolean
  readonly reviewers: readonly string[]
  readonly teamReviewers: readonly string[]
  readonly assignees: readonly string[]
}

/** Fields to create or update a pull request with. */
export interface PullFields {
  readonly title: string
  readonly body: string
}

/** One annotation of a check run (GitHub's field names). */
export interface CheckAnnotation {
  readonly path: string
  readonly start_line: number
  readonly end_line: number
  readonly annotation_level: 'failure' | 'warning' | 'notice'
  readonly message: string
  readonly title?: string
}

/** What to write into a check run: any of status, conclusion, external id and output. */
export interface CheckRunWrite {
  readonly status?: 'in_progress' | 'completed'
  readonly conclusion?: 'success' | 'failure' | 'neutral'
  readonly externalId?: string
  readonly output?: {
    readonly title: string
    readonly summary: string
    readonly annotations?: readonly CheckAnnotation[]
  }
}

/** A check run as read back. */
export interface CheckRunInfo {
  readonly id: number
  readonly externalId: string
  readonly status: string
}

/** Options of {@link GitHubClient}. */
export interface GitHubClientOptions {
  readonly token: string
  /** `owner/name`. */
  readonly repository: string
  /** GITHUB_API_URL; default https://api.github.com. */
  readonly baseUrl?: string
  /** Receives rate-limit notices. */
  readonly warn?: (message: string) => void
  /** Retries of one request; default 3 (0 in tests that count calls exactly). */
  readonly retries?: number
  /** The network; default the global fetch. */
  readonly fetch?: typeof fetch
  /** Per request; default 30 000. */
  readonly requestTimeoutMs?: number
  /** The run's deadline, and how much time is left before it. */
  readonly deadline?: {
    readonly signal: AbortSignal
    readonly remainingMs: () => number
    readonly text: string
  }
  /** Milliseconds per second of retry waits; default 1000 (tests: 1). */
  readonly retryAfterBaseMs?: number
}

/** A pull request as GitHub's list endpoint returns it. */
export type PullData = Awaited<ReturnType<Octokit['rest']['pulls']['list']>>['data'][number]

/** A pull request as the sync needs it. */
export function toPull(p: PullData): PullInfo {
  return {
    number: p.number,
    url: p.html_url,
    nodeId: p.node_id,
    title: p.title,
    body: p.body ?? '',
    headSha: p.head.sha,
    labels: p.labels.map((l) => l.name),
    draft: p.draft === true,
    reviewers: (p.requested_reviewers ?? []).map((r) => r.login),
    teamReviewers: (p.requested_teams ?? []).map((t) => t.slug),
    assignees: (p.assignees ?? []).map((a) => a.login),
  }
}

/** A check-run write as GitHub's field names. */
export function checkFields(w: CheckRunWrite) {
  return {
    ...(w.status ? { status: w.status } : {}),
    ...(w.conclusion ? { conclusion: w.conclusion } : {}),
    ...(w.externalId !== undefined ? { external_id: w.externalId } : {}),
    ...(w.output
      ? {
          output: {
            title: w.output.title,
            summary: w.output.summary,
            ...(w.output.annotations ? { annotations: [...w.output.annotations] } : {}),
          },
        }
      : {}),
  }
}
