/**
 * @module The feed catalogue: built-in feeds grouped by provider (GitHub, Coolify, Firezone,
 * Cloudflare and AWS here; the others in ./providers/), ids resolved on demand
 * (`aws/<SERVICE>[@region,...]`, `google/cloud@REGION`, `azure/<ServiceTag>`, ...).
 * User-defined feeds are validated in user-feed.ts.
 */
import { GITHUB_META_ADDRESS_KEYS } from './extract.ts'
import { withLimit } from './limits.ts'
import { atlassian } from './providers/atlassian.ts'
import { azure } from './providers/azure.ts'
import { cdn77 } from './providers/cdn77.ts'
import { datadog } from './providers/datadog.ts'
import { digitalocean } from './providers/digitalocean.ts'
import { fastly } from './providers/fastly.ts'
import { google } from './providers/google.ts'
import { imperva } from './providers/imperva.ts'
import { linode } from './providers/linode.ts'
import { openai } from './providers/openai.ts'
import { oracle } from './providers/oracle.ts'
import { zscaler } from './providers/zscaler.ts'
import type { BroadestPrefix, CatalogueProvider, FeedDefinition } from './types.ts'

const GITHUB_META_URL = 'https://api.github.com/meta'
const GITHUB_DOCS =
  'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-githubs-ip-addresses'
const FIREZONE_PORTAL_URL = 'https://www.firezone.dev/portal-ips.json'
const FIREZONE_DOCS = 'https://www.firezone.dev/kb/deploy/resources'
const AWS_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json'
const AWS_DOCS = 'https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html'

const GITHUB_TITLES: Record<(typeof GITHUB_META_ADDRESS_KEYS)[number], string> = {
  hooks: 'GitHub webhook senders',
  web: 'GitHub web (github.com)',
  api: 'GitHub API (api.github.com)',
  git: 'GitHub Git (SSH and HTTPS)',
  packages: 'GitHub Packages',
  pages: 'GitHub Pages (A records)',
  importer: 'GitHub Importer',
  github_enterprise_importer: 'GitHub Enterprise Importer',
  actions: 'GitHub-hosted Actions runners',
  actions_macos: 'GitHub-hosted macOS runners',
  codespaces: 'GitHub Codespaces',
  dependabot: 'Dependabot (withdrawn by GitHub in 2025; may be absent)',
  copilot: 'GitHub Copilot',
}

/** `aws/<SERVICE>` limits, as limits.ts's; a service without fixtures takes AMAZON's (all of AWS). */
const AWS_LIMITS: Readonly<Record<string, BroadestPrefix>> = {
  AMAZON: { ipv4: 8, ipv6: 24 },
  EC2: { ipv4: 8, ipv6: 24 },
  S3: { ipv4: 11, ipv6: 28 },
  CLOUDFRONT: { ipv4: 9, ipv6: 27 },
  CLOUDFRONT_ORIGIN_FACING: { ipv4: 12, ipv6: 28 },
  ROUTE53_HEALTHCHECKS: { ipv4: 14, ipv6: 39 },
}

/** AWS services listed by `allowlist-sync feeds`; any other `aws/<SERVICE>` resolves too. */
const AWS_LISTED = [
  'AMAZON',
  'EC2',
  'S3',
  'CLOUDFRONT',
  'CLOUDFRONT_ORIGIN_FACING',
  'ROUTE53_HEALTHCHECKS',
]

/** A feed published as two plain lists, one address or CIDR a line: IPv4 at `v4`, IPv6 at `v6`. */
function plainLists(
  id: string,
  title: string,
  docsUrl: string,
  [v4, v6]: readonly [string, string],
): FeedDefinition {
  return {
    id,
    title,
    docsUrl,
    sources: [
      { url: v4, parser: { kind: 'lines', family: 4 } },
      { url: v6, parser: { kind: 'lines', family: 6 } },
    ],
  }
}

function firezonePortal(id: string, title: string, hosts: string[]): FeedDefinition {
  return {
    id,
    title,
    docsUrl: FIREZONE_DOCS,
    sources: hosts.map((host) => ({
      url: FIREZONE_PORTAL_URL,
      parser: { kind: 'json', path: `endpoints[${JSON.stringify(host)}]` },
    })),
  }
}

/** Who connects from the listed AWS services; others say which service they are. */
const AWS_USES: Readonly<Record<string, string>> = {
  AMAZON: "all of Amazon's and every AWS customer's addresses: for egress rules, not to trust",
  EC2: "any EC2 instance: allowing it admits every AWS customer's servers",
  S3: 'Amazon S3 endpoints (for egress rules)',
  CLOUDFRONT: 'CloudFront edge locations (prefer CLOUDFRONT_ORIGIN_FACING for origins)',
  CLOUDFRONT_ORIGIN_FACING: 'CloudFront fetching from your origin (origin allowlist)',
  ROUTE53_HEALTHCHECKS: 'Route 53 health checkers probing your endpoints',
}

function awsFeed(service: string, regions: readonly string[]): FeedDefinition {
  const where = regions.length > 0 ? `@${regions.join(',')}` : ''
  return {
    id: `aws/${service}${where}`,
    title: `AWS ${service}${regions.length > 0 ? ` in ${regions.join(', ')}` : ''}`,
    use: AWS_USES[service] ?? `the ${service} addresses of ip-ranges.json`,
    docsUrl: AWS_DOCS,
    sources: [{ url: AWS_URL, parser: { kind: 'aws', service, regions } }],
    broadestPrefix: AWS_LIMITS[service] ?? AWS_LIMITS.AMAZON!,
  }
}

/** Who connects from each of the first five providers' lists (the providers/ modules say theirs). */
const USES: Readonly<Record<string, string>> = {
  'github/hooks': 'GitHub delivering webhooks to your endpoints',
  'github/web': 'github.com itself (for egress rules)',
  'github/api': 'api.github.com (for egress rules)',
  'github/git': 'Git over SSH and HTTPS to GitHub (for egress rules)',
  'github/packages': 'GitHub Packages registries (for egress rules)',
  'github/pages': 'GitHub Pages servers (DNS A records)',
  'github/importer': 'GitHub Importer fetching from your repositories',
  'github/github_enterprise_importer': 'GitHub Enterprise Importer reaching your server',
  'github/actions':
    "GitHub-hosted runners (any GitHub user's workflow: allowing it admits them all)",
  'github/actions_macos': 'GitHub-hosted macOS runners',
  'github/codespaces': "Codespaces (any GitHub user's codespace)",
  'github/dependabot': 'Dependabot reaching private registries',
  'github/copilot': 'GitHub Copilot reaching your services',
  'coolify/cloud': 'Coolify Cloud managing your servers over SSH',
  'firezone/portal': "Firezone's portal (app and api), for your gateways' egress rules",
  'firezone/portal-app': "Firezone's app.firezone.dev",
  'firezone/portal-api': "Firezone's api.firezone.dev, which gateways connect to",
  'firezone/relays': "Firezone's relays, which clients and gateways connect through",
  'cloudflare/edge': 'Cloudflare proxying to your origin (origin allowlist behind Cloudflare)',
}

/** The providers of ./providers/, in the order `allowlist-sync feeds` lists them. */
const PROVIDERS: readonly CatalogueProvider[] = [
  google,
  openai,
  atlassian,
  datadog,
  fastly,
  cdn77,
  imperva,
  zscaler,
  azure,
  oracle,
  linode,
  digitalocean,
]

/** The first five providers' feeds. */
const FIRST_FEEDS: FeedDefinition[] = [
  ...GITHUB_META_ADDRESS_KEYS.map((key): FeedDefinition => ({
    id: `github/${key}`,
    title: GITHUB_TITLES[key],
    docsUrl: GITHUB_DOCS,
    sources: [
      {
        url: GITHUB_META_URL,
        parser: { kind: 'github-meta', key, required: key !== 'dependabot' },
      },
    ],
  })),
  plainLists(
    'coolify/cloud',
    'Coolify Cloud (servers that connect to yours)',
    'https://coolify.io/docs/knowledge-base/server/firewall#coolify-cloud',
    ['https://coolify.io/ipv4.txt', 'https://coolify.io/ipv6.txt'],
  ),
  firezonePortal('firezone/portal', 'Firezone portal (app and api endpoints)', [
    'app.firezone.dev',
    'api.firezone.dev',
  ]),
  firezonePortal('firezone/portal-app', 'Firezone portal: app.firezone.dev', ['app.firezone.dev']),
  firezonePortal('firezone/portal-api', 'Firezone portal: api.firezone.dev', ['api.firezone.dev']),
  {
    id: 'firezone/relays',
    title: 'Firezone relays',
    docsUrl: FIREZONE_DOCS,
    sources: [
      { url: 'https://www.firezone.dev/relay-ips.json', parser: { kind: 'firezone-relays' } },
    ],
  },
  plainLists(
    'cloudflare/edge',
    'Cloudflare edge (proxied traffic reaches origins from here)',
    'https://www.cloudflare.com/ips/',
    ['https://www.cloudflare.com/ips-v4', 'https://www.cloudflare.com/ips-v6'],
  ),
  ...AWS_LISTED.map((service) => awsFeed(service, [])),
]

/** Every built-in feed, in the order `allowlist-sync feeds` lists them. */
export const BUILTIN_FEEDS: readonly FeedDefinition[] = [
  ...FIRST_FEEDS.map((f) => (f.use === undefined ? { ...f, use: USES[f.id]! } : f)),
  ...PROVIDERS.flatMap((p) => p.feeds),
].map(withLimit)

/** A provider of built-in feeds, as `allowlist-sync feeds` groups them. */
export interface ProviderListing {
  readonly id: string
  readonly name: string
  readonly feeds: readonly FeedDefinition[]
  readonly patterns: CatalogueProvider['patterns']
}

const NAMES: Readonly<Record<string, string>> = {
  github: 'GitHub',
  coolify: 'Coolify',
  firezone: 'Firezone',
  cloudflare: 'Cloudflare',
  aws: 'Amazon Web Services',
}

/** The built-in feeds grouped by provider, in catalogue order, with each one's id patterns. */
export const CATALOGUE_PROVIDERS: readonly ProviderListing[] = [
  ...Object.entries(NAMES).map(([id, name]) => ({
    id,
    name,
    feeds: BUILTIN_FEEDS.filter((f) => f.id.startsWith(`${id}/`)),
    patterns:
      id === 'aws'
        ? [
            {
              id: 'aws/SERVICE[@REGION,...]',
              use: 'any service of ip-ranges.json as AWS spells it, optionally by region',
            },
          ]
        : [],
  })),
  ...PROVIDERS,
]

/** The `aws/` id syntax: `aws/SERVICE` or `aws/SERVICE@region[,region...]`. */
const AWS_ID = /^aws\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*))?$/

/**
 * Finds a feed by id: a built-in one, an `aws/<SERVICE>[@REGION[,REGION...]]` id (e.g.
 * `aws/CLOUDFRONT`, `aws/EC2@us-east-1,eu-west-1`; service upper-cased, regions lower-cased
 * except AWS's `GLOBAL`, sorted and deduplicated, so each selection has one canonical id), or
 * one of `userFeeds`. Returns undefined for an unknown id.
 */
export function findFeed(
  id: string,
  userFeeds: readonly FeedDefinition[] = [],
): FeedDefinition | undefined {
  const builtin = BUILTIN_FEEDS.find((f) => f.id === id) ?? userFeeds.find((f) => f.id === id)
  if (builtin) return builtin
  const slash = id.indexOf('/')
  const provider = PROVIDERS.find((p) => p.id === id.slice(0, slash))
  if (provider) {
    const feed = provider.resolve(id.slice(slash + 1))
    return feed && withLimit(feed)
  }
  const aws = AWS_ID.exec(id)
  if (!aws) return undefined
  const regions = [
    ...new Set(
      (aws[2] ?? '')
        .split(',')
        .filter((r) => r !== '')
        .map((r) => (r.toUpperCase() === 'GLOBAL' ? 'GLOBAL' : r.toLowerCase())),
    ),
  ].sort()
  return awsFeed(aws[1]!.toUpperCase(), regions)
}

/** The providers whose ids are built in: a user-defined feed may not use them. */
export const BUILTIN_PROVIDER_IDS: ReadonlySet<string> = new Set([
  ...Object.keys(NAMES),
  ...PROVIDERS.map((p) => p.id),
])
