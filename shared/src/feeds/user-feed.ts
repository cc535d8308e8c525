/**
 * @module User-defined feeds: what a user writes (a URL and one of the six user parser kinds),
 * validated into a FeedDefinition that syncs exactly like a built-in one.
 */
import { BUILTIN_PROVIDER_IDS } from './catalogue.ts'
import { parseJsonPath } from './json-path.ts'
import type { FeedDefinition, UserParserSpec } from './types.ts'

/** What a user writes to define a feed. */
export interface UserFeedInput {
  /** `provider/list`, lower-case `[a-z0-9._-]` parts; must not use a built-in provider. */
  readonly id: string
  /** `https://` URL. */
  readonly url: string
  readonly parser: UserParserSpec
  readonly title?: string
  readonly docsUrl?: string
  /** Where the publisher's version or date is in a JSON payload (a path), see FeedSource. */
  readonly version?: string
  /**
   * Accept entries in special-purpose space (private, loopback, documentation, ...) for an
   * internal list; default false (the `reserved-space` guard refuses them, as for built-ins).
   */
  readonly allowReserved?: boolean
}

const USER_ID = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/
const KINDS = 'lines, json, csv, geofeed, records or prefixes'

function feedError(code: string, message: string): TypeError {
  return Object.assign(new TypeError(message), { code })
}

/** The parser's problem, or undefined when it is well formed. */
function parserProblem(parser: UserParserSpec): string | undefined {
  const path = (value: unknown, what: string): string | undefined => {
    if (typeof value !== 'string') return `${what} must be a string`
    try {
      parseJsonPath(value)
      return undefined
    } catch (cause) {
      return (cause as Error).message
    }
  }
  const family = (f: unknown) =>
    f !== undefined && f !== 4 && f !== 6 ? 'family must be 4 or 6' : undefined
  const where = (filters: unknown): string | undefined => {
    if (filters === undefined) return undefined
    if (typeof filters !== 'object' || filters === null || Array.isArray(filters))
      return 'where must map field paths to lists of values'
    for (const [at, values] of Object.entries(filters)) {
      const problem = path(at, 'a where key')
      if (problem !== undefined) return `where: ${problem}`
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        values.some((v) => typeof v !== 'string')
      )
        return `where ${JSON.stringify(at)} must be a non-empty list of strings`
    }
    return undefined
  }
  switch (parser.kind) {
    case 'lines':
    case 'geofeed':
      return family(parser.family)
    case 'json':
      return path(parser.path, 'path')
    case 'csv':
      return (
        family(parser.family) ??
        ((typeof parser.column === 'string' && parser.column !== '') ||
        (Number.isInteger(parser.column) && (parser.column as number) >= 1)
          ? undefined
          : 'column must be a header name or a 1-based number')
      )
    case 'records': {
      const { address } = parser as { address: unknown }
      if (!Array.isArray(address) || address.length === 0)
        return 'address must be a non-empty list of field paths'
      for (const a of address as unknown[]) {
        const problem = path(a, 'each address')
        if (problem !== undefined) return `address: ${problem}`
      }
      return path(parser.path, 'path') ?? where(parser.where)
    }
    case 'prefixes':
      return where(parser.where)
    default:
      return `kind must be ${KINDS}`
  }
}

/**
 * Validates a user-defined feed and returns its definition. Throws a TypeError with a `code`
 * (`ERR_FEED_ID`, `ERR_FEED_URL`, `ERR_FEED_PARSER`, `ERR_FEED_VERSION`, `ERR_FEED_OPTION`)
 * naming the bad field and value.
 */
export function defineUserFeed(input: UserFeedInput): FeedDefinition {
  const { id, url, parser } = input
  if (typeof id !== 'string' || !USER_ID.test(id))
    throw feedError(
      'ERR_FEED_ID',
      `feed id ${JSON.stringify(id)}: expected provider/list in lower-case [a-z0-9._-]`,
    )
  if (BUILTIN_PROVIDER_IDS.has(id.slice(0, id.indexOf('/'))))
    throw feedError(
      'ERR_FEED_ID',
      `feed id ${JSON.stringify(id)}: the provider "${id.slice(0, id.indexOf('/'))}" is built in`,
    )
  if (typeof url !== 'string' || !/^https:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[^\s]*)?$/.test(url))
    throw feedError('ERR_FEED_URL', `feed ${id}: url ${JSON.stringify(url)} is not an https:// URL`)
  const problem = parserProblem(parser)
  if (problem !== undefined)
    throw feedError('ERR_FEED_PARSER', `feed ${id}: parser ${JSON.stringify(parser)}: ${problem}`)
  if (input.version !== undefined) {
    try {
      if (typeof input.version !== 'string') throw new TypeError('a path must be a string')
      parseJsonPath(input.version)
    } catch (cause) {
      throw Object.assign(
        feedError('ERR_FEED_VERSION', `feed ${id}: version: ${(cause as Error).message}`),
        { cause },
      )
    }
  }
  if (input.allowReserved !== undefined && typeof input.allowReserved !== 'boolean')
    throw feedError(
      'ERR_FEED_OPTION',
      `feed ${id}: allowReserved ${JSON.stringify(input.allowReserved)} is not true or false`,
    )
  return {
    id,
    title: input.title ?? id,
    docsUrl: input.docsUrl ?? url,
    sources: [{ url, parser, ...(input.version === undefined ? {} : { version: input.version }) }],
    user: true,
    ...(input.allowReserved === true ? { allowReserved: true } : {}),
  }
}
