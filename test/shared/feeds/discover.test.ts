/**
 * Tests of URL discovery (Azure's weekly file): on a real capture of Microsoft's download page
 * (test/fixtures/feeds/azure, ip-fetcher's testdata, whose file name its author replaced by a
 * placeholder; see SOURCES.md) and on synthetic pages for the cases a capture cannot show.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
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

describe('findLinkedFile', () => {
  it('finds the weekly file on the real download page (linked six times, one URL)', () => {
    expect(PAGE.match(/ServiceTags_Public_\d+\.json/g)).toHaveLength(6)
    expect(findLinkedFile(PAGE, HOST, FILE)).toBe(
      'https://download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/ServiceTags_Public_2000000.json',
    )
  })

  it('takes the latest of several dated files, whatever their order on the page', () => {
    const page = [20260525, 20260601, 20260518]
      .map(
        (d) => `<a href="https://download.microsoft.com/download/x/ServiceTags_Public_${d}.json">`,
      )
      .join('\n')
    expect(findLinkedFile(page, HOST, FILE)).toMatch(/_20260601\.json$/)
    const same = `"https://download.microsoft.com/b/ServiceTags_Public_1.json" "https://download.microsoft.com/a/ServiceTags_Public_1.json"`
    expect(findLinkedFile(same, HOST, FILE)).toBe(
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
    expect(findLinkedFile(page, HOST, FILE)).toBeUndefined()
  })

  it('reads &amp; in a link as & and ignores a query when matching the name', () => {
    expect(
      findLinkedFile(
        '<a href="https://download.microsoft.com/d/ServiceTags_Public_7.json?a=1&amp;b=2">',
        HOST,
        FILE,
      ),
    ).toBe('https://download.microsoft.com/d/ServiceTags_Public_7.json?a=1&b=2')
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
})
