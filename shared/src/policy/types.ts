/**
 * @module The port-policy model (what a platform needs open, may open, must keep closed), the
 * normalised firewall-config model every reader produces, and the findings the evaluator returns.
 */
import type { Family, IpSet, TransportProtocol } from '../ip/index.ts'

// the readers and the evaluator import these from here
export type { Family, TransportProtocol }

/** Which way a connection is opened, seen from the host the firewall protects. */
export type TrafficDirection = 'inbound' | 'outbound'

/** An inclusive port range `[from, to]`, 1 <= from <= to <= 65535; one port is `[p, p]`. */
export type PortRange = readonly [number, number]

/**
 * Where traffic may come from (inbound) or go to (outbound): `any` (the whole Internet,
 * `0.0.0.0/0` and `::/0`), a CIDR or bare address, or `feed:<id>` naming a feed, e.g.
 * `feed:coolify/cloud`, resolved at evaluation time from {@link EvaluateOptions.feedSets}.
 */
export type PolicySource = string

/**
 * What a policy rule demands of the ports it names:
 * - `require`: reachable from all of `sources` (default `any`); failing is an error.
 * - `forbid-public`: never reachable from the public Internet (a block wider than a public /16
 *   in IPv4 or /48 in IPv6; naming hosts or private networks is fine).
 * - `restrict`: reachable only from `sources`; any other source that gets in is an error.
 * - `allow`: optional; reachable or not, no finding (it only exempts the port from `unlisted`).
 */
export type PolicyRuleKind = 'require' | 'forbid-public' | 'restrict' | 'allow'

/** One rule of a policy. */
export interface PolicyRule {
  /** Stable id, unique in its policy (SARIF `ruleId`), e.g. `require-ssh`. */
  readonly id: string
  readonly kind: PolicyRuleKind
  readonly direction: TrafficDirection
  readonly protocol: TransportProtocol
  readonly ports: PortRange
  /** For `require` (default `['any']`) and `restrict` (required, non-empty). */
  readonly sources?: readonly PolicySource[]
  /** What the port is for, e.g. `SSH access for OEC.sh management`. */
  readonly title: string
  /** Overrides the default severity of this rule's findings. */
  readonly severity?: FindingSeverity
  /** Extra advice appended to the fix hint. */
  readonly hint?: string
}

/** What to say about reachable ports no rule names: `deny` errors, `warn` warns, `ignore` says nothing. */
export type UnlistedStance = 'deny' | 'warn' | 'ignore'

/** A port policy: a preset or a user's file. */
export interface Policy {
  /** Preset id (`coolify-self-hosted`) or the file's `id` (default: the file name). */
  readonly id: string
  readonly title: string
  /** Where the policy comes from: the seed file a preset cites, or the policy file's path. */
  readonly source: string
  readonly rules: readonly PolicyRule[]
  /** The stance for ports the rules do not name, per direction. */
  readonly unlisted: { readonly inbound: UnlistedStance; readonly outbound: UnlistedStance }
  /**
   * Whether the policy needs UDP return traffic to pass a stateless firewall: when true, every
   * outbound `require` rule on UDP also needs the inbound side to accept replies (established
   * state, or the sources' traffic outright).
   */
  readonly udpReturnTraffic?: boolean
  /** Advice that no config can show, e.g. Cumulocity's 14,400 s TCP session timeout. */
  readonly notes: readonly string[]
  /**
   * How to take the interfaces the configs name (`eth1: internal`); overrides the default
   * classification by name (see {@link InterfaceRole}).
   */
  readonly interfaces?: InterfaceRoles
}

/**
 * Whether traffic arriving on an interface comes from the Internet (`public`) or from this host,
 * its containers, VMs or a VPN (`internal`). By default `lo`, `docker*`, `br-*`, `veth*`,
 * `virbr*`, `lxcbr*`, `lxdbr*`, `incusbr*`, `cni*`, `flannel*`, `cali*`, `kube*`, `tailscale*`,
 * `wg*`, `tun*`, `tap*` and `zt*` are internal; every other name, and any interface no config
 * names, public.
 */
export type InterfaceRole = 'public' | 'internal'

/**
 * Interface roles by name. A name ending in `*` (or iptables' `+`) covers every name it starts;
 * `*` alone covers every interface no other key names, "any other interface" included.
 */
export type InterfaceRoles = Readonly<Record<string, InterfaceRole>>

/** The formats {@link readFirewallConfig} understands. */
export type ConfigFormat =
  | 'nftables'
  | 'nft-json'
  | 'iptables-save'
  | 'ufw-rules'
  | 'ufw-status'
  /** A shell file of `ufw allow|deny|insert|delete|default ...` commands. */
  | 'ufw-commands'
  | 'docker-compose'
  | 'aws-sg'
  /** An `ipset save` file: no rules, only the sets `-m set --match-set` names. */
  | 'ipset'

/** Where a config sits on the path of a packet: configs of different layers all must let it in. */
export type ConfigLayer = 'host' | 'docker' | 'cloud'

/** A rule's verdict in the normalised model. */
export type RuleVerdict =
  | { readonly kind: 'accept' | 'drop' | 'return' | 'continue' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  /**
   * Destination NAT (a `nat` table's DNAT / `dnat to`, Docker's published ports): the packet
   * goes on to `addr` (undefined: this host, as REDIRECT) and `port` (undefined: unchanged).
   * Ends the nat chain's walk like accept.
   */
  | { readonly kind: 'dnat'; readonly addr?: string; readonly port?: number }

/**
 * An interface match: the packet's interface is (or with `negate`, is not) one of `names`; a
 * name ending in `*` matches every interface whose name starts with the rest (iptables `eth+`,
 * nftables `"eth*"`).
 */
export interface InterfaceMatch {
  readonly names: readonly string[]
  readonly negate: boolean
}

/** An address match: the packet's address is (or with `negate`, is not) in the sets. */
export interface AddressMatch {
  readonly ipv4: IpSet
  readonly ipv6: IpSet
  readonly negate: boolean
}

/** One firewall rule, normalised. Absent fields match everything. */
export interface FirewallRule {
  readonly file: string
  /** 1-based line of the rule in its file. */
  readonly line: number
  /** The rule as written (trimmed, at most 200 characters), for messages. */
  readonly text: string
  /** Only this family (e.g. `ip saddr` in an `inet` table implies 4). */
  readonly family?: Family
  /** Protocols the rule matches; `[]` means none of TCP/UDP (ICMP, ...): it never matches. */
  readonly protocols?: readonly TransportProtocol[]
  /** Destination ports; a rule with ports matches only TCP/UDP. */
  readonly dports?: { readonly ranges: readonly PortRange[]; readonly negate: boolean }
  readonly saddr?: AddressMatch
  readonly daddr?: AddressMatch
  /** Connection states the rule matches; absent = all. */
  readonly states?: { readonly new: boolean; readonly established: boolean }
  /** The interface the packet came in on (`-i`, `iifname`, `iif`). */
  readonly iif?: InterfaceMatch
  /** The interface the packet goes out on (`-o`, `oifname`, `oif`). */
  readonly oif?: InterfaceMatch
  /**
   * The destination port before NAT (`--ctorigdstport`, `ct original proto-dst`): on a
   * published port, the host port where `dports` sees the container's.
   */
  readonly origDports?: { readonly ranges: readonly PortRange[]; readonly negate: boolean }
  /**
   * Whether the destination must (true) or must not (false) be an address of this host
   * (`-m addrtype --dst-type LOCAL`, `fib daddr type local`): after DNAT to a container it is not.
   */
  readonly dstLocal?: boolean
  /**
   * Whether the connection must (true) or must not (false) have been destination-NATed
   * (`ct status dnat`): traffic to this host's own port was not, a published port's was.
   */
  readonly dnat?: boolean
  /** True when the rule can never match external traffic (a rate limit's repeat, no family). */
  readonly never?: boolean
  readonly verdict: RuleVerdict
  /**
   * Set when the rule stands for consecutive rules that differ only in their one source range
   * (rule-run.ts): `saddr` is their union, `line` and `text` are the first one's.
   */
  readonly run?: RuleRun
}

/** The rules a run of rules stands for: which one holds an address. */
export interface RuleRun {
  /** How many rules the run holds (two or more). */
  readonly count: number
  /** The line and text of the run's first rule whose source holds `address`; undefined if none. */
  memberOf(family: Family, address: bigint): { line: number; text: string } | undefined
}

/**
 * Where a base chain sees packets: `input`/`output` inbound/outbound traffic of this host,
 * `forward` traffic it routes (to containers, after DNAT), `prerouting` the `nat` table's
 * destination NAT before routing, and `docker-user` Docker's DOCKER-USER chain, which guards the
 * ports a compose file publishes.
 */
export type ChainHook = 'input' | 'output' | 'forward' | 'prerouting' | 'docker-user'

/** A chain; base chains have a hook, a priority and a default policy. */
export interface FirewallChain {
  readonly name: string
  readonly rules: readonly FirewallRule[]
  readonly hook?: ChainHook
  readonly priority?: number
  /** Base chains that see one family only (nftables `ip`/`ip6` tables). */
  readonly family?: Family
  /** Base chains only: what happens at the end of the chain. */
  readonly policy?: 'accept' | 'drop'
  /** Where the policy is declared (for findings that the policy decides). */
  readonly policyLine?: number
}

/** A port a compose file publishes on the host (Docker's DNAT bypasses the INPUT chain). */
export interface PublishedPort {
  readonly ports: PortRange
  readonly protocol: TransportProtocol
  /** The host address it binds; undefined binds all addresses of both families. */
  readonly hostIp?: string
  /**
   * The families the NAT publishes it in, when not both (`docker run -p` on the default bridge:
   * IPv4; IPv6 clients reach docker-proxy, a socket of the host's, through its input rules).
   */
  readonly families?: readonly Family[]
  /** The container's first port (host port `ports[0] + k` goes to `target + k`); undefined: the same. */
  readonly target?: number
  readonly service: string
  readonly line: number
}

/**
 * A reader's note on something it could not model exactly, at the file and line it is about
 * (`formatReaderWarning` prints it as `FILE:LINE: message`).
 */
export interface ReaderWarning {
  readonly file: string
  /** 1-based; undefined when the note is about the whole file. */
  readonly line?: number
  readonly message: string
}

/** A firewall config as read from one file. */
export interface FirewallConfig {
  readonly file: string
  readonly format: ConfigFormat
  readonly layer: ConfigLayer
  /** The address families the config decides for (e.g. `iptables-save` is IPv4 only). */
  readonly families: readonly Family[]
  readonly chains: readonly FirewallChain[]
  /** docker-compose, and the ports a ufw script's `docker run -p` publishes. */
  readonly published: readonly PublishedPort[]
  /** Things the reader could not model exactly (unknown matches, rate limits, lines not read). */
  readonly warnings: readonly ReaderWarning[]
  /**
   * Whether the file is a whole ruleset (`nft list ruleset`, a complete `iptables-save`): then a
   * hook without a chain is a decision (the kernel accepts everything there), not a gap. A
   * fragment (an `include`-only file, ufw's after.rules) decides only the hooks it has chains on.
   */
  readonly whole?: boolean
}

/** How severe a finding is (SARIF levels). */
export type FindingSeverity = 'error' | 'warning' | 'note'

/** One result of checking configs against a policy. */
export interface Finding {
  /** The policy rule id (`require-ssh`), or `unlisted-inbound`, `unlisted-outbound`, `udp-return`, `note`. */
  readonly rule: string
  readonly severity: FindingSeverity
  /** The port or range, e.g. `5432` or `49152-65535`; undefined for notes. */
  readonly port?: string
  readonly protocol?: TransportProtocol
  readonly direction?: TrafficDirection
  /** The file and line of the deciding firewall rule (or chain policy); undefined for notes. */
  readonly file?: string
  readonly line?: number
  readonly message: string
  /** How to fix it. */
  readonly hint: string
  /** The sources that get in (or the required ones that do not), canonical CIDRs, at most 20. */
  readonly sources?: readonly string[]
}

/** The sources reaching one port range, per family (undefined: no config decides that family). */
export interface ReachEntry {
  readonly direction: TrafficDirection
  readonly protocol: TransportProtocol
  readonly ports: PortRange
  /** The sources that reach it; `.toCidrs()` lists them (the minimal cover, canonical). */
  readonly ipv4?: IpSet
  readonly ipv6?: IpSet
}

/** The feeds' addresses a policy names, keyed by feed id (`coolify/cloud`). */
export type FeedSets = ReadonlyMap<string, { readonly ipv4: CidrSource; readonly ipv6: CidrSource }>

/** Anything that lists canonical CIDRs: the IP engine's IpSet, for one. */
export interface CidrSource {
  toCidrs(): readonly string[]
}

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** Every feed {@link requiredFeeds} names; a missing one is an ERR_POLICY_FEED error. */
  readonly feedSets?: FeedSets
  /**
   * Interface roles (`--interface`, the Action config) over the policy's own `interfaces`; used
   * when the configs are compiled here (compiled configs keep the roles they were compiled with).
   */
  readonly interfaces?: InterfaceRoles
}

/** The interfaces an evaluation took as public and as internal (names and `prefix*` patterns). */
export interface InterfacesTaken {
  /** `any other interface` stands for every interface no config names. */
  readonly public: readonly string[]
  readonly internal: readonly string[]
}

/** A direction and family of traffic the policy asks about that no config decides. */
export interface Unchecked {
  readonly direction: TrafficDirection
  readonly family: Family
}

/** What {@link evaluatePolicy} returns. */
export interface Evaluation {
  /** Most severe first, then by file, line, port. */
  readonly findings: readonly Finding[]
  /** Who reaches what: contiguous port ranges with identical reach, for every port a rule names. */
  readonly reach: readonly ReachEntry[]
  /** Traffic arriving on these interfaces is what the findings are about. */
  readonly interfaces: InterfacesTaken
  /** What the policy asks about and no config decides (see {@link verdictOf}). */
  readonly unchecked: readonly Unchecked[]
  /**
   * `nothing-checked` when the policy asks about inbound (or outbound) traffic and no config
   * decides any of it (a fragment, an include-only file): no verdict can be given.
   */
  readonly verdict: 'compliant' | 'not-compliant' | 'nothing-checked'
}
