/**
 * @module The Hono app's type parameters, in a file of their own so that routes can name them
 * without importing app.ts (which imports every route).
 */
import type { ReadCache } from './read-cache/read-cache.ts'

/** What routes get besides the bindings: the clock and the read cache (tests pass their own). */
export interface AppDeps {
  /** Milliseconds since the epoch. */
  readonly now: () => number
  readonly readCache: ReadCache
}

/** The app's type parameters: bindings, and {@link AppDeps} as context variables. */
export type AppEnv = { Bindings: Env; Variables: AppDeps }
