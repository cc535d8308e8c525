/**
 * @module The feed catalogue: built-in feeds, `aws/<SERVICE>[@region,...]` ids resolved on
 * demand, and validation of user-defined feeds.
 */
import { GITHUB_META_ADDRESS_KEYS } from './extract.ts'
import { parseJsonPath } from './json-path.ts'
import type { BroadestPrefix, FeedDefinition, UserParserSpec } from './types.ts'

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

/**
 * The `too-broad` limit of each built-in feed: the broadest merged prefix seen in any version of
 * its fixtures (../shared/fixtures/feeds, all versions) widened by a margin of 4 bits for IPv4
 * (16 times the largest block) and 8 bits for IPv6, never narrower than /24 and /48 (one routed
 * block is always plausible) and never broader than the defaults /8 and /20. A family a feed has
 * never listed takes its publisher's broadest. shared/src/feeds/README.md has the table, and
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
}

/** `aws/<SERVICE>` limits, as {@link LIMITS}; a service without fixtures takes AMAZON's (all of AWS). */
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

function awsFeed(service: string, regions: readonly string[]): FeedDefinition {
  const where = regions.length > 0 ? `@${regions.join(',')}` : ''
  return {
    id: `aws/${service}${where}`,
    title: `AWS ${service}${regions.length > 0 ? ` in ${regions.join(', ')}` : ''}`,
    docsUrl: AWS_DOCS,
    sources: [{ url: AWS_URL, parser: { kind: 'aws', service, regions } }],
    broadestPrefix: AWS_LIMITS[service] ?? AWS_LIMITS.AMAZON!,
  }
}

/** Every built-in feed, in the order `allowlist-sync feeds` lists them. */
export const BUILTIN_FEEDS: readonly FeedDefinition[] = withLimits([
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
  {
    id: 'coolify/cloud',
    title: 'Coolify Cloud (servers that connect to yours)',
    docsUrl: 'https://coolify.io/docs/knowledge-base/server/firewall#coolify-cloud',
    sources: [
      { url: 'https://coolify.io/ipv4.txt', parser: { kind: 'lines', family: 4 } },
      { url: 'https://coolify.io/ipv6.txt', parser: { kind: 'lines', family: 6 } },
    ],
  },
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
  {
    id: 'cloudflare/edge',
    title: 'Cloudflare edge (proxied traffic reaches origins from here)',
    docsUrl: 'https://www.cloudflare.com/ips/',
    sources: [
      { url: 'https://www.cloudflare.com/ips-v4', parser: { kind: 'lines', family: 4 } },
      { url: 'https://www.cloudflare.com/ips-v6', parser: { kind: 'lines', family: 6 } },
    ],
  },
  ...AWS_LISTED.map((service) => awsFeed(service, [])),
])

function withLimits(feeds: FeedDefinition[]): FeedDefinition[] {
  return feeds.map((f) => (f.broadestPrefix ? f : { ...f, broadestPrefix: LIMITS[f.id]! }))
}

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

/** What a user writes to define a feed. */
export interface UserFeedInput {
  /** `provider/list`, lower-case `[a-z0-9._-]` parts; must not use a built-in provider. */
  readonly id: string
  /** `https://` URL. */
  readonly url: string
  readonly parser: UserParserSpec
  readonly title?: string
  readonly docsUrl?: string
  /**
   * Accept entries in special-purpose space (private, loopback, documentation, ...) for an
   * internal list; default false (the `reserved-space` guard refuses them, as for built-ins).
   */
  readonly allowReserved?: boolean
}

const USER_ID = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/
const BUILTIN_PROVIDERS = new Set(['github', 'coolify', 'firezone', 'cloudflare', 'aws'])

function feedError(code: string, message: string): TypeError {
  return Object.assign(new TypeError(message), { code })
}

/**
 * Validates a user-defined feed and returns its definition. Throws a TypeError with a `code`
 * (`ERR_FEED_ID`, `ERR_FEED_URL`, `ERR_FEED_PARSER`, `ERR_FEED_OPTION`) naming the bad field and
 * value.
 */
export function defineUserFeed(input: UserFeedInput): FeedDefinition {
  const { id, url, parser } = input
  if (typeof id !== 'string' || !USER_ID.test(id))
    throw feedError(
      'ERR_FEED_ID',
      `feed id ${JSON.stringify(id)}: expected provider/list in lower-case [a-z0-9._-]`,
    )
  if (BUILTIN_PROVIDERS.has(id.slice(0, id.indexOf('/'))))
    throw feedError(
      'ERR_FEED_ID',
      `feed id ${JSON.stringify(id)}: the provider "${id.slice(0, id.indexOf('/'))}" is built in`,
    )
  if (typeof url !== 'string' || !/^https:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[^\s]*)?$/.test(url))
    throw feedError('ERR_FEED_URL', `feed ${id}: url ${JSON.stringify(url)} is not an https:// URL`)
  const bad = (why: string) =>
    feedError('ERR_FEED_PARSER', `feed ${id}: parser ${JSON.stringify(parser)}: ${why}`)
  const family = (f: unknown) => {
    if (f !== undefined && f !== 4 && f !== 6) throw bad('family must be 4 or 6')
  }
  switch (parser.kind) {
    case 'lines':
      family(parser.family)
      break
    case 'json':
      if (typeof parser.path !== 'string') throw bad('path must be a string')
      try {
        parseJsonPath(parser.path)
      } catch (cause) {
        throw Object.assign(bad((cause as Error).message), { cause })
      }
      break
    case 'csv':
      family(parser.family)
      if (
        !(typeof parser.column === 'string' && parser.column !== '') &&
        !(Number.isInteger(parser.column) && (parser.column as number) >= 1)
      )
        throw bad('column must be a header name or a 1-based number')
      break
    default:
      throw bad('kind must be lines, json or csv')
  }
  if (input.allowReserved !== undefined && typeof input.allowReserved !== 'boolean')
    throw feedError(
      'ERR_FEED_OPTION',
      `feed ${id}: allowReserved ${JSON.stringify(input.allowReserved)} is not true or false`,
    )
  return {
    id,
    title: input.title ?? id,
    docsUrl: input.docsUrl ?? url,
    sources: [{ url, parser }],
    user: true,
    ...(input.allowReserved === true ? { allowReserved: true } : {}),
  }
}
