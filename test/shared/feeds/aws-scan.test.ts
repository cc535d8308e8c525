/**
 * Tests shared/src/feeds/aws-scan.ts against the JSON reader as the oracle (extract.ts through
 * JSON.parse): on both real ip-ranges.json fixtures (../shared/fixtures/feeds/aws, published by
 * AWS on 2026-08-12 and 2026-08-21; PROVENANCE.md), every service's entries and where they were
 * found are identical, and so are the snapshots of every aws/ feed the sync makes of them;
 * on fast-check mutations of a real slice, the scanner either returns exactly the oracle's index
 * or steps aside (undefined); and each shape it does not read falls back, so drift is still
 * refused with the JSON reader's named errors.
 */
import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scanAwsIpRanges } from '../../../shared/src/feeds/aws-scan.ts'
import { awsEntries, extractJson } from '../../../shared/src/feeds/extract.ts'
import type { AwsService } from '../../../shared/src/feeds/extract.ts'
import { BUILTIN_FEEDS, findFeed, syncFeeds } from '../../../shared/src/feeds/index.ts'
import type { FeedDefinition, Snapshot } from '../../../shared/src/feeds/index.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const AWS_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json'
const AWS_FEEDS = BUILTIN_FEEDS.filter((f) => f.sources[0]!.url === AWS_URL)
const encode = (text: string) => new TextEncoder().encode(text)
/** The scan of a body given as text, as the fetcher hands it over: its bytes and its decoding. */
const scan = (text: string) => scanAwsIpRanges(encode(text), text)
const fixtures = HAVE_FIXTURES
  ? readdirSync(fixturePath('feeds', 'aws')).map((name) => ({
      name,
      bytes: new Uint8Array(readFileSync(fixturePath('feeds', 'aws', name))),
    }))
  : []

/** Each entry's text and where it was found. */
function listed(result: ReturnType<typeof awsEntries>): unknown {
  if ('guard' in result) return result
  const { entries } = result
  return entries.texts.map((t, i) => [t, entries.where(i)])
}

/** The oracle: the JSON reader's entries for every service the index names, and a region. */
function expectSameAsJson(index: Map<string, AwsService>, text: string): void {
  const document = JSON.parse(text) as unknown
  for (const service of [...index.keys(), 'NO_SUCH_SERVICE'])
    for (const regions of [[], ['us-east-1', 'EU-WEST-1']]) {
      const parser = { kind: 'aws', service, regions } as const
      expect(listed(awsEntries(index, service, regions)), service).toEqual(
        listed(extractJson(document, parser)),
      )
    }
}

/** A small ip-ranges.json in AWS's layout (indent 2, the real key order). */
function layout(v4: object[], v6: object[], top: object = {}): string {
  return JSON.stringify(
    { syncToken: '1', createDate: '2026-08-21-22-37-05', ...top, prefixes: v4, ipv6_prefixes: v6 },
    null,
    2,
  )
}
const V4 = {
  ip_prefix: '3.4.12.4/32',
  region: 'eu-west-1',
  service: 'AMAZON',
  network_border_group: 'eu-west-1',
}
const V6 = {
  ipv6_prefix: '2406:daba:f000::/40',
  region: 'AP-southeast-4',
  service: 'EC2',
  network_border_group: 'x',
}

function syncAws(
  feeds: readonly FeedDefinition[],
  body: Uint8Array<ArrayBuffer>,
  previous = {},
  contentType = 'application/json',
) {
  return syncFeeds(feeds, {
    fetch: () =>
      Promise.resolve(
        new Response(body, { status: 200, headers: { 'content-type': contentType } }),
      ),
    now: () => 0,
    previous,
    guards: { allowMassRemoval: true, allowMassAddition: true },
  })
}

describe.skipIf(!HAVE_FIXTURES)('scanAwsIpRanges on the real files', () => {
  it.each(fixtures)('$name: the same index as the JSON reader', ({ bytes }) => {
    const index = scanAwsIpRanges(bytes, new TextDecoder().decode(bytes))
    expect(index).toBeDefined()
    expect(index!.size).toBeGreaterThan(20)
    expectSameAsJson(index!, new TextDecoder().decode(bytes))
  })

  it('the sync makes byte-identical snapshots of every aws/ feed to the JSON path', async () => {
    const feeds = [...AWS_FEEDS, findFeed('aws/EC2@us-east-1,eu-west-1')!]
    let previous: Record<string, Snapshot> = {}
    for (const { bytes } of fixtures) {
      const text = new TextDecoder().decode(bytes)
      // One escape in a key the reader does not need sends the body to JSON.parse.
      const viaJson = encode(text.replace('"syncToken"', '"sync\\u0054oken"'))
      expect(scanAwsIpRanges(viaJson, new TextDecoder().decode(viaJson))).toBeUndefined()
      const scanned = await syncAws(feeds, bytes, previous)
      const parsed = await syncAws(feeds, viaJson, previous)
      expect(scanned.outcomes.map((o) => o.kind)).toContain('changed')
      expect(JSON.stringify(scanned.outcomes)).toBe(JSON.stringify(parsed.outcomes))
      previous = {}
      for (const o of scanned.outcomes) if (o.kind === 'changed') previous[o.feed] = o.snapshot
    }
  })

  it('on mutations of a real slice: the oracle index, or it steps aside', () => {
    const doc = JSON.parse(new TextDecoder().decode(fixtures[0]!.bytes)) as {
      prefixes: object[]
      ipv6_prefixes: object[]
    }
    const base = layout(doc.prefixes.slice(0, 40), doc.ipv6_prefixes.slice(0, 20))
    const edits = fc.oneof(
      // Drop, duplicate or swap whole lines (keys, objects, brackets).
      fc.record({ kind: fc.constant('drop'), at: fc.nat() }),
      fc.record({ kind: fc.constant('dup'), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap'), at: fc.nat() }),
      // Insert a character somewhere: an escape, non-ASCII, a control, whitespace, a comma...
      fc.record({
        kind: fc.constant('insert'),
        at: fc.nat(),
        text: fc.constantFrom(
          '\\',
          'é',
          '\u0001',
          '\t',
          '\r\n',
          ',',
          '"',
          '{',
          '[',
          ']',
          '}',
          '1',
          ' ',
        ),
      }),
    )
    let scanned = 0
    fc.assert(
      fc.property(fc.array(edits, { minLength: 1, maxLength: 3 }), (list) => {
        let lines = base.split('\n')
        for (const e of list) {
          const i = e.at % lines.length
          if (e.kind === 'drop') lines = lines.filter((_, j) => j !== i)
          else if (e.kind === 'dup') lines.splice(i, 0, lines[i]!)
          else if (e.kind === 'swap' && i + 1 < lines.length)
            [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!]
          else if (e.kind === 'insert') {
            const line = lines[i]!
            const at = e.at % (line.length + 1)
            lines[i] = line.slice(0, at) + e.text + line.slice(at)
          }
        }
        const text = lines.join('\n')
        const index = scan(text)
        if (index === undefined) return
        scanned++
        // What the scanner reads, JSON.parse reads the same way.
        expectSameAsJson(index, text)
      }),
      { numRuns: 400, seed: 14 },
    )
    // Reordered keys and extra whitespace are still read: not every mutation steps aside.
    expect(scanned).toBeGreaterThan(0)
  })
})

describe('scanAwsIpRanges on shapes it does not read', () => {
  it('reads key order, whitespace, empty lists and other string keys like JSON.parse', () => {
    const swapped = { service: 'S3', region: 'us-east-1', extra: 'x', ip_prefix: '52.95.0.0/16' }
    const text = layout([V4, swapped, V4], [V6]).replace(/\n {4}/g, '\r\n\t    ')
    const index = scan(text)!
    expectSameAsJson(index, text)
    expect(index.get('EC2')!.regions).toEqual(['ap-southeast-4'])
    expect(scan(layout([], []))).toEqual(new Map())
  })

  it.each([
    ['an empty object', layout([{}], [])],
    ['a missing service', layout([{ ip_prefix: '3.4.12.4/32', region: 'x' }], [])],
    ['a number value', layout([{ ...V4, network_border_group: 1 }], [])],
    ['a number at the top', layout([V4], [V6], { syncToken: 1 })],
    ['no ipv6_prefixes', JSON.stringify({ prefixes: [V4] })],
    ['ipv6_prefixes first', JSON.stringify({ ipv6_prefixes: [V6], prefixes: [V4] })],
    [
      'prefixes twice',
      JSON.stringify({ prefixes: [V4], ipv6_prefixes: [V6], prefixes2: 'x' }).replace(
        'prefixes2',
        'prefixes',
      ),
    ],
    [
      'ipv6_prefixes twice',
      JSON.stringify({ prefixes: [V4], ipv6_prefixes: [V6], z: 'x' }).replace(
        '"z":"x"',
        '"ipv6_prefixes":[]',
      ),
    ],
    [
      'a repeated prefix key',
      JSON.stringify({ prefixes: [V4], ipv6_prefixes: [] }).replace(
        '"region"',
        '"ip_prefix":"1.2.3.4","region"',
      ),
    ],
    [
      'a repeated region key',
      JSON.stringify({ prefixes: [V4], ipv6_prefixes: [] }).replace(
        '"service"',
        '"region":"x","service"',
      ),
    ],
    [
      'a repeated service key',
      JSON.stringify({ prefixes: [V4], ipv6_prefixes: [] }).replace(
        '"network',
        '"service":"x","network',
      ),
    ],
    ['an escape', layout([{ ...V4, region: 'eu\\u002dwest-1' }], [])],
    ['non-ASCII', layout([{ ...V4, region: 'eu-wést-1' }], [])],
    ['a control character', layout([V4], []).replace('eu-west-1', 'eu\u0001west-1')],
    ['an overlong value', layout([{ ...V4, ip_prefix: '1'.repeat(300) }], [])],
    ['an unterminated string', '{"prefixes'],
    ['a missing comma', layout([V4, V4], []).replace('},\n', '}\n')],
    ['trailing bytes', `${layout([V4], [])}x`],
    ['a byte-order mark', `\uFEFF${layout([V4], [])}`],
    ['an HTML page', '<html>denied</html>'],
    ['nothing', ''],
  ])('steps aside for %s', (_, text) => {
    expect(scan(text)).toBeUndefined()
  })

  it('so drift is refused with the JSON reader’s named errors', async () => {
    const ec2 = findFeed('aws/EC2')!
    const missing = await syncAws(
      [ec2],
      encode(layout([{ ip_prefix: '3.4.12.4/32', region: 'x' }], [])),
    )
    expect(missing.outcomes[0]).toMatchObject({
      kind: 'refused',
      guard: 'schema-drift',
      reason: expect.stringContaining(
        '$["prefixes"][0] lacks a string ip_prefix, service or region',
      ) as string,
    })
    const noList = await syncAws([ec2], encode(JSON.stringify({ prefixes: [V4] })))
    expect(noList.outcomes[0]).toMatchObject({
      guard: 'schema-drift',
      reason: expect.stringContaining('key "ipv6_prefixes" is missing or not an array') as string,
    })
    // Served as HTML (a challenge page's Content-Type): not scanned, refused as before.
    const html = await syncAws([ec2], encode(layout([V4], [V6])), {}, 'text/html')
    expect(html.outcomes[0]).toMatchObject({ guard: 'wrong-content' })
    // Read by the scanner, refused downstream exactly as before: an entry that is not a CIDR.
    const bad = layout([{ ...V4, service: 'EC2', ip_prefix: '3.4.12.4/33' }], [])
    expect(scan(bad)).toBeDefined()
    expect((await syncAws([ec2], encode(bad))).outcomes[0]).toMatchObject({
      guard: 'invalid-entry',
      reason: expect.stringContaining('$["prefixes"][0]: "3.4.12.4/33"') as string,
    })
  })
})
