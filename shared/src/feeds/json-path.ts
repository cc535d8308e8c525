/** @module The small path language user-defined JSON feeds use to say where the addresses are. */

/** One step of a path: an object key, an array index, or every element/value (`*`). */
export type JsonPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }

const IDENT = /[A-Za-z_$][A-Za-z0-9_$-]*/y
const INDEX = /\d+/y
const QUOTED = /"(?:[^"\\]|\\.)*"/y

function pathError(expression: string, offset: number, what: string): TypeError {
  const error = new TypeError(
    `JSON path ${JSON.stringify(expression)}: ${what} at offset ${offset}`,
  ) as TypeError & { code: string }
  error.code = 'ERR_JSON_PATH'
  return error
}

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at
  return re.exec(text)?.[0]
}

/**
 * Parses a path such as `endpoints["app.firezone.dev"].ipv4`, `prefixes[*].ip_prefix` or
 * `[0].cidr`: identifiers after `.` (or at the start), `["any key"]` with JSON string escapes,
 * `[N]`, and `[*]` / `.*` for every element of an array or value of an object. The empty path
 * means the whole document. Throws a TypeError (`ERR_JSON_PATH`) naming the offset of the first
 * bad character.
 */
export function parseJsonPath(expression: string): JsonPathSegment[] {
  const segments: JsonPathSegment[] = []
  let at = 0
  while (at < expression.length) {
    const ch = expression[at]
    if (ch === '[') {
      if (expression.startsWith('[*]', at)) {
        segments.push({ kind: 'all' })
        at += 3
        continue
      }
      const quoted = matchAt(QUOTED, expression, at + 1)
      const index = quoted === undefined ? matchAt(INDEX, expression, at + 1) : undefined
      const token = quoted ?? index
      if (token === undefined || expression[at + 1 + token.length] !== ']')
        throw pathError(expression, at, 'expected ["key"], [N] or [*]')
      segments.push(
        quoted === undefined
          ? { kind: 'index', index: Number(token) }
          : { kind: 'key', key: JSON.parse(quoted) as string },
      )
      at += token.length + 2
      continue
    }
    const start = ch === '.' && at > 0 ? at + 1 : at
    if (ch === '.' && at === 0) throw pathError(expression, at, 'a path does not start with "."')
    if (expression[start] === '*') {
      segments.push({ kind: 'all' })
      at = start + 1
      continue
    }
    const ident = matchAt(IDENT, expression, start)
    if (ident === undefined || (ch !== '.' && at > 0))
      throw pathError(expression, start, 'expected a key name')
    segments.push({ kind: 'key', key: ident })
    at = start + ident.length
  }
  return segments
}

/** A value the path reached, with where it is (for messages). */
export interface JsonPathHit {
  readonly value: unknown
  readonly where: string
}

/**
 * Every value `segments` reach in `document`, or the first place where the path breaks
 * (a missing key, an index past the end, a step into a non-container). Locations start at
 * `base` (`$`, or where `document` itself was found in a larger one).
 */
export function evaluateJsonPath(
  document: unknown,
  segments: readonly JsonPathSegment[],
  base = '$',
): { hits: JsonPathHit[] } | { missing: string } {
  let current: JsonPathHit[] = [{ value: document, where: base }]
  for (const segment of segments) {
    const next: JsonPathHit[] = []
    for (const { value, where } of current) {
      if (segment.kind === 'all') {
        if (Array.isArray(value))
          value.forEach((v, i) => next.push({ value: v, where: `${where}[${i}]` }))
        else if (isObject(value))
          for (const [k, v] of Object.entries(value))
            next.push({ value: v, where: `${where}[${JSON.stringify(k)}]` })
        else return { missing: `${where} is not an array or object` }
      } else if (segment.kind === 'index') {
        if (!Array.isArray(value) || segment.index >= value.length)
          return { missing: `${where}[${segment.index}] does not exist` }
        next.push({ value: value[segment.index] as unknown, where: `${where}[${segment.index}]` })
      } else {
        const at = `${where}[${JSON.stringify(segment.key)}]`
        if (!isObject(value) || !Object.hasOwn(value, segment.key))
          return { missing: `${at} does not exist` }
        next.push({ value: value[segment.key], where: at })
      }
    }
    current = next
  }
  return { hits: current }
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
