/** @module The small path language user-defined JSON feeds use to say where the addresses are. */

/** One step of a path: an object key, an array index, or every element/value (`*`). */
export type JsonPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }

/**
 * Parses a path such as `endpoints["app.firezone.dev"].ipv4`, `prefixes[*].ip_prefix` or
 * `[0].cidr`: identifiers after `.` (or at the start), `["any key"]` with JSON string escapes,
 * `[N]`, and `[*]` / `.*` for every element of an array or value of an object.
 * Throws a TypeError (`ERR_JSON_PATH`) naming the offset of the first bad character.
 */
export function parseJsonPath(expression: string): JsonPathSegment[] {
  void expression
  throw new TypeError('not implemented')
}
