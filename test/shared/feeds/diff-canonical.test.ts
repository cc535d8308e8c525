/**
 * diffCanonical (snapshot.ts), the guard's diff: it reads only the CIDRs one side lists and the
 * other does not. Proven against cidr-tools on random lists, the previous one canonical or not
 * (overlapping, unsorted, duplicated: a snapshot written by hand), and on real published pairs.
 */
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { diffCanonical } from '../../../shared/src/feeds/snapshot.ts'
import { IpSet, parseCidrList } from '../../../shared/src/ip/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'
import { oracleMinus, type Lists } from './oracle.ts'

/** CIDRs in a few small regions of each family, so that random lists overlap and touch. */
const cidr = fc.oneof(
  fc
    .record({ low: fc.integer({ min: 0, max: 511 }), prefix: fc.integer({ min: 21, max: 32 }) })
    .map(({ low, prefix }) => `192.0.${2 + (low >> 8)}.${low & 255}/${prefix}`),
  fc
    .record({ low: fc.integer({ min: 0, max: 0xfff }), prefix: fc.integer({ min: 112, max: 128 }) })
    .map(({ low, prefix }) => `2001:db8::${low.toString(16)}/${prefix}`),
)
const list = fc.array(cidr, { maxLength: 25 })

const sets = (cidrs: readonly string[]) => {
  const l = parseCidrList(cidrs.join('\n'))
  return { ipv4: l.ipv4, ipv6: l.ipv6 }
}
const lists = (s: { ipv4: IpSet; ipv6: IpSet }): Lists => ({
  ipv4: s.ipv4.toCidrs(),
  ipv6: s.ipv6.toCidrs(),
})

/** diffCanonical's answer against cidr-tools' differences and IpSet's counts of both sets. */
function check(previous: Lists, next: { ipv4: IpSet; ipv6: IpSet }) {
  const d = diffCanonical(previous, next, lists(next))
  const before = sets([...previous.ipv4, ...previous.ipv6])
  const after = lists(next)
  expect({ ipv4: d.ipv4.added, ipv6: d.ipv6.added }).toEqual(oracleMinus(after, previous))
  expect({ ipv4: d.ipv4.removed, ipv6: d.ipv6.removed }).toEqual(oracleMinus(previous, after))
  for (const f of ['ipv4', 'ipv6'] as const)
    expect([d[f].before, d[f].after, d[f].gone]).toEqual([
      before[f].addressCount(),
      next[f].addressCount(),
      before[f].difference(next[f]).addressCount(),
    ])
}

describe('diffCanonical against cidr-tools', () => {
  it('a canonical previous list (as the guard stores it)', () => {
    fc.assert(
      fc.property(list, list, (a, b) => check(lists(sets(a)), sets(b))),
      { numRuns: 300 },
    )
  })

  it('a previous list written by hand: overlapping, unsorted, duplicated', () => {
    fc.assert(
      fc.property(list, list, (a, b) => {
        const previous: Lists = {
          ipv4: a.filter((c) => !c.includes(':')),
          ipv6: a.filter((c) => c.includes(':')),
        }
        check(previous, sets(b))
      }),
      { numRuns: 300 },
    )
  })

  it('a previous list by hand that also lists the new CIDRs, and parts of them', () => {
    fc.assert(
      fc.property(list, list, fc.nat(), (a, b, seed) => {
        const next = sets(b)
        const own = lists(next)
        const shuffle = (x: string[]) =>
          x
            .map((c, i) => [(i * 7919 + seed) % 101, c] as const)
            .sort((p, q) => p[0] - q[0])
            .map(([, c]) => c)
        check(
          {
            ipv4: shuffle([...own.ipv4, ...a.filter((c) => !c.includes(':'))]),
            ipv6: shuffle([...own.ipv6, ...a.filter((c) => c.includes(':'))]),
          },
          next,
        )
      }),
      { numRuns: 300 },
    )
  })

  it('throws for a previous entry that is no CIDR', () => {
    expect(() =>
      diffCanonical({ ipv4: ['192.0.2.0/33'], ipv6: [] }, sets(['192.0.2.0/24']), {
        ipv4: ['192.0.2.0/24'],
        ipv6: [],
      }),
    ).toThrow(/192\.0\.2\.0\/33/)
  })
})

describe.skipIf(!HAVE_FIXTURES)('diffCanonical on real published pairs', () => {
  it.each([
    ['firezone', 'relay-ips.2024-06-10.json', 'relay-ips.2025-10-16.json'],
    ['aws', 'ip-ranges.2026-08-12-21-17-05.json', 'ip-ranges.2026-08-21-22-37-05.json'],
    ['github', 'meta.2026-02-05.json', 'meta.2026-03-03.json'],
  ])('%s: %s to %s, and back', (dir, a, b) => {
    const read = (file: string) =>
      sets(readFileSync(fixturePath('feeds', dir, file), 'utf8').match(/[0-9a-f.:]+\/\d+/g) ?? [])
    const [older, newer] = [read(a), read(b)]
    check(lists(older), newer)
    check(lists(newer), older)
  })
})
