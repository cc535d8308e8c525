/**
 * @module The catalogue of output formats: the ids the CLI, the config file and the worker's
 * `?format=` accept, with what each one is for.
 */
import type { Family } from '../ip/index.ts'

/** Every output format id, in the order `allowlist-sync formats` lists them. */
export const FORMAT_IDS = [
  'nftables',
  'iptables',
  'ip6tables',
  'ipset',
  'ufw',
  'docker-user',
  'firewalld-ipset',
  'firewalld-ipset6',
  'firewalld-policy',
  'nginx',
  'apache',
  'caddy',
  'traefik',
  'traefik-toml',
  'traefik-labels',
  'traefik-crd',
  'haproxy',
  'k8s-networkpolicy',
  'terraform',
  'aws-sg',
  'hcloud-rules',
  'terraform-hcloud',
  'terraform-digitalocean',
  'terraform-aws-prefix-list',
  'terraform-google',
  'terraform-azurerm',
  'terraform-cloudflare',
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
  readonly families: readonly Family[]
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
const YAML = 'application/yaml; charset=utf-8'
const XML = 'application/xml; charset=utf-8'

/** A Terraform cloud format: a managed block of HCL for a `.tf` file. */
function terraform(
  id: FormatId,
  title: string,
  usesPorts: boolean,
  description: string,
): FormatInfo {
  return {
    id,
    title,
    lineOriented: true,
    families: [4, 6],
    usesPorts,
    extension: 'tf',
    mediaType: TEXT,
    description,
  }
}

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
      "`ufw allow from CIDR to any port P proto tcp comment '…'` lines, after `ufw delete allow …` lines for the rules of the previous block (or of `removed`) that the new list no longer wants; refuses more than 200 commands (`limits.ufwRules`): use ipset or nftables for big lists.",
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
    id: 'firewalld-ipset',
    title: 'firewalld ipset (IPv4, XML)',
    lineOriented: false,
    families: [4],
    usesPorts: false,
    extension: 'xml',
    mediaType: XML,
    description:
      'The `hash:net` ipset NAME-v4 for `/etc/firewalld/ipsets/NAME-v4.xml` (empty when the feeds have no IPv4, so the policy still loads); used by `firewalld-policy`.',
  },
  {
    id: 'firewalld-ipset6',
    title: 'firewalld ipset (IPv6, XML)',
    lineOriented: false,
    families: [6],
    usesPorts: false,
    extension: 'xml',
    mediaType: XML,
    description:
      'The IPv6 twin of `firewalld-ipset`: NAME-v6 for `/etc/firewalld/ipsets/NAME-v6.xml`.',
  },
  {
    id: 'firewalld-policy',
    title: 'firewalld policy (XML, rich rules)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: true,
    extension: 'xml',
    mediaType: XML,
    description:
      'The policy `/etc/firewalld/policies/NAME.xml` (ANY zone to HOST, before the zones): on the ports, drops sources outside the ipsets NAME-v4 / NAME-v6 and accepts those inside. Carries no addresses itself.',
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
      'A Caddyfile snippet `(NAME)`: a `not remote_ip` matcher and a `redir` with status 403, which Caddy runs before any handle, route, respond, reverse_proxy, php_fastcgi or file_server; `import NAME` at the top of a site block. Accepted by Caddy 2.6 and later.',
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
      'A file-provider document defining the middleware NAME with `ipAllowList.sourceRange` for HTTP and TCP routers (Traefik v3; v2 calls it `ipWhiteList`), with `ipStrategy` behind another proxy. The proxy of Coolify.',
  },
  {
    id: 'traefik-toml',
    title: 'Traefik dynamic configuration (TOML)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: false,
    extension: 'toml',
    mediaType: 'application/toml; charset=utf-8',
    description:
      'The TOML twin of `traefik`: `[http.middlewares.NAME.ipAllowList]` and `[tcp.middlewares.NAME.ipAllowList]`.',
  },
  {
    id: 'traefik-labels',
    title: 'Traefik Docker labels',
    lineOriented: true,
    families: [4, 6],
    usesPorts: false,
    extension: 'labels',
    mediaType: TEXT,
    description:
      '`traefik.http.middlewares.NAME.ipallowlist.sourcerange=…` (and tcp) lines, for `docker run --label-file` or the container labels of a Coolify service.',
  },
  {
    id: 'traefik-crd',
    title: 'Traefik Kubernetes Middleware CRDs',
    lineOriented: false,
    families: [4, 6],
    usesPorts: false,
    extension: 'yaml',
    mediaType: YAML,
    description:
      'A `traefik.io/v1alpha1` Middleware and MiddlewareTCP NAME with `ipAllowList`, for IngressRoute and IngressRouteTCP.',
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
    id: 'hcloud-rules',
    title: 'Hetzner Cloud firewall rules (JSON)',
    lineOriented: false,
    families: [4, 6],
    usesPorts: true,
    extension: 'json',
    mediaType: JSON_TYPE,
    description:
      'The rules for `hcloud firewall replace-rules --rules-file FILE NAME`: inbound rules of at most 100 sources, refused past 50 rules or 500 effective rules per firewall.',
  },
  terraform(
    'terraform-hcloud',
    'Terraform hcloud_firewall',
    true,
    'An `hcloud_firewall` NAME with the same inbound rules as `hcloud-rules`; attach it with `hcloud_firewall_attachment`.',
  ),
  terraform(
    'terraform-digitalocean',
    'Terraform digitalocean_firewall',
    true,
    'A `digitalocean_firewall` NAME whose `inbound_rule`s admit the sources (`source_addresses`, 1,000 a rule, 50 rules a firewall), applied to `var.NAME_droplet_ids` / `var.NAME_tags`.',
  ),
  terraform(
    'terraform-aws-prefix-list',
    'Terraform AWS managed prefix lists',
    true,
    '`aws_ec2_managed_prefix_list` NAME-v4 / NAME-v6 (`max_entries` = entries) and one `aws_vpc_security_group_ingress_rule` per family and port referencing them from `var.NAME_security_group_id`.',
  ),
  terraform(
    'terraform-google',
    'Terraform google_compute_firewall',
    true,
    '`google_compute_firewall` ingress rules NAME-v4-1, NAME-v6-1, … (`source_ranges`, split at 5,000 a rule) on `var.NAME_network`.',
  ),
  terraform(
    'terraform-azurerm',
    'Terraform azurerm_network_security_rule',
    true,
    'Inbound Allow `azurerm_network_security_rule`s (`source_address_prefixes`, 4,000 per security group) with priorities from `var.NAME_priority`.',
  ),
  terraform(
    'terraform-cloudflare',
    'Terraform cloudflare_list (IP list)',
    false,
    'A `cloudflare_list` of kind `ip` (provider 5.x) for WAF custom rules (`ip.src in $NAME`); IPv6 longer than /64 is refused.',
  ),
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
