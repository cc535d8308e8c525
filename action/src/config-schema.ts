/**
 * @module The config file's schema, one zod schema: parseConfig validates with it, and the
 * published JSON Schema (action/allowlist-sync.schema.json, what editors complete from) is
 * generated from it by `npm run schemas` and checked current by `npm run check:schemas`. Its lists
 * of names come from shared/: the output formats (FORMAT_IDS) and the policy presets (PRESET_IDS).
 */
import { z } from 'zod'
import { FORMAT_IDS, PRESET_IDS } from '../../shared/src/index.ts'

/** The most targets one config may have (one reviewable PR; GitHub's content-creation limits). */
export const MAX_TARGETS = 100

/** The user feed parser kinds the config models (`feeds[].parser`). */
export const CONFIG_PARSER_KINDS = [
  'lines',
  'json',
  'csv',
  'geofeed',
  'records',
  'prefixes',
] as const

const strings = () => z.array(z.string())
const positive = () => z.int().min(1)

const feedSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/)
    .describe('provider/list, lower case; not a built-in provider.'),
  url: z
    .string()
    .regex(/^https:\/\//)
    .describe('The https:// URL of the list.'),
  parser: z
    .enum(CONFIG_PARSER_KINDS)
    .describe(
      "lines: one address or CIDR a line; json: values at `path`; csv: one `column`; geofeed: an RFC 8805 geofeed (first field of each line, # comments); records: the objects at `path`, kept when they pass `where`, each listing its addresses at the `address` paths; prefixes: Google's layout, prefixes[*].ipv4Prefix|ipv6Prefix, kept when they pass `where`. IPv4 and IPv6 may mix in one field.",
    ),
  path: z
    .string()
    .optional()
    .describe(
      'json parser: a path expression, e.g. endpoints["app.firezone.dev"].ipv4; records parser: where the records are, e.g. items[*] (\'\' for the document itself).',
    ),
  column: z
    .union([z.string(), z.int()])
    .optional()
    .describe('csv parser: a header name or a 1-based column number.'),
  address: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      'records parser: the paths, relative to each record, of its addresses (strings or arrays of strings), e.g. [cidr] or [properties.addressPrefixes]; a record without one is schema-drift.',
    ),
  where: z
    .record(z.string(), z.array(z.string()).min(1))
    .refine((w) => Object.keys(w).length >= 1, 'needs at least one path')
    .optional()
    .describe(
      'records and prefixes parsers: keep a record only when, for every path, its value there (or an item of an array there) equals one of the listed strings, e.g. {scope: [europe-west1]} or {direction: [egress], product: [jira]}.',
    ),
  family: z
    .literal([4, 6])
    .optional()
    .describe('lines, csv and geofeed parsers: accept only this address family.'),
  title: z.string().optional(),
  'allow-reserved': z
    .boolean()
    .optional()
    .describe(
      'An internal list: accept entries in special-purpose space (private, loopback, documentation, ...), which the reserved-space guard refuses otherwise. Default false.',
    ),
  version: z
    .string()
    .optional()
    .describe(
      "JSON parsers: the path of the publisher's own version or date in the payload (e.g. syncToken, creationTime), recorded in the snapshot and the PR body; without it the ETag or Last-Modified is.",
    ),
})

const limitsSchema = z
  .strictObject({
    awsRulesPerGroup: positive().optional(),
    k8sMaxBytes: positive().optional(),
    ipsetMaxElements: positive().optional(),
    hcloudRulesPerFirewall: positive().optional(),
    hcloudEffectiveRules: positive().optional(),
    hcloudIpsPerRule: positive().optional(),
    digitaloceanRulesPerFirewall: positive().optional(),
    digitaloceanSourcesPerRule: positive().optional(),
    awsPrefixListEntries: positive().optional(),
    gcpRangesPerRule: positive().optional(),
    azurePrefixesPerGroup: positive().optional(),
    azureRulesPerGroup: positive().optional(),
    cloudflareListItems: positive().optional(),
    ufwRules: positive().optional(),
  })
  .describe(
    'Platform limits raised with the provider (defaults: the documented quotas; see CLI.md, Platform limits).',
  )

const ipStrategySchema = z
  .strictObject({
    depth: positive()
      .optional()
      .describe('The client address is the depth-th from the right of X-Forwarded-For.'),
    'excluded-ips': z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Addresses or CIDRs of the proxies in front, skipped in X-Forwarded-For.'),
  })
  .describe(
    'Traefik formats behind another proxy: where the client address comes from (`depth` or `excluded-ips`, not both).',
  )

const targetSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe(
      'Repository-relative path of the file: normalised, not under .git/, and under .github/workflows/ only with the input allow-workflow-files.',
    ),
  format: z
    .enum(FORMAT_IDS)
    .describe(
      'An output format id (`allowlist-sync formats`). Line-oriented formats are spliced into a managed block; the others own the whole file.',
    ),
  feeds: z
    .array(z.string().min(1))
    .min(1)
    .describe('Feed ids whose union the file allows, e.g. github/hooks.'),
  ports: z
    .array(z.string().regex(/^\d+(-\d+)?(\/(tcp|udp))?$/))
    .optional()
    .describe('Ports to guard, e.g. 443/tcp, 49152-65535/udp.'),
  name: z.string().optional().describe('Set, chain, list or middleware name.'),
  comment: z.string().max(200).optional().describe('A comment for the header.'),
  'ip-strategy': ipStrategySchema.optional(),
  limits: limitsSchema.optional(),
  table: z
    .string()
    .regex(/^(ip|ip6|inet) [A-Za-z][A-Za-z0-9_]{0,31}$/)
    .optional()
    .describe(
      'nftables without ports: the table of your own that holds the sets, `FAMILY NAME` (default `inet filter`).',
    ),
  'exempt-loopback': z
    .boolean()
    .optional()
    .describe(
      'Packet filters: let loopback (lo) through the guarded ports whatever the allowlist says (default true). ufw and docker-user refuse false: loopback never meets their rules.',
    ),
  'exempt-private': z
    .boolean()
    .optional()
    .describe(
      'docker-user only: also let private sources (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) reach published ports (default false: only the allowlist).',
    ),
})

const policySchema = z
  .strictObject({
    preset: z.enum(PRESET_IDS).optional().describe('A preset id (`allowlist-sync policies`).'),
    file: z.string().optional().describe('A policy file in the repository.'),
    configs: strings()
      .min(1)
      .describe('Globs of firewall configs to check (`*` within a folder, `**` across folders).'),
    interfaces: z
      .record(z.string().regex(/^(?:[^\s/:'"*+]{1,15}[*+]?|[*+])$/), z.enum(['public', 'internal']))
      .optional()
      .describe(
        "Interface roles over the policy file's and the defaults (lo, docker*, br-*, veth*, virbr*, lxdbr*, incusbr*, cni*, flannel*, cali*, kube*, tailscale*, wg*, tun*, tap*, zt* internal; any other public): reach is checked for traffic arriving on the public ones. A name may end in * (wg*); * alone stands for every interface nothing else names.",
      ),
  })
  // Exactly one of preset and file; `oneOf` says the same to editors.
  .refine((p) => (p.preset === undefined) !== (p.file === undefined), {
    message: "needs one of 'preset' and 'file', not both",
  })
  .meta({ oneOf: [{ required: ['preset'] }, { required: ['file'] }] })

const pullRequestSchema = z
  .strictObject({
    branch: z.string().optional().describe("The action's branch. Default allowlist-sync/update."),
    title: z.string().optional(),
    'commit-message': z.string().optional(),
    labels: strings().optional(),
    reviewers: strings().optional(),
    'team-reviewers': strings().optional(),
    assignees: strings().optional(),
    draft: z.boolean().optional(),
  })
  .describe("How the pull request is made; the Action's inputs override these.")

/** The config file, as parseConfig validates it before checking names against what exists. */
export const configSchema = z.strictObject({
  version: z.literal(1).describe('The config format version; always 1.'),
  source: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/)
    .optional()
    .describe(
      "A worker's base URL (its /v1 API); absent: fetch upstream directly with the same guards. The Action's `source` input overrides it.",
    ),
  lock: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where the last accepted snapshot of each feed is kept (committed with the PR; feeds the removal guard and the per-feed diff). Default .github/allowlist-sync.lock.json.',
    ),
  feeds: z
    .array(feedSchema)
    .optional()
    .describe('User-defined feeds, used in targets by their id.'),
  targets: z
    .array(targetSchema)
    .min(1)
    .max(MAX_TARGETS)
    .describe('Files to keep true to their feeds.'),
  policies: z
    .array(policySchema)
    .optional()
    .describe('Port policies to verify firewall configs against.'),
  'pull-request': pullRequestSchema.optional(),
})

/** A config as the schema accepts it (keys as written in the file). */
export type RawConfig = z.infer<typeof configSchema>

/** The published JSON Schema (draft-07) of the config, generated from {@link configSchema}. */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { target: 'draft-07' })
  const { $schema, ...rest } = generated
  return {
    $schema,
    $id: 'https://github.com/allowlist-sync/allowlist-sync/action/allowlist-sync.schema.json',
    title: 'allowlist-sync configuration',
    description:
      'The config file of the allowlist-sync Action and `allowlist-sync sync` (default .github/allowlist-sync.yml).',
    ...rest,
  }
}
