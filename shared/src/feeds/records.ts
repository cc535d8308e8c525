/**
 * @module The `records` and `prefixes` parsers: the objects a path reaches, kept by field filters,
 * and the address fields read from each (Atlassian's items, Oracle's regions, Azure's service
 * tags; Google's, OpenAI's and Bing's `prefixes`).
 */
import { Entries, quote, type ExtractRefusal, type ExtractResult } from './entries.ts'
import { evaluateJsonPath, isObject, parseJsonPath, type JsonPathSegment } from './json-path.ts'
import type { ParserSpec } from './types.ts'

/** The two parser kinds read here. */
export type RecordsParser = Extract<ParserSpec, { kind: 'records' | 'prefixes' }>

/** Google's layout: `prefixes[*]`, each with `ipv4Prefix` or `ipv6Prefix`. */
const PREFIXES_PATH = 'prefixes[*]'
const PREFIX_FIELDS = ['ipv4Prefix', 'ipv6Prefix'] as const

const parsedPaths = new Map<string, JsonPathSegment[]>()
/** Paths come from the catalogue or a validated config: parse each once per process. */
function segmentsOf(expression: string): JsonPathSegment[] {
  let segments = parsedPaths.get(expression)
  if (segments === undefined) {
    segments = parseJsonPath(expression)
    parsedPaths.set(expression, segments)
  }
  return segments
}

function drift(reason: string): ExtractRefusal {
  return { guard: 'schema-drift', reason }
}

/** Whether a scalar (or an item of an array) equals one of `wanted`, as JSON text unquoted. */
function matches(value: unknown, wanted: ReadonlySet<string>): boolean {
  if (Array.isArray(value))
    return value.some((item) => !Array.isArray(item) && matches(item, wanted))
  if (typeof value === 'string') return wanted.has(value)
  if (typeof value === 'number' || typeof value === 'boolean') return wanted.has(String(value))
  return false
}

/** The top-level keys of a payload, for a message about a path that is not there. */
function keysOf(document: unknown): string {
  if (!isObject(document)) return ''
  const keys = Object.keys(document)
  const shown = keys.slice(0, 6).map(quote).join(', ')
  return ` (the payload's keys: ${keys.length === 0 ? 'none' : shown}${keys.length > 6 ? ', ...' : ''})`
}

/** Adds the strings at `where`: a string, or an array of strings; anything else is a problem. */
function addHit(value: unknown, where: string, entries: Entries): string | undefined {
  if (typeof value === 'string') {
    entries.add(value, where, -1)
    return undefined
  }
  if (!Array.isArray(value)) return `${where} is not a string or an array of strings`
  for (let i = 0; i < value.length; i++)
    if (typeof value[i] !== 'string') return `${where}[${i}] is not a string`
  entries.addAll(value as string[], where)
  return undefined
}

/** What {@link valueAt} answers for a path that is not there. */
const ABSENT: unique symbol = Symbol('absent')

/**
 * The value a path of object keys only reaches, or ABSENT: evaluateJsonPath's one hit without
 * its location (built, with the message of a path that breaks, only when needed).
 */
function valueAt(value: unknown, keys: readonly string[]): unknown {
  let at = value
  for (const key of keys) {
    if (!isObject(at) || !Object.hasOwn(at, key)) return ABSENT
    at = at[key]
  }
  return at
}

/** A path read from each record: its keys and their location text, when it has only keys. */
interface RecordPath {
  readonly segments: readonly JsonPathSegment[]
  readonly keys: readonly string[] | undefined
  /** What the keys add to a record's location: `["ipv4Prefix"]`. */
  readonly suffix: string
}

function recordPath(expression: string): RecordPath {
  const segments = segmentsOf(expression)
  const keys = segments.every((s) => s.kind === 'key') ? segments.map((s) => s.key) : undefined
  const suffix = (keys ?? []).map((k) => `[${JSON.stringify(k)}]`).join('')
  return { segments, keys, suffix }
}

/** How one record is read: kept or not by the filters, then its address fields into entries. */
export interface RecordReader {
  /** The path to the records. */
  readonly path: readonly JsonPathSegment[]
  /** Adds the entries of `record` (found at `where`) if the filters keep it; or a drift reason. */
  read(record: unknown, where: string, entries: Entries): string | undefined
}

/** The reader of one record for `parser` (shared by the whole-payload and the sliced reads). */
export function recordReader(parser: RecordsParser): RecordReader {
  const any = parser.kind === 'prefixes'
  const addressPaths: readonly string[] = any ? PREFIX_FIELDS : parser.address
  const filters = Object.entries(parser.where ?? {}).map(([at, values]) => ({
    path: recordPath(at),
    wanted: new Set(values),
  }))
  const addresses = addressPaths.map(recordPath)
  const kept = (record: Record<string, unknown>, where: string): boolean => {
    for (const { path, wanted } of filters) {
      if (path.keys !== undefined) {
        const value = valueAt(record, path.keys)
        if (value === ABSENT || !matches(value, wanted)) return false
        continue
      }
      const at = evaluateJsonPath(record, path.segments, where)
      if (!('hits' in at && at.hits.some((hit) => matches(hit.value, wanted)))) return false
    }
    return true
  }
  return {
    path: segmentsOf(any ? PREFIXES_PATH : parser.path),
    read(record, where, entries) {
      if (!isObject(record)) return `${where} is not an object`
      if (!kept(record, where)) return undefined
      let present = 0
      for (const { segments, keys, suffix } of addresses) {
        if (keys !== undefined) {
          const value = valueAt(record, keys)
          if (value !== ABSENT) {
            present++
            const problem = addHit(value, where + suffix, entries)
            if (problem !== undefined) return problem
            continue
          }
          if (any) continue
        }
        // Not there (for its message), or a path with more than keys.
        const at = evaluateJsonPath(record, segments, where)
        if ('missing' in at) return at.missing
        present++
        for (const hit of at.hits) {
          const problem = addHit(hit.value, hit.where, entries)
          if (problem !== undefined) return problem
        }
      }
      return present === 0
        ? `${where} has none of ${addressPaths.map((a) => quote(a)).join(', ')}`
        : undefined
    },
  }
}

/**
 * Reads a parsed payload with a `records` or `prefixes` parser (semantics in ParserSpec):
 * the entries of every kept record, or `schema-drift` naming the first place the payload does
 * not have the expected shape.
 */
export function extractRecords(document: unknown, parser: RecordsParser): ExtractResult {
  const reader = recordReader(parser)
  const found = evaluateJsonPath(document, reader.path)
  if ('missing' in found) return drift(`${found.missing}${keysOf(document)}`)
  const entries = new Entries(false)
  for (const { value, where } of found.hits) {
    const problem = reader.read(value, where, entries)
    if (problem !== undefined) return drift(problem)
  }
  return { entries }
}
