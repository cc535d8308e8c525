/**
 * @module The shape SECRETS_KEY must have, checked by the worker's config and by `npm run deploy`
 * before it uploads the secret: one or more keys separated by commas or whitespace, the current
 * one first, each the standard or URL-safe base64 of exactly 32 random bytes.
 */

/** What is wrong with a SECRETS_KEY value (never quoting it), or undefined when it is well-formed. */
export function secretsKeyProblem(raw: string): string | undefined {
  const parts = raw.split(/[\s,]+/).filter((p) => p !== '')
  if (parts.length === 0) return 'no key'
  for (const [i, part] of parts.entries()) {
    let bytes: string
    try {
      bytes = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    } catch {
      return `key ${i + 1} is not base64`
    }
    if (bytes.length !== 32) return `key ${i + 1} is ${bytes.length} bytes, not 32`
  }
  return undefined
}
