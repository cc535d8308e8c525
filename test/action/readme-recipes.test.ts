/**
 * Tests of the README's recipes for feeds that are not built in: every entry is a valid
 * user-defined feed of the config (the payloads themselves are not verified: no real copy is kept).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { parseConfig } from '../../action/src/config.ts'
import { syncFeeds, type ResponseLike } from '../../shared/src/index.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES } from '../scripts/mirror-server.ts'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('## Recipes'), readme.indexOf('## Deploy the worker'))
const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? ''

describe('README recipes', () => {
  it('parse as user feeds of a config, each marked as not verified', () => {
    const text = `version: 1\n${yaml}targets:\n  - path: allow.nft\n    format: nftables\n    feeds: [stripe/webhooks]\n`
    const config = parseConfig(text, 'README.md')
    const ids = config.userFeeds.map((f) => f.id)
    expect(ids).toEqual([
      'stripe/webhooks',
      'bing/bingbot',
      'uptimerobot/probes',
      'betterstack/probes',
      'pingdom/probes-v4',
      'pingdom/probes-v6',
      'telegram/servers',
      'okta/all',
    ])
    expect(yaml.match(/Not verified/g)).toHaveLength(ids.length - 1)
  })
})

const actionReadme = readFileSync(new URL('../../action/README.md', import.meta.url), 'utf8')
const userSection = actionReadme.slice(actionReadme.indexOf('### User-defined feeds'))
const userYaml = /```yaml\n([\s\S]*?)```/.exec(userSection)?.[1] ?? ''

describe('action/README.md user-defined feeds', () => {
  const text = `version: 1\n${userYaml}targets:\n  - path: allow.nft\n    format: nftables\n    feeds: [acme/office]\n`

  it('validate against the committed JSON Schema, one example per parser kind', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(
      JSON.parse(
        readFileSync(new URL('../../action/allowlist-sync.schema.json', import.meta.url), 'utf8'),
      ),
    )
    expect(validate(parseYaml(text)), JSON.stringify(validate.errors)).toBe(true)
    const kinds = parseConfig(text, 'action/README.md').userFeeds.map(
      (f) => f.sources[0]!.parser.kind,
    )
    expect(new Set(kinds)).toEqual(
      new Set(['lines', 'json', 'csv', 'geofeed', 'prefixes', 'records']),
    )
  })

  it.skipIf(!HAVE_FIXTURES)(
    'read the real payloads they name (Google cloud.json by scope, Atlassian by direction and product, Zscaler mixed families)',
    async () => {
      const feeds = parseConfig(text, 'action/README.md').userFeeds.filter((f) =>
        ['acme/cloud-eu', 'acme/jira-webhooks', 'acme/zscaler-hubs'].includes(f.id),
      )
      const files = fixtureMirrorLayout(LATEST_FIXTURES)
      const fetch = (url: string): Promise<ResponseLike> => {
        const body = files[url.replace(/^https:\/\//, '').split('?', 1)[0]!]
        return Promise.resolve(
          new Response(body === undefined ? null : new Uint8Array(body as Uint8Array), {
            status: body ? 200 : 404,
          }),
        )
      }
      const { outcomes } = await syncFeeds(feeds, { fetch, now: Date.now })
      const byId = new Map(outcomes.map((o) => [o.feed, o]))
      for (const f of feeds) expect(byId.get(f.id)?.kind, f.id).toBe('changed')
      const snap = (id: string) => {
        const o = byId.get(id)!
        return o.kind === 'changed' ? o.snapshot : undefined
      }
      expect(snap('acme/cloud-eu')?.upstreamVersion?.field).toBe('syncToken')
      expect(snap('acme/zscaler-hubs')?.ipv4.length).toBeGreaterThan(0)
      expect(snap('acme/zscaler-hubs')?.ipv6.length).toBeGreaterThan(0)
      expect(snap('acme/jira-webhooks')?.ipv4.length).toBeGreaterThan(0)
    },
  )
})
