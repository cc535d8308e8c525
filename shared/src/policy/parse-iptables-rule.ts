/**
 * @module One iptables rule's words (after `-A CHAIN`) into a {@link FirewallRule}: addresses,
 * protocols, interfaces, ports, states, ipsets, rate limits and the target. Matches a big dump
 * repeats (ports, addresses, jumps) are read once and shared by the rules that name them.
 */
import { PolicyError } from './policy-error.ts'
import { rateNote } from './rate-note.ts'
import type { NamedSets } from './read-ipset-save.ts'
import * as build from './rule-builder.ts'
import type {
  AddressMatch,
  FirewallRule,
  PortRange,
  ReaderWarning,
  RuleVerdict,
  TransportProtocol,
} from './types.ts'

/** What a rule is read against: its file's family, the chains and sets it may name. */
export interface IptablesRuleContext {
  readonly chains: ReadonlyMap<string, unknown>
  readonly sets?: NamedSets | undefined
  readonly warnings: ReaderWarning[]
  readonly family: 4 | 6
  /** Refuse a jump to no chain and no known target (a whole file; ufw's files share chains). */
  readonly strict?: boolean
}

/** Where a rule is: its file, line and text (for messages). */
type Where = { readonly file: string; readonly line: number; readonly text: string }

const VERDICTS: Record<string, RuleVerdict> = {
  ACCEPT: Object.freeze({ kind: 'accept' }),
  DROP: Object.freeze({ kind: 'drop' }),
  REJECT: Object.freeze({ kind: 'drop' }),
  RETURN: Object.freeze({ kind: 'return' }),
}

const CONTINUE: RuleVerdict = Object.freeze({ kind: 'continue' })

/**
 * The target extensions of Debian's iptables 1.8 (`/usr/lib/x86_64-linux-gnu/xtables`, the
 * upper-case names) and QUEUE: a `-j` naming none of these nor a chain of the table is refused.
 */
const TARGET_EXTENSIONS = new Set(
  'AUDIT CHECKSUM CLASSIFY CLUSTERIP CONNMARK CONNSECMARK CT DNAT DNPT DSCP ECN HL HMARK IDLETIMER LED LOG MARK MASQUERADE NAT NETMAP NFLOG NFQUEUE NOTRACK QUEUE RATEEST REDIRECT REJECT SECMARK SET SNAT SNPT SYNPROXY TCPMSS TCPOPTSTRIP TEE TOS TPROXY TRACE TTL ULOG'.split(
    ' ',
  ),
)

/** The TCP flags `--tcp-flags` names (ALL is these six, as iptables has it). */
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG']

const TCP_UDP: readonly TransportProtocol[] = ['tcp', 'udp']

/** `-p` values, by name or number, that match TCP or UDP. */
const PROTOCOLS: Record<string, readonly TransportProtocol[]> = {
  tcp: ['tcp'],
  '6': ['tcp'],
  udp: ['udp'],
  '17': ['udp'],
  all: TCP_UDP,
  '0': TCP_UDP,
}

/**
 * Rate-limit options: `under` ones match a source's first connection (it is under any rate),
 * `over` ones do not (a first connection is never over it, nor already in a recent list).
 */
const RATE_OPTIONS: Record<string, { match: string; over: boolean }> = {
  '--limit': { match: 'limit', over: false },
  '--hashlimit': { match: 'hashlimit', over: false },
  '--hashlimit-upto': { match: 'hashlimit', over: false },
  '--hashlimit-above': { match: 'hashlimit', over: true },
  '--connlimit-upto': { match: 'connlimit', over: false },
  '--connlimit-above': { match: 'connlimit', over: true },
  '--set': { match: 'recent', over: false },
  '--update': { match: 'recent', over: true },
  '--rcheck': { match: 'recent', over: true },
  '--remove': { match: 'recent', over: true },
}

/** Options of the matches above (and of tcp) that change nothing a first connection meets. */
const QUIET_OPTIONS = new Set([
  '--name',
  '--mask',
  '--rsource',
  '--rdest',
  '--seconds',
  '--hitcount',
  '--rttl',
  '--reap',
  '--limit-burst',
  '--hashlimit-burst',
  '--hashlimit-mode',
  '--hashlimit-name',
  '--hashlimit-srcmask',
  '--hashlimit-dstmask',
  '--hashlimit-htable-size',
  '--hashlimit-htable-max',
  '--hashlimit-htable-expire',
  '--hashlimit-htable-gcinterval',
  '--connlimit-mask',
  '--connlimit-saddr',
  '--connlimit-daddr',
])

/** Options that take one value the model does not use (`-m NAME`, `--comment TEXT`, ...). */
const SKIPPED_WITH_VALUE = new Set([
  '-m',
  '--match',
  '--ctdir',
  '--comment',
  '--icmp-type',
  '--icmpv6-type',
])

/**
 * Port matches read before, by their text: a big dump names the same few ports a million times,
 * and each rule then shares one frozen match instead of holding its own copy. The map is cleared
 * when full, so that it stays small whatever the input. Addresses are not shared: a dump's
 * addresses are mostly distinct (bans), and its repeated rules are joined into runs
 * (rule-run.ts); a cache of them would only carry garbage into the old generation.
 */
const SHARED_MAX = 4096
const PORT_MATCHES = new Map<string, NonNullable<build.RuleDraft['dports']>>()

/** Remembers `value` under `key` in a bounded map of shared matches. */
function share<T>(map: Map<string, T>, key: string, value: T): T {
  if (map.size >= SHARED_MAX) map.clear()
  map.set(key, value)
  return value
}

/** The protocol lists rules hold, one shared frozen copy of each. */
const PROTOCOL_LISTS = {
  none: Object.freeze([]) as unknown as TransportProtocol[],
  tcp: Object.freeze(['tcp']) as unknown as TransportProtocol[],
  udp: Object.freeze(['udp']) as unknown as TransportProtocol[],
  both: Object.freeze(['tcp', 'udp']) as unknown as TransportProtocol[],
}

/** The shared copy of a rule's protocol list (a subset of TCP and UDP). */
function sharedProtocols(list: readonly TransportProtocol[]): TransportProtocol[] {
  if (list.length === 2) return PROTOCOL_LISTS.both
  if (list.length === 0) return PROTOCOL_LISTS.none
  return list[0] === 'tcp' ? PROTOCOL_LISTS.tcp : PROTOCOL_LISTS.udp
}

/** A rule while its words are read. */
interface RuleState {
  readonly words: readonly string[]
  /** The index of the word being read. */
  k: number
  readonly where: Where
  readonly ctx: IptablesRuleContext
  readonly draft: build.RuleDraft
  /** The rate-limit options met, as written, and whether one keeps a first connection out. */
  readonly rates: string[]
  over: boolean
}

function fail(where: Where, reason: string): PolicyError {
  return new PolicyError('ERR_POLICY_CONFIG', `${where.file}:${where.line}: ${reason}`, where)
}

function warn(st: RuleState, message: string): void {
  st.ctx.warnings.push({ file: st.where.file, line: st.where.line, message })
}

/** The value of the option at `st.k`; moves past it. */
function value(st: RuleState): string {
  const v = st.words[st.k + 1]
  if (v === undefined) throw fail(st.where, `'${st.words[st.k]}' needs a value`)
  st.k++
  return v
}

/** `-s`/`-d` values as an address match. */
function addressOption(st: RuleState, text: string, negate: boolean): AddressMatch {
  return build.addressMatch(build.addressSets(text.split(','), st.where), negate)
}

/** `--dport`/`--dports` as a port match, names resolved over the rule's one protocol. */
function portMatch(
  st: RuleState,
  text: string,
  negate: boolean,
): NonNullable<build.RuleDraft['dports']> {
  // iptables resolves a name with the protocol of `-p` (`-p tcp --dport dhcpv6-client` fails)
  const protocols = st.draft.protocols
  const protocol = protocols?.length === 1 ? protocols[0] : undefined
  const key = `${protocol ?? ''} ${negate ? '!' : ''}${text}`
  const known = PORT_MATCHES.get(key)
  if (known) return known
  const ranges = text.split(',').map((part) => {
    const r = build.parsePortRange(part, protocol)
    if (r === undefined)
      throw fail(
        st.where,
        `'${part}' is not a port, port range or ${protocol ?? 'TCP/UDP'} service name of /etc/services`,
      )
    return Object.freeze(r)
  })
  const match = Object.freeze({ ranges: Object.freeze(ranges) as PortRange[], negate })
  return share(PORT_MATCHES, key, match)
}

/** A DNAT (`--to-destination ADDR[:PORT]`) or REDIRECT (`--to-ports PORT`) target. */
function natTarget(st: RuleState, target: 'DNAT' | 'REDIRECT'): RuleVerdict {
  const options = st.words.slice(st.k + 1)
  const flag = target === 'DNAT' ? '--to-destination' : '--to-ports'
  const at = options.indexOf(flag)
  const text = at >= 0 ? options[at + 1] : undefined
  const t = text === undefined ? undefined : build.parseNatTarget(text, target === 'REDIRECT')
  if (t === undefined)
    throw fail(
      st.where,
      `${target} needs ${flag} ${target === 'DNAT' ? 'ADDRESS[:PORT]' : 'PORT'}${text === undefined ? '' : `, not '${text}'`}`,
    )
  if (t.range) warn(st, `${target} to a range ('${text}'): the first address and port are taken`)
  return {
    kind: 'dnat',
    ...(t.addr !== undefined ? { addr: t.addr } : {}),
    ...(t.port !== undefined ? { port: t.port } : {}),
  }
}

/** `-j`/`-g TARGET`: the verdict; the target's own options (`--reject-with`, ...) are skipped. */
function targetOption(st: RuleState, goto: boolean): void {
  const target = value(st)
  const v = VERDICTS[target]
  if (v) st.draft.verdict = v
  else if (target === 'DNAT' || target === 'REDIRECT') st.draft.verdict = natTarget(st, target)
  else if (st.ctx.chains.has(target)) st.draft.verdict = { kind: goto ? 'goto' : 'jump', target }
  else if (st.ctx.strict === true && !TARGET_EXTENSIONS.has(target))
    throw fail(
      st.where,
      `'${st.words[st.k - 1]} ${target}': no chain '${target}' in this table and no such target (iptables-restore refuses the file)`,
    )
  else st.draft.verdict = CONTINUE
  st.k = st.words.length
}

/** The options that narrow which packets match; false when `w` is none of them. */
function matchOption(st: RuleState, w: string, neg: boolean): boolean {
  const { draft } = st
  switch (w) {
    case '-s':
    case '--source':
      draft.saddr = build.andAddress(draft.saddr, addressOption(st, value(st), neg))
      return true
    case '-d':
    case '--destination':
      draft.daddr = build.andAddress(draft.daddr, addressOption(st, value(st), neg))
      return true
    case '-p':
    case '--protocol': {
      // of the protocols the model knows, the ones this names (ICMP, ESP, ...: none)
      const named = PROTOCOLS[value(st).toLowerCase()] ?? []
      build.narrowProtocols(draft, neg ? TCP_UDP.filter((p) => !named.includes(p)) : named)
      return true
    }
    case '-i':
    case '--in-interface':
      draft.iif = build.interfaceMatch([value(st)], neg)
      return true
    case '-o':
    case '--out-interface':
      draft.oif = build.interfaceMatch([value(st)], neg)
      return true
    case '--dst-type':
    case '--src-type': {
      const types = value(st)
      if (
        !build.narrowAddressType(draft, types.split(','), neg, w === '--dst-type' ? 'dst' : 'src')
      )
        warn(st, `address type '${types}' is not modelled; the rule is taken to match`)
      return true
    }
    case '--dport':
    case '--destination-port':
    case '--dports':
    case '--destination-ports':
    case '--ports':
      draft.dports = portMatch(st, value(st), neg)
      return true
    case '--ctorigdstport':
      // the port before DNAT (the host's, where --dport sees the container's)
      draft.origDports = portMatch(st, value(st), neg)
      return true
    case '--ctstate':
    case '--state': {
      const states = build.parseStates(value(st).split(','), neg)
      if (states) draft.states = states
      return true
    }
    case '--syn':
      // a connection's first packet is a SYN: `! --syn` never matches it
      if (neg) draft.never = true
      return true
    case '--tcp-flags': {
      const mask = value(st)
      if (synMatches(mask, value(st), st.where) === neg) draft.never = true
      return true
    }
    case '--match-set': {
      const name = value(st)
      const dir = value(st)
      const set = st.ctx.sets?.get(name)
      if (set === undefined)
        throw fail(
          st.where,
          `ipset '${name}' is not defined (pass its 'ipset save' file as a config too)`,
        )
      const m = build.addressMatch(set, neg)
      if (dir.startsWith('src')) draft.saddr = build.andAddress(draft.saddr, m)
      else draft.daddr = build.andAddress(draft.daddr, m)
      return true
    }
  }
  return false
}

/**
 * Whether `--tcp-flags MASK COMP` matches a connection's first packet, a bare SYN: of the flags
 * MASK names, exactly those of COMP are set (a NULL-scan rule `ALL NONE` never matches it).
 */
function synMatches(mask: string, comp: string, where: Where): boolean {
  const flags = (list: string): Set<string> => {
    if (list === 'ALL') return new Set(TCP_FLAGS)
    if (list === 'NONE') return new Set()
    const names = list.split(',')
    const bad = names.find((f) => !TCP_FLAGS.includes(f))
    if (bad !== undefined) throw fail(where, `'--tcp-flags ${mask} ${comp}': unknown flag '${bad}'`)
    return new Set(names)
  }
  const want = flags(comp)
  const set = flags(mask).has('SYN') ? ['SYN'] : []
  return want.size === set.length && set.every((f) => want.has(f))
}

/** Options the model reads past: their values skipped, unknown ones noted. */
function otherOption(st: RuleState, w: string): void {
  if (SKIPPED_WITH_VALUE.has(w)) value(st)
  else if (w === '--sport' || w === '--source-port' || w === '--sports' || w === '--source-ports') {
    value(st)
    warn(st, 'source ports are not modelled; the rule is taken to match')
  } else if (w.startsWith('--')) {
    // an option of a match we do not model: skip its value, if it has one
    const next = st.words[st.k + 1]
    if (next !== undefined && !next.startsWith('-') && next !== '!') st.k++
    if (!QUIET_OPTIONS.has(w)) warn(st, `'${w}' is not modelled; the rule is taken to match`)
  } else throw fail(st.where, `unexpected '${w}'`)
}

/**
 * Reads one rule's words (what follows `-A CHAIN`). Throws an ERR_POLICY_CONFIG PolicyError
 * naming `where` on a word it cannot read; notes what it reads only in part in `ctx.warnings`.
 */
export function parseIptablesRule(
  words: readonly string[],
  where: Where,
  ctx: IptablesRuleContext,
): FirewallRule {
  const st: RuleState = { words, k: 0, where, ctx, draft: {}, rates: [], over: false }
  let negate = false
  for (; st.k < words.length; st.k++) {
    const w = words[st.k]!
    if (w === '!') {
      negate = true
      continue
    }
    const neg = negate
    negate = false
    const rate = RATE_OPTIONS[w]
    if (rate) {
      // `--set`, `--update`, `--rcheck`, `--remove` take no value; the others a rate or count
      const v = rate.match === 'recent' ? '' : ` ${value(st)}`
      st.rates.push(`-m ${rate.match} ${neg ? '! ' : ''}${w}${v}`)
      if (rate.over !== neg) st.over = true
    } else if (w === '-j' || w === '--jump' || w === '-g' || w === '--goto')
      targetOption(st, w === '-g' || w === '--goto')
    else if (!matchOption(st, w, neg)) otherOption(st, w)
  }
  const { draft } = st
  // a LOG or counting rule under a rate limit decides nothing either way: no note
  if (st.rates.length > 0 && draft.verdict !== undefined && draft.verdict.kind !== 'continue')
    ctx.warnings.push(rateNote(where.file, where.line, st.rates, st.over))
  if (st.over) draft.never = true
  if (draft.protocols) draft.protocols = sharedProtocols(draft.protocols)
  // an iptables-save file is of one family: its rules are too
  draft.family = ctx.family
  return build.finishRule(draft, where)
}
