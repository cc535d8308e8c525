/**
 * @module The publisher's own version or date of what was read (`Snapshot.upstreamVersion`): a
 * field of the payload (`syncToken`, `creationTime`, `changeNumber`, ...), else the response's
 * ETag or Last-Modified. Display only: never part of a snapshot's identity.
 */
import { evaluateJsonPath, parseJsonPath } from './json-path.ts'
import type { CacheEntry, UpstreamVersion } from './types.ts'

/** Longest value kept: a version is a token or a date, never a paragraph. */
const MAX_VALUE = 100

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 3)}...` : flat
}

/**
 * The version of one fetched body: the string or finite number at `path` in `document` (a JSON
 * payload) when there is one, else the ETag, else the Last-Modified date the response carried;
 * undefined when there is none of them. Values are kept as published, whitespace folded, at most
 * 100 characters.
 */
export function readUpstreamVersion(
  document: unknown,
  path: string | undefined,
  validators: CacheEntry,
): UpstreamVersion | undefined {
  if (path !== undefined && document !== undefined) {
    const found = evaluateJsonPath(document, parseJsonPath(path))
    const value = 'hits' in found ? found.hits[0]?.value : undefined
    if (typeof value === 'string' && value.trim() !== '') return { field: path, value: clip(value) }
    if (typeof value === 'number' && Number.isFinite(value))
      return { field: path, value: String(value) }
  }
  if (validators.etag !== undefined) return { field: 'ETag', value: clip(validators.etag) }
  if (validators.lastModified !== undefined)
    return { field: 'Last-Modified', value: clip(validators.lastModified) }
  return undefined
}

/**
 * One version for a feed read from several URLs: the single one when they agree (google/services
 * reads goog.json and cloud.json, published together), else the fields and the values joined
 * (`syncToken ETag`, `1712345678 "abc"`); undefined when no URL had one.
 */
export function combineUpstreamVersions(
  versions: readonly (UpstreamVersion | undefined)[],
): UpstreamVersion | undefined {
  const known = versions.filter((v): v is UpstreamVersion => v !== undefined)
  if (known.length === 0) return undefined
  const fields = [...new Set(known.map((v) => v.field))]
  const values = [...new Set(known.map((v) => v.value))]
  return { field: fields.join(' '), value: values.join(' ') }
}
