/**
 * @module Helpers every reader shares: ports and service names, address lists into an
 * {@link AddressMatch}, and a mutable draft that becomes a {@link FirewallRule}.
 */
import { parsePortText } from '../parse-port-text.ts'
import { IpSet, toAddressValue, toCidrRange, type Family } from '../ip/index.ts'
import { PolicyError } from './policy-error.ts'
import { toInterfacePattern } from './interfaces.ts'
import { SERVICE_NAME_MAX, servicePort } from './service-names.ts'
import type {
  AddressMatch,
  FirewallRule,
  InterfaceMatch,
  PortRange,
  RuleVerdict,
  TransportProtocol,
} from './types.ts'

/**
 * A port number or an /etc/services name (resolved over `protocol` only, when given: see
 * {@link servicePort}); undefined when neither.
 */
export function parsePortNumber(text: string, protocol?: TransportProtocol): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text)
    return n >= 0 && n <= 65535 ? n : undefined
  }
  return servicePort(text, protocol)
}

/**
 * `22`, `1000:2000`, `1000-2000`, `ssh`, `dhcpv6-client`, `http-alt:8090`; undefined when not a
 * port or range. A name with a dash is a name first, then a range at the dash where both sides
 * resolve (nft writes ranges with a dash).
 */
export function parsePortRange(text: string, protocol?: TransportProtocol): PortRange | undefined {
  // no range is longer than two of the longest names: bounds the tries on any input
  if (text.length > 2 * SERVICE_NAME_MAX + 1) return undefined
  const r = parsePortText(text, { min: 0, resolve: (word) => servicePort(word, protocol) })
  return r.ok ? r.ports : undefined
}

/** An address list (CIDRs, bare addresses, `a-b` ranges) into per-family sets. */
export function addressSets(
  values: readonly string[],
  where: { file: string; line: number },
): { ipv4: IpSet; ipv6: IpSet } {
  const v4: [bigint, bigint][] = []
  const v6: [bigint, bigint][] = []
  for (const value of values) {
    const dash = value.indexOf('-')
    if (dash > 0) {
      const a = value.slice(0, dash)
      const b = value.slice(dash + 1)
      const from = toAddressValue(a)
      const to = toAddressValue(b)
      if (from !== undefined && from.family === to?.family && from.value <= to.value) {
        ;(from.family === 4 ? v4 : v6).push([from.value, to.value + 1n])
        continue
      }
    }
    const r = toCidrRange(value)
    if (r === undefined)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${where.file}:${where.line}: '${value}' is not an address, CIDR or range`,
        where,
      )
    ;(r.family === 4 ? v4 : v6).push([r.start, r.end])
  }
  // the empty sets are shared: most rules name one family (a big dump has a million of them)
  return {
    ipv4: v4.length === 0 ? IpSet.empty(4) : IpSet.fromValueRanges(4, v4),
    ipv6: v6.length === 0 ? IpSet.empty(6) : IpSet.fromValueRanges(6, v6),
  }
}

/** An address match over the sets; `negate` inverts it. */
export function addressMatch(sets: { ipv4: IpSet; ipv6: IpSet }, negate = false): AddressMatch {
  return { ipv4: sets.ipv4, ipv6: sets.ipv6, negate }
}

/** Intersects two address matches (a rule with `-s` twice, `ip saddr` and `@set`). */
export function andAddress(a: AddressMatch | undefined, b: AddressMatch): AddressMatch {
  if (a === undefined) return b
  const eff = (m: AddressMatch, f: Family) => {
    const s = f === 4 ? m.ipv4 : m.ipv6
    return m.negate ? s.complement() : s
  }
  return {
    ipv4: eff(a, 4).intersection(eff(b, 4)),
    ipv6: eff(a, 6).intersection(eff(b, 6)),
    negate: false,
  }
}

/**
 * A DNAT target (`ADDR`, `ADDR:PORT`, `[V6ADDR]:PORT`, `:PORT`; iptables' `--to-destination`,
 * nft's `dnat to`) or a REDIRECT one (`PORT`, `:PORT`). A range of addresses or ports spreads
 * connections over several: the first is taken and `range` says so. Undefined when unreadable.
 */
export function parseNatTarget(
  value: string,
  redirect: boolean,
): { addr?: string; port?: number; range: boolean } | undefined {
  let addrText = ''
  let portText: string | undefined
  const bracket = /^\[([^\]]+)\](?::(.+))?$/.exec(value)
  if (redirect) portText = value.replace(/^:/, '')
  else if (bracket) [, addrText = '', portText] = bracket
  // more than one colon and no brackets: a bare IPv6 address
  else if (value.indexOf(':') !== value.lastIndexOf(':')) addrText = value
  else [addrText = '', portText] = value.split(':')
  const addr = addrText.split('-')[0]!
  const port = portText === undefined ? undefined : parsePortRange(portText)?.[0]
  if (addr !== '' && toCidrRange(addr) === undefined) return undefined
  if (portText !== undefined && (port === undefined || port === 0)) return undefined
  return {
    ...(addr !== '' ? { addr } : {}),
    ...(port !== undefined ? { port } : {}),
    range: addrText.includes('-') || (portText?.includes('-') ?? false),
  }
}

/** A rule while a reader collects its matches. */
export interface RuleDraft {
  family?: Family
  protocols?: TransportProtocol[]
  dports?: { ranges: PortRange[]; negate: boolean }
  saddr?: AddressMatch
  daddr?: AddressMatch
  states?: { new: boolean; established: boolean }
  iif?: InterfaceMatch
  oif?: InterfaceMatch
  origDports?: { ranges: PortRange[]; negate: boolean }
  dstLocal?: boolean
  dnat?: boolean
  never?: boolean
  verdict?: RuleVerdict
}

/** An interface match on names as configs write them (`eth+`, `"wg*"`, `lo`). */
export function interfaceMatch(names: readonly string[], negate: boolean): InterfaceMatch {
  return { names: names.map(toInterfacePattern), negate }
}

/** The address types (`--dst-type`, `fib daddr type`) a packet from outside can have. */
const ADDRESS_TYPES = new Set([
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
])

/**
 * Narrows a draft by an address-type match (`-m addrtype --dst-type LOCAL,BROADCAST`, nft
 * `fib daddr type local`). The packets modelled are unicast, to this host (LOCAL) or, after DNAT,
 * to a container, from remote unicast sources. False (nothing narrowed) when a type is unknown.
 */
export function narrowAddressType(
  draft: RuleDraft,
  types: readonly string[],
  negate: boolean,
  side: 'dst' | 'src',
): boolean {
  const lower = types.map((t) => t.toLowerCase())
  if (!lower.every((t) => ADDRESS_TYPES.has(t))) return false
  const unicast = lower.includes('unicast')
  const remote = unicast !== negate
  const local = (unicast || lower.includes('local')) !== negate
  if (side === 'src' || local === remote) {
    if (!remote) draft.never = true
  } else draft.dstLocal = local
  return true
}

/** Narrows a draft's protocols to `protocols` (intersection with what it already has). */
export function narrowProtocols(draft: RuleDraft, protocols: readonly TransportProtocol[]): void {
  draft.protocols = draft.protocols
    ? draft.protocols.filter((p) => protocols.includes(p))
    : [...protocols]
}

/**
 * Connection states from `NEW,ESTABLISHED,...` names; `negate` inverts. DNAT/SNAT (conntrack
 * status, not state) say nothing about new versus established: alone they give undefined.
 */
export function parseStates(
  names: readonly string[],
  negate: boolean,
): { new: boolean; established: boolean } | undefined {
  const lower = names.map((n) => n.toLowerCase())
  if (lower.every((n) => n === 'dnat' || n === 'snat'))
    return negate ? { new: false, established: false } : undefined
  const isNew = lower.includes('new') || lower.includes('untracked')
  const est = lower.includes('established') || lower.includes('related')
  return negate ? { new: !isNew, established: !est } : { new: isNew, established: est }
}

/**
 * A finished rule. Built by a constructor, not a literal with a spread per optional field: V8
 * sizes a constructor's objects to the fields its first objects hold (a dump's rule holds six or
 * seven), where such a literal reserves a slot for every field that might be (fifteen); a
 * million-rule dump notices the difference. Absent fields are absent, not undefined.
 */
class Rule implements FirewallRule {
  declare readonly file: string
  declare readonly line: number
  declare readonly text: string
  declare readonly family?: 4 | 6
  declare readonly protocols?: readonly TransportProtocol[]
  declare readonly dports?: FirewallRule['dports']
  declare readonly saddr?: AddressMatch
  declare readonly daddr?: AddressMatch
  declare readonly states?: FirewallRule['states']
  declare readonly iif?: InterfaceMatch
  declare readonly oif?: InterfaceMatch
  declare readonly dnat?: boolean
  declare readonly origDports?: FirewallRule['origDports']
  declare readonly dstLocal?: boolean
  declare readonly never?: boolean
  declare readonly verdict: RuleVerdict
  constructor(d: RuleDraft, where: { file: string; line: number; text: string }) {
    const self = this as { -readonly [K in keyof FirewallRule]: FirewallRule[K] }
    self.file = where.file
    self.line = where.line
    self.text = ruleText(where.text)
    if (d.family !== undefined) self.family = d.family
    if (d.protocols !== undefined) self.protocols = d.protocols
    if (d.dports !== undefined) self.dports = d.dports
    if (d.saddr !== undefined) self.saddr = d.saddr
    if (d.daddr !== undefined) self.daddr = d.daddr
    if (d.states !== undefined) self.states = d.states
    if (d.iif !== undefined) self.iif = d.iif
    if (d.oif !== undefined) self.oif = d.oif
    if (d.dnat !== undefined) self.dnat = d.dnat
    if (d.origDports !== undefined) self.origDports = d.origDports
    if (d.dstLocal !== undefined) self.dstLocal = d.dstLocal
    if (d.never) self.never = true
    self.verdict = d.verdict ?? CONTINUE
  }
}

const CONTINUE: RuleVerdict = Object.freeze({ kind: 'continue' })

/** A rule as written, for messages: at most 200 characters. */
export function ruleText(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 197)}...` : raw
}

/** The finished rule. */
export function finishRule(
  draft: RuleDraft,
  where: { file: string; line: number; text: string },
): FirewallRule {
  return new Rule(draft, where)
}

/** A parsed JSON/YAML scalar as text (strings as they are, numbers and booleans printed); other values as JSON. */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (v === undefined) return ''
  return JSON.stringify(v) ?? ''
}

/**
 * The rule stateful firewalls that are not written out imply (ufw's before.rules, AWS security
 * groups): replies to allowed connections come back in. Attributed to `line`.
 */
export function impliedEstablished(file: string, line: number, text: string): FirewallRule {
  return finishRule(
    { states: { new: false, established: true }, verdict: { kind: 'accept' } },
    { file, line, text },
  )
}

const ACCEPT: RuleVerdict = Object.freeze({ kind: 'accept' })
const DROP: RuleVerdict = Object.freeze({ kind: 'drop' })

/**
 * What ufw loads for IPv6 when /etc/default/ufw says `IPV6=no` (ufw-init-functions, ufw 0.36):
 * no rule of its own, `ip6tables` policies DROP and an accept on lo only, so every IPv6 packet to
 * or from this host is dropped, replies included. The first rule of the `hook` chain, at `line`.
 */
export function ufwIpv6Off(file: string, line: number, hook: 'input' | 'output'): FirewallRule {
  const notLo = interfaceMatch(['lo'], true)
  return finishRule(
    { family: 6, ...(hook === 'input' ? { iif: notLo } : { oif: notLo }), verdict: DROP },
    {
      file,
      line,
      text: `ufw with IPV6=no: ip6tables -P ${hook === 'input' ? 'INPUT' : 'OUTPUT'} DROP, IPv6 accepted on lo only`,
    },
  )
}

/** How the texts of the rules {@link ufwBeforeRules} implies begin (findings tell them by it). */
export const UFW_BEFORE_RULES = 'ufw before.rules'
const LINK_LOCAL = addressMatch({ ipv4: IpSet.empty(4), ipv6: IpSet.fromCidrs(6, ['fe80::/10']) })

/**
 * What ufw's stock before.rules and before6.rules (ufw 0.36, as Debian ships them in
 * /etc/ufw) accept ahead of every user rule, for TCP and UDP to this host, attributed to `line`:
 * - replies to allowed connections (`--ctstate RELATED,ESTABLISHED`);
 * - the DHCP client's port: `-p udp --sport 67 --dport 68` from anywhere (a sender picks its own
 *   source port, so the source port admits anyone who sets it), and for DHCPv6
 *   `-p udp -s fe80::/10 --sport 547 -d fe80::/10 --dport 546`, from and to link-local addresses.
 * Their other accepts are ICMP, loopback, or to multicast groups (mDNS, UPnP), which traffic to
 * this host's unicast addresses never matches. `families`: the families the file filters.
 */
export function ufwBeforeRules(
  file: string,
  line: number,
  families: readonly Family[],
): FirewallRule[] {
  const udp = (port: number) => ({ ranges: [[port, port] as const], negate: false })
  const rules = [impliedEstablished(file, line, 'ufw before.rules: ESTABLISHED,RELATED accept')]
  if (families.includes(4))
    rules.push(
      finishRule(
        { family: 4, protocols: ['udp'], dports: udp(68), verdict: ACCEPT },
        {
          file,
          line,
          text: `${UFW_BEFORE_RULES} (DHCP client): -p udp --sport 67 --dport 68 -j ACCEPT`,
        },
      ),
    )
  if (families.includes(6))
    rules.push(
      finishRule(
        {
          family: 6,
          protocols: ['udp'],
          dports: udp(546),
          saddr: LINK_LOCAL,
          daddr: LINK_LOCAL,
          verdict: ACCEPT,
        },
        {
          file,
          line,
          text: `${UFW_BEFORE_RULES} (before6.rules, DHCPv6 client): -p udp -s fe80::/10 --sport 547 -d fe80::/10 --dport 546 -j ACCEPT`,
        },
      ),
    )
  return rules
}
