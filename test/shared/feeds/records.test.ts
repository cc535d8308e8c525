/**
 * Tests of the `records` and `prefixes` parsers on synthetic payloads shaped like the real ones
 * (Atlassian's items, Google's prefixes, Azure's values, Imperva's envelope): filters on scalar
 * and array fields, address fields that are strings or arrays, and the schema drifts.
 */
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../../shared/src/feeds/entries.ts'
import { extractRecords, type RecordsParser } from '../../../shared/src/feeds/records.ts'

function found(result: ExtractResult): [string, string][] {
  if (!('entries' in result)) throw new Error(`refused: ${result.guard}: ${result.reason}`)
  return result.entries.texts.map((t, i) => [t, result.entries.where(i)])
}

const atlassian = {
  syncToken: 1781669326,
  items: [
    { cidr: '11.0.2.0/24', direction: ['egress'], product: ['jira', 'confluence'] },
    { cidr: '12.51.100.0/24', direction: ['egress', 'ingress'], product: ['bitbucket'] },
    { cidr: '2a0b:db8::/32', direction: ['ingress'], product: ['jira'] },
  ],
}
const items = (where?: Record<string, string[]>): RecordsParser => ({
  kind: 'records',
  path: 'items[*]',
  address: ['cidr'],
  ...(where ? { where } : {}),
})

describe('extractRecords: records', () => {
  it.each<[string, Record<string, string[]> | undefined, string[]]>([
    ['no filter', undefined, ['11.0.2.0/24', '12.51.100.0/24', '2a0b:db8::/32']],
    [
      'an array field containing egress',
      { direction: ['egress'] },
      ['11.0.2.0/24', '12.51.100.0/24'],
    ],
    [
      'an array field containing ingress',
      { direction: ['ingress'] },
      ['12.51.100.0/24', '2a0b:db8::/32'],
    ],
    ['two fields, both must match', { direction: ['egress'], product: ['jira'] }, ['11.0.2.0/24']],
    [
      'any of several values',
      { product: ['bitbucket', 'jira'] },
      ['11.0.2.0/24', '12.51.100.0/24', '2a0b:db8::/32'],
    ],
    ['case matters', { product: ['Jira'] }, []],
    ['a field no record has', { perimeter: ['commercial'] }, []],
  ])('keeps records by %s', (_name, where, cidrs) => {
    expect(found(extractRecords(atlassian, items(where))).map(([t]) => t)).toEqual(cidrs)
  })

  it('names where each entry was found', () => {
    expect(found(extractRecords(atlassian, items({ product: ['jira'] })))).toEqual([
      ['11.0.2.0/24', '$["items"][0]["cidr"]'],
      ['2a0b:db8::/32', '$["items"][2]["cidr"]'],
    ])
  })

  it('reads arrays of strings and nested paths (Azure, Oracle, Datadog shapes)', () => {
    const azure = {
      values: [
        { name: 'ActionGroup', properties: { addressPrefixes: ['11.0.2.0/24', '2a0b:db8::/48'] } },
        { name: 'AzureCloud', properties: { addressPrefixes: ['12.0.0.0/8'] } },
      ],
    }
    expect(
      found(
        extractRecords(azure, {
          kind: 'records',
          path: 'values[*]',
          address: ['properties.addressPrefixes'],
          where: { name: ['ActionGroup'] },
        }),
      ),
    ).toEqual([
      ['11.0.2.0/24', '$["values"][0]["properties"]["addressPrefixes"][0]'],
      ['2a0b:db8::/48', '$["values"][0]["properties"]["addressPrefixes"][1]'],
    ])
    const oracle = {
      regions: [
        { region: 'eu-frankfurt-1', cidrs: [{ cidr: '11.0.2.0/24' }, { cidr: '11.0.3.0/24' }] },
        { region: 'us-ashburn-1', cidrs: [] },
      ],
    }
    expect(
      found(
        extractRecords(oracle, { kind: 'records', path: 'regions[*]', address: ['cidrs[*].cidr'] }),
      ),
    ).toEqual([
      ['11.0.2.0/24', '$["regions"][0]["cidrs"][0]["cidr"]'],
      ['11.0.3.0/24', '$["regions"][0]["cidrs"][1]["cidr"]'],
    ])
    const datadog = { webhooks: { prefixes_ipv4: ['11.0.2.1/32'], prefixes_ipv6: [] } }
    expect(
      found(
        extractRecords(datadog, {
          kind: 'records',
          path: '["webhooks"]',
          address: ['prefixes_ipv4', 'prefixes_ipv6'],
        }),
      ),
    ).toEqual([['11.0.2.1/32', '$["webhooks"]["prefixes_ipv4"][0]']])
  })

  it('filters on a number as its JSON text (Imperva: res 0 is a good answer)', () => {
    const spec: RecordsParser = {
      kind: 'records',
      path: '',
      address: ['ipRanges', 'ipv6Ranges'],
      where: { res: ['0'] },
    }
    const good = { ipRanges: ['11.0.2.0/24'], ipv6Ranges: ['2a0b:db8::/32'], res: 0 }
    expect(found(extractRecords(good, spec)).map(([t]) => t)).toEqual([
      '11.0.2.0/24',
      '2a0b:db8::/32',
    ])
    // An error envelope keeps nothing (the empty guard then refuses), whatever lists it has.
    expect(found(extractRecords({ ...good, res: 2 }, spec))).toEqual([])
    // A boolean compares as true/false; an object or null never matches.
    const flagged = { ...good, flag: true, meta: { res: 0 }, none: null, nested: [['0']] }
    expect(found(extractRecords(flagged, { ...spec, where: { flag: ['true'] } }))).toHaveLength(2)
    expect(found(extractRecords(flagged, { ...spec, where: { meta: ['0'] } }))).toEqual([])
    expect(found(extractRecords(flagged, { ...spec, where: { none: ['null'] } }))).toEqual([])
    expect(found(extractRecords(flagged, { ...spec, where: { nested: ['0'] } }))).toEqual([])
  })

  it('reads filters and address fields whose paths go through arrays', () => {
    const spec: RecordsParser = {
      kind: 'records',
      path: 'values[*]',
      address: ['properties.addressPrefixes', 'alt[*].cidr'],
      where: { 'properties.tags[*]': ['b'] },
    }
    const kept = { properties: { tags: ['a', 'b'], addressPrefixes: ['11.0.2.0/24'] } }
    const payload = {
      values: [
        { ...kept, alt: [{ cidr: '12.0.0.0/8' }] },
        { properties: { tags: ['c'] } },
        { properties: {} },
        kept,
      ],
    }
    expect(extractRecords(payload, spec)).toEqual({
      guard: 'schema-drift',
      reason: '$["values"][3]["alt"] does not exist',
    })
    expect(extractRecords({ values: [{ ...kept, alt: [{ cidr: 12 }] }] }, spec)).toEqual({
      guard: 'schema-drift',
      reason: '$["values"][0]["alt"][0]["cidr"] is not a string or an array of strings',
    })
    expect(found(extractRecords({ values: payload.values.slice(0, 3) }, spec))).toEqual([
      ['11.0.2.0/24', '$["values"][0]["properties"]["addressPrefixes"][0]'],
      ['12.0.0.0/8', '$["values"][0]["alt"][0]["cidr"]'],
    ])
  })

  it.each<[string, unknown, RecordsParser, RegExp]>([
    [
      'a missing records path, naming the keys that are there',
      { notice: 'moved' },
      items(),
      /\$\["items"\] does not exist \(the payload's keys: "notice"\)/,
    ],
    [
      'a record that is not an object',
      { items: ['11.0.2.0/24'] },
      items(),
      /\$\["items"\]\[0\] is not an object/,
    ],
    [
      'a missing address field (a renamed key)',
      { items: [{ network: '11.0.2.0' }] },
      items(),
      /\$\["items"\]\[0\]\["cidr"\] does not exist/,
    ],
    [
      'an address that is a number',
      { items: [{ cidr: 7 }] },
      items(),
      /\["cidr"\] is not a string or an array of strings/,
    ],
    [
      'an array with a non-string item',
      { items: [{ cidr: ['11.0.2.0/24', null] }] },
      items(),
      /\["cidr"\]\[1\] is not a string/,
    ],
    ['a payload that is not an object', [], items(), /\$\["items"\] does not exist$/],
  ])('refuses %s as schema drift', (_name, doc, spec, reason) => {
    expect(extractRecords(doc, spec)).toMatchObject({ guard: 'schema-drift', reason })
  })

  it('lists at most six keys of a payload without the path', () => {
    const doc = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i]))
    expect(extractRecords(doc, items())).toMatchObject({
      reason: expect.stringMatching(/"k5", \.\.\.\)$/) as string,
    })
    expect(extractRecords({}, items())).toMatchObject({
      reason: expect.stringMatching(/keys: none\)$/) as string,
    })
  })
})

describe('extractRecords: prefixes', () => {
  const cloud = {
    syncToken: '1787299542583',
    prefixes: [
      { ipv4Prefix: '11.0.2.0/24', service: 'Google Cloud', scope: 'europe-west1' },
      { ipv6Prefix: '2a0b:db8::/32', service: 'Google Cloud', scope: 'us-east1' },
      { ipv4Prefix: '12.51.100.0/24', service: 'Google Cloud', scope: 'us-east1' },
    ],
  }

  it('reads ipv4Prefix or ipv6Prefix of every record, optionally by a sibling field', () => {
    expect(found(extractRecords(cloud, { kind: 'prefixes' }))).toEqual([
      ['11.0.2.0/24', '$["prefixes"][0]["ipv4Prefix"]'],
      ['2a0b:db8::/32', '$["prefixes"][1]["ipv6Prefix"]'],
      ['12.51.100.0/24', '$["prefixes"][2]["ipv4Prefix"]'],
    ])
    expect(
      found(extractRecords(cloud, { kind: 'prefixes', where: { scope: ['us-east1'] } })).map(
        ([t]) => t,
      ),
    ).toEqual(['2a0b:db8::/32', '12.51.100.0/24'])
    expect(
      found(
        extractRecords(cloud, {
          kind: 'prefixes',
          where: { service: ['Google Cloud'], scope: ['nowhere'] },
        }),
      ),
    ).toEqual([])
  })

  it.each<[string, unknown, RegExp]>([
    [
      "Google's 2026 notice instead of prefixes",
      {
        'Action needed':
          "update the location you're fetching from to https://developers.google.com/static/crawling/ipranges/common-crawlers.json",
      },
      /^\$\["prefixes"\] does not exist \(the payload's keys: "Action needed"\)$/,
    ],
    [
      'the later notice',
      { Temporarily: 'Broken', 'Action needed': 'update the location' },
      /the payload's keys: "Temporarily", "Action needed"/,
    ],
    [
      'a record with neither prefix key',
      { prefixes: [{ ipv4Prefix: '11.0.2.0/24' }, { ip_prefix: '12.0.0.0/8' }] },
      /\$\["prefixes"\]\[1\] has none of "ipv4Prefix", "ipv6Prefix"/,
    ],
    [
      'prefixes that is not an array',
      { prefixes: '11.0.2.0/24' },
      /\$\["prefixes"\] is not an array or object/,
    ],
  ])('refuses %s as schema drift', (_name, doc, reason) => {
    expect(extractRecords(doc, { kind: 'prefixes' })).toMatchObject({
      guard: 'schema-drift',
      reason,
    })
  })
})
