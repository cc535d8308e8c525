/**
 * @module The `too-broad` limit of every built-in feed, and of the ids resolved on demand
 * (`google/cloud@REGION`, `azure/<ServiceTag>`, `datadog/<SECTION>@SITE`, ...).
 */
import type { BroadestPrefix, FeedDefinition } from './types.ts'

/**
 * The `too-broad` limit of each built-in feed: the broadest merged prefix seen in any version of
 * its fixtures (../shared/fixtures/feeds, all versions) widened by a margin of 4 bits for IPv4
 * (16 times the largest block) and 8 bits for IPv6, never narrower than /24 and /48 (one routed
 * block is always plausible) and never broader than the defaults /8 and /20. A family a feed has
 * never listed takes its publisher's broadest; one its publisher never listed either (OpenAI,
 * CDN77 and Oracle publish no IPv6) takes the narrowest, /24 or /48. shared/src/feeds/README.md has the table, and
 * test/shared/feeds/limits.test.ts recomputes it from the fixtures.
 */
const LIMITS: Readonly<Record<string, BroadestPrefix>> = {
  'github/hooks': { ipv4: 16, ipv6: 21 },
  'github/web': { ipv4: 16, ipv6: 21 },
  'github/api': { ipv4: 16, ipv6: 21 },
  'github/git': { ipv4: 16, ipv6: 21 },
  'github/packages': { ipv4: 24, ipv6: 21 },
  'github/pages': { ipv4: 24, ipv6: 48 },
  'github/importer': { ipv4: 24, ipv6: 21 },
  'github/github_enterprise_importer': { ipv4: 16, ipv6: 21 },
  'github/actions': { ipv4: 9, ipv6: 37 },
  'github/actions_macos': { ipv4: 20, ipv6: 21 },
  'github/codespaces': { ipv4: 21, ipv6: 21 },
  'github/dependabot': { ipv4: 9, ipv6: 21 },
  'github/copilot': { ipv4: 16, ipv6: 21 },
  'coolify/cloud': { ipv4: 24, ipv6: 48 },
  'firezone/portal': { ipv4: 24, ipv6: 48 },
  'firezone/portal-app': { ipv4: 24, ipv6: 48 },
  'firezone/portal-api': { ipv4: 24, ipv6: 48 },
  'firezone/relays': { ipv4: 8, ipv6: 32 },
  'cloudflare/edge': { ipv4: 9, ipv6: 21 },
  'google/services': { ipv4: 8, ipv6: 21 },
  'google/cloud': { ipv4: 8, ipv6: 31 },
  'google/googlebot': { ipv4: 18, ipv6: 48 },
  'google/special-crawlers': { ipv4: 18, ipv6: 48 },
  'google/user-triggered-fetchers': { ipv4: 17, ipv6: 48 },
  'openai/gptbot': { ipv4: 19, ipv6: 48 },
  'openai/searchbot': { ipv4: 19, ipv6: 48 },
  'openai/chatgpt-user': { ipv4: 22, ipv6: 48 },
  'atlassian/egress': { ipv4: 13, ipv6: 28 },
  'atlassian/ingress': { ipv4: 17, ipv6: 28 },
  'datadog/webhooks': { ipv4: 18, ipv6: 48 },
  'datadog/synthetics': { ipv4: 24, ipv6: 48 },
  'datadog/synthetics-private-locations': { ipv4: 16, ipv6: 48 },
  'datadog/agents': { ipv4: 16, ipv6: 48 },
  'datadog/api': { ipv4: 16, ipv6: 48 },
  'datadog/apm': { ipv4: 16, ipv6: 48 },
  'datadog/logs': { ipv4: 16, ipv6: 48 },
  'datadog/process': { ipv4: 16, ipv6: 48 },
  'datadog/orchestrator': { ipv4: 16, ipv6: 48 },
  'datadog/remote-configuration': { ipv4: 16, ipv6: 48 },
  'datadog/global': { ipv4: 16, ipv6: 48 },
  'fastly/edge': { ipv4: 12, ipv6: 24 },
  'cdn77/edge': { ipv4: 21, ipv6: 48 },
  'imperva/edge': { ipv4: 12, ipv6: 21 },
  'zscaler/cenr': { ipv4: 15, ipv6: 29 },
  'azure/ActionGroup': { ipv4: 22, ipv6: 48 },
  'azure/ApplicationInsightsAvailability': { ipv4: 22, ipv6: 32 },
  'azure/AzureDevOps': { ipv4: 19, ipv6: 48 },
  'azure/AzureFrontDoor.Backend': { ipv4: 12, ipv6: 36 },
  'azure/AzureTrafficManager': { ipv4: 22, ipv6: 48 },
  'azure/LogicApps': { ipv4: 22, ipv6: 48 },
  'azure/AzureCloud': { ipv4: 8, ipv6: 32 },
  'oracle/cloud': { ipv4: 11, ipv6: 48 },
  'linode/all': { ipv4: 13, ipv6: 21 },
  'digitalocean/all': { ipv4: 12, ipv6: 32 },
}

/**
 * A feed with its limit: its own when it has one (`aws/`), else the table's for its id, else,
 * for an id resolved on demand, the table's for the listed feed it narrows (`google/cloud` for
 * `google/cloud@europe-west1`), else its publisher's broadest (`AzureCloud`'s for any tag).
 */
export function withLimit(feed: FeedDefinition): FeedDefinition {
  if (feed.broadestPrefix) return feed
  const base = feed.id.split('@', 1)[0]!
  const provider = `${feed.id.slice(0, feed.id.indexOf('/'))}/`
  const limit = LIMITS[feed.id] ?? LIMITS[base] ?? publisherBroadest(provider)
  return { ...feed, broadestPrefix: limit }
}

function publisherBroadest(provider: string): BroadestPrefix {
  const limits = Object.entries(LIMITS)
    .filter(([id]) => id.startsWith(provider))
    .map(([, limit]) => limit)
  return {
    ipv4: Math.min(...limits.map((l) => l.ipv4)),
    ipv6: Math.min(...limits.map((l) => l.ipv6)),
  }
}
