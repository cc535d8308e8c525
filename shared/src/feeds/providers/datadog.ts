/**
 * @module Datadog's ranges, one feed per section of ip-ranges.datadoghq.com (webhooks and
 * synthetics connect to you; the other sections are Datadog's intake, for egress rules), for the
 * US1 site or another (`@eu`, `@us3`, ...).
 */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'
import { splitSelectors } from './selectors.ts'

/** The sites of https://docs.datadoghq.com/api/latest/ip-ranges/ and their ip-ranges hosts. */
const SITES: Readonly<Record<string, string>> = {
  us1: 'ip-ranges.datadoghq.com',
  us3: 'ip-ranges.us3.datadoghq.com',
  us5: 'ip-ranges.us5.datadoghq.com',
  eu: 'ip-ranges.datadoghq.eu',
  ap1: 'ip-ranges.ap1.datadoghq.com',
  ap2: 'ip-ranges.ap2.datadoghq.com',
  uk1: 'ip-ranges.uk1.datadoghq.com',
  gov: 'ip-ranges.ddog-gov.com',
  'us2-gov': 'ip-ranges.us2.ddog-gov.com',
}

const INTAKE = 'Datadog intake your Agents and tracers send to (for egress rules):'
/** Each section of the payload: its title and who connects from it. */
const SECTIONS: Readonly<Record<string, { title: string; use: string }>> = {
  webhooks: {
    title: 'Datadog webhooks',
    use: 'Datadog sending webhook notifications (monitors, incidents) to your endpoints',
  },
  synthetics: {
    title: 'Datadog Synthetic tests (managed locations)',
    use: "Datadog's managed Synthetic test locations probing your endpoints",
  },
  'synthetics-private-locations': {
    title: 'Datadog Synthetic private-location intake',
    use: 'where your private-location workers report results (for egress rules)',
  },
  agents: { title: 'Datadog Agent intake', use: `${INTAKE} Agent metrics and checks` },
  api: { title: 'Datadog API', use: `${INTAKE} the API` },
  apm: { title: 'Datadog APM intake', use: `${INTAKE} traces` },
  logs: { title: 'Datadog logs intake', use: `${INTAKE} logs` },
  process: { title: 'Datadog process intake', use: `${INTAKE} live processes` },
  orchestrator: { title: 'Datadog orchestrator intake', use: `${INTAKE} containers, Kubernetes` },
  'remote-configuration': {
    title: 'Datadog remote configuration',
    use: `${INTAKE} remote configuration`,
  },
  global: { title: 'Datadog, every endpoint', use: `${INTAKE} every Datadog endpoint` },
}

function datadogFeed(section: string, site: string): FeedDefinition {
  const { title, use } = SECTIONS[section]!
  return {
    id: `datadog/${section}${site === 'us1' ? '' : `@${site}`}`,
    title: `${title}${site === 'us1' ? '' : ` (${site})`}`,
    docsUrl: 'https://docs.datadoghq.com/api/latest/ip-ranges/',
    use,
    sources: [
      {
        url: `https://${SITES[site]!}/`,
        parser: {
          kind: 'records',
          path: `[${JSON.stringify(section)}]`,
          address: ['prefixes_ipv4', 'prefixes_ipv6'],
        },
        version: 'version',
      },
    ],
  }
}

/** Datadog: a feed per section, US1 by default. */
export const datadog: CatalogueProvider = {
  id: 'datadog',
  name: 'Datadog',
  feeds: Object.keys(SECTIONS).map((section) => datadogFeed(section, 'us1')),
  patterns: [
    {
      id: 'datadog/SECTION@SITE',
      use: `that section for another Datadog site: ${Object.keys(SITES).join(', ')} (default us1)`,
    },
  ],
  resolve(list) {
    const { name, at } = splitSelectors(list)
    const site = at?.toLowerCase()
    if (!Object.hasOwn(SECTIONS, name) || site === undefined || !Object.hasOwn(SITES, site))
      return undefined
    return datadogFeed(name, site)
  },
}
