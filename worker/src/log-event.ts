/**
 * @module One bounded JSON log line per event. Upstream text, subscriber URLs and error messages
 * reach logs, so every string is cut to {@link MAX_LOG_STRING} characters, every array to
 * {@link MAX_LOG_ITEMS} items and the line to {@link MAX_LOG_LINE}; bidirectional-text controls
 * and line separators are written as JSON `\u` escapes, so the line parses to the same values
 * but never reorders or breaks what a log viewer shows around it.
 */

/** Longest log line, in characters. */
export const MAX_LOG_LINE = 16_384
/** Longest string value, in characters. */
export const MAX_LOG_STRING = 1024
/** Most array items logged. */
export const MAX_LOG_ITEMS = 128

/** Bidi embedding, override and isolate controls, LRM/RLM, and U+2028/U+2029. */
const UNSAFE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

function bound(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_LOG_STRING) {
    return `${value.slice(0, MAX_LOG_STRING)}… (${value.length - MAX_LOG_STRING} more characters)`
  }
  if (Array.isArray(value) && value.length > MAX_LOG_ITEMS) {
    const items = value as unknown[]
    return [...items.slice(0, MAX_LOG_ITEMS), `… (${items.length - MAX_LOG_ITEMS} more items)`]
  }
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

/** The JSON line {@link logEvent} writes: bounded, bidi controls escaped. */
export function formatLogLine(fields: Readonly<Record<string, unknown>>): string {
  let line = JSON.stringify(fields, bound)
  if (line.length > MAX_LOG_LINE) {
    // Still too long (many long strings): keep what fits as one string, still valid JSON.
    line = JSON.stringify({
      event: typeof fields['event'] === 'string' ? fields['event'].slice(0, 100) : undefined,
      truncated: true,
      head: line.slice(0, MAX_LOG_LINE - 200),
    })
  }
  return line.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Writes one event as one bounded JSON line; `error` goes to console.error. */
export function logEvent(
  level: 'info' | 'error',
  fields: Readonly<Record<string, unknown> & { event: string }>,
): void {
  const line = formatLogLine(fields)
  if (level === 'error') console.error(line)
  else console.log(line)
}
