/**
 * @module Checks a github-dispatch subscription's repository and token, at creation and again
 * before every attempt: the repository becomes a URL path (`o/..` would send the token to
 * `/repos/dispatches`) and the token a header (a CR/LF would be refused by every attempt for
 * three days, or worse, split the header).
 */

/**
 * GitHub's rules for an owner: alphanumerics and single hyphens, not at either end, at most 39
 * characters; for a repository name: `[A-Za-z0-9._-]`, at most 100, not `.` or `..`.
 */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/
const REPO = /^[A-Za-z0-9._-]{1,100}$/

/** Why `owner/name` is not a GitHub repository name; undefined when it is one. */
export function checkRepository(repository: string): string | undefined {
  const parts = repository.split('/')
  if (parts.length !== 2) return 'must be "owner/name"'
  const [owner, name] = parts as [string, string]
  if (!OWNER.test(owner)) {
    return 'the owner must be 1-39 letters, digits or single hyphens, not starting or ending with a hyphen'
  }
  if (!REPO.test(name) || name === '.' || name === '..') {
    return 'the name must be 1-100 letters, digits, ".", "-" or "_", and not "." or ".."'
  }
  return undefined
}

/** Longest accepted token (GitHub's fine-grained tokens are 93 characters). */
export const MAX_TOKEN_LENGTH = 500

/**
 * Why a token cannot be sent as `Authorization: Bearer <token>`; undefined when it can. Only
 * visible ASCII is accepted: control characters (CR, LF, NUL...), spaces and non-ASCII never
 * belong to a GitHub token. The token itself is never quoted back.
 */
export function checkToken(token: string): string | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    return `must be 1-${MAX_TOKEN_LENGTH} characters`
  }
  const bad = /[^\x21-\x7e]/.exec(token)
  if (bad !== null) {
    const code = bad[0].charCodeAt(0)
    const what =
      code < 0x20 || code === 0x7f ? 'a control character' : 'a space or non-ASCII character'
    return `contains ${what} (U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${bad.index + 1}): a token is visible ASCII only`
  }
  return undefined
}
