/** @module The side effects jobs take as a parameter, so tests pass fakes (STYLE section 3). */

/** The network and the clock. */
export interface JobDeps {
  readonly fetch: typeof fetch
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

/** The real network and clock. */
export const DEFAULT_DEPS: JobDeps = {
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
}
