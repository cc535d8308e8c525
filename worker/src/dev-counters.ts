/**
 * @module A development-only count of D1 queries and head-board reads (DEV_COUNTERS="true", which
 * `npm start` sets for benchmarks): every `prepare()` and `exec()` on the wrapped D1 binding
 * counts as one query, every `get()` on the wrapped FEED_HEADS binding as one KV read, so a read
 * that needs none shows 0. Served at GET /__dev/counters; absent (404) otherwise.
 */

/** Calls counted since the isolate started. */
export const devCounters = { d1Queries: 0, boardReads: 0 }

/** `binding` with each call of one of `methods` counted by `count`. */
function counting<T extends object>(binding: T, methods: readonly string[], count: () => void): T {
  return new Proxy(binding, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      const method = (value as (...a: unknown[]) => unknown).bind(target)
      if (typeof prop !== 'string' || !methods.includes(prop)) return method
      return (...args: unknown[]) => {
        count()
        return method(...args)
      }
    },
  })
}

/** `db` with its queries counted in {@link devCounters}. */
export function countingD1(db: D1Database): D1Database {
  return counting(db, ['prepare', 'exec'], () => devCounters.d1Queries++)
}

/** The head board's namespace with its reads counted in {@link devCounters}. */
export function countingBoard(kv: KVNamespace): KVNamespace {
  return counting(kv, ['get'], () => devCounters.boardReads++)
}
