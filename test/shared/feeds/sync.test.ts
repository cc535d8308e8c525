/**
 * Tests of syncFeeds for what the acceptance tests (conditional, hostile, replay) leave out:
 * an upstream that sends an ETag without a Last-Modified, a JSON body without a Content-Type, and
 * the wording of `empty` refusals per parser. Served by the in-process mirror, read with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineUserFeed, findFeed } from '../../../shared/src/feeds/index.ts'
import { startMirror, type MirrorServer } from '../../scripts/mirror-server.ts'
import { syncViaMirror } from './oracle.ts'

let mirror: MirrorServer
beforeAll(async () => {
  mirror = await startMirror({})
})
afterAll(async () => {
  await mirror.close()
})

const JSON_FEED = defineUserFeed({
  id: 'acme/office',
  url: 'https://acme.example/ips.json',
  parser: { kind: 'json', path: 'office.cidrs' },
})
const JSON_KEY = 'acme.example/ips.json'

describe('syncFeeds', () => {
  it('caches and sends back an ETag that came without a Last-Modified', async () => {
    const etag = 'W/"office-1"'
    const body = JSON.stringify({ office: { cidrs: ['11.0.2.0/24'] } })
    mirror.files[JSON_KEY] = (req, res) => {
      if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end()
      else res.writeHead(200, { 'content-type': 'application/json', etag }).end(body)
    }
    const first = await syncViaMirror(mirror, [JSON_FEED])
    const [outcome] = first.outcomes
    if (outcome?.kind !== 'changed') throw new Error(`expected a change, got ${outcome?.kind}`)
    expect(outcome.snapshot).toMatchObject({ ipv4: ['11.0.2.0/24'], ipv6: [] })
    expect(first.cache).toEqual({
      [JSON_FEED.sources[0]!.url]: {
        etag,
        body: {
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
          snapshots: { [JSON_FEED.id]: outcome.snapshot.sha256 },
          entries: { [JSON_FEED.id]: expect.stringMatching(/^[0-9a-f]{64}$/) as string },
        },
      },
    })

    const previous = { [JSON_FEED.id]: outcome.snapshot }
    const second = await syncViaMirror(mirror, [JSON_FEED], { previous, cache: first.cache })
    expect(second.fetches).toMatchObject([{ status: 304, conditional: true }])
    expect(second.outcomes[0]).toMatchObject({ kind: 'unchanged', notModified: true })
    const { headers } = mirror.requests.at(-1)!
    expect(headers['if-none-match']).toBe(etag)
    expect(headers).not.toHaveProperty('if-modified-since')
  })

  it('fetches a URL once for a feed whose sources all read it (firezone/portal)', async () => {
    const portal = findFeed('firezone/portal')!
    expect(new Set(portal.sources.map((s) => s.url)).size).toBe(1)
    const key = portal.sources[0]!.url.replace(/^https:\/\//, '')
    mirror.files[key] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          endpoints: { 'app.firezone.dev': ['11.0.2.10'], 'api.firezone.dev': ['2a0b:db8::10'] },
        }),
      )
    }
    const before = mirror.requests.length
    const { outcomes } = await syncViaMirror(mirror, [portal])
    expect(mirror.requests.length - before).toBe(1)
    expect(outcomes[0]).toMatchObject({
      kind: 'changed',
      snapshot: { ipv4: ['11.0.2.10/32'], ipv6: ['2a0b:db8::10/128'] },
    })
  })

  it('names the missing Content-Type of an HTML page served for JSON', async () => {
    mirror.files[JSON_KEY] = (_req, res) => {
      res.writeHead(200).end('<html><body>Access denied</body></html>')
    }
    const { outcomes } = await syncViaMirror(mirror, [JSON_FEED])
    const [outcome] = outcomes
    expect(outcome).toMatchObject({ kind: 'refused', guard: 'wrong-content' })
    expect(outcome?.kind === 'refused' && outcome.reason).toContain(
      'an HTML page (no Content-Type) where JSON was expected',
    )
  })

  it('says which path of a JSON feed lists no address', async () => {
    mirror.files[JSON_KEY] = JSON.stringify({ office: { cidrs: [] } })
    const { outcomes } = await syncViaMirror(mirror, [JSON_FEED])
    expect(outcomes[0]).toMatchObject({
      kind: 'refused',
      guard: 'empty',
      reason: `${JSON_FEED.sources[0]!.url} at office.cidrs lists no address`,
    })
  })

  it('says which regions of an aws/ feed list no address', async () => {
    const feed = findFeed('aws/EC2@ap-nowhere-1,eu-nowhere-2')!
    const { url } = feed.sources[0]!
    mirror.files[url.replace('https://', '')] = JSON.stringify({
      syncToken: '1',
      createDate: '2026-01-01-00-00-00',
      prefixes: [{ ip_prefix: '11.0.2.0/24', region: 'us-east-1', service: 'EC2' }],
      ipv6_prefixes: [{ ipv6_prefix: '2a0b:db8::/32', region: 'us-east-1', service: 'EC2' }],
    })
    const { outcomes } = await syncViaMirror(mirror, [feed])
    expect(outcomes[0]).toMatchObject({
      kind: 'refused',
      guard: 'empty',
      reason: `${url} for EC2 in ap-nowhere-1,eu-nowhere-2 lists no address`,
    })
  })
})
