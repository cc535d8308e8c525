/**
 * @module A development-only count of D1 queries (DEV_COUNTERS="true", which `npm start` sets for
 * benchmarks): every `prepare()` and `exec()` on the wrapped binding counts as one query, so a
 * read that needs none shows 0. Served at GET /__dev/counters; absent (404) otherwise.
 */

/** Queries counted since the isolate started. */
export const devCounters = { d1Queries: 0 }

/** `db` with its queries counted in {@link devCounters}. */
export function countingD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare' || prop === 'exec') {
        return (sql: string) => {
          devCounters.d1Queries++
          return prop === 'prepare' ? target.prepare(sql) : target.exec(sql)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}
