/**
 * @module The `records` and `prefixes` parsers: the objects a path reaches, kept by field filters,
 * and the address fields read from each (Atlassian's items, Oracle's regions, Azure's service
 * tags; Google's, OpenAI's and Bing's `prefixes`).
 */
import { Entries, quote, type ExtractRefusal, type ExtractResult } from './entries.ts'
import {
  evaluateJsonPath,
  isObject,
  parseJsonPath,
  type JsonPathHit,
  type JsonPathSegment,
} from './json-path.ts'
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

/** Adds the strings at `hit`: a string, or an array of strings; anything else is a problem. */
function addHit(hit: JsonPathHit, entries: Entries): string | undefined {
  const { value, where } = hit
  if (typeof value === 'string') {
    entries.add(value, where, -1)
    return undefined
  }
  if (!Array.isArray(value)) return `${where} is not a string or an array of strings`
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i]
    if (typeof item !== 'string') return `${where}[${i}] is not a string`
    entries.add(item, where, i)
  }
  return undefined
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
    segments: segmentsOf(at),
    wanted: new Set(values),
  }))
  const addresses = addressPaths.map(segmentsOf)
  return {
    path: segmentsOf(any ? PREFIXES_PATH : parser.path),
    read(record, where, entries) {
      if (!isObject(record)) return `${where} is not an object`
      const kept = filters.every(({ segments, wanted }) => {
        const at = evaluateJsonPath(record, segments, where)
        return 'hits' in at && at.hits.some((hit) => matches(hit.value, wanted))
      })
      if (!kept) return undefined
      let present = 0
      for (const segments of addresses) {
        const at = evaluateJsonPath(record, segments, where)
        if ('missing' in at) {
          if (any) continue
          return at.missing
        }
        present++
        for (const hit of at.hits) {
          const problem = addHit(hit, entries)
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
