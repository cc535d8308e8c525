/**
 * @module The catalogue of output formats: the ids the CLI, the config file and the worker's
 * `?format=` accept, with what each one is for.
 */

/** Every output format id, in the order `allowlist-sync formats` lists them. */
export const FORMAT_IDS = [
  'nftables',
  'iptables',
  'ip6tables',
  'ipset',
  'ufw',
  'docker-user',
  'nginx',
  'apache',
  'caddy',
  'traefik',
  'haproxy',
  'k8s-networkpolicy',
  'terraform',
  'aws-sg',
  'txt',
  'json',
] as const

/** One output format id. */
export type FormatId = (typeof FORMAT_IDS)[number]

/** What a format is, for listings and HTTP responses. */
export interface FormatInfo {
  readonly id: FormatId
  /** A short human title, e.g. `nftables named sets / table`. */
  readonly title: string
  /**
   * Whether the output is `#`-commented lines wrapped in `# BEGIN allowlist-sync …` /
   * `# END allowlist-sync` markers, so {@link spliceManagedBlock} can put it inside an existing file.
   */
  readonly lineOriented: boolean
  /** Which address families the output carries: `ip6tables` is IPv6 only, `iptables` IPv4 only. */
  readonly families: readonly (4 | 6)[]
  /** Whether `ports` change the output (formats without ports guard whatever includes them). */
  readonly usesPorts: boolean
  /** The usual file name extension, without the dot. */
  readonly extension: string
  /** The media type a server should send it with. */
  readonly mediaType: string
  /** One sentence: what the output is and how it is used. */
  readonly description: string
}

const TEXT = 'text/plain; charset=utf-8'
const JSON_TYPE = 'application/json'

/** The catalogue, one entry per {@link FORMAT_IDS} id, same order. */
export const FORMATS: readonly FormatInfo[] = [
  {
    id: 'nftables',
    title: 'nftables named sets / table',
    lineOriented: true,
    families: [4, 6],
    usesPorts: true,
    extension: 'nft',
    mediaType: TEXT,
    description:
      'Without ports: interval sets NAME_v4 / NAME_v6 in your own table (`table`, default `inet filter`); `nft -f FILE` declares them if missing and replaces their contents in one transaction. With ports: a complete `table inet NAME` whose input chain drops other sources on those ports (loopback exempt) and accepts nothing; `nft -f FILE` re-creates it atomically.',
  },
  {
    id: 'iptables',
    title: 'iptables-restore (IPv4)',
    lineOriented: true,
    families: [4],
    usesPorts: true,
    extension: 'rules',
    mediaType: TEXT,
    description:
      'An `iptables-restore --noflush` file (atomic, idempotent reloads): chain NAME returns loopback and sends the ports to NAME-src, which returns the allowed sources and drops the rest; it accepts nothing, so your own rules still decide. Hook it in once: `iptables -I INPUT -j NAME`.',
  },
  {
    id: 'ip6tables',
    title: 'ip6tables-restore (IPv6)',
    lineOriented: true,
    families: [6],
    usesPorts: true,
    extension: 'rules',
    mediaType: TEXT,
    description: 'The IPv6 twin of `iptables`, for `ip6tables-restore`.',
  },
  {
    id: 'ipset',
    title: 'ipset restore file (hash:net)',
    lineOriented: true,
    families: [4, 6],
    usesPorts: true,
    extension: 'ipset',
    mediaType: TEXT,
    description:
      'Sets NAME-v4 / NAME-v6 (hash:net) for `ipset restore -exist`, refilled atomically (flush and fill a temporary set, swap, destroy); the iptables rules that use them, to add once (drop other sources on the ports, loopback exempt), are in the header (and `ipsetReferenceRules`).',
  },
  {
    id: 'ufw',
    title: 'ufw commands',
    lineOriented: true,
    families: [4, 6],
    usesPorts: true,
    extension: 'sh',
    mediaType: TEXT,
    description:
      "`ufw allow from CIDR to any port P proto tcp comment '…'` lines, plus `ufw delete allow …` lines for CIDRs a change removed; refuses more than 200 commands (`limits.ufwRules`): use ipset or nftables for big lists.",
  },
  {
    id: 'docker-user',
    title: 'DOCKER-USER guard (shell script, IPv4 and IPv6)',
    lineOriented: true,
    families: [4, 6],
    usesPorts: true,
    extension: 'sh',
    mediaType: TEXT,
    description:
      'A script (`sh FILE` as root after dockerd starts; run again to reload) that loads chain NAME for iptables and ip6tables in one commit each and jumps to it from DOCKER-USER once, never flushing DOCKER-USER: published ports (original destination port, before DNAT) drop sources outside the allowlist and return the rest to Docker.',
  },
  {
    id: 'nginx',
    title: 'nginx allow/deny',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'conf',
    mediaType: TEXT,
    description:
      '`allow CIDR;` lines and a final `deny all;`, to `include` in a server or location.',
  },
  {
    id: 'apache',
    title: 'Apache 2.4 Require ip',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'conf',
    mediaType: TEXT,
    description:
      'A `<RequireAny>` of `Require ip CIDR` lines (mod_authz_host), to `Include` in a Directory or Location.',
  },
  {
    id: 'caddy',
    title: 'Caddyfile snippet (remote_ip)',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'caddy',
    mediaType: TEXT,
    description:
      'A Caddyfile snippet `(NAME)` whose `not remote_ip` matcher answers 403; `import NAME` in a site block. Accepted by Caddy 2.6 and later.',
  },
  {
    id: 'traefik',
    title: 'Traefik dynamic configuration (YAML)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: false,
    extension: 'yml',
    mediaType: 'application/yaml; charset=utf-8',
    description:
      "A file-provider document defining the HTTP middleware NAME with `ipAllowList.sourceRange` (Traefik v3; the middleware of Coolify's proxy).",
  },
  {
    id: 'haproxy',
    title: 'HAProxy ACL file',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'acl',
    mediaType: TEXT,
    description:
      'One CIDR a line for `acl NAME src -f FILE`; the referencing lines are in the header comments.',
  },
  {
    id: 'k8s-networkpolicy',
    title: 'Kubernetes NetworkPolicy',
    lineOriented: false,
    families: [4, 6],
    usesPorts: true,
    extension: 'yaml',
    mediaType: 'application/yaml; charset=utf-8',
    description:
      'A networking.k8s.io/v1 NetworkPolicy (YAML) allowing ingress from `ipBlock`s to the given ports for all pods of its namespace.',
  },
  {
    id: 'terraform',
    title: 'Terraform tfvars (JSON)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: false,
    extension: 'auto.tfvars.json',
    mediaType: JSON_TYPE,
    description:
      'A `*.auto.tfvars.json` file setting the list variables NAME_ipv4 and NAME_ipv6 (e.g. for `cidr_blocks` / `ipv6_cidr_blocks`).',
  },
  {
    id: 'aws-sg',
    title: 'AWS security group ip-permissions (JSON)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: true,
    extension: 'json',
    mediaType: JSON_TYPE,
    description:
      'The JSON for `aws ec2 authorize-security-group-ingress --ip-permissions file://…`; refuses more than 60 rules per family (the default per-group quota) unless the limit is raised.',
  },
  {
    id: 'txt',
    title: 'plain text',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'txt',
    mediaType: TEXT,
    description: 'One canonical CIDR a line, IPv4 then IPv6, with `#` header lines.',
  },
  {
    id: 'json',
    title: 'JSON',
    lineOriented: false,
    families: [4, 6],
    usesPorts: false,
    extension: 'json',
    mediaType: JSON_TYPE,
    description: '`{ "feeds": [...], "ipv4": [...], "ipv6": [...] }`, canonical and sorted.',
  },
]

/** Whether `text` is one of the {@link FORMAT_IDS}. */
export function isFormatId(text: string): text is FormatId {
  return (FORMAT_IDS as readonly string[]).includes(text)
}

/** The catalogue entry of a format id. */
export function formatInfo(id: FormatId): FormatInfo {
  const info = FORMATS.find((f) => f.id === id)
  if (info === undefined) throw new RangeError(`no format '${id}'`)
  return info
}
