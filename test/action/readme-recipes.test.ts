/**
 * Tests of the README's recipes for feeds that are not built in: every entry is a valid
 * user-defined feed of the config (the payloads themselves are not verified: no real copy is kept).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../action/src/config.ts'

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
