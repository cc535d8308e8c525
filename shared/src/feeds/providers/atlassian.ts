/**
 * @module Atlassian Cloud's ranges by direction: egress (where Jira, Confluence, Bitbucket, ...
 * connect from: webhooks, automation, app links) and ingress (where you reach them), optionally
 * one or more products.
 */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'
import { parseSelectors, splitSelectors } from './selectors.ts'

const DIRECTIONS = {
  egress: {
    title: 'Atlassian Cloud egress',
    use: 'Atlassian Cloud connecting to you: webhooks, automation rules, app links, mail',
  },
  ingress: {
    title: 'Atlassian Cloud ingress',
    use: 'where your users and systems reach Atlassian Cloud (for egress rules of your own)',
  },
} as const

function atlassianFeed(
  direction: keyof typeof DIRECTIONS,
  products: readonly string[],
): FeedDefinition {
  const { title, use } = DIRECTIONS[direction]
  return {
    id: `atlassian/${direction}${products.length > 0 ? `@${products.join(',')}` : ''}`,
    title: `${title}${products.length > 0 ? ` (${products.join(', ')})` : ''}`,
    docsUrl:
      'https://support.atlassian.com/organization-administration/docs/ip-addresses-and-domains-for-atlassian-cloud-products/',
    use,
    sources: [
      {
        url: 'https://ip-ranges.atlassian.com/',
        parser: {
          kind: 'records',
          path: 'items[*]',
          address: ['cidr'],
          where:
            products.length > 0
              ? { direction: [direction], product: products }
              : { direction: [direction] },
        },
        version: 'syncToken',
      },
    ],
  }
}

/** Atlassian: egress and ingress, each optionally by product. */
export const atlassian: CatalogueProvider = {
  id: 'atlassian',
  name: 'Atlassian',
  feeds: [atlassianFeed('egress', []), atlassianFeed('ingress', [])],
  patterns: [
    {
      id: 'atlassian/egress@PRODUCT[,PRODUCT...]',
      use: 'egress of those products only (jira, confluence, bitbucket, trello, opsgenie, ...)',
    },
    { id: 'atlassian/ingress@PRODUCT[,PRODUCT...]', use: 'ingress of those products only' },
  ],
  resolve(list) {
    const { name, at } = splitSelectors(list)
    if ((name !== 'egress' && name !== 'ingress') || at === undefined) return undefined
    const products = parseSelectors(at, /[a-z0-9-]+/)
    return products && atlassianFeed(name, products)
  },
}
