/**
 * Tests of the IPv4 and IPv6 line readers' two implementations (WebAssembly and JavaScript): the same
 * return value, lines read and collected ranges on any input, starting from any collector state;
 * and of parseCidrList's bytes input against its text input.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RangeCollector } from '../../../shared/src/ip/build.ts'
import { IpSet, parseCidrList } from '../../../shared/src/ip/index.ts'
import {
  bytesOf,
  linesRead,
  readIpv4Lines,
  readIpv4LinesJs,
  readIpv6Lines,
  readIpv6LinesJs,
} from '../../../shared/src/ip/read-lines.ts'
import { linesWasm, setWasmEnabled } from '../../../shared/src/ip/wasm/lines.ts'

const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.constantFrom('256', '999', '01', '00', '1000', '', 'a'),
)
const ipv4Line = fc
  .tuple(
    fc.array(octet, { minLength: 3, maxLength: 5 }),
    fc.oneof(
      fc.constant(''),
      fc.integer({ min: 0, max: 32 }).map((p) => `/${p}`),
      fc.constantFrom('/', '/33', '/01', '/100', '/x', '/3 ', ' '),
    ),
  )
  .map(([octets, suffix]) => `${octets.join('.')}${suffix}`)
// Mostly plain lines the readers take (some with host bits set), and some they must stop at.
const line = fc.oneof(
  { weight: 6, arbitrary: ipv4Line },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([v, p]) => {
        const n = p === 0 ? 0 : v - (v % 2 ** (32 - p))
        return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p}`
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '# c', '2001:db8::/32', ' 1.2.3.4', '\r', '\0') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
)
const text = fc
  .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }), line)
  .map(([rows, last]) => rows.map(([l, eol]) => l + eol).join('') + last)
// What the collector already holds: nothing, or one range the first line may coalesce with.
const before = fc.option(
  fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 2 ** 24 }))
    .map(([start, size]) => [start, Math.min(start + size + 1, 2 ** 32)] as const),
)

function run(
  read: typeof readIpv4Lines,
  bytes: Uint8Array,
  length: number,
  prior: readonly [number, number] | null,
) {
  const out = new RangeCollector()
  if (prior) out.add4(prior[0], prior[1])
  const next = read(bytes, 0, length, out)
  return {
    next,
    lines: linesRead,
    ranges: [...out.r4.subarray(0, 2 * out.n4)],
    unsorted: out.unsorted4,
  }
}

afterEach(() => {
  setWasmEnabled(true)
})

describe('readIpv4Lines in WebAssembly and in JavaScript', () => {
  it('uses WebAssembly where it can be compiled (Node)', () => {
    expect(linesWasm()).toBeDefined()
    const bytes = bytesOf('192.0.2.0/24\n', 0, 13)
    expect(bytes?.buffer).toBe(linesWasm()?.memory.buffer)
  })

  it('agrees line for line on any input and collector state', () => {
    fc.assert(
      fc.property(text, before, (t, prior) => {
        const wasmBytes = bytesOf(t, 0, t.length)
        if (wasmBytes === undefined) throw new Error('the generator makes ASCII only')
        const jsBytes = wasmBytes.slice(0, t.length + 1)
        expect(wasmBytes.buffer).toBe(linesWasm()?.memory.buffer)
        const js = run(readIpv4LinesJs, jsBytes, t.length, prior)
        expect(run(readIpv4Lines, wasmBytes, t.length, prior)).toEqual(js)
      }),
      { numRuns: 2000 },
    )
  })

  it.each([
    '# c\n',
    'a.2.3.4\n',
    '1.2.x.4\n',
    '256.1.1.1\n',
    '1.2.3.4/x\n',
    '1.2.3.4/\n',
    '1.2.3.0/33\n',
  ])('stops at the start of a line it cannot take (%j), in both readers', (t) => {
    const wasmBytes = bytesOf(t, 0, t.length)!
    const js = run(readIpv4LinesJs, wasmBytes.slice(0, t.length + 1), t.length, null)
    expect(js).toMatchObject({ next: 0, ranges: [] })
    expect(run(readIpv4Lines, wasmBytes, t.length, null)).toEqual(js)
  })

  it('agrees on a long sorted run, beyond one call of the Wasm reader', () => {
    const lines: string[] = []
    // /24s with a gap after each: 70,000 ranges, more than the Wasm reader returns per call.
    for (let n = 0; n < 70_000 * 512; n += 512)
      lines.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/24`)
    const t = lines.join('\n')
    const list = parseCidrList(t)
    expect(list.rejected).toEqual([])
    setWasmEnabled(false)
    expect(parseCidrList(t).ipv4.toCidrs()).toEqual(list.ipv4.toCidrs())
    expect(list.ipv4.toCidrs()).toHaveLength(70_000)
  })
})

describe('readIpv6Lines in WebAssembly and in JavaScript', () => {
  const group = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16)) },
    { weight: 1, arbitrary: fc.constantFrom('0', 'ffff', 'FFFF', 'aBcD', '00000', 'g', '') },
  )
  const address = fc.oneof(
    fc.array(group, { minLength: 7, maxLength: 9 }).map((gs) => gs.join(':')),
    fc
      .tuple(fc.array(group, { maxLength: 7 }), fc.array(group, { maxLength: 7 }))
      .map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
    fc.constantFrom(
      '::',
      '::1',
      ':::',
      '1::2::3',
      '::ffff:c000:201',
      '::ffff:192.0.2.1',
      'fe80::1%eth0',
    ),
  )
  // Networks (host bits clear) with prefixes, which the readers take and coalesce.
  const network = fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 128 }),
    )
    .map(([gs, p]) => {
      const words = gs.map((g, k) => {
        const bits = Math.min(16, Math.max(0, p - 16 * k))
        return bits === 16 ? g : g & ~(0xffff >>> bits) & 0xffff
      })
      return `${words.map((g) => g.toString(16)).join(':')}/${p}`
    })
  const line6 = fc.oneof(
    { weight: 4, arbitrary: network },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          address,
          fc.oneof(
            fc.constant(''),
            fc.integer({ min: 0, max: 128 }).map((p) => `/${p}`),
            fc.constantFrom('/', '/129', '/01', '/1000', '/x', ' '),
          ),
        )
        .map(([a, suffix]) => a + suffix),
    },
    { weight: 1, arbitrary: fc.constantFrom('', '# c', '192.0.2.0/24', ' ::1', '\r', '\0') },
  )
  const text6 = fc
    .tuple(fc.array(fc.tuple(line6, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }), line6)
    .map(([rows, last]) => rows.map(([l, eol]) => l + eol).join('') + last)
  const prior6 = fc.option(network)

  function run6(
    read: typeof readIpv6Lines,
    bytes: Uint8Array,
    length: number,
    prior: string | null,
  ) {
    const out = new RangeCollector()
    if (prior !== null) {
      const before = new TextEncoder().encode(`${prior}\0`)
      readIpv6LinesJs(before, 0, prior.length, out)
    }
    const next = read(bytes, 0, length, out)
    return {
      next,
      lines: linesRead,
      ranges: [...out.r6.subarray(0, 8 * out.n6)],
      unsorted: out.unsorted6,
    }
  }

  it('agrees line for line on any input and collector state', () => {
    fc.assert(
      fc.property(text6, prior6, (t, prior) => {
        const wasmBytes = bytesOf(t, 0, t.length)
        if (wasmBytes === undefined) throw new Error('the generator makes ASCII only')
        const jsBytes = wasmBytes.slice(0, t.length + 1)
        expect(wasmBytes.buffer).toBe(linesWasm()?.memory.buffer)
        const js = run6(readIpv6LinesJs, jsBytes, t.length, prior)
        expect(run6(readIpv6Lines, wasmBytes, t.length, prior)).toEqual(js)
      }),
      { numRuns: 2000 },
    )
  })

  it('stops at a slash with no prefix after a whole address, both alike', () => {
    // the property above reaches these only when a random address is whole: fixed here
    for (const t of ['2001:db8::/48\n2001:db8::/x\n', '2001:db8::/48\n2001:db8::/\n']) {
      const wasmBytes = bytesOf(t, 0, t.length)!
      const js = run6(readIpv6LinesJs, wasmBytes.slice(0, t.length + 1), t.length, null)
      expect(js.next).toBe(t.indexOf('\n') + 1)
      expect(run6(readIpv6Lines, wasmBytes, t.length, null)).toEqual(js)
    }
  })

  it('agrees on a long run, beyond one call of the Wasm reader', () => {
    const lines: string[] = []
    // /64s with a gap after each: 20,000 ranges, more than the Wasm reader returns per call.
    for (let n = 0; n < 20_000; n++)
      lines.push(`2001:db8:${(n >> 16).toString(16)}:${(2 * (n & 0xffff)).toString(16)}::/64`)
    const t = lines.join('\n')
    const list = parseCidrList(t)
    expect(list.rejected).toEqual([])
    setWasmEnabled(false)
    expect(parseCidrList(t).ipv6.toCidrs()).toEqual(list.ipv6.toCidrs())
    expect(list.ipv6.toCidrs()).toHaveLength(20_000)
  })

  it('leaves IPv4-mapped addresses to the general path, which notes them', () => {
    for (const wasm of [true, false]) {
      setWasmEnabled(wasm)
      const list = parseCidrList('2001:db8::/32\n::ffff:c000:201\n::ffff:0:0/96\n')
      expect(list.notes.map((n) => [n.line, n.code])).toEqual([
        [2, 'IPV4_MAPPED'],
        [3, 'IPV4_MAPPED'],
      ])
    }
  })
})

describe('IpSet.toCidrs (IPv4) in WebAssembly and in JavaScript', () => {
  const ranges = fc
    .uniqueArray(fc.integer({ min: 0, max: 2 ** 32 }), { maxLength: 40 })
    .map((xs) => new Float64Array(xs.sort((a, b) => a - b)))
    .filter((r) => r.length % 2 === 0)

  function both(r: Float64Array): [string[], string[]] {
    const set = IpSet.fromRanges(4, r)
    const wasm = set.toCidrs()
    const wasmLines = set.toCidrLines()
    setWasmEnabled(false)
    const js = set.toCidrs()
    expect(set.toCidrLines()).toBe(wasmLines)
    setWasmEnabled(true)
    expect(wasmLines).toBe(js.map((c) => `${c}\n`).join(''))
    return [wasm, js]
  }

  it('prints the same cover of any ranges, 0.0.0.0/0 and the top address included', () => {
    fc.assert(
      fc.property(ranges, (r) => {
        const [wasm, js] = both(r)
        expect(wasm).toEqual(js)
      }),
      { numRuns: 1000 },
    )
    expect(both(new Float64Array([0, 2 ** 32]))[0]).toEqual(['0.0.0.0/0'])
    expect(both(new Float64Array([2 ** 32 - 1, 2 ** 32]))[0]).toEqual(['255.255.255.255/32'])
  })

  it('prints more text than one Wasm call holds (1 MiB)', () => {
    const r = new Float64Array(2 * 20_000)
    for (let k = 0; k < 20_000; k++) r.set([k * 1024 + 3, k * 1024 + 700], 2 * k)
    const [wasm, js] = both(r)
    expect(wasm.join('\n').length).toBeGreaterThan(2 ** 20)
    expect(wasm).toEqual(js)
  })
})

describe('parseCidrList on bytes', () => {
  const encoder = new TextEncoder()
  const anyText = fc.oneof(
    text,
    fc.tuple(text, fc.constantFrom('\ufeff', 'é', '\u2028', '１')).map(([t, u]) => u + t),
    fc.tuple(text, fc.constantFrom('é # café', '# ½', '19é2.0.2.1')).map(([t, u]) => `${t}\n${u}`),
  )

  it('reads UTF-8 bytes as their text, with and without WebAssembly', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (t, wasm) => {
        setWasmEnabled(wasm)
        const fromText = parseCidrList(t)
        const fromBytes = parseCidrList(encoder.encode(t))
        expect(fromBytes.ipv4.toCidrs()).toEqual(fromText.ipv4.toCidrs())
        expect(fromBytes.ipv6.toCidrs()).toEqual(fromText.ipv6.toCidrs())
        expect(fromBytes.rejected).toEqual(fromText.rejected)
        expect(fromBytes.notes).toEqual(fromText.notes)
      }),
      { numRuns: 500 },
    )
  })

  it('reads invalid UTF-8 as readFile would, with U+FFFD', () => {
    const list = parseCidrList(
      new Uint8Array([0x31, 0x2e, 0x32, 0xff, 0x0a, 0x31, 0x2e, 0x32, 0x2e, 0x33, 0x2e, 0x34]),
    )
    expect(list.rejected.map((r) => [r.line, r.text])).toEqual([[1, '1.2\ufffd']])
    expect(list.ipv4.toCidrs()).toEqual(['1.2.3.4/32'])
  })
})

describe('where WebAssembly cannot be compiled (Cloudflare Workers) or is absent', () => {
  it.each([
    [
      'compiling throws',
      {
        ...WebAssembly,
        Module: function () {
          throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder')
        },
      },
    ],
    ['no WebAssembly global', undefined],
  ])('falls back to the JavaScript readers, with the same results (%s)', async (_, stub) => {
    const t = `# list\n${Array.from({ length: 500 }, (_, k) => `10.${k >> 8}.${k & 255}.0/24`).join('\n')}\n2001:db8::/32\n`
    const expected = parseCidrList(t)
    vi.resetModules()
    vi.stubGlobal('WebAssembly', stub)
    try {
      const wasm = await import('../../../shared/src/ip/wasm/lines.ts')
      const ip = await import('../../../shared/src/ip/index.ts')
      expect(wasm.linesWasm()).toBeUndefined()
      const list = ip.parseCidrList(t)
      expect(list.ipv4.toCidrs()).toEqual(expected.ipv4.toCidrs())
      expect(list.ipv6.toCidrs()).toEqual(expected.ipv6.toCidrs())
      expect(ip.parseCidrList(new TextEncoder().encode(t)).ipv4.toCidrs()).toEqual(
        expected.ipv4.toCidrs(),
      )
    } finally {
      vi.unstubAllGlobals()
      vi.resetModules()
    }
  })
})
