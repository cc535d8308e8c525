/** @module Oracle Cloud Infrastructure's public ranges, optionally by region. */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'
import { parseSelectors, splitSelectors } from './selectors.ts'

function ociFeed(regions: readonly string[]): FeedDefinition {
  return {
    id: regions.length === 0 ? 'oracle/cloud' : `oracle/cloud@${regions.join(',')}`,
    title: `Oracle Cloud public ranges${regions.length > 0 ? ` in ${regions.join(', ')}` : ''}`,
    docsUrl: 'https://docs.oracle.com/en-us/iaas/Content/General/Concepts/addressranges.htm',
    use:
      "any Oracle Cloud customer's workloads and Oracle's services (OCI, Object Storage): " +
      'allowing it admits everyone who rents one; for egress rules, or by region',
    sources: [
      {
        url: 'https://docs.oracle.com/iaas/tools/public_ip_ranges.json',
        parser: {
          kind: 'records',
          path: 'regions[*]',
          address: ['cidrs[*].cidr'],
          ...(regions.length > 0 ? { where: { region: regions } } : {}),
        },
        version: 'last_updated_timestamp',
      },
    ],
  }
}

/** Oracle Cloud: every region, or some. */
export const oracle: CatalogueProvider = {
  id: 'oracle',
  name: 'Oracle Cloud',
  feeds: [ociFeed([])],
  patterns: [
    { id: 'oracle/cloud@REGION[,REGION...]', use: 'those OCI regions only, e.g. eu-frankfurt-1' },
  ],
  resolve(list) {
    const { name, at } = splitSelectors(list)
    if (name !== 'cloud' || at === undefined) return undefined
    const regions = parseSelectors(at, /[a-z0-9-]+/)
    return regions && ociFeed(regions)
  },
}
