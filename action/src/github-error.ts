/**
 * @module GitHubApiError: a failed GitHub API call with its HTTP status, and the one function
 * that turns what Octokit throws into it: a 401 names the token, a 403 the workflow permission
 * that is missing, a stop at the run's deadline says so.
 */

/** A failed GitHub API call; `status` is the HTTP status (0 without a response). */
export class GitHubApiError extends Error {
  readonly status: number
  /** True when the run's deadline (`timeout-seconds`) stopped the call. */
  readonly deadline: boolean
  constructor(message: string, status: number, options?: ErrorOptions & { deadline?: boolean }) {
    super(message, options)
    this.name = 'GitHubApiError'
    this.status = status
    this.deadline = options?.deadline ?? false
  }
}

/** GitHub's 422 for a ref or pull request that already exists (a race, or a lost answer). */
export function isAlreadyExists(error: unknown): boolean {
  return (
    error instanceof GitHubApiError && error.status === 422 && /already exists/i.test(error.message)
  )
}

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
  return header
    .split(';')[0]!
    .split(',')
    .map((p) =>
      p
        .trim()
        .replace('=', ': ')
        .replace(/^pull_requests/, 'pull-requests'),
    )
    .join(', ')
}

/** Whether an API failure may pass on a retry: no answer, a timeout, or a server error. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof GitHubApiError &&
    !error.deadline &&
    (error.status === 0 || error.status >= 500)
  )
}

/**
 * What Octokit threw for `what` as a GitHubApiError. `permission` is the workflow permission the
 * call needs (named when GitHub answers 403 without saying which); `deadline` is the text to give
 * when the run's deadline stopped it (undefined while the deadline has not passed).
 */
export function toGitHubApiError(
  what: string,
  permission: string,
  cause: unknown,
  deadline: string | undefined,
): GitHubApiError {
  if (deadline !== undefined)
    return new GitHubApiError(`${what}: stopped: ${deadline}`, 0, { cause, deadline: true })
  if (!isRequestError(cause)) return new GitHubApiError(`${what}: ${String(cause)}`, 0, { cause })
  const status = cause.status
  if (status === 401)
    return new GitHubApiError(
      `${what}: the token was refused (401 ${cause.message}); check the 'token' input`,
      401,
      { cause },
    )
  if (status === 403 && !/rate limit/i.test(cause.message)) {
    const need = permissionText(
      cause.response?.headers?.['x-accepted-github-permissions'],
      permission,
    )
    return new GitHubApiError(
      `${what}: 403 ${cause.message}. The workflow token lacks a permission: add \`permissions: ${need}\` to the job (or use a token that has it)`,
      403,
      { cause },
    )
  }
  const data = cause.response?.data as { message?: string; errors?: unknown } | undefined
  const detail = data?.errors === undefined ? '' : ` ${JSON.stringify(data.errors)}`
  // Without a response (a refused connection, a timeout) octokit reports status 500.
  const answered = cause.response !== undefined
  return new GitHubApiError(
    `${what}: ${answered ? `${status} ` : ''}${data?.message ?? cause.message}${detail}`,
    answered ? status : 0,
    { cause },
  )
}
