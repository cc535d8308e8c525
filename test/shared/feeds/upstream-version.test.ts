/**
 * Tests of the publisher's version: read from the payload field a feed names (as Google, AWS,
 * Atlassian, Azure, Datadog publish them), else the ETag or Last-Modified; several URLs combined.
 */
import { describe, expect, it } from 'vitest'
import {
  combineUpstreamVersions,
  readUpstreamVersion,
} from '../../../shared/src/feeds/upstream-version.ts'

const validators = { etag: 'W/"abc"', lastModified: 'Fri, 21 Aug 2026 12:08:47 GMT' }

describe('readUpstreamVersion', () => {
  it.each<[string, unknown, string | undefined, { field: string; value: string } | undefined]>([
    [
      'a string field (Google syncToken)',
      { syncToken: '1787299542583' },
      'syncToken',
      { field: 'syncToken', value: '1787299542583' },
    ],
    [
      'a number field (Atlassian syncToken, Azure changeNumber)',
      { changeNumber: 359 },
      'changeNumber',
      { field: 'changeNumber', value: '359' },
    ],
    ['a nested path', { meta: { v: 'x' } }, 'meta.v', { field: 'meta.v', value: 'x' }],
    [
      'a field the payload lacks: the ETag',
      { prefixes: [] },
      'syncToken',
      { field: 'ETag', value: 'W/"abc"' },
    ],
    [
      'an empty string: the ETag',
      { syncToken: '  ' },
      'syncToken',
      { field: 'ETag', value: 'W/"abc"' },
    ],
    [
      'an object: the ETag',
      { syncToken: { a: 1 } },
      'syncToken',
      { field: 'ETag', value: 'W/"abc"' },
    ],
    [
      'a non-finite number cannot come from JSON, a text body has no document: the ETag',
      undefined,
      'syncToken',
      { field: 'ETag', value: 'W/"abc"' },
    ],
    [
      'no field named: the ETag',
      { syncToken: '1' },
      undefined,
      { field: 'ETag', value: 'W/"abc"' },
    ],
  ])('%s', (_name, doc, path, expected) => {
    expect(readUpstreamVersion(doc, path, validators)).toEqual(expected)
  })

  it('falls back to Last-Modified, then to nothing', () => {
    expect(
      readUpstreamVersion(undefined, undefined, { lastModified: validators.lastModified }),
    ).toEqual({
      field: 'Last-Modified',
      value: 'Fri, 21 Aug 2026 12:08:47 GMT',
    })
    expect(readUpstreamVersion({}, 'syncToken', {})).toBeUndefined()
  })

  it('folds whitespace and keeps at most 100 characters of a hostile value', () => {
    const long = `2026-08-21\n\t${'x'.repeat(200)}`
    const v = readUpstreamVersion({ v: long }, 'v', {})!
    expect(v.value).toHaveLength(100)
    expect(v.value.startsWith('2026-08-21 xxx')).toBe(true)
    expect(v.value.endsWith('...')).toBe(true)
  })
})

describe('combineUpstreamVersions', () => {
  it('gives one version for URLs that agree, joins those that do not, and none for none', () => {
    const a = { field: 'syncToken', value: '1' }
    expect(combineUpstreamVersions([a, { ...a }])).toEqual(a)
    expect(combineUpstreamVersions([a, { field: 'syncToken', value: '2' }])).toEqual({
      field: 'syncToken',
      value: '1 2',
    })
    expect(combineUpstreamVersions([a, undefined, { field: 'ETag', value: '"e"' }])).toEqual({
      field: 'syncToken ETag',
      value: '1 "e"',
    })
    expect(combineUpstreamVersions([undefined, undefined])).toBeUndefined()
  })
})
