/**
 * Ids resolved on demand by the providers of shared/src/feeds/providers (`google/cloud@REGION`,
 * `atlassian/egress@PRODUCT`, `datadog/SECTION@SITE`, `zscaler/cenr@CLOUD`, `oracle/cloud@REGION`,
 * `azure/<ServiceTag>`): canonical ids, the URL they read, ids that name nothing, and the
 * `too-broad` limit each takes (limits.ts).
 */
import { describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, findFeed } from '../../../shared/src/feeds/index.ts'
import { atlassian } from '../../../shared/src/feeds/providers/atlassian.ts'
import { datadog } from '../../../shared/src/feeds/providers/datadog.ts'
import { google } from '../../../shared/src/feeds/providers/google.ts'
import { oracle } from '../../../shared/src/feeds/providers/oracle.ts'
import { zscaler } from '../../../shared/src/feeds/providers/zscaler.ts'

const limitOf = (id: string) => BUILTIN_FEEDS.find((f) => f.id === id)!.broadestPrefix

describe('ids resolved on demand', () => {
  it.each([
    [
      'google/cloud@US-East1,europe-west1,us-east1',
      'google/cloud@europe-west1,us-east1',
      'google/cloud',
    ],
    ['oracle/cloud@eu-frankfurt-1', 'oracle/cloud@eu-frankfurt-1', 'oracle/cloud'],
    ['atlassian/egress@jira,confluence', 'atlassian/egress@confluence,jira', 'atlassian/egress'],
    ['atlassian/ingress@jira', 'atlassian/ingress@jira', 'atlassian/ingress'],
    ['datadog/webhooks@EU', 'datadog/webhooks@eu', 'datadog/webhooks'],
    ['zscaler/cenr@zscalertwo.net', 'zscaler/cenr@zscalertwo.net', 'zscaler/cenr'],
  ])('%s is %s, with the limit of %s', (id, canonical, base) => {
    const feed = findFeed(id)
    expect(feed?.id).toBe(canonical)
    expect(feed?.broadestPrefix).toEqual(limitOf(base))
  })

  it('reads another Datadog site and another Zscaler cloud from their own URLs', () => {
    expect(findFeed('datadog/webhooks@eu')!.sources[0]!.url).toBe('https://ip-ranges.datadoghq.eu/')
    expect(findFeed('zscaler/cenr@zscalertwo.net')!.sources[0]!.url).toContain('zscalertwo.net')
  })

  it('gives an Azure tag not listed the publisher broadest limit (AzureCloud, all of Azure)', () => {
    const tag = findFeed('azure/AzureCloud.westeurope')!
    expect(tag.sources[0]!.parser).toMatchObject({ where: { name: ['AzureCloud.westeurope'] } })
    expect(tag.broadestPrefix).toEqual({ ipv4: 8, ipv6: 32 })
    expect(limitOf('azure/AzureCloud')).toEqual({ ipv4: 8, ipv6: 32 })
  })

  it.each([
    'google/cloud@',
    'google/cloud@bad region',
    'google/services@europe-west1',
    'oracle/other@x',
    'atlassian/egress@Jira!',
    'atlassian/other@jira',
    'atlassian/egress@',
    'datadog/webhooks@mars',
    'datadog/nosuch@eu',
    'zscaler/cenr@example.net',
    'zscaler/other@zscaler.net',
    'azure/1bad',
    'azure/Bad..Tag',
    'cdn77/other',
    'digitalocean/other',
    'fastly/other',
    'imperva/other',
    'linode/other',
    'openai/other',
  ])('%s names no feed', (id) => {
    expect(findFeed(id)).toBeUndefined()
  })

  it('a provider resolves only the selector form: the bare list is the listed feed, not its job', () => {
    for (const [provider, list] of [
      [google, 'cloud'],
      [oracle, 'cloud'],
      [atlassian, 'egress'],
      [datadog, 'webhooks'],
      [zscaler, 'cenr'],
    ] as const)
      expect(provider.resolve(list), `${provider.id}/${list}`).toBeUndefined()
  })
})
