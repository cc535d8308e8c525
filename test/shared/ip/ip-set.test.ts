import { describe, expect, it } from 'vitest'
import { mergeCidr } from 'cidr-tools'
import { IpSet } from '../../../shared/src/index.ts'
import { setWasmEnabled } from '../../../shared/src/ip/wasm/lines.ts'

const v4 = (...cidrs: string[]) => IpSet.fromCidrs(4, cidrs)
const v6 = (...cidrs: string[]) => IpSet.fromCidrs(6, cidrs)

/** IPv4 CIDRs in address order. */
const canonicalSort4 = (cidrs: readonly string[]) =>
  [...cidrs].sort((a, b) => value4(a) - value4(b))
const value4 = (cidr: string) =>
  cidr
    .split('/')[0]!
    .split('.')
    .reduce((n, octet) => 256 * n + Number(octet), 0)

describe('IpSet', () => {
  it.each([
    [['192.0.2.0/25', '192.0.2.128/25'], ['192.0.2.0/24']],
    [['192.0.2.0/24', '192.0.2.7'], ['192.0.2.0/24']],
    [
      ['192.0.2.4', '192.0.2.3', '192.0.2.5'],
      ['192.0.2.3/32', '192.0.2.4/31'],
    ],
    [['0.0.0.0/0', '10.0.0.0/8'], ['0.0.0.0/0']],
    [['255.255.255.255', '255.255.255.254'], ['255.255.255.254/31']],
    [['0.0.0.0/1', '128.0.0.0/1'], ['0.0.0.0/0']],
    [['10.0.0.1/8'], ['10.0.0.0/8']],
    [[], []],
  ])('merges IPv4 %j into the minimal cover %j', (input, cover) => {
    expect(v4(...input).toCidrs()).toEqual(cover)
  })

  it.each([
    [['2001:db8::/33', '2001:db8:8000::/33'], ['2001:db8::/32']],
    [['::/1', '8000::/1'], ['::/0']],
    [['::/0', '2001:db8::/32'], ['::/0']],
    [['::1', '::'], ['::/127']],
    [
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127'],
    ],
    [
      ['2001:db8::2', '2001:db8::1'],
      ['2001:db8::1/128', '2001:db8::2/128'],
    ],
    [['2001:db8:0:0:1::/80', '2001:db8::/64'], ['2001:db8::/64']],
  ])('merges IPv6 %j into the minimal cover %j', (input, cover) => {
    expect(v6(...input).toCidrs()).toEqual(cover)
  })

  it('subtracts, intersects and unites', () => {
    const a = v4('192.0.2.0/24')
    const b = v4('192.0.2.64/26', '198.51.100.0/24')
    expect(a.difference(b).toCidrs()).toEqual(['192.0.2.0/26', '192.0.2.128/25'])
    expect(a.intersection(b).toCidrs()).toEqual(['192.0.2.64/26'])
    expect(a.union(b).toCidrs()).toEqual(['192.0.2.0/24', '198.51.100.0/24'])
    expect(v6('::/0').difference(v6('::/0')).isEmpty).toBe(true)
    expect(v6('2001:db8::/32').difference(v6('2001:db8::/33')).toCidrs()).toEqual([
      '2001:db8:8000::/33',
    ])
  })

  it('tests membership of addresses', () => {
    const s = v4('192.0.2.0/24', '0.0.0.0/32')
    expect(s.contains('192.0.2.255')).toBe(true)
    expect(s.contains('192.0.3.0')).toBe(false)
    expect(s.contains('0.0.0.0')).toBe(true)
    expect(s.contains('2001:db8::1')).toBe(false)
    expect(v6('2001:db8::/32').contains('2001:db8:ffff::1')).toBe(true)
    expect(v6('2001:db8::/32').contains('2001:db9::')).toBe(false)
    expect(() => s.contains('192.0.2.0/24')).toThrow(
      expect.objectContaining({ code: 'ERR_IP_SYNTAX' }),
    )
    expect(() => s.contains('nope')).toThrow(expect.objectContaining({ code: 'ERR_IP_SYNTAX' }))
  })

  it('compares sets', () => {
    expect(v4('192.0.2.0/24').covers(v4('192.0.2.0/25', '192.0.2.200'))).toBe(true)
    expect(v4('192.0.2.0/25').covers(v4('192.0.2.0/24'))).toBe(false)
    expect(v4('192.0.2.0/25', '192.0.2.128/25').equals(v4('192.0.2.0/24'))).toBe(true)
    expect(v4().covers(v4())).toBe(true)
    expect(v4('0.0.0.0/0').equals(v4('0.0.0.0/1'))).toBe(false)
    expect(v4('192.0.2.0/24').equals(v4('198.51.100.0/24'))).toBe(false)
    expect(v6('2001:db8::/48').equals(v6('2001:db8::/48'))).toBe(true)
    expect(v4('192.0.2.0/24').equals(v4('192.0.2.0/24', '198.51.100.0/24'))).toBe(false)
    expect(IpSet.empty(4).equals(v4())).toBe(true)
    expect(IpSet.empty(4).equals(IpSet.empty(6))).toBe(false)
  })

  it('reads any iterable, and refuses an entry holding a line break in a long list', () => {
    expect(IpSet.fromCidrs(4, new Set(['192.0.2.1', '192.0.2.0'])).toCidrs()).toEqual([
      '192.0.2.0/31',
    ])
    const long = Array.from({ length: 40 }, (_, k) => `192.0.2.${k}`)
    expect(() => v4(...long, '198.51.100.1\n198.51.100.2')).toThrow(
      expect.objectContaining({ code: 'ERR_IP_WHITESPACE' }),
    )
  })

  it('joins IPv6 ranges that touch across a 32-bit word, and only those (cidr-tools as oracle)', () => {
    // For each word boundary: the block that ends there, then the next address, then one address
    // further (a gap of one). Entries are given out of order too, so both collecting paths run.
    const cases = [
      ['2001:db8::/127', '2001:db8::2/127'],
      ['2001:db8::/96', '2001:db8::1:0:0/96'],
      ['2001:db8::/64', '2001:db8:0:1::/64'],
      ['2001:db8::/32', '2001:db9::/32'],
      ['::/1', '8000::/1'],
      ['2001:db8::/96', '2001:db8::1:0:1/128'],
      ['2001:db8::/64', '2001:db8:0:1::1/128'],
      ['2001:db8::/32', '2001:db9::1/128'],
      ['2001:db8::1/128', '2001:db8::1:0:0/128'],
      ['2001:db8::ffff:ffff/128', '2001:db8::2:0:0/128'],
      ['2001:db8::ffff:ffff:ffff:ffff/128', '2001:db8:0:1::1/128'],
    ]
    for (const pair of cases)
      for (const entries of [pair, [...pair].reverse(), [...pair, ...pair]]) {
        expect(v6(...entries).toCidrs(), entries.join(' ')).toEqual(mergeCidr(entries))
      }
  })

  it('counts addresses', () => {
    expect(v4('0.0.0.0/0').addressCount()).toBe(2n ** 32n)
    expect(v4('192.0.2.0/24', '192.0.2.0/25').addressCount()).toBe(256n)
    expect(v6('::/0').addressCount()).toBe(2n ** 128n)
    expect(IpSet.empty(6).addressCount()).toBe(0n)
  })

  it('refuses entries of the other family and bad entries', () => {
    expect(() => v4('2001:db8::/32')).toThrow(expect.objectContaining({ code: 'ERR_IP_FAMILY' }))
    expect(() => v6('192.0.2.0/24')).toThrow(expect.objectContaining({ code: 'ERR_IP_FAMILY' }))
    expect(() => v4('1.2.3.4/33')).toThrow(expect.objectContaining({ code: 'ERR_IP_PREFIX_RANGE' }))
    expect(() => v4('192.0.2.0/24').union(v6('::/0'))).toThrow(TypeError)
  })
  it('prints its cover as lines, as toCidrs joined', () => {
    for (const set of [
      v4('192.0.2.4', '192.0.2.3', '198.51.100.0/24'),
      v4(),
      v4('0.0.0.0/0'),
      v6('2001:db8::/48', '2001:db8:1::/48', '::1'),
      v6(),
    ])
      expect(set.toCidrLines()).toBe(
        set
          .toCidrs()
          .map((c) => `${c}\n`)
          .join(''),
      )
    expect(v4('192.0.2.0/25', '192.0.2.128/25').toCidrLines()).toBe('192.0.2.0/24\n')
  })

  it('prints a cover of many CIDRs whole, in WebAssembly and in JavaScript alike', () => {
    // Every other address: no two merge; more text than one chunk of the printer's decoding.
    const cidrs4 = Array.from(
      { length: 12_000 },
      (_, k) => `10.${k >> 14}.${(k >> 7) & 127}.${2 * (k & 127)}/32`,
    )
    const cidrs6 = Array.from(
      { length: 5_000 },
      (_, k) => `2001:db8::${(2 * k + 1).toString(16)}/128`,
    )
    const sorted4 = IpSet.fromCidrs(4, cidrs4)
    try {
      for (const wasm of [true, false]) {
        setWasmEnabled(wasm)
        expect(sorted4.toCidrs()).toEqual(canonicalSort4(cidrs4))
        expect(v6(...cidrs6).toCidrs()).toEqual(cidrs6)
        expect(sorted4.toCidrLines()).toBe(`${canonicalSort4(cidrs4).join('\n')}\n`)
      }
    } finally {
      setWasmEnabled(true)
    }
  })

  it('reads a long list with an odd entry anywhere as it reads that entry alone', () => {
    const many = Array.from({ length: 2100 }, (_, k) => `10.${k >> 8}.${k & 255}.0/24`)
    for (const odd of ['\uff110.0.0.0/8', '192.0.2.0/24\n', ' 192.0.2.0/24'])
      for (const at of [0, 40, 2099]) {
        const list = many.map((c, k) => (k === at ? odd : c))
        const rest = list.filter((_, k) => k !== at)
        let expected: IpSet | Error
        try {
          expected = IpSet.fromCidrs(4, [odd]).union(IpSet.fromCidrs(4, rest))
        } catch (error) {
          expected = error as Error
        }
        if (expected instanceof IpSet) expect(IpSet.fromCidrs(4, list).equals(expected)).toBe(true)
        else expect(() => IpSet.fromCidrs(4, list)).toThrow(expected)
      }
  })

  it('knows the empty and the full set of each family, and their complements', () => {
    for (const family of [4, 6] as const) {
      const all = family === 4 ? v4('0.0.0.0/0') : v6('::/0')
      expect(IpSet.all(family).equals(all)).toBe(true)
      expect(IpSet.all(family).isAll).toBe(true)
      expect(all.isAll).toBe(true)
      expect(IpSet.empty(family).isAll).toBe(false)
      expect(IpSet.empty(family).complement().isAll).toBe(true)
      expect(IpSet.all(family).complement().isEmpty).toBe(true)
    }
    expect(v4('0.0.0.0/1').isAll).toBe(false)
    expect(v4('128.0.0.0/1').isAll).toBe(false)
    expect(v4('192.0.2.0/24').complement().toCidrs()).toEqual(
      v4('0.0.0.0/0').difference(v4('192.0.2.0/24')).toCidrs(),
    )
  })

  it('returns a set itself where the result is one of the operands', () => {
    const a = v4('192.0.2.0/24')
    const none = IpSet.empty(4)
    const all = IpSet.all(4)
    expect(a.union(none)).toBe(a)
    expect(none.union(a)).toBe(a)
    expect(a.difference(none)).toBe(a)
    expect(none.difference(a)).toBe(none)
    expect(a.difference(all).isEmpty).toBe(true)
    expect(a.intersection(all)).toBe(a)
    expect(all.intersection(a)).toBe(a)
    expect(a.intersection(none).isEmpty).toBe(true)
    expect(none.intersection(a)).toBe(none)
    expect(() => a.union(IpSet.empty(6))).toThrow(TypeError)
  })

  it('tells whether two sets share an address', () => {
    expect(v4('192.0.2.0/24').intersects(v4('192.0.2.255'))).toBe(true)
    expect(v4('192.0.2.0/24').intersects(v4('192.0.3.0'))).toBe(false)
    expect(v6('2001:db8::/32').intersects(v6('::/0'))).toBe(true)
  })

  it('builds from half-open value ranges in any order, merging touching and overlapping ones', () => {
    const s = IpSet.fromValueRanges(4, [
      [20n, 30n],
      [5n, 5n],
      [10n, 20n],
      [9n, 4n],
      [25n, 26n],
      [40n, 41n],
    ])
    expect(s.toValueRanges()).toEqual([10n, 30n, 40n, 41n])
    expect(s.rangeCount).toBe(2)
    expect(s.firstValue()).toBe(10n)
    expect(IpSet.fromValueRanges(6, [[7n, 7n]]).isEmpty).toBe(true)
    expect(IpSet.fromValueRanges(6, [[0n, 1n << 128n]]).isAll).toBe(true)
    expect(IpSet.fromValueRanges(4, [[0xc0000200n, 0xc0000300n]]).toCidrs()).toEqual([
      '192.0.2.0/24',
    ])
    expect(IpSet.empty(4).firstValue()).toBeUndefined()
  })

  it.each([
    [4, -1n, 1n],
    [4, 0n, (1n << 32n) + 1n],
    [6, 0n, (1n << 128n) + 1n],
  ] as const)('refuses IPv%i values outside the space: [%s, %s)', (family, start, end) => {
    expect(() => IpSet.fromValueRanges(family, [[start, end]])).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_IP_RANGE' }),
    )
  })

  it('tests membership of address values', () => {
    const s = v4('192.0.2.0/24')
    expect(s.containsValue(0xc0000200n)).toBe(true)
    expect(s.containsValue(0xc0000300n)).toBe(false)
    expect(s.containsValue(1n << 40n)).toBe(false)
    const t = v6('2001:db8::/32')
    expect(t.containsValue(0x20010db8n << 96n)).toBe(true)
    expect(t.containsValue(0x20010db9n << 96n)).toBe(false)
    const all = IpSet.all(6)
    expect(all.containsValue(2n ** 128n - 1n)).toBe(true)
    expect(all.containsValue(2n ** 128n)).toBe(false)
    expect(all.containsValue(-1n)).toBe(false)
  })

  it('lists its ranges as values, and holds them as numbers (IPv4) or bigints (IPv6)', () => {
    const s = v4('192.0.2.0/24', '198.51.100.7')
    expect(s.toValueRanges()).toEqual([0xc0000200n, 0xc0000300n, 0xc6336407n, 0xc6336408n])
    expect(Array.from(s.bounds as ArrayLike<number>)).toEqual([
      0xc0000200, 0xc0000300, 0xc6336407, 0xc6336408,
    ])
    expect(Array.from(v6('::1').bounds as ArrayLike<bigint>)).toEqual([1n, 2n])
    expect(s.rangeCount).toBe(2)
  })

  it('wraps bounds as it lists them: numbers (IPv4), bigints (IPv6)', () => {
    for (const set of [
      v4('192.0.2.0/24', '198.51.100.7'),
      v6('::1', '2001:db8::/32'),
      v6('::/0'),
    ]) {
      const bounds = Array.from(set.bounds as ArrayLike<number | bigint>) as number[] | bigint[]
      expect(IpSet.fromRanges(set.family, bounds).equals(set)).toBe(true)
    }
  })

  it('prints the first CIDRs of its cover up to a limit', () => {
    const s4 = v4('192.0.2.1', '192.0.2.2', '198.51.100.0/24')
    const s6 = v6('2001:db8::1', '2001:db8::2', '2001:db8:1::/48')
    for (const s of [s4, s6])
      for (let limit = 0; limit <= 4; limit++)
        expect(s.toCidrs(limit)).toEqual(s.toCidrs().slice(0, limit))
  })

  it('gives the same answers for small results of set algebra and for big ones', () => {
    // small results are held as plain arrays, big ones in a Float64Array: print and count both
    const big = (offset: number) =>
      v4(...Array.from({ length: 100 }, (_, k) => `10.${k}.${2 * offset}.0/24`))
    const bigUnion = big(0).union(big(1))
    const small = v4('192.0.2.0/24').union(v4('198.51.100.0/24'))
    for (const set of [bigUnion, small, bigUnion.difference(big(0)), small.intersection(small)]) {
      expect(set.toCidrLines()).toBe(
        set
          .toCidrs()
          .map((c) => `${c}\n`)
          .join(''),
      )
      expect(set.addressCount()).toBe(BigInt(set.toCidrs().length) * 256n)
    }
    expect(bigUnion.difference(big(0)).equals(big(1))).toBe(true)
    expect(bigUnion.covers(small.union(big(1)))).toBe(false)
  })
})

describe('IpSet.fromIpv4Bounds', () => {
  it('is the union fromValueRanges gives, on unsorted, overlapping and touching ranges', () => {
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const bounds: number[] = []
    for (let i = 0; i < 500; i++) {
      const start = Math.floor(next() * 2 ** 32)
      bounds.push(start, Math.min(2 ** 32, start + 1 + Math.floor(next() * 2 ** 20)))
    }
    bounds.push(0, 1, 1, 2, 2 ** 32 - 1, 2 ** 32)
    const pairs: [bigint, bigint][] = []
    for (let i = 0; i < bounds.length; i += 2)
      pairs.push([BigInt(bounds[i]!), BigInt(bounds[i + 1]!)])
    const set = IpSet.fromIpv4Bounds(bounds)
    expect(set.equals(IpSet.fromValueRanges(4, pairs))).toBe(true)
    expect(set.containsValue(0n) && set.containsValue(2n ** 32n - 1n)).toBe(true)
  })
})
