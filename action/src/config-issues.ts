/**
 * @module The config schema's failures (zod issues) as `FILE:LINE:COLUMN: 'field': reason` lines:
 * each at the YAML node it concerns (an unknown key at the key itself, a missing one at the
 * mapping that lacks it), and a misspelt format or preset with the closest valid name.
 */
import type { z } from 'zod'
import { FORMAT_IDS, PRESET_IDS } from '../../shared/src/index.ts'
import { didYouMean } from './closest-name.ts'
import { MAX_TARGETS } from './config-schema.ts'

/** A path into the parsed config: keys and list indexes. */
export type ConfigPath = readonly (string | number)[]

/** Positions of a parsed document's nodes as `FILE:LINE:COLUMN`. */
export interface Positions {
  /** The value at `path` (or its nearest existing ancestor). */
  at(path: ConfigPath): string
  /** The key `key` of the map at `path`. */
  keyAt(path: ConfigPath, key: string): string
}

type Issue = z.core.$ZodIssue

function valueAt(raw: unknown, path: ConfigPath): unknown {
  let v = raw
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p]
  return v
}

const TYPE_NAMES: Readonly<Record<string, string>> = { int: 'integer' }
const typeName = (expected: string) => TYPE_NAMES[expected] ?? expected

/** `'targets.0.format'`, or `the config` for the top. */
const fieldName = (path: ConfigPath) => (path.length === 0 ? 'the config' : `'${path.join('.')}'`)

function describeValue(issue: z.core.$ZodIssueInvalidValue, path: ConfigPath, raw: unknown) {
  const last = path[path.length - 1]
  if (last === 'format' || last === 'preset') {
    const value = String(valueAt(raw, path))
    const list = last === 'format' ? FORMAT_IDS : PRESET_IDS
    const command = last === 'format' ? 'formats' : 'policies'
    return `unknown ${last} '${value}'${didYouMean(value, list)} (\`allowlist-sync ${command}\` lists them)`
  }
  if (issue.values.length === 1) return `must be ${JSON.stringify(issue.values[0])}`
  return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
}

function describeSize(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, raw: unknown) {
  const path = issue.path as ConfigPath
  const big = issue.code === 'too_big'
  const bound = big ? issue.maximum : issue.minimum
  if (big && path[path.length - 1] === 'targets')
    return `${(valueAt(raw, path) as unknown[]).length} targets; at most ${MAX_TARGETS} are allowed (one reviewable pull request; GitHub limits content-creating API calls to about 80 a minute)`
  if (issue.origin === 'array' || issue.origin === 'string') {
    const unit = issue.origin === 'array' ? 'items' : 'characters'
    return `must have ${big ? 'at most' : 'at least'} ${bound} ${unit}`
  }
  return `must be ${big ? '<=' : '>='} ${bound}`
}

function describeIssue(issue: Issue, raw: unknown): string {
  const path = issue.path as ConfigPath
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${typeName(issue.expected)}`
    case 'invalid_value':
      return describeValue(issue, path, raw)
    case 'too_big':
    case 'too_small':
      return describeSize(issue, raw)
    case 'invalid_format':
      return issue.pattern === undefined
        ? `must be a valid ${issue.format}`
        : `must match pattern ${issue.pattern}`
    case 'invalid_union':
      return `must be ${[...new Set(issue.errors.flatMap((e) => e.map(describeExpected)))].join(' or ')}`
    default:
      return issue.message
  }
}

/** What one branch of a union wanted, for `must be string or integer`. */
function describeExpected(issue: Issue): string {
  return issue.code === 'invalid_type' ? typeName(issue.expected) : issue.message
}

/** One line per issue, deduplicated, each at the node it concerns. */
export function configIssues(issues: readonly Issue[], raw: unknown, where: Positions): string[] {
  const lines = new Set<string>()
  for (const issue of issues) {
    const path = issue.path as ConfigPath
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        lines.add(`${where.keyAt(path, key)}: ${fieldName(path)}: unknown key '${key}'`)
      continue
    }
    const parentPath = path.slice(0, -1)
    const parent = valueAt(raw, parentPath)
    const key = path[path.length - 1]
    if (
      issue.code === 'invalid_type' &&
      key !== undefined &&
      typeof parent === 'object' &&
      parent !== null &&
      !Array.isArray(parent) &&
      !(key in parent)
    ) {
      lines.add(`${where.at(parentPath)}: ${fieldName(parentPath)}: missing '${key}'`)
      continue
    }
    lines.add(`${where.at(path)}: ${fieldName(path)}: ${describeIssue(issue, raw)}`)
  }
  return [...lines]
}
