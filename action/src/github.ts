/**
 * @module GitHubClient: the GitHub REST (and, for a PR's draft state, GraphQL) API of one
 * repository. Every failure is a GitHubApiError with a clear message. Requests that create
 * something GitHub would create twice on a retry (a pull request, a comment, a check run) are
 * not retried blindly: after a failure without an answer the client looks for what the lost
 * request may have made, and only then tries again.
 */
import { createOnce } from './create-once.ts'
import { GitHubApiError, isAlreadyExists, toGitHubApiError } from './github-error.ts'
import {
  checkFields,
  toPull,
  type CheckRunInfo,
  type CheckRunWrite,
  type CommitInfo,
  type GitHubClientOptions,
  type PullData,
  type PullFields,
  type PullInfo,
  type TreeEntry,
} from './github-types.ts'
import { createOctokit, isLoopback, type Octokit } from './octokit-client.ts'

export { GitHubApiError } from './github-error.ts'
export type {
  CheckAnnotation,
  CheckRunInfo,
  CheckRunWrite,
  CommitInfo,
  GitHubClientOptions,
  PullFields,
  PullInfo,
  TreeEntry,
} from './github-types.ts'

/** The default per-request timeout. */
export const REQUEST_TIMEOUT_MS = 30_000

/** GitHub's REST API for one repository. Methods return plain values. */
export class GitHubClient {
  readonly owner: string
  readonly repo: string
  readonly #octokit: Octokit
  readonly #retries: number
  readonly #waitBaseMs: number
  readonly #deadline: GitHubClientOptions['deadline']

  constructor(options: GitHubClientOptions) {
    const [owner, repo] = options.repository.split('/')
    if (!owner || !repo)
      throw new GitHubApiError(`GITHUB_REPOSITORY '${options.repository}' is not owner/name`, 0)
    this.owner = owner
    this.repo = repo
    this.#retries = options.retries ?? 3
    this.#waitBaseMs = options.retryAfterBaseMs ?? 1000
    this.#deadline = options.deadline
    const baseUrl = options.baseUrl ?? 'https://api.github.com'
    this.#octokit = createOctokit({
      token: options.token,
      baseUrl,
      fetch: options.fetch ?? globalThis.fetch,
      retries: this.#retries,
      requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      deadline: options.deadline?.signal,
      remainingMs: options.deadline?.remainingMs ?? (() => Infinity),
      retryAfterBaseMs: this.#waitBaseMs,
      spaceWrites: !isLoopback(baseUrl),
      warn: options.warn ?? (() => undefined),
    })
  }

  async #call<T>(what: string, permission: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (cause) {
      const stopped = this.#deadline?.signal.aborted ? this.#deadline.text : undefined
      throw toGitHubApiError(what, permission, cause, stopped)
    }
  }

  #createOnce<T>(create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
    return createOnce(create, find, this.#retries, this.#waitBaseMs)
  }

  #repo() {
    return { owner: this.owner, repo: this.repo }
  }

  /** The parameters naming pull request `number`. */
  #pull(number: number) {
    return { ...this.#repo(), pull_number: number }
  }

  /** The parameters naming issue (or pull request) `number` on the issues API. */
  #issue(number: number) {
    return { ...this.#repo(), issue_number: number }
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

  /** Every file, link and submodule of a tree, recursively (one call). */
  async getTree(treeSha: string): Promise<TreeEntry[]> {
    const r = await this.#call(`read tree ${treeSha}`, 'contents: read', () =>
      this.#octokit.rest.git.getTree({ ...this.#repo(), tree_sha: treeSha, recursive: 'true' }),
    )
    if (r.data.truncated)
      throw new GitHubApiError(`tree ${treeSha} is too large for one listing`, 0)
    return r.data.tree.flatMap((e) =>
      e.type !== 'tree' && e.path !== undefined && e.sha !== undefined
        ? [{ path: e.path, sha: e.sha, ...(e.mode ? { mode: e.mode } : {}) }]
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

  /** A tree: `baseTree` with `entries` (regular files) replaced. Returns its sha. */
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

  /** Creates a branch; false when it already exists (someone else, or a lost answer). */
  async createBranch(branch: string, sha: string): Promise<boolean> {
    try {
      await this.#call(`create branch '${branch}'`, 'contents: write', () =>
        this.#octokit.rest.git.createRef({ ...this.#repo(), ref: `refs/heads/${branch}`, sha }),
      )
      return true
    } catch (error) {
      if (isAlreadyExists(error)) return false
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
    return r.data[0] === undefined ? undefined : toPull(r.data[0])
  }

  /**
   * Opens a pull request; undefined when another one already exists for the branch (a race).
   * When the answer is lost, a PR for the branch whose head is `head` is the one this call made.
   */
  async createPull(
    branch: string,
    base: string,
    fields: PullFields,
    draft: boolean,
    head: string,
  ): Promise<PullInfo | undefined> {
    const create = async () => {
      try {
        const r = await this.#call('open the pull request', 'pull-requests: write', () =>
          this.#octokit.rest.pulls.create({
            ...this.#repo(),
            head: branch,
            base,
            title: fields.title,
            body: fields.body,
            draft,
            request: { retries: 0 },
          }),
        )
        return toPull(r.data as unknown as PullData)
      } catch (error) {
        if (isAlreadyExists(error)) return undefined
        throw error
      }
    }
    const find = async () => {
      const found = await this.findOpenPull(branch, base)
      return found?.headSha === head ? found : undefined
    }
    return this.#createOnce(create, find)
  }

  /** Updates the title and/or the body. */
  async updatePull(number: number, fields: Partial<PullFields>): Promise<void> {
    await this.#call(`update pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.update({ ...this.#pull(number), ...fields }),
    )
  }

  /** Converts a pull request to a draft, or marks it ready for review (GraphQL: REST cannot). */
  async setDraft(pull: PullInfo, draft: boolean): Promise<void> {
    const mutation = draft ? 'convertPullRequestToDraft' : 'markPullRequestReadyForReview'
    const what = draft
      ? `convert #${pull.number} to a draft`
      : `mark #${pull.number} ready for review`
    await this.#call(what, 'pull-requests: write', () =>
      this.#octokit.graphql(
        `mutation($id: ID!) { ${mutation}(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`,
        { id: pull.nodeId },
      ),
    )
  }

  /** Closes a pull request. */
  async closePull(number: number): Promise<void> {
    await this.#call(`close pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.update({ ...this.#pull(number), state: 'closed' }),
    )
  }

  /** Adds labels (created by GitHub when missing). */
  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    await this.#call(`label pull request #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.issues.addLabels({ ...this.#issue(number), labels: [...labels] }),
    )
  }

  /** Removes one label; a label already gone is fine. */
  async removeLabel(number: number, label: string): Promise<void> {
    try {
      await this.#call(`unlabel pull request #${number}`, 'pull-requests: write', () =>
        this.#octokit.rest.issues.removeLabel({ ...this.#issue(number), name: label }),
      )
    } catch (error) {
      if (!(error instanceof GitHubApiError && error.status === 404)) throw error
    }
  }

  /** Requests reviews from people and teams. */
  async requestReviewers(number: number, reviewers: readonly string[], teams: readonly string[]) {
    await this.#call(`request reviewers on #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.pulls.requestReviewers({
        ...this.#pull(number),
        reviewers: [...reviewers],
        team_reviewers: [...teams],
      }),
    )
  }

  /** The logins that have reviewed a pull request. */
  async listReviewers(number: number): Promise<string[]> {
    const reviews = await this.#call(`read reviews of #${number}`, 'pull-requests: read', () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, {
        ...this.#pull(number),
        per_page: 100,
      }),
    )
    return [...new Set(reviews.flatMap((r) => (r.user ? [r.user.login] : [])))]
  }

  /** Assigns people. */
  async addAssignees(number: number, assignees: readonly string[]): Promise<void> {
    await this.#call(`assign #${number}`, 'pull-requests: write', () =>
      this.#octokit.rest.issues.addAssignees({ ...this.#issue(number), assignees: [...assignees] }),
    )
  }

  /** The bodies of every comment of a pull request (all pages). */
  async listComments(number: number): Promise<string[]> {
    const comments = await this.#call(`read comments of #${number}`, 'pull-requests: read', () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        ...this.#issue(number),
        per_page: 100,
      }),
    )
    return comments.map((c) => c.body ?? '')
  }

  /** Comments on a pull request, once: a lost answer is found among the comments. */
  async comment(number: number, body: string): Promise<void> {
    await this.#createOnce(
      () =>
        this.#call(`comment on #${number}`, 'pull-requests: write', () =>
          this.#octokit.rest.issues.createComment({
            ...this.#issue(number),
            body,
            request: { retries: 0 },
          }),
        ).then(() => true),
      async () => ((await this.listComments(number)).includes(body) ? true : undefined),
    )
  }

  /** The newest check run named `name` on `sha`, if any. */
  async findCheckRun(sha: string, name: string): Promise<CheckRunInfo | undefined> {
    const r = await this.#call(`read the check runs of ${sha}`, 'checks: read', () =>
      this.#octokit.rest.checks.listForRef({
        ...this.#repo(),
        ref: sha,
        check_name: name,
        per_page: 10,
      }),
    )
    const run = r.data.check_runs[0]
    return run === undefined
      ? undefined
      : { id: run.id, externalId: run.external_id ?? '', status: run.status }
  }

  /** Creates a check run once (a lost answer is found by its external id); returns its id. */
  async createCheckRun(sha: string, name: string, write: CheckRunWrite): Promise<number> {
    return this.#createOnce(
      async () => {
        const r = await this.#call('create a check run', 'checks: write', () =>
          this.#octokit.rest.checks.create({
            ...this.#repo(),
            name,
            head_sha: sha,
            ...checkFields(write),
            request: { retries: 0 },
          }),
        )
        return r.data.id
      },
      async () => {
        const found = await this.findCheckRun(sha, name)
        return found && found.externalId === write.externalId ? found.id : undefined
      },
    )
  }

  /**
   * Updates a check run. Annotations are appended, so a retry could add them twice: after a lost
   * answer the run's annotation count tells whether the update was applied (`before` is the
   * count the update starts from).
   */
  async updateCheckRun(id: number, write: CheckRunWrite, before: number): Promise<void> {
    const added = write.output?.annotations?.length ?? 0
    await this.#createOnce(
      () =>
        this.#call(`update check run ${id}`, 'checks: write', () =>
          this.#octokit.rest.checks.update({
            ...this.#repo(),
            check_run_id: id,
            ...checkFields(write),
            request: { retries: 0 },
          }),
        ).then(() => true),
      async () => {
        const r = await this.#call(`read check run ${id}`, 'checks: read', () =>
          this.#octokit.rest.checks.get({ ...this.#repo(), check_run_id: id }),
        )
        const applied =
          r.data.output.annotations_count >= before + added &&
          (write.status !== 'completed' || r.data.status === 'completed')
        return applied ? true : undefined
      },
    )
  }

  /** The newest commit status of `context` on `sha`: its state and description. */
  async findStatus(
    sha: string,
    context: string,
  ): Promise<{ state: string; description: string } | undefined> {
    const r = await this.#call(`read the statuses of ${sha}`, 'statuses: read', () =>
      this.#octokit.rest.repos.listCommitStatusesForRef({
        ...this.#repo(),
        ref: sha,
        per_page: 100,
      }),
    )
    const s = r.data.find((x) => x.context === context)
    return s === undefined ? undefined : { state: s.state, description: s.description ?? '' }
  }

  /** Posts a commit status. */
  async createStatus(
    sha: string,
    status: { context: string; state: 'success' | 'failure'; description: string },
  ): Promise<void> {
    await this.#call('create a commit status', 'statuses: write', () =>
      this.#octokit.rest.repos.createCommitStatus({ ...this.#repo(), sha, ...status }),
    )
  }
}
