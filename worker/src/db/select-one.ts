/**
 * @module The one-row read every "get X by id" of db/ makes: the query, its first row mapped from
 * the D1 row type to the model, or undefined when there is none.
 */

/** The first row of `sql` bound to `binds`, through `map`; undefined when the query has none. */
export async function selectOne<Row, T>(
  db: D1Database,
  sql: string,
  binds: readonly unknown[],
  map: (row: Row) => T | Promise<T>,
): Promise<T | undefined> {
  const row = await db
    .prepare(sql)
    .bind(...binds)
    .first<Row>()
  return row === null ? undefined : map(row)
}
