/** @module What every renderer takes: the merged address sets, the feeds they came from, options. */

/** One feed that contributed to the rendered set; goes into the header of the output. */
export interface FeedRef {
  /** `provider/list`, e.g. `github/hooks`: letters, digits, `.`, `_`, `-`, `/` only. */
  readonly id: string
  /** The snapshot version the set was taken from. */
  readonly version?: string
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

/** A transport protocol a port rule applies to. */
export type Protocol = 'tcp' | 'udp'

/** One guarded port or inclusive port range, e.g. `{ port: 443, protocol: 'tcp' }`. */
export interface PortSpec {
  /** 1-65535, or an inclusive `[from, to]` range with from <= to. */
  readonly port: number | readonly [number, number]
  readonly protocol: Protocol
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
  ufwRules: 200,
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
  readonly limits?: RenderLimits
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
