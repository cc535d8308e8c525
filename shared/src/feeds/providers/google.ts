/**
 * @module Google's published ranges: its services and APIs (goog.json minus cloud.json), Google
 * Cloud customers' addresses (cloud.json, optionally by region) and its crawlers and fetchers
 * (the lists that moved to developers.google.com/static/crawling/ipranges/ in 2026).
 */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'
import { parseSelectors, splitSelectors } from './selectors.ts'

const GOOG_URL = 'https://www.gstatic.com/ipranges/goog.json'
const CLOUD_URL = 'https://www.gstatic.com/ipranges/cloud.json'
/** Since 2026 (the old .../static/search/apis/ipranges/ URLs answered with a notice for weeks). */
const CRAWLERS = 'https://developers.google.com/static/crawling/ipranges/'
const CRAWLER_DOCS =
  'https://developers.google.com/search/docs/crawling-indexing/verifying-googlebot'
const CLOUD_DOCS = 'https://cloud.google.com/compute/docs/faq#find_ip_range'

function cloudFeed(regions: readonly string[]): FeedDefinition {
  return {
    id: regions.length === 0 ? 'google/cloud' : `google/cloud@${regions.join(',')}`,
    title: `Google Cloud customers' addresses${regions.length > 0 ? ` in ${regions.join(', ')}` : ''}`,
    docsUrl: CLOUD_DOCS,
    use:
      "any Google Cloud customer's VMs, load balancers and Cloud NAT: allowing it admits " +
      'everyone who rents one; for egress rules to Google Cloud, or by region',
    sources: [
      {
        url: CLOUD_URL,
        parser:
          regions.length === 0
            ? { kind: 'prefixes' }
            : { kind: 'prefixes', where: { scope: regions } },
        version: 'syncToken',
      },
    ],
  }
}

function crawler(list: string, file: string, title: string, use: string): FeedDefinition {
  return {
    id: `google/${list}`,
    title,
    docsUrl: CRAWLER_DOCS,
    use,
    sources: [{ url: `${CRAWLERS}${file}`, parser: { kind: 'prefixes' }, version: 'creationTime' }],
  }
}

/** Google: its services, its cloud's customers, its crawlers. */
export const google: CatalogueProvider = {
  id: 'google',
  name: 'Google',
  feeds: [
    {
      id: 'google/services',
      title: 'Google APIs and services (goog.json minus cloud.json)',
      docsUrl: 'https://support.google.com/a/answer/10026322',
      use:
        "Google's own services and APIs (Workspace, Google APIs' default domains); Google " +
        "Cloud customers' addresses are taken out, as Google advises",
      sources: [
        { url: GOOG_URL, parser: { kind: 'prefixes' }, version: 'syncToken' },
        { url: CLOUD_URL, parser: { kind: 'prefixes' }, version: 'syncToken', exclude: true },
      ],
    },
    cloudFeed([]),
    crawler(
      'googlebot',
      'common-crawlers.json',
      'Googlebot (common crawlers)',
      "Google Search's crawler; pair with a reverse-DNS check where you can",
    ),
    crawler(
      'special-crawlers',
      'special-crawlers.json',
      'Google special-case crawlers',
      'AdsBot, APIs-Google and other Google crawlers that may ignore robots.txt',
    ),
    crawler(
      'user-triggered-fetchers',
      'user-triggered-fetchers.json',
      'Google user-triggered fetchers',
      'fetches a Google user asked for: Feedfetcher, Site Verifier, Google-Read-Aloud, ...',
    ),
  ],
  patterns: [
    {
      id: 'google/cloud@REGION[,REGION...]',
      use: "Google Cloud customers' addresses in those regions (cloud.json's scope, e.g. europe-west1)",
    },
  ],
  resolve(list) {
    const { name, at } = splitSelectors(list)
    if (name !== 'cloud' || at === undefined) return undefined
    const regions = parseSelectors(at, /[a-z0-9-]+/)
    return regions && cloudFeed(regions)
  },
}
