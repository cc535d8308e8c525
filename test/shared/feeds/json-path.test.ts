/** Tests of parseJsonPath: the path language of user-defined JSON feeds. */
import { describe, expect, it } from 'vitest'
import { parseJsonPath } from '../../../shared/src/feeds/index.ts'

describe('parseJsonPath', () => {
  it.each([
    ['', []],
    ['hooks', [{ kind: 'key', key: 'hooks' }]],
    [
      'endpoints["app.firezone.dev"].ipv4',
      [
        { kind: 'key', key: 'endpoints' },
        { kind: 'key', key: 'app.firezone.dev' },
        { kind: 'key', key: 'ipv4' },
      ],
    ],
    [
      'prefixes[*].ip_prefix',
      [{ kind: 'key', key: 'prefixes' }, { kind: 'all' }, { kind: 'key', key: 'ip_prefix' }],
    ],
    [
      'regions.*.ipv6',
      [{ kind: 'key', key: 'regions' }, { kind: 'all' }, { kind: 'key', key: 'ipv6' }],
    ],
    [
      '[0].cidr',
      [
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'cidr' },
      ],
    ],
    ['*', [{ kind: 'all' }]],
    [
      'a["q\\"uote"]',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'q"uote' },
      ],
    ],
    ['$weird_key-1', [{ kind: 'key', key: '$weird_key-1' }]],
  ])('parses %j', (path, segments) => expect(parseJsonPath(path)).toEqual(segments))

  it.each([
    ['.a', 0],
    ['a..b', 2],
    ['a[', 1],
    ['a[b]', 1],
    ['a["b"', 1],
    ['a b', 1],
    ['a[-1]', 1],
  ])('refuses %j at offset %i', (path, offset) => {
    expect(() => parseJsonPath(path)).toThrow(`offset ${offset}`)
    expect(() => parseJsonPath(path)).toThrow(expect.objectContaining({ code: 'ERR_JSON_PATH' }))
  })
})
