/**
 * Tests of the parsers: text (lines, CSV) and JSON (github-meta, firezone-relays, aws, json
 * paths) bodies in, the address strings with where each was found out, or the refusal.
 */
import { describe, expect, it } from 'vitest'
import {
  extractJson,
  extractText,
  type Entries,
  type ExtractResult,
} from '../../../shared/src/feeds/extract.ts'

/** The entries of an accepted result, as `[text, where]` pairs; fails on a refusal. */
function found(result: ExtractResult): [string, string][] {
  if (!('entries' in result)) throw new Error(`refused: ${result.guard}: ${result.reason}`)
  const entries: Entries = result.entries
  return entries.texts.map((text, i) => [text, entries.where(i)])
}

describe('extractText', () => {
  it('reads a quoted CSV field followed by more fields', () => {
    const csv = 'cidr,comment\n"192.0.2.0/24","office, 2nd floor"\n"2001:db8::/32",vpn\n'
    expect(found(extractText(csv, { kind: 'csv', column: 'cidr' }))).toEqual([
      ['192.0.2.0/24', 'line 2'],
      ['2001:db8::/32', 'line 3'],
    ])
    expect(found(extractText(csv, { kind: 'csv', column: 2 }))).toEqual([
      ['comment', 'line 1'],
      ['office, 2nd floor', 'line 2'],
      ['vpn', 'line 3'],
    ])
  })

  it.each([
    ['an empty body', ''],
    ['only comments and blank lines', '# generated 2026-01-01\n\n  # nothing yet\n'],
  ])('refuses a named column when there is no header row at all (%s)', (_name, body) => {
    expect(extractText(body, { kind: 'csv', column: 'cidr' })).toEqual({
      guard: 'schema-drift',
      reason: 'no column "cidr" in the header',
    })
  })
})

describe('extractJson', () => {
  describe('json', () => {
    it('places a string value at the path itself, without an index', () => {
      const doc = { office: { cidr: '192.0.2.0/24' }, vpn: ['2001:db8::/32'] }
      expect(found(extractJson(doc, { kind: 'json', path: 'office.cidr' }))).toEqual([
        ['192.0.2.0/24', '$["office"]["cidr"]'],
      ])
      expect(found(extractJson(doc, { kind: 'json', path: 'vpn' }))).toEqual([
        ['2001:db8::/32', '$["vpn"][0]'],
      ])
    })

    it('reads { ipv4, ipv6 } objects with either key alone', () => {
      const doc = { sites: [{ ipv6: ['2001:db8::/32'] }, { ipv4: ['192.0.2.0/24'] }] }
      expect(found(extractJson(doc, { kind: 'json', path: 'sites[*]' }))).toEqual([
        ['2001:db8::/32', '$["sites"][0]["ipv6"][0]'],
        ['192.0.2.0/24', '$["sites"][1]["ipv4"][0]'],
      ])
    })

    it.each([
      [
        'an ipv4 key that is not an array',
        { site: { ipv4: '192.0.2.0/24' } },
        '$["site"]["ipv4"] is not an array',
      ],
      [
        'a non-string inside ipv6',
        { site: { ipv4: ['192.0.2.0/24'], ipv6: ['2001:db8::/32', 32] } },
        '$["site"]["ipv6"][1] is not a string',
      ],
    ])('refuses %s', (_name, doc, reason) => {
      expect(extractJson(doc, { kind: 'json', path: 'site' })).toEqual({
        guard: 'schema-drift',
        reason,
      })
    })
  })

  describe('github-meta', () => {
    it('reads its key; a missing key is empty when optional and schema drift when required', () => {
      const doc = { hooks: ['192.0.2.0/24'], verifiable_password_authentication: false }
      expect(
        found(extractJson(doc, { kind: 'github-meta', key: 'hooks', required: true })),
      ).toEqual([['192.0.2.0/24', '$["hooks"][0]']])
      expect(
        found(extractJson(doc, { kind: 'github-meta', key: 'copilot', required: false })),
      ).toEqual([])
      expect(extractJson(doc, { kind: 'github-meta', key: 'web', required: true })).toEqual({
        guard: 'schema-drift',
        reason: 'key "web" is missing from the meta payload',
      })
    })

    it.each([
      ['an array', ['192.0.2.0/24']],
      ['null', null],
      ['a string', 'Service Unavailable'],
    ])('refuses a payload that is %s', (_name, doc) => {
      expect(extractJson(doc, { kind: 'github-meta', key: 'hooks', required: true })).toEqual({
        guard: 'schema-drift',
        reason: 'the meta payload is not a JSON object',
      })
    })
  })

  describe('firezone-relays', () => {
    const relays = { kind: 'firezone-relays' } as const

    it('reads the flat list of 2025 onwards', () => {
      expect(found(extractJson(['192.0.2.1', '2001:db8::1'], relays))).toEqual([
        ['192.0.2.1', '$[0]'],
        ['2001:db8::1', '$[1]'],
      ])
    })

    it('reads a region that lists only ipv6', () => {
      const doc = {
        'eu-west': { ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] },
        'us-east': { ipv6: ['2001:db8::2'] },
      }
      expect(found(extractJson(doc, relays))).toEqual([
        ['192.0.2.1', '$["eu-west"]["ipv4"][0]'],
        ['2001:db8::1', '$["eu-west"]["ipv6"][0]'],
        ['2001:db8::2', '$["us-east"]["ipv6"][0]'],
      ])
    })

    it.each<[string, unknown, string]>([
      ['a non-string in the flat list', ['192.0.2.1', null], '$[1] is not a string'],
      [
        'a document that is a string',
        'relay-ips.json',
        'relay-ips.json is neither an array nor an object',
      ],
      ['a document that is a number', 404, 'relay-ips.json is neither an array nor an object'],
      [
        'a region that is a list',
        { 'eu-west': ['192.0.2.1'] },
        '$["eu-west"] is not an object with ipv4/ipv6',
      ],
      [
        'a region without ipv4 or ipv6',
        { 'eu-west': { v4: ['192.0.2.1'] } },
        '$["eu-west"] is not an object with ipv4/ipv6',
      ],
      [
        'a region whose ipv4 is a string',
        { 'eu-west': { ipv4: '192.0.2.1' } },
        '$["eu-west"]["ipv4"] is not an array',
      ],
    ])('refuses %s', (_name, doc, reason) => {
      expect(extractJson(doc, relays)).toEqual({ guard: 'schema-drift', reason })
    })
  })

  describe('aws', () => {
    const prefix = (ip_prefix: string, service: string, region: string) => ({
      ip_prefix,
      region,
      service,
      network_border_group: region,
    })
    const doc = () => ({
      syncToken: '1',
      createDate: '2026-01-01-00-00-00',
      prefixes: [
        prefix('192.0.2.0/24', 'EC2', 'us-east-1'),
        prefix('198.51.100.0/24', 'S3', 'eu-west-1'),
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2001:db8::/32', region: 'EU-WEST-1', service: 'EC2' }],
    })
    const aws = (service: string, regions: string[] = []) =>
      ({ kind: 'aws', service, regions }) as const

    it('reads one service, optionally only some regions (case-insensitive)', () => {
      const d = doc()
      expect(found(extractJson(d, aws('EC2')))).toEqual([
        ['192.0.2.0/24', '$["prefixes"][0]'],
        ['2001:db8::/32', '$["ipv6_prefixes"][0]'],
      ])
      expect(found(extractJson(d, aws('EC2', ['eu-west-1'])))).toEqual([
        ['2001:db8::/32', '$["ipv6_prefixes"][0]'],
      ])
    })

    it('refuses a service no entry has', () => {
      expect(extractJson(doc(), aws('LAMBDA'))).toEqual({
        guard: 'schema-drift',
        reason: 'no entry has service "LAMBDA"',
      })
    })

    it.each([
      ['an array', []],
      ['null', null],
    ])('refuses a document that is %s', (_name, d) => {
      expect(extractJson(d, aws('EC2'))).toEqual({
        guard: 'schema-drift',
        reason: 'ip-ranges.json is not an object',
      })
    })

    it('refuses a document without ipv6_prefixes, for every service read from it', () => {
      const d: Record<string, unknown> = doc()
      delete d.ipv6_prefixes
      const refusal = {
        guard: 'schema-drift',
        reason: 'key "ipv6_prefixes" is missing or not an array',
      }
      expect(extractJson(d, aws('EC2'))).toEqual(refusal)
      expect(extractJson(d, aws('S3'))).toEqual(refusal)
    })

    it.each<[string, unknown]>([
      ['a string', '192.0.2.0/24'],
      ['null', null],
      ['an entry without a region', { ip_prefix: '192.0.2.0/24', service: 'EC2' }],
      ['an entry with a numeric service', { ip_prefix: '192.0.2.0/24', service: 1, region: 'x' }],
      ['an entry with ipv6_prefix in prefixes', { ipv6_prefix: '2001:db8::/32', service: 'EC2' }],
    ])('refuses a prefixes item that is %s', (_name, item) => {
      const d = { ...doc(), prefixes: [prefix('192.0.2.0/24', 'EC2', 'us-east-1'), item] }
      expect(extractJson(d, aws('EC2'))).toEqual({
        guard: 'schema-drift',
        reason: '$["prefixes"][1] lacks a string ip_prefix, service or region',
      })
    })
  })
})

describe('extractText: geofeed', () => {
  it('reads the first field of RFC 8805 lines, skipping # comments and blank lines', () => {
    // Linode's header lines and DigitalOcean's plain rows, CRLF and a row without a comma.
    const body =
      '# This file contains a self-published geofeed\r\n' +
      '# prefix, country, subdivision, city, postal_code\r\n' +
      '2600:3c00::/32,US,US-TX,Richardson,\r\n' +
      '\r\n' +
      '  # indented comment\n' +
      ' 5.101.96.0/21 ,NL,NL-NH,Amsterdam,1105 AT\n' +
      '198.51.100.0/24\n'
    expect(found(extractText(body, { kind: 'geofeed' }))).toEqual([
      ['2600:3c00::/32', 'line 3'],
      ['5.101.96.0/21', 'line 6'],
      ['198.51.100.0/24', 'line 7'],
    ])
  })

  it('keeps an empty first field as an entry, so that the guards refuse it by line', () => {
    expect(found(extractText(',US,US-TX,,\n', { kind: 'geofeed' }))).toEqual([['', 'line 1']])
  })

  it('refuses an HTML page', () => {
    expect(extractText('<!doctype html><p>moved</p>', { kind: 'geofeed' })).toMatchObject({
      guard: 'wrong-content',
    })
  })
})
