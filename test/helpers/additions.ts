/**
 * @module The table of additions issue 11 asks for (acceptance 3): each special-purpose block of
 * the IANA registries, a /7, 0.0.0.0/1, a doubling, and their outcomes, each added to one
 * baseline. Used on every path a list takes: an upstream fetch (cloudflare/edge, limits /9 and
 * /21), a worker's snapshot read by shared/feeds, and the bundled Action reading a fake worker
 * (one `aws/ROW_<n>` feed per row, limits /8 and /24): the rows give the same outcome under both.
 */
import { IpSet, RESERVED_IPV4, RESERVED_IPV6, type GuardName } from '../../shared/src/index.ts'

/** The feed the rows are added to, and its current lists (two of Cloudflare's real ranges). */
export const TABLE_FEED = 'cloudflare/edge'
export const BASELINE = { ipv4: ['173.245.48.0/20'], ipv6: ['2606:4700::/32'] } as const

/** One row: what is added to the baseline, and what must come of it. */
export interface AdditionRow {
  readonly name: string
  readonly add: { readonly ipv4?: readonly string[]; readonly ipv6?: readonly string[] }
  /** A refusing guard, a hold, or `changed` (accepted as a plain change). */
  readonly expect: GuardName | 'held:mass-addition' | 'changed'
}

const MAPPED = IpSet.fromCidrs(6, ['::ffff:0:0/96'])

/**
 * Every row. A block that overlaps IPv4-mapped space (::ffff:0:0/96 itself, ::/3) is refused
 * earlier, as an `invalid-entry`: mapped addresses are never allowlist entries.
 */
export const ADDITION_ROWS: readonly AdditionRow[] = [
  ...RESERVED_IPV4.map((b): AdditionRow => ({
    name: `${b.cidr} (${b.name})`,
    add: { ipv4: [b.cidr] },
    expect: 'reserved-space',
  })),
  ...RESERVED_IPV6.map((b): AdditionRow => ({
    name: `${b.cidr} (${b.name})`,
    add: { ipv6: [b.cidr] },
    expect: IpSet.fromCidrs(6, [b.cidr]).intersection(MAPPED).isEmpty
      ? 'reserved-space'
      : 'invalid-entry',
  })),
  { name: 'a host inside 10.0.0.0/8', add: { ipv4: ['10.1.2.3'] }, expect: 'reserved-space' },
  { name: '0.0.0.0/1', add: { ipv4: ['0.0.0.0/1'] }, expect: 'reserved-space' },
  { name: '128.0.0.0/1', add: { ipv4: ['128.0.0.0/1'] }, expect: 'reserved-space' },
  { name: 'a /7 of public space (12.0.0.0/7)', add: { ipv4: ['12.0.0.0/7'] }, expect: 'too-broad' },
  {
    name: 'two public /8s that merge into a /7',
    add: { ipv4: ['12.0.0.0/8', '13.0.0.0/8'] },
    expect: 'too-broad',
  },
  { name: 'an IPv6 /16 of 2000::/3', add: { ipv6: ['2a0b::/16'] }, expect: 'too-broad' },
  { name: '0.0.0.0/0', add: { ipv4: ['0.0.0.0/0'] }, expect: 'allow-all' },
  { name: '::/0', add: { ipv6: ['::/0'] }, expect: 'allow-all' },
  {
    name: 'a doubling: +131,072 IPv4 addresses (32 times the 4,096)',
    add: { ipv4: ['162.158.0.0/15'] },
    expect: 'held:mass-addition',
  },
  {
    name: 'a doubling of IPv6 by more than a /40 (a /31 beside a /32)',
    add: { ipv6: ['2a06:98c0::/31'] },
    expect: 'held:mass-addition',
  },
  {
    name: 'a doubling smaller than a /16 (+8,192 addresses)',
    add: { ipv4: ['103.21.0.0/19'] },
    expect: 'changed',
  },
  {
    name: 'an ordinary addition (+1,024 addresses)',
    add: { ipv4: ['103.21.244.0/22'] },
    expect: 'changed',
  },
]

/** The lists a row's candidate holds: the baseline plus the row's additions. */
export function rowLists(row: AdditionRow): { ipv4: string[]; ipv6: string[] } {
  return {
    ipv4: [...BASELINE.ipv4, ...(row.add.ipv4 ?? [])],
    ipv6: [...BASELINE.ipv6, ...(row.add.ipv6 ?? [])],
  }
}
