import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IpSet, parseCidr, parseCidrList } from '../../../shared/src/index.ts'
import { WINDOW } from '../../../shared/src/ip/parse-cidr-list.ts'

describe('parseCidrList', () => {
  it('reads both families, comments, CRLF and a BOM', () => {
    const list = parseCidrList(
      '\ufeff# header\r\n192.0.2.0/25\r\n192.0.2.128/25 # inline\r\n2001:db8::/32\r\n\r\n# tail\r\n',
    )
    expect(list.ipv4.toCidrs()).toEqual(['192.0.2.0/24'])
    expect(list.ipv6.toCidrs()).toEqual(['2001:db8::/32'])
    expect(list.rejected).toEqual([])
    expect(list.notes).toEqual([])
  })

  it('rejects each bad line by number, and keeps the good ones', () => {
    const list = parseCidrList(
      [
        '1.2.3.4/33',
        '300.1.1.1',
        '1.2.3',
        '::ffff:zz',
        '<html>',
        '198.51.100.7',
        'fe80::1%eth0',
      ].join('\n'),
    )
    expect(list.rejected.map((r) => [r.line, r.text, r.code])).toEqual([
      [1, '1.2.3.4/33', 'ERR_IP_PREFIX_RANGE'],
      [2, '300.1.1.1', 'ERR_IP_OCTET'],
      [3, '1.2.3', 'ERR_IP_SYNTAX'],
      [4, '::ffff:zz', 'ERR_IP_SYNTAX'],
      [5, '<html>', 'ERR_IP_SYNTAX'],
      [7, 'fe80::1%eth0', 'ERR_IP_ZONE_ID'],
    ])
    expect(list.ipv4.toCidrs()).toEqual(['198.51.100.7/32'])
  })

  it('notes an empty line between entries, not blank lines at the ends or beside comments', () => {
    const list = parseCidrList('\n\n192.0.2.1\n\n  \n192.0.2.2\n\n# section\n\n192.0.2.3\n\n\n')
    expect(list.notes).toEqual([
      { line: 4, text: '', code: 'EMPTY_LINE', reason: 'empty line between entries' },
      { line: 5, text: '', code: 'EMPTY_LINE', reason: 'empty line between entries' },
    ])
    expect(list.ipv4.toCidrs()).toEqual(['192.0.2.1/32', '192.0.2.2/31'])
  })

  it('notes host bits and IPv4-mapped addresses but accepts them', () => {
    const list = parseCidrList('10.0.0.1/8\n::ffff:192.0.2.1\n')
    expect(list.notes.map((n) => [n.line, n.code, n.reason])).toEqual([
      [1, 'HOST_BITS_SET', 'host bits set: read as 10.0.0.0/8'],
      [2, 'IPV4_MAPPED', 'IPv4-mapped IPv6 address: kept as IPv6 ::ffff:c000:201/128'],
    ])
    expect(list.ipv4.toCidrs()).toEqual(['10.0.0.0/8'])
    expect(list.ipv6.toCidrs()).toEqual(['::ffff:c000:201/128'])
  })

  it('reads an empty text and a file without a final newline', () => {
    expect(parseCidrList('').ipv4.isEmpty).toBe(true)
    expect(parseCidrList('192.0.2.1').ipv4.toCidrs()).toEqual(['192.0.2.1/32'])
  })

  it('cuts very long rejected lines in the report', () => {
    const list = parseCidrList(`<html>${'x'.repeat(500)}`)
    expect(list.rejected[0]?.text).toHaveLength(201)
  })
})

describe('parseCidrList fast and general paths', () => {
  const entry = fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([v, p]) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${p}`),
    fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 128 }))
      .map(([g, p]) => `2001:db8::${g.toString(16)}/${p}`),
    // Networks in every spelling: the IPv6 fast path takes these whole.
    fc
      .tuple(
        fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8, 0xabcd), {
          minLength: 8,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 128 }),
        fc.boolean(),
      )
      .map(([g, p, compress]) => {
        const network = parseCidr(`${g.map((x) => x.toString(16)).join(':')}/${p}`).cidr
        if (compress) return network
        const full = parseCidr(network.split('/')[0]!)
        return `${full.cidr.split('/')[0]!.toUpperCase()}/${p}`
      }),
  )
  const decorated = fc.tuple(
    entry,
    fc.constantFrom('', '\r', ' ', '\t# note', ' #'),
    fc.constantFrom('', ' ', '\t'),
  )

  it('reads a list, in any order and decoration, as IpSet.fromCidrs reads its entries', () => {
    fc.assert(
      fc.property(fc.array(decorated, { maxLength: 40 }), (rows) => {
        const list = parseCidrList(rows.map(([e, tail, head]) => `${head}${e}${tail}`).join('\n'))
        const entries = rows.map(([e]) => e)
        expect(list.rejected).toEqual([])
        expect(list.ipv4.toCidrs()).toEqual(
          IpSet.fromCidrs(
            4,
            entries.filter((e) => !e.includes(':')),
          ).toCidrs(),
        )
        expect(list.ipv6.toCidrs()).toEqual(
          IpSet.fromCidrs(
            6,
            entries.filter((e) => e.includes(':')),
          ).toCidrs(),
        )
        const hostBits = rows.flatMap(([e], i) => (parseCidr(e).hostBitsSet ? [i + 1] : []))
        expect(list.notes.filter((n) => n.code === 'HOST_BITS_SET').map((n) => n.line)).toEqual(
          hostBits,
        )
      }),
      { numRuns: 300 },
    )
  })
})

describe('parseCidrList on lists longer than one window of the byte readers', () => {
  /** Lines of a list: mostly plain IPv4, with every kind of line the fast paths leave alone. */
  const odd = [
    '# comment',
    '',
    '   ',
    '198.51.100.1/24',
    '2001:db8::/48',
    '2001:db8::1',
    '<html>',
    '1.2.3',
    '203.0.113.0/24\r',
    '203.0.113.9 # café',
    '# ünïcödé',
    '010.0.0.1',
    '192.0.2.0/33',
  ]

  /** What parseCidrList must find, from parseCidr on each line alone. */
  function expected(lines: string[]) {
    const v4: string[] = []
    const v6: string[] = []
    const rejected: number[] = []
    lines.forEach((raw, i) => {
      const entry = raw.replace(/#.*/, '').trim()
      if (entry === '') return
      try {
        const parsed = parseCidr(entry)
        ;(parsed.family === 4 ? v4 : v6).push(parsed.cidr)
      } catch {
        rejected.push(i + 1)
      }
    })
    return {
      ipv4: IpSet.fromCidrs(4, v4).toCidrs(),
      ipv6: IpSet.fromCidrs(6, v6).toCidrs(),
      rejected,
    }
  }

  it.each([
    ['followed by another line', ['203.0.113.1']],
    ['as the last line, without a line break', []],
  ])('never takes the part of a line before a window boundary as a line (%s)', (_, after) => {
    // Plain lines of 9 and 10 bytes up to 12 bytes before the boundary, then a line across it
    // whose first 12 bytes are an address too: 198.51.100.2|55.
    const before = WINDOW - 12
    const nines = (10 - (before % 10)) % 10
    const lines = [
      ...Array<string>(nines).fill('10.0.0.1'),
      ...Array<string>((before - 9 * nines) / 10).fill('100.0.0.1'),
      '198.51.100.255',
      ...after,
    ]
    expect(lines.slice(0, lines.length - after.length - 1).join('\n').length + 1).toBe(before)
    for (const input of [lines.join('\n'), new TextEncoder().encode(lines.join('\n'))]) {
      const list = parseCidrList(input)
      expect(list.rejected).toEqual([])
      expect(list.ipv4.contains('198.51.100.2')).toBe(false)
      expect(list.ipv4.toCidrs()).toEqual(IpSet.fromCidrs(4, lines).toCidrs())
    }
  })

  it('reads text and bytes alike, odd lines anywhere, at every window boundary too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 30000, maxLength: 30000 }),
        fc.array(fc.tuple(fc.nat(29999), fc.nat(odd.length - 1)), { maxLength: 60 }),
        (values, inserts) => {
          const lines = values.map(
            (v, i) =>
              `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 0xf0}${i % 3 ? '/28' : ''}`,
          )
          for (const [at, k] of inserts) lines[at] = odd[k]!
          // An odd line right at each multiple of 2^16 and 2^17 bytes too.
          let offset = 0
          for (let i = 0; i < lines.length; i++) {
            if (Math.floor(offset / 65536) !== Math.floor((offset + lines[i]!.length + 1) / 65536))
              lines[i + 1 < lines.length ? i + 1 : i] = odd[i % odd.length]!
            offset += lines[i]!.length + 1
          }
          const text = lines.join('\n')
          const want = expected(lines)
          for (const input of [text, new TextEncoder().encode(text)]) {
            const list = parseCidrList(input)
            expect(list.ipv4.toCidrs()).toEqual(want.ipv4)
            expect(list.ipv6.toCidrs()).toEqual(want.ipv6)
            expect(list.rejected.map((r) => r.line)).toEqual(want.rejected)
          }
        },
      ),
      { numRuns: 12 },
    )
  })

  it('sorts unsorted lists past the kept sort buffers and back, as the sorted path reads them', () => {
    // A deterministic shuffle of /32s and /31s (duplicates and overlaps included), sizes on both
    // sides of the buffers the radix sorts keep (2^16 IPv4 ranges, 2^17 IPv6).
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    const v4 = (n: number) =>
      Array.from({ length: n }, () => {
        const a = next() % 2 ** 24
        return `10.${a >> 16}.${(a >> 8) & 255}.${a & 254}/${31 + (a & 1)}`
      })
    const v6 = (n: number) =>
      Array.from(
        { length: n },
        () =>
          `2001:db8:${(next() % 65536).toString(16).padStart(4, '0')}:${(next() % 4096).toString(16).padStart(4, '0')}::/64`,
      )
    for (const [four, six] of [
      [70_000, 140_000],
      [5_000, 3_000],
      [70_000, 3_000],
    ] as const) {
      const texts = [...v4(four), ...v6(six)]
      const list = parseCidrList(texts.join('\n'))
      const byNumber = (t: string) =>
        t
          .split('/')[0]!
          .split('.')
          .reduce((n, o) => n * 256 + Number(o), 0)
      const sorted4 = texts
        .slice(0, four)
        .sort((a, b) => byNumber(a) - byNumber(b) || a.localeCompare(b))
      const sorted6 = texts.slice(four).sort()
      expect(list.ipv4.toCidrs()).toEqual(IpSet.fromCidrs(4, sorted4).toCidrs())
      expect(list.ipv6.toCidrs()).toEqual(IpSet.fromCidrs(6, sorted6).toCidrs())
    }
  })
})
