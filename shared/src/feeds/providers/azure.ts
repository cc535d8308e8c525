/**
 * @module Azure service tags from Microsoft's weekly ServiceTags_Public_YYYYMMDD.json, whose URL
 * changes every week: read from the download page that links it, or configured
 * (`SyncOptions.sourceUrls`, the `AZURE_SERVICE_TAGS_URL` variable).
 */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'

/** Microsoft's download page for the public cloud's service tags. */
export const AZURE_SERVICE_TAGS_PAGE =
  'https://www.microsoft.com/en-us/download/details.aspx?id=56519'

/** Tags people allowlist most, listed by `allowlist-sync feeds`; any other tag resolves too. */
const LISTED: readonly (readonly [tag: string, use: string])[] = [
  ['ActionGroup', 'Azure Monitor action groups calling your webhooks (alerts)'],
  ['ApplicationInsightsAvailability', 'Application Insights availability tests probing you'],
  ['AzureDevOps', 'Azure DevOps reaching your services (service hooks, pipelines)'],
  ['AzureFrontDoor.Backend', 'Azure Front Door fetching from your origin'],
  ['AzureTrafficManager', 'Azure Traffic Manager health probes'],
  ['LogicApps', 'Logic Apps triggers and actions calling your endpoints'],
  [
    'AzureCloud',
    "every Azure datacenter address: allowing it admits any Azure customer's workload",
  ],
]

/** A service tag's name as Microsoft spells it: `AzureCloud`, `AzureCloud.westeurope`, ... */
const TAG = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/

function azureFeed(tag: string, use: string): FeedDefinition {
  return {
    id: `azure/${tag}`,
    title: `Azure service tag ${tag}`,
    docsUrl: 'https://learn.microsoft.com/azure/virtual-network/service-tags-overview',
    use,
    sources: [
      {
        url: AZURE_SERVICE_TAGS_PAGE,
        discover: { host: 'download.microsoft.com', file: 'ServiceTags_Public_\\d+\\.json' },
        parser: {
          kind: 'records',
          path: 'values[*]',
          address: ['properties.addressPrefixes'],
          where: { name: [tag] },
        },
        version: 'changeNumber',
      },
    ],
  }
}

/** Azure: one feed per service tag. */
export const azure: CatalogueProvider = {
  id: 'azure',
  name: 'Microsoft Azure',
  feeds: LISTED.map(([tag, use]) => azureFeed(tag, use)),
  patterns: [
    {
      id: 'azure/SERVICE_TAG',
      use: 'any service tag as Microsoft spells it (case matters), e.g. azure/AzureCloud.westeurope',
    },
  ],
  resolve(list) {
    return TAG.test(list) ? azureFeed(list, `the addresses of the ${list} service tag`) : undefined
  },
}
