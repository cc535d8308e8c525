/**
 * @module The text of a caught value: every `catch` that reports what went wrong reads it here,
 * as a `catch` (or a custom `fetch` rejection) may hold anything, not only an Error.
 */

/** An Error's `message`; anything else (a string, a number, `undefined`) as `String(value)`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
