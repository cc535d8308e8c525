/**
 * @module Durations on the command line: `--timeout 30s`, `2m`, `500ms`, or a bare number of
 * seconds; and the deprecated `--timeout-ms N`, still read, with a warning on stderr.
 */
import { UsageError, type CliIo } from './io.ts'

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 }

/**
 * Milliseconds of a duration: a number (decimals allowed) with the unit `ms`, `s` or `m`, or
 * none for seconds. Undefined for anything else (an empty string, `1h`, `-1s`, `10 s`).
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)
  if (!m) return undefined
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

/** `2000ms` as `2s`, `90000ms` as `90s`: the shortest exact spelling, for messages. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

/** The bounds of a duration option, in milliseconds. */
export interface TimeoutBounds {
  readonly min: number
  readonly max: number
}

/**
 * A duration option in milliseconds, from `--NAME DURATION` or its deprecated `--NAME-ms N`
 * (read, with a warning on stderr naming the new spelling); undefined when neither is given.
 * Both at once, or a value outside the bounds, is a UsageError.
 */
export function durationOption(
  values: Readonly<Record<string, unknown>>,
  name: string,
  bounds: TimeoutBounds,
  io: CliIo,
): number | undefined {
  const given = values[name] as string | undefined
  const legacy = values[`${name}-ms`] as string | undefined
  if (legacy !== undefined && given !== undefined)
    throw new UsageError(`give --${name} or --${name}-ms, not both (--${name}-ms is deprecated)`)
  if (legacy !== undefined) {
    const ms = /^\d+$/.test(legacy) ? Number(legacy) : undefined
    if (ms === undefined || ms < bounds.min || ms > bounds.max)
      throw new UsageError(
        `--${name}-ms '${legacy}': expected a whole number from ${bounds.min} to ${bounds.max}`,
      )
    io.stderr(
      `warning: --${name}-ms is deprecated and will be removed; write --${name} ${formatDuration(ms)}\n`,
    )
    return ms
  }
  if (given === undefined) return undefined
  const ms = parseDuration(given)
  if (ms === undefined || ms < bounds.min || ms > bounds.max) {
    // A bare number was milliseconds in fetch's old --timeout: say what it means now.
    const bare = /^\d+(\.\d+)?$/.test(given)
    const range = `${formatDuration(bounds.min)} to ${formatDuration(bounds.max)}`
    throw new UsageError(
      `--${name} ${JSON.stringify(given)}: expected a duration from ${range}, e.g. 30s, 2m or 500ms${bare ? ` (a bare number is seconds: did you mean ${given}ms?)` : ''}`,
    )
  }
  return ms
}

/** `--timeout DURATION` (or the deprecated `--timeout-ms N`) in milliseconds. */
export function timeoutOption(
  values: Readonly<Record<string, unknown>>,
  bounds: TimeoutBounds,
  io: CliIo,
): number | undefined {
  return durationOption(values, 'timeout', bounds, io)
}
