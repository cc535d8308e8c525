/** @module What every renderer takes: the merged address sets, the feeds they came from, options. */
import type { TransportProtocol } from '../ip/index.ts'

/** One feed that contributed to the rendered set; goes into the header of the output. */
export interface FeedRef {
  /** `provider/list`, e.g. `github/hooks`: letters, digits, `.`, `_`, `-`, `/` only. */
  readonly id: string
  /**
   * The snapshot version the set was taken from, where there is a history to count versions
   * (the worker's, or the Action's lock file); leave it out rather than guess.
   */
  readonly version?: string
  /** The publisher's own version or date of the list (Snapshot.upstreamVersion). */
  readonly upstreamVersion?: { readonly field: string; readonly value: string }
  /** The snapshot's sha256 over its canonical lists (hex). */
  readonly sha256?: string
  /** Where the feed was fetched from (a URL). */
  readonly source?: string
}

/** The set to render: the union of the feeds' canonical CIDRs, one list per family. */
export interface RenderInput {
  readonly feeds: readonly FeedRef[]
  /**
   * IPv4 CIDRs. Renderers re-canonicalise and merge them through the IP engine anyway (defence
   * in depth): host bits are cleared, overlaps merged, order made ascending.
   */
  readonly ipv4: readonly string[]
  /** IPv6 CIDRs, same treatment. */
  readonly ipv6: readonly string[]
}

/** One guarded port or inclusive port range, e.g. `{ port: 443, protocol: 'tcp' }`. */
export interface PortSpec {
  /** 1-65535, or an inclusive `[from, to]` range with from <= to. */
  readonly port: number | readonly [number, number]
  readonly protocol: TransportProtocol
}

/** Platform limits the renderers enforce; raise them when your account or cluster allows. */
export interface RenderLimits {
  /**
   * AWS: inbound rules per security group, counted per family; each CIDR x port spec is one
   * rule. Default 60 (the default quota, "Inbound or outbound rules per security group").
   */
  readonly awsRulesPerGroup?: number
  /**
   * Kubernetes: the largest manifest in bytes; etcd's default `--max-request-bytes` is 1.5 MiB
   * and the API server refuses larger objects. Default 1,500,000.
   */
  readonly k8sMaxBytes?: number
  /** ipset: the largest `maxelem` a set is created with. Default 16,777,216. */
  readonly ipsetMaxElements?: number
  /**
   * Hetzner Cloud: rules per firewall. Default 50 (API reference, "Set Rules": "Rules are limited
   * to 50 entries per Firewall and 500 effective rules").
   */
  readonly hcloudRulesPerFirewall?: number
  /**
   * Hetzner Cloud: effective rules per firewall, each source IP of each rule counted separately.
   * Default 500 (docs.hetzner.com/cloud/firewalls/faq: "up to 500 (effective) rules per Firewall").
   */
  readonly hcloudEffectiveRules?: number
  /** Hetzner Cloud: CIDRs in one rule's `source_ips`. Default 100 (API Rule schema, hcloud-python). */
  readonly hcloudIpsPerRule?: number
  /**
   * DigitalOcean: incoming plus outgoing rules per cloud firewall. Default 50
   * (docs.digitalocean.com/products/networking/firewalls/details/limits).
   */
  readonly digitaloceanRulesPerFirewall?: number
  /** DigitalOcean: entries in one rule's sources. Default 1,000 (same page). */
  readonly digitaloceanSourcesPerRule?: number
  /**
   * AWS: entries (`max_entries`) of one customer-managed prefix list. Default 1,000 (VPC quotas,
   * "Maximum number of entries per prefix list"). A security group rule that references a prefix
   * list counts as `max_entries` rules against {@link awsRulesPerGroup}.
   */
  readonly awsPrefixListEntries?: number
  /**
   * Google Cloud: source ranges in one VPC firewall rule. Default 5,000 (cloud.google.com/
   * firewall/docs/quotas, limits per firewall rule); longer lists are split across rules.
   */
  readonly gcpRangesPerRule?: number
  /**
   * Azure: source address prefixes in the rules of one network security group. Default 4,000
   * ("IP addresses and ranges specified for source or destination in a security group", Azure
   * networking limits); counted over all the rules this renders, so it also bounds each rule.
   */
  readonly azurePrefixesPerGroup?: number
  /** Azure: security rules per network security group. Default 1,000 (same table). */
  readonly azureRulesPerGroup?: number
  /**
   * Cloudflare: items in one list. Default 10,000 (developers.cloudflare.com/waf/tools/lists,
   * list item quota of the Free, Pro and Business plans; Enterprise accounts hold more).
   */
  readonly cloudflareListItems?: number
  /**
   * ufw: the most `ufw` commands a script may hold (each CIDR x port spec is one, `delete` lines
   * included). Every command is a process that takes 0.2-0.3 s on a 2-core machine and re-reads
   * the whole rule file, so 200 take about a minute per sync. Default 200; past it, use the ipset
   * or nftables format, which reload a set of any size in one step.
   */
  readonly ufwRules?: number
}

/** The defaults of {@link RenderLimits}. */
export const DEFAULT_LIMITS: Required<RenderLimits> = {
  awsRulesPerGroup: 60,
  k8sMaxBytes: 1_500_000,
  ipsetMaxElements: 16_777_216,
  hcloudRulesPerFirewall: 50,
  hcloudEffectiveRules: 500,
  hcloudIpsPerRule: 100,
  digitaloceanRulesPerFirewall: 50,
  digitaloceanSourcesPerRule: 1_000,
  awsPrefixListEntries: 1_000,
  gcpRangesPerRule: 5_000,
  azurePrefixesPerGroup: 4_000,
  azureRulesPerGroup: 1_000,
  cloudflareListItems: 10_000,
  ufwRules: 200,
}

/**
 * How Traefik finds the client address behind another proxy (`ipStrategy` of `ipAllowList`): the
 * `depth`-th address from the right of X-Forwarded-For, or the first one not in `excludedIPs`.
 * Traefik ignores `excludedIPs` when `depth` is set, so giving both is refused.
 */
export interface TraefikIpStrategy {
  /** 1 or more. */
  readonly depth?: number
  /** Addresses or CIDRs of the proxies in front (canonicalised like the allowlist). */
  readonly excludedIPs?: readonly string[]
}

/** How to render; every field is optional and validated per format. */
export interface RenderOptions {
  /**
   * The name of the set, chain, list, snippet or middleware. Letters, digits, `_` and `-`,
   * starting with a letter, at most 24 characters (iptables chains hold 28 and ipset names 31
   * with the `-v4`/`-v6` suffix). Default `allowlist-sync` (`allowlist_sync` where `-` is not
   * allowed). Anything else is an ERR_RENDER_NAME error, never escaped.
   */
  readonly name?: string
  /** Ports to guard: formats with usesPorts restrict only these; empty or absent means all. */
  readonly ports?: readonly PortSpec[]
  /**
   * A free-text comment for the header (and ufw's `comment '…'`, AWS's Description). At most
   * 200 characters, no control characters; quoted or refused per format.
   */
  readonly comment?: string
  /**
   * The previous list (pass the previous snapshot's `ipv4`/`ipv6`): `ufw` renders
   * `ufw delete allow …` lines for its CIDRs that are not, exactly, in the new list. ufw deletes
   * rules by their exact CIDR, so a Change's address-level `removed` is not enough: a `/24` that
   * shrank to a `/25` must delete the `/24` rule.
   */
  readonly removed?: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] }
  /**
   * The file the output will replace a block of (the whole text, as `--into` and the Action
   * read it). `ufw` reads the `ufw allow` and `ufw delete allow` rules of its previous block
   * (same name) and renders `ufw delete allow` for each one the new list no longer wants, so a
   * re-render closes what left the feed without `removed`. Other formats replace their block
   * whole and ignore it.
   */
  readonly previous?: string
  readonly limits?: RenderLimits
  /** Traefik formats only: where the client address comes from behind another proxy. */
  readonly ipStrategy?: TraefikIpStrategy
  /**
   * Packet filters that render rules (nftables with ports, iptables, ip6tables, ipset's reference
   * rules): let traffic that arrives on the loopback interface (`lo`: 127.0.0.0/8, ::1 and the
   * host's own addresses) through the guarded ports, whatever the allowlist says, so local health
   * checks and reverse proxies keep working. Default true. The match is on the interface, not on
   * source addresses: the kernel never accepts 127.0.0.0/8 or ::1 from the wire. ufw (its
   * before.rules accept `lo`) and docker-user (local connections to published ports never pass
   * DOCKER-USER) always let loopback through, and refuse `false` (ERR_RENDER_OPTION).
   */
  readonly exemptLoopback?: boolean
  /**
   * docker-user only: also let private sources through (10.0.0.0/8, 172.16.0.0/12,
   * 192.168.0.0/16, fc00::/7), as ufw-docker does. Default false: the allowlist is what the
   * feeds say, and the feed guards refuse private space precisely so that no source widens a
   * firewall without a reviewer seeing it. Turn it on when clients on your LAN, VPC or VPN, or
   * containers on another Docker network, reach published ports through the host's address.
   * Other formats refuse `true` (ERR_RENDER_OPTION).
   */
  readonly exemptPrivate?: boolean
  /**
   * nftables without ports: the table that holds the sets, `FAMILY NAME` (family ip, ip6 or
   * inet), so your own rules in that table can use `@NAME_v4` / `@NAME_v6`. Default
   * `inet filter`, the table of Debian's /etc/nftables.conf. With ports the output is a table of
   * its own (`inet NAME`) and this is not used.
   */
  readonly table?: string
}
