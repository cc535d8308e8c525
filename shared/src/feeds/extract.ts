/**
 * @module The parsers: one source's body (text, or JSON parsed once per URL) in, the raw address
 * strings it lists out, each with where it was found; or the guard that refuses the body.
 */
import { Entries, quote, type ExtractRefusal, type ExtractResult } from './entries.ts'
import { evaluateJsonPath, isObject, parseJsonPath } from './json-path.ts'
import type { PlainObject } from './plain-object.ts'
import { extractRecords } from './records.ts'
import type { ParserSpec } from './types.ts'

export { Entries, quote, type ExtractRefusal, type ExtractResult } from './entries.ts'

/** Every top-level key of `api.github.com/meta` the catalogue knows; others are reported. */
export const GITHUB_META_ADDRESS_KEYS = [
  'hooks',
  'web',
  'api',
  'git',
  'packages',
  'pages',
  'importer',
  'github_enterprise_importer',
  'actions',
  'actions_macos',
  'codespaces',
  'dependabot',
  'copilot',
] as const

/** Known keys of the meta payload that hold no addresses. */
export const GITHUB_META_OTHER_KEYS = [
  'verifiable_password_authentication',
  'ssh_key_fingerprints',
  'ssh_keys',
  'domains',
  'commit_signing_keys',
] as const

/** Whether a parser reads JSON (parsed once per URL) rather than text. */
export function isJsonParser(parser: ParserSpec): boolean {
  return parser.kind !== 'lines' && parser.kind !== 'csv' && parser.kind !== 'geofeed'
}

/** Whether a body looks like an HTML page (a challenge or error page served with 200). */
export function looksLikeHtml(text: string): boolean {
  return /^\s*</.test(text)
}

/** Parses a text body with a `lines`, `csv` or `geofeed` parser. */
export function extractText(text: string, parser: ParserSpec): ExtractResult {
  if (looksLikeHtml(text))
    return {
      guard: 'wrong-content',
      reason: `an HTML page where a list was expected: ${quote(text.trim())}`,
    }
  if (parser.kind === 'csv') return extractCsv(text, parser.column)
  const entries = new Entries(true)
  const lines = text.split('\n')
  if (parser.kind === 'geofeed') {
    // RFC 8805 2.1.1: the prefix is the first field; '#' lines are comments; no header.
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trimStart()
      if (line === '' || line.startsWith('#')) continue
      const comma = line.indexOf(',')
      // An empty first field (",US,...") is kept: the guards refuse it, naming the line.
      entries.add((comma === -1 ? line : line.slice(0, comma)).trim(), '', i + 1)
    }
    return { entries }
  }
  for (let i = 0; i < lines.length; i++) {
    // '#' starts a comment anywhere; a trailing '\r' (CRLF) and blanks around an entry are not data.
    const line = lines[i]!
    const hash = line.indexOf('#')
    const entry = (hash === -1 ? line : line.slice(0, hash)).trim()
    if (entry !== '') entries.add(entry, '', i + 1)
  }
  return { entries }
}

function splitCsvRow(line: string): string[] | undefined {
  const fields: string[] = []
  let at = 0
  for (;;) {
    if (line[at] === '"') {
      let value = ''
      let i = at + 1
      for (;;) {
        const q = line.indexOf('"', i)
        if (q === -1) return undefined
        value += line.slice(i, q)
        if (line[q + 1] === '"') {
          value += '"'
          i = q + 2
          continue
        }
        at = q + 1
        break
      }
      fields.push(value)
      if (at === line.length) return fields
      if (line[at] !== ',') return undefined
      at++
    } else {
      const comma = line.indexOf(',', at)
      fields.push((comma === -1 ? line.slice(at) : line.slice(at, comma)).trim())
      if (comma === -1) return fields
      at = comma + 1
    }
  }
}

function extractCsv(text: string, column: string | number): ExtractResult {
  const rows: { fields: string[]; line: number }[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '')
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const fields = splitCsvRow(line)
    if (fields === undefined)
      return { guard: 'unparseable', reason: `line ${i + 1}: unterminated quoted field` }
    rows.push({ fields, line: i + 1 })
  }
  let index: number
  if (typeof column === 'number') index = column - 1
  else {
    const header = rows.shift()
    index = header?.fields.indexOf(column) ?? -1
    if (index === -1)
      return {
        guard: 'schema-drift',
        reason: `no column ${quote(column)} in the header${header ? ` (line ${header.line})` : ''}`,
      }
  }
  const entries = new Entries(true)
  for (const { fields, line } of rows) {
    const value = fields[index]
    if (value === undefined)
      return { guard: 'schema-drift', reason: `line ${line}: no column ${column}` }
    if (value !== '') entries.add(value, '', line)
  }
  return { entries }
}

/** Addresses in a value the path reached: a string, an array of strings, or `{ ipv4, ipv6 }`. */
function collect(value: unknown, where: string, out: Entries): string | undefined {
  if (typeof value === 'string') {
    out.add(value, where, -1)
    return undefined
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      if (typeof value[i] !== 'string') return `${where}[${i}] is not a string`
    out.addAll(value as string[], where)
    return undefined
  }
  if (isObject(value) && ('ipv4' in value || 'ipv6' in value)) {
    for (const key of ['ipv4', 'ipv6'] as const) {
      if (!(key in value)) continue
      const list = value[key]
      if (!Array.isArray(list)) return `${where}["${key}"] is not an array`
      const problem = collect(list, `${where}["${key}"]`, out)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  return `${where} is not a string, an array of strings or an object with ipv4/ipv6`
}

/** A parser of one key of GitHub's meta document. */
export type MetaParser = Extract<ParserSpec, { kind: 'github-meta' }>

/**
 * One meta key's entries from the document read from its bytes (plain-object.ts): its plain
 * lines, or what {@link extractJson} says of a document without the key; undefined when the key
 * holds anything else (extractJson reads the parsed document then, naming what is wrong).
 */
export function extractMetaKey(object: PlainObject, parser: MetaParser): ExtractResult | undefined {
  const lines = object.arrays.get(parser.key)
  if (lines !== undefined)
    return {
      entries: Entries.fromPlainLines(lines.lines, lines.count, `$[${JSON.stringify(parser.key)}]`),
    }
  return object.keys.includes(parser.key) ? undefined : extractJson({}, parser)
}

/** Parses an already parsed JSON document with a JSON-reading parser. */
export function extractJson(document: unknown, parser: ParserSpec): ExtractResult {
  const entries = new Entries(false)
  const drift = (reason: string): ExtractRefusal => ({ guard: 'schema-drift', reason })
  switch (parser.kind) {
    case 'github-meta': {
      if (!isObject(document)) return drift('the meta payload is not a JSON object')
      if (!Object.hasOwn(document, parser.key))
        return parser.required
          ? drift(`key ${quote(parser.key)} is missing from the meta payload`)
          : { entries }
      const list = document[parser.key]
      if (!Array.isArray(list)) return drift(`key ${quote(parser.key)} is not an array`)
      const problem = collect(list, `$[${JSON.stringify(parser.key)}]`, entries)
      return problem === undefined ? { entries } : drift(problem)
    }
    case 'firezone-relays': {
      // 2025 onwards: a flat array of CIDRs. 2024: { region: { ipv4: [...], ipv6: [...] } }.
      if (Array.isArray(document)) {
        const problem = collect(document, '$', entries)
        return problem === undefined ? { entries } : drift(problem)
      }
      if (!isObject(document)) return drift('relay-ips.json is neither an array nor an object')
      for (const [region, value] of Object.entries(document)) {
        const where = `$[${JSON.stringify(region)}]`
        if (!isObject(value) || !('ipv4' in value || 'ipv6' in value))
          return drift(`${where} is not an object with ipv4/ipv6`)
        const problem = collect(value, where, entries)
        if (problem !== undefined) return drift(problem)
      }
      return { entries }
    }
    case 'aws':
      return extractAws(document, parser.service, parser.regions)
    case 'records':
    case 'prefixes':
      return extractRecords(document, parser)
    case 'json': {
      const result = evaluateJsonPath(document, parseJsonPath(parser.path))
      if ('missing' in result) return drift(result.missing)
      for (const hit of result.hits) {
        const problem = collect(hit.value, hit.where, entries)
        if (problem !== undefined) return drift(problem)
      }
      return { entries }
    }
    /* v8 ignore next 2: text parsers never reach here */
    default:
      return drift(`parser ${parser.kind} does not read JSON`)
  }
}

/** ip-ranges.json grouped by service once per document (six aws/ feeds share one file). */
export interface AwsService {
  readonly texts: string[]
  readonly regions: string[]
  readonly bases: string[]
  readonly indexes: number[]
}
type AwsIndex = Map<string, AwsService> | ExtractRefusal
const awsIndexes = new WeakMap<object, AwsIndex>()

/** AWS's two lists, each with the key of its items' prefix. */
export const AWS_LISTS = [
  ['prefixes', 'ip_prefix'],
  ['ipv6_prefixes', 'ipv6_prefix'],
] as const

/** One of {@link AWS_LISTS}. */
export type AwsList = (typeof AWS_LISTS)[number]

/**
 * Adds item `i` of `list` to `index` (its service's texts, regions and where each was found), or
 * says which field it lacks.
 */
export function addAwsItem(
  index: Map<string, AwsService>,
  [listKey, prefixKey]: AwsList,
  i: number,
  item: unknown,
): ExtractRefusal | undefined {
  const base = `$["${listKey}"]`
  const prefix = isObject(item) ? item[prefixKey] : undefined
  if (
    !isObject(item) ||
    typeof prefix !== 'string' ||
    typeof item.service !== 'string' ||
    typeof item.region !== 'string'
  )
    return {
      guard: 'schema-drift',
      reason: `${base}[${i}] lacks a string ${prefixKey}, service or region`,
    }
  let service = index.get(item.service)
  if (!service) {
    service = { texts: [], regions: [], bases: [], indexes: [] }
    index.set(item.service, service)
  }
  service.texts.push(prefix)
  service.regions.push(item.region.toLowerCase())
  service.bases.push(base)
  service.indexes.push(i)
  return undefined
}

function indexAws(document: Record<string, unknown>): AwsIndex {
  const index = new Map<string, AwsService>()
  for (const list of AWS_LISTS) {
    const items = document[list[0]]
    if (!Array.isArray(items))
      return { guard: 'schema-drift', reason: `key ${quote(list[0])} is missing or not an array` }
    for (let i = 0; i < items.length; i++) {
      const refused = addAwsItem(index, list, i, items[i])
      if (refused) return refused
    }
  }
  return index
}

function extractAws(document: unknown, service: string, regions: readonly string[]): ExtractResult {
  if (!isObject(document))
    return { guard: 'schema-drift', reason: 'ip-ranges.json is not an object' }
  let index = awsIndexes.get(document)
  if (!index) {
    index = indexAws(document)
    awsIndexes.set(document, index)
  }
  if (!(index instanceof Map)) return index
  return awsEntries(index, service, regions)
}

/** The entries of `service` (in `regions`, or all) from an ip-ranges.json index. */
export function awsEntries(
  index: ReadonlyMap<string, AwsService>,
  service: string,
  regions: readonly string[],
): ExtractResult {
  const found = index.get(service)
  if (!found) return { guard: 'schema-drift', reason: `no entry has service ${quote(service)}` }
  const wanted = new Set(regions.map((r) => r.toLowerCase()))
  const entries = new Entries(false)
  for (let i = 0; i < found.texts.length; i++)
    if (wanted.size === 0 || wanted.has(found.regions[i]!))
      entries.add(found.texts[i]!, found.bases[i]!, found.indexes[i]!)
  return { entries }
}
