/**
 * @module Zscaler Internet Access egress: the Cloud Enforcement Node ranges of a Zscaler cloud,
 * where traffic of Zscaler-proxied users comes from (IPv4 and IPv6 mixed in one `range` field).
 */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'
import { splitSelectors } from './selectors.ts'

/** Zscaler's clouds (https://config.zscaler.com); zscaler.net is the default. */
const CLOUDS = [
  'zscaler.net',
  'zscalerone.net',
  'zscalertwo.net',
  'zscalerthree.net',
  'zscloud.net',
  'zscalerbeta.net',
  'zscalergov.net',
  'zscalerten.net',
]

function cenrFeed(cloud: string): FeedDefinition {
  return {
    id: cloud === 'zscaler.net' ? 'zscaler/cenr' : `zscaler/cenr@${cloud}`,
    title: `Zscaler Cloud Enforcement Nodes (${cloud})`,
    docsUrl: `https://config.zscaler.com/${cloud}/cenr`,
    use: "your users' traffic proxied by Zscaler Internet Access arriving at your services",
    sources: [
      {
        url: `https://api.config.zscaler.com/${cloud}/cenr/json`,
        parser: { kind: 'records', path: `[${JSON.stringify(cloud)}].*.*[*]`, address: ['range'] },
      },
    ],
  }
}

/** Zscaler: the CENR list of a cloud. */
export const zscaler: CatalogueProvider = {
  id: 'zscaler',
  name: 'Zscaler',
  feeds: [cenrFeed('zscaler.net')],
  patterns: [
    {
      id: 'zscaler/cenr@CLOUD',
      use: `the list of your organisation's Zscaler cloud: ${CLOUDS.slice(1).join(', ')}`,
    },
  ],
  resolve(list) {
    const { name, at } = splitSelectors(list)
    const cloud = at?.toLowerCase()
    return name === 'cenr' && cloud !== undefined && CLOUDS.includes(cloud)
      ? cenrFeed(cloud)
      : undefined
  },
}
