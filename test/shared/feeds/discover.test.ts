/**
 * Tests of URL discovery (Azure's weekly file): on a real capture of Microsoft's download page
 * (test/fixtures/feeds/azure, ip-fetcher's testdata, whose file name its author replaced by a
 * placeholder; see SOURCES.md) and on synthetic pages for the cases a capture cannot show.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  discoverSources,
  findLinkedFile,
  type PageResult,
} from '../../../shared/src/feeds/discover.ts'
import {
  AZURE_SERVICE_TAGS_PAGE,
  findFeed,
  type FetchRecord,
} from '../../../shared/src/feeds/index.ts'

const PAGE = readFileSync(
  path.join(import.meta.dirname, '../../fixtures/feeds/azure/download-page.confirmation.html'),
  'utf8',
)
const HOST = 'download.microsoft.com'
const FILE = 'ServiceTags_Public_\\d+\\.json'
const utf8 = (text: string) => new TextEncoder().encode(text)

describe('findLinkedFile', () => {
  it('finds the weekly file on the real download page (linked six times, one URL)', () => {
    expect(PAGE.match(/ServiceTags_Public_\d+\.json/g)).toHaveLength(6)
    expect(findLinkedFile(utf8(PAGE), HOST, FILE)).toBe(
      'https://download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/ServiceTags_Public_2000000.json',
    )
  })

  it('takes the latest of several dated files, whatever their order on the page', () => {
    const page = [20260525, 20260601, 20260518]
      .map(
        (d) => `<a href="https://download.microsoft.com/download/x/ServiceTags_Public_${d}.json">`,
      )
      .join('\n')
    expect(findLinkedFile(utf8(page), HOST, FILE)).toMatch(/_20260601\.json$/)
    const same = `"https://download.microsoft.com/b/ServiceTags_Public_1.json" "https://download.microsoft.com/a/ServiceTags_Public_1.json"`
    expect(findLinkedFile(utf8(same), HOST, FILE)).toBe(
      'https://download.microsoft.com/b/ServiceTags_Public_1.json',
    )
  })

  it.each([
    ['another host', '<a href="https://download.evil.example/ServiceTags_Public_20260601.json">'],
    [
      'a host that only starts the same',
      '<a href="https://download.microsoft.com.evil.example/ServiceTags_Public_1.json">',
    ],
    ['plain http', '<a href="http://download.microsoft.com/ServiceTags_Public_20260601.json">'],
    [
      'another file',
      '<a href="https://download.microsoft.com/x/ServiceTags_AzureGovernment_20260601.json">',
    ],
    [
      'the name inside a longer one',
      '<a href="https://download.microsoft.com/x/old-ServiceTags_Public_1.json.bak">',
    ],
    ['no link at all', 'We are sorry, the page you requested cannot be found.'],
  ])('finds nothing on a page with %s', (_name, page) => {
    expect(findLinkedFile(utf8(page), HOST, FILE)).toBeUndefined()
  })

  it('reads &amp; in a link as & and ignores a query when matching the name', () => {
    expect(
      findLinkedFile(
        utf8('<a href="https://download.microsoft.com/d/ServiceTags_Public_7.json?a=1&amp;b=2">'),
        HOST,
        FILE,
      ),
    ).toBe('https://download.microsoft.com/d/ServiceTags_Public_7.json?a=1&b=2')
  })
})

/**
 * The oracle: the link rule as one regular expression over the decoded page (findLinkedFile
 * reads the bytes and decodes only the links).
 */
function linkedFileInText(page: string): string | undefined {
  const links = page.matchAll(/https:\/\/download\.microsoft\.com\/[^\s"'<>\\]+/gi)
  let best: { url: string; last: string } | undefined
  for (const [match] of links) {
    const url = match.replaceAll('&amp;', '&')
    const last = url.split(/[?#]/, 1)[0]!.split('/').at(-1)!
    if (!new RegExp(`^(?:${FILE})$`).test(last)) continue
    if (best === undefined || last > best.last || (last === best.last && url > best.url))
      best = { url, last }
  }
  return best?.url
}

describe('findLinkedFile on bytes', () => {
  it('finds on the real page (a BOM, characters over U+00FF) what the regex finds on its text', () => {
    const bytes = readFileSync(
      path.join(import.meta.dirname, '../../fixtures/feeds/azure/download-page.confirmation.html'),
    )
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(findLinkedFile(bytes, HOST, FILE)).toBe(linkedFileInText(PAGE))
  })

  it('agrees with the regex on the decoded page, any case, any character around a link', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'https://download.microsoft.com/d/ServiceTags_Public_1.json',
        'HTTPS://Download.Microsoft.COM/e/ServiceTags_Public_2.json?x=1&amp;y=2',
        'https://download.microsoft.com/',
        'https://download.microsoft.com/f/ServiceTags_Public_3.json?u=https://download.microsoft.com/g/ServiceTags_Public_9.json',
        'https://download.microsoft.com/h/ServiceTags_Public_4.json\u00a0x',
        'https://download.microsoft.com/i/ServiceTags_Public_5.json\u2028',
        'https://download.microsoft.com/j/ServiceTags_Public_6.json\u0085',
        'https://downloadſmicrosoft.com/k/ServiceTags_Public_7.json',
        'é€😀',
      ),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    )
    const separator = fc.constantFrom(' ', '\n', '"', "'", '<', '>', '\\', '\t', '\v', '')
    fc.assert(
      fc.property(fc.array(fc.tuple(word, separator), { maxLength: 30 }), (parts) => {
        const page = parts.map(([w, s]) => w + s).join('')
        expect(findLinkedFile(utf8(page), HOST, FILE)).toBe(linkedFileInText(page))
      }),
      { numRuns: 500 },
    )
  })

  it('throws on bytes that are not UTF-8, wherever they are', () => {
    const link = utf8('https://download.microsoft.com/d/ServiceTags_Public_1.json ')
    for (const bad of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80]])
      for (const bytes of [
        new Uint8Array([...link, ...bad]),
        new Uint8Array([...bad, ...link]),
        new Uint8Array([...link.subarray(0, 20), ...bad, ...link.subarray(20)]),
      ])
        expect(() => findLinkedFile(bytes, HOST, FILE)).toThrow(TypeError)
    expect(findLinkedFile(new Uint8Array(0), HOST, FILE)).toBeUndefined()
  })

  it('throws exactly when the bytes are not UTF-8, at any offset in their buffer', () => {
    const valid = (b: Uint8Array) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(b)
        return true
      } catch {
        return false
      }
    }
    const text = fc.string({ unit: 'binary', maxLength: 30 }).map(utf8)
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .array(fc.oneof(text, fc.uint8Array({ maxLength: 3 })), { maxLength: 6 })
        .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p]))),
    )
    fc.assert(
      fc.property(bytes, fc.nat({ max: 7 }), (b, offset) => {
        const at = new Uint8Array(b.length + offset)
        at.set(b, offset)
        const view = at.subarray(offset)
        const read = () => findLinkedFile(view, HOST, FILE)
        if (valid(b)) expect(read).not.toThrow()
        else expect(read).toThrow(TypeError)
      }),
      { numRuns: 2000 },
    )
  })

  it('reads colons too near either end to start a link', () => {
    expect(findLinkedFile(utf8('a:b https:'), HOST, FILE)).toBeUndefined()
  })
})

describe('discoverSources', () => {
  const azure = findFeed('azure/ActionGroup')!
  const record = (url: string, status = 200): FetchRecord => ({
    url,
    requested: url,
    status,
    bytes: 0,
    conditional: false,
  })
  const body =
    (text: string) =>
    (url: string): Promise<PageResult> =>
      Promise.resolve({
        kind: 'body',
        text,
        bytes: new TextEncoder().encode(text),
        sha256: 'not read by discovery',
        contentType: 'text/html',
        validators: {},
        record: record(url),
      })

  it('fetches the page once for every source that reads it, and records the request', async () => {
    const records: FetchRecord[] = []
    let calls = 0
    const found = await discoverSources(
      [
        ...azure.sources,
        ...findFeed('azure/AzureCloud')!.sources,
        { url: 'https://x.example/', parser: { kind: 'lines' } },
      ],
      {},
      (url) => {
        calls++
        return body(PAGE)(url)
      },
      records,
    )
    expect(calls).toBe(1)
    expect(records.map((r) => r.url)).toEqual([AZURE_SERVICE_TAGS_PAGE])
    expect([...found.keys()]).toEqual([AZURE_SERVICE_TAGS_PAGE])
    expect(found.get(AZURE_SERVICE_TAGS_PAGE)).toEqual({
      url: expect.stringMatching(/ServiceTags_Public_2000000\.json$/) as string,
    })
  })

  it('uses a configured URL without fetching the page', async () => {
    const url =
      'https://download.microsoft.com/download/7/1/d/71d86715/ServiceTags_Public_20260601.json'
    const found = await discoverSources(
      azure.sources,
      { [AZURE_SERVICE_TAGS_PAGE]: url },
      () => {
        throw new Error('the page must not be fetched')
      },
      [],
    )
    expect(found.get(AZURE_SERVICE_TAGS_PAGE)).toEqual({ url })
  })

  it('refuses with the fetch guard when the page fails, and as schema drift when it has no link', async () => {
    const failed = await discoverSources(
      azure.sources,
      {},
      (url) =>
        Promise.resolve({
          kind: 'refused',
          guard: 'http-error',
          reason: 'HTTP 503',
          record: record(url, 503),
        }),
      [],
    )
    expect(failed.get(AZURE_SERVICE_TAGS_PAGE)).toEqual({
      guard: 'http-error',
      reason: `${AZURE_SERVICE_TAGS_PAGE}: HTTP 503`,
    })
    const moved = await discoverSources(
      azure.sources,
      {},
      body('<html>This download is no longer available</html>'),
      [],
    )
    expect(moved.get(AZURE_SERVICE_TAGS_PAGE)).toMatchObject({
      guard: 'schema-drift',
      reason: expect.stringContaining(
        'no link to https://download.microsoft.com/.../"ServiceTags_Public_\\\\d+\\\\.json"',
      ) as string,
    })
  })

  it('refuses a page that is not UTF-8 as wrong content, as a body is refused', async () => {
    const notUtf8 = await discoverSources(
      azure.sources,
      {},
      (url) =>
        body('')(url).then((page) => ({
          ...page,
          bytes: new Uint8Array([...utf8(PAGE), 0xc3, 0x28]),
        })),
      [],
    )
    expect(notUtf8.get(AZURE_SERVICE_TAGS_PAGE)).toEqual({
      guard: 'wrong-content',
      reason: `${AZURE_SERVICE_TAGS_PAGE}: the body is not UTF-8 text`,
    })
  })
})
