/**
 * @module GitHubClient: the only file that talks to GitHub (Octokit with the retry and throttling
 * plugins, base URL from GITHUB_API_URL). API failures become GitHubApiError with a clear
 * message; a 403 names the workflow permission that is missing.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

/** One blob of a tree listing. */
export interface TreeEntry {
  readonly path: string
  readonly sha: string
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
  readonly title: string
  readonly body: string
  readonly headSha: string
  readonly labels: readonly string[]
  readonly draft: boolean
}

/** Fields to create or update a pull request with. */
export interface PullFields {
  readonly title: string
  readonly body: string
}

/** A failed GitHub API call; `status` is the HTTP status (0 without a response). */
export class GitHubApiError extends Error {
  readonly status: number
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options)
    this.name = 'GitHubApiError'
    this.status = status
  }
}

type Octokit = ReturnType<typeof getOctokit>

interface RequestErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | undefined>; data?: unknown }
}

function isRequestError(e: unknown): e is RequestErrorLike {
  return (
    typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number'
  )
}

/** `contents=write` (GitHub's X-Accepted-GitHub-Permissions) to `contents: write`. */
function permissionText(header: string | undefined, fallback: string): string {
  if (!header) return fallback
  const first = header.split(';')[0]!.split(',')
  return first
    .map((p) =>
      p
        .trim()
        .replace('=', ': ')
        .replace(/^pull_requests/, 'pull-requests'),
    )
    .join(', ')
}

/**
 * GitHub's REST API for one repository. Methods return plain values; every failure is a
 * GitHubApiError (the caller catches only where an outcome is expected, e.g. 422 on create ref).
 */
export class GitHubClient {
  readonly owner: string
  readonly repo: string
  readonly #octokit: Octokit
  readonly #warn: (message: string) => void

  /**
   * `repository` is `owner/name`; `baseUrl` GITHUB_API_URL (default https://api.github.com).
   * `warn` receives rate-limit notices.
   */
  constructor(options: {
    token: string
    repository: string
    baseUrl?: string
    warn?: (message: string) => void
    /** Retries on 5xx / rate limits; 0 in tests that count calls exactly. */
    retries?: number
  }) {
    const [owner, repo] = options.repository.split('/')
    if (!owner || !repo)
      throw new GitHubApiError(`GITHUB_REPOSITORY '${options.repository}' is not owner/name`, 0)
    this.owner = owner
    this.repo = repo
    this.#warn = options.warn ?? (() => undefined)
    const retries = options.retries ?? 3
    const baseUrl = options.baseUrl ?? 'https://api.github.com'
    // GitHub asks for a second between content-creating requests (secondary rate limits); a
    // server on loopback (a test double, a local proxy) has no such limit, so no spacing there.
    const loopback = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(baseUrl)
    this.#octokit = getOctokit(
      options.token,
      {
        baseUrl,
        retry: { retries },
        throttle: {
          enabled: !loopback,
          onRateLimit: (
            after: number,
            opts: { method: string; url: string },
            _o: unknown,
            count: number,
          ) => {
            this.#warn(`rate limited on ${opts.method} ${opts.url}; retrying after ${after} s`)
            return count < retries
          },
          onSecondaryRateLimit: (
            after: number,
            opts: { method: string; url: string },
            _o: unknown,
            count: number,
          ) => {
            this.#warn(
              `secondary rate limit on ${opts.method} ${opts.url}; retrying after ${after} s`,
            )
            return count < retries
          },
        },
      },
      retry,
      throttling,
    )
  }

  async #call<T>(what: string, permission: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (cause) {
      if (!isRequestError(cause))
        throw new GitHubApiError(`${what}: ${String(cause)}`, 0, { cause })
      const status = cause.status
      if (status === 401)
        throw new GitHubApiError(
          `${what}: the token was refused (401 ${cause.message}); check the 'token' input`,
          401,
          { cause },
        )
      if (status === 403 && !/rate limit/i.test(cause.message)) {
        const need = permissionText(
          cause.response?.headers?.['x-accepted-github-permissions'],
          permission,
        )
        throw new GitHubApiError(
          `${what}: 403 ${cause.message}. The workflow token lacks a permission: add \`permissions: ${need}\` to the job (or use a token that has it)`,
          403,
          { cause },
        )
      }
      const data = cause.response?.data as { message?: string; errors?: unknown } | undefined
      const detail = data?.errors === undefined ? '' : ` ${JSON.stringify(data.errors)}`
      throw new GitHubApiError(
        `${what}: ${status} ${data?.message ?? cause.message}${detail}`,
        status,
        { cause },
      )
    }
  }

  #repo() {
    return { owner: this.owner, repo: this.repo }
  }

  /** The repository's default branch. */
  async getDefaultBranch(): Promise<string> {
    const r = await this.#call('read the repository', 'contents: read', () =>
      this.#octokit.rest.repos.get(this.#repo()),
    )
    return r.data.default_branch
  }

  /** The commit a branch points at, or undefined when the branch does not exist. */
  async getBranchSha(branch: string): Promise<string | undefined> {
    try {
      const r = await this.#call(`read branch '${branch}'`, 'contents: read', () =>
        this.#octokit.rest.git.getRef({ ...this.#repo(), ref: `heads/${branch}` }),
      )
      return r.data.object.sha
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) return undefined
      throw error
    }
  }

  /** A commit's tree, parents and message. */
  async getCommit(sha: string): Promise<CommitInfo> {
    const r = await this.#call(`read commit ${sha}`, 'contents: read', () =>
      this.#octokit.rest.git.getCommit({ ...this.#repo(), commit_sha: sha }),
    )
    return {
      sha: r.data.sha,
      tree: r.data.tree.sha,
      parents: r.data.parents.map((p) => p.sha),
      message: r.data.message,
    }
  }

  /** Every blob of a tree, recursively (one call). */
  async getTree(treeSha: string): Promise<TreeEntry[]> {
    const r = await this.#call(`read tree ${treeSha}`, 'contents: read', () =>
      this.#octokit.rest.git.getTree({ ...this.#repo(), tree_sha: treeSha, recursive: 'true' }),
    )
    if (r.data.truncated)
      throw new GitHubApiError(`tree ${treeSha} is too large for one listing`, 0)
    return r.data.tree.flatMap((e) =>
      e.type === 'blob' && e.path !== undefined && e.sha !== undefined
        ? [{ path: e.path, sha: e.sha }]
        : [],
    )
  }

  /** A blob's content as UTF-8. */
  async getBlob(sha: string): Promise<string> {
    const r = await this.#call(`read blob ${sha}`, 'contents: read', () =>
      this.#octokit.rest.git.getBlob({ ...this.#repo(), file_sha: sha }),
    )
    return Buffer.from(r.data.content, r.data.encoding === 'base64' ? 'base64' : 'utf8').toString(
      'utf8',
    )
  }

  /** Stores a UTF-8 blob; returns its sha. */
  async createBlob(content: string): Promise<string> {
    const r = await this.#call('create a blob', 'contents: write', () =>
      this.#octokit.rest.git.createBlob({
        ...this.#repo(),
        content: Buffer.from(content).toString('base64'),
        encoding: 'base64',
      }),
    )
    return r.data.sha
  }

  /** A tree: `baseTree` with `entries` replaced. Returns its sha. */
  async createTree(baseTree: string, entries: readonly TreeEntry[]): Promise<string> {
    const r = await this.#call('create a tree', 'contents: write', () =>
      this.#octokit.rest.git.createTree({
        ...this.#repo(),
        base_tree: baseTree,
        tree: entries.map((e) => ({
          path: e.path,
          sha: e.sha,
          mode: '100644' as const,
          type: 'blob' as const,
        })),
      }),
    )
    return r.data.sha
  }

  /** A commit; returns its sha. */
  async createCommit(message: string, tree: string, parents: readonly string[]): Promise<string> {
    const r = await this.#call('create a commit', 'contents: write', () =>
      this.#octokit.rest.git.createCommit({
        ...this.#repo(),
        message,
        tree,
        parents: [...parents],
      }),
    )
    return r.data.sha
  }

  /** Creates a branch; false when it already exists (someone else was faster). */
  async createBranch(branch: string, sha: string): Promise<boolean> {
    try {
      await this.#call(`create branch '${branch}'`, 'contents: write', () =>
        this.#octokit.rest.git.createRef({ ...this.#repo(), ref: `refs/heads/${branch}`, sha }),
      )
      return true
    } catch (error) {
      if (
        error instanceof GitHubApiError &&
        error.status === 422 &&
        /already exists/i.test(error.message)
      )
        return false
      throw error
    }
  }

  /** Moves a branch (forced: the caller compared its head first). */
  async moveBranch(branch: string, sha: string): Promise<void> {
    await this.#call(`move branch '${branch}'`, 'contents: write', () =>
      this.#octokit.rest.git.updateRef({
        ...this.#repo(),
        ref: `heads/${branch}`,
        sha,
        force: true,
      }),
    )
  }

  /** Deletes a branch; a branch already gone is fine. */
  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.#call(`delete branch '${branch}'`, 'contents: write', () =>
        this.#octokit.rest.git.deleteRef({ ...this.#repo(), ref: `heads/${branch}` }),
      )
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 422) return
      throw error
    }
  }

  /** The open pull request from `branch` into `base`, if any. */
  async findOpenPull(branch: string, base: string): Promise<PullInfo | undefined> {
    const r = await this.#call('list pull requests', 'pull-requests: read', () =>
      this.#octokit.rest.pulls.list({
        ...this.#repo(),
        state: 'open',
        head: `${this.owner}:${branch}`,
        base,
        per_page: 10,
      }),
    )
    const p = r.data[0]
    return p === undefined
      ? undefined
      : {
          number: p.number,
          url: p.html_url,
          title: p.title,
          body: p.body ?? '',
          headSha: p.head.sha,
          labels: p.labels.map((l) => l.name),
          draft: p.draft === true,
        }
  }

  /** Opens a pull request; undefined when one already exists for the branch (a race). */
  async createPull(
    branch: string,
    base: string,
    fields: PullFields,
    draft: boolean,
  ): Promise<{ number: number; url: string } | undefined> {
    try {
      const r = await this.#call('open the pull request', 'pull-requests: write', () =>
        this.#octokit.rest.pulls.create({
          ...this.#repo(),
          head: branch,
          base,
          title: fields.title,
          body: fields.body,
          draft,
        }),
      )
      return { number: r.data.number, url: r.data.html_url }
    } catch (error) {
      if (
        error instanceof GitHubApiError &&
        error.status === 422 &&
        /already exists/i.test(error.message)
      )
        return undefined
      throw error
    }
  }

  /** Updates title and body. */
  async updatePull(number: number, fields: PullFields): Promise<void> {
    await this.#call(`update pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.update({
        ...this.#repo(),
        pull_number: number,
        title: fields.title,
        body: fields.body,
      }),
    )
  }

  /** Closes a pull request. */
  async closePull(number: number): Promise<void> {
    await this.#call(`close pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.update({ ...this.#repo(), pull_number: number, state: 'closed' }),
    )
  }

  /** Adds labels (created by GitHub when missing). */
  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    await this.#call(`label pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.issues.addLabels({
        ...this.#repo(),
        issue_number: number,
        labels: [...labels],
      }),
    )
  }

  /** Requests reviews from people and teams. */
  async requestReviewers(
    number: number,
    reviewers: readonly string[],
    teams: readonly string[],
  ): Promise<void> {
    await this.#call(`request reviewers on #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.requestReviewers({
        ...this.#repo(),
        pull_number: number,
        reviewers: [...reviewers],
        team_reviewers: [...teams],
      }),
    )
  }

  /** Assigns people. */
  async addAssignees(number: number, assignees: readonly string[]): Promise<void> {
    await this.#call(`assign #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.issues.addAssignees({
        ...this.#repo(),
        issue_number: number,
        assignees: [...assignees],
      }),
    )
  }

  /** The bodies of a pull request's comments (first 100). */
  async listComments(number: number): Promise<string[]> {
    const r = await this.#call(`read comments of #${number}`, 'pull-requests: read', () =>
      this.#octokit.rest.issues.listComments({
        ...this.#repo(),
        issue_number: number,
        per_page: 100,
      }),
    )
    return r.data.map((c) => c.body ?? '')
  }

  /** Comments on a pull request. */
  async comment(number: number, body: string): Promise<void> {
    await this.#call(`comment on #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.issues.createComment({ ...this.#repo(), issue_number: number, body }),
    )
  }

  /**
   * Posts a completed check run on `sha`; where checks are not allowed (403), a commit status
   * instead; `none` when neither is allowed. Returns which one was posted.
   */
  async postCheck(
    sha: string,
    check: {
      name: string
      conclusion: 'success' | 'failure' | 'neutral'
      title: string
      summary: string
    },
  ): Promise<'check-run' | 'status' | 'none'> {
    try {
      await this.#call('create a check run', 'checks: write', () =>
        this.#octokit.rest.checks.create({
          ...this.#repo(),
          name: check.name,
          head_sha: sha,
          status: 'completed',
          conclusion: check.conclusion,
          output: { title: check.title, summary: check.summary.slice(0, 65_000) },
        }),
      )
      return 'check-run'
    } catch (error) {
      if (!(error instanceof GitHubApiError && error.status === 403)) throw error
    }
    try {
      await this.#call('create a commit status', 'statuses: write', () =>
        this.#octokit.rest.repos.createCommitStatus({
          ...this.#repo(),
          sha,
          state: check.conclusion === 'failure' ? 'failure' : 'success',
          context: check.name,
          description: check.title.slice(0, 140),
        }),
      )
      return 'status'
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 403) return 'none'
      throw error
    }
  }
}
