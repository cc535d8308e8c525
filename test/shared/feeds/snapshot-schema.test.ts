/**
 * @module snapshotSchema: the one Snapshot schema of the CLI, the worker API and the Action's
 * worker source, and the published JSON Schema generated from it (checked current, validated
 * with ajv against the same examples).
 */
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import published from '../../../action/snapshot.schema.json' with { type: 'json' }
import { snapshotJsonSchema, snapshotSchema } from '../../../shared/src/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const SNAPSHOT = {
  feed: 'coolify/cloud',
  version: 3,
  sha256: 'a'.repeat(64),
  fetchedAt: '2026-12-04T00:00:00.000Z',
  changedAt: '2026-12-01T00:00:00.000Z',
  source: 'https://coolify.io/ipv4.txt https://coolify.io/ipv6.txt',
  ipv4: ['49.12.66.44/32'],
  ipv6: ['2a01:4f8:c17:be0e::/64'],
}

describe('snapshotSchema', () => {
  const validate = new Ajv({ strict: true }).compile(snapshotJsonSchema())

  it.each([
    ['a snapshot', SNAPSHOT, true],
    [
      'with an upstream version',
      { ...SNAPSHOT, upstreamVersion: { field: 'ETag', value: 'x' } },
      true,
    ],
    ['a served one with its held summary', { ...SNAPSHOT, held: { guard: 'mass-removal' } }, true],
    ['a string version', { ...SNAPSHOT, version: '3' }, false],
    ['version 1.5', { ...SNAPSHOT, version: 1.5 }, false],
    ['no sha256', { ...SNAPSHOT, sha256: undefined }, false],
    ['no ipv6', { ...SNAPSHOT, ipv6: undefined }, false],
    ['a number in ipv4', { ...SNAPSHOT, ipv4: [1] }, false],
    ['an empty feed id', { ...SNAPSHOT, feed: '' }, false],
    ['a bad upstream version', { ...SNAPSHOT, upstreamVersion: { field: 'ETag' } }, false],
    ['not an object', ['x'], false],
  ])('%s: zod and the generated JSON Schema agree (%#)', (_, value, valid) => {
    expect(snapshotSchema.safeParse(value).success).toBe(valid)
    expect(validate(value), JSON.stringify(validate.errors)).toBe(valid)
  })

  it('drops keys it does not know (a served snapshot carries `held`)', () => {
    const parsed = snapshotSchema.parse({ ...SNAPSHOT, held: {} })
    expect(parsed).toEqual(SNAPSHOT)
  })

  it('is the published action/snapshot.schema.json (npm run schemas rewrites it)', () => {
    expect(published).toEqual(snapshotJsonSchema())
  })

  it.skipIf(!HAVE_FIXTURES)(
    'reads the lock file entries the Action committed from real data',
    () => {
      // a real fetch --json output would need the network; the README example lock is real data
      const text = readFileSync(fixturePath('feeds/coolify/ipv4.2024-06-09T1332.txt'), 'utf8')
      const ipv4 = text
        .split('\n')
        .filter(Boolean)
        .map((a) => `${a}/32`)
      expect(snapshotSchema.safeParse({ ...SNAPSHOT, ipv4 }).success).toBe(true)
    },
  )
})
