/**
 * @module `iptables-save` / `ip6tables-save` files (and ufw's `user.rules`/`user6.rules`, which
 * are iptables-restore fragments), plus `ipset save` files that `-m set --match-set` refers to.
 * The `*filter` table decides what gets in; the `*nat` table's PREROUTING DNAT rules (Docker's
 * published ports) send packets past INPUT to FORWARD.
 */
import { IpSet as AddrRanges } from '../ip/index.ts'
import { PolicyError } from './policy-error.ts'
import { rateNote } from './rate-note.ts'
import {
  addressMatch,
  addressSets,
  andAddress,
  finishRule,
  impliedEstablished,
  interfaceMatch,
  narrowAddressType,
  narrowProtocols,
  parseNatTarget,
  parsePortRange,
  parseStates,
  type RuleDraft,
} from './rule-builder.ts'
import type {
  FirewallChain,
  FirewallConfig,
  FirewallRule,
  PortRange,
  TransportProtocol,
} from './types.ts'

/** Named address sets (ipset or nft sets), per family. */
export type NamedSets = ReadonlyMap<string, { ipv4: AddrRanges; ipv6: AddrRanges }>

/** Splits a line into words, honouring double and single quotes (iptables-save quotes comments). */
export function splitWords(line: string): string[] {
  if (!line.includes('"') && !line.includes("'")) return line.split(/\s+/).filter((w) => w !== '')
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!)
  return out
}

/** The `ipset restore` commands that change sets, under each of their names. */
const IPSET_COMMANDS: Record<string, string> = {
  create: 'create',
  n: 'create',
  '-N': 'create',
  add: 'add',
  a: 'add',
  '-A': 'add',
  del: 'del',
  d: 'del',
  '-D': 'del',
  flush: 'flush',
  f: 'flush',
  '-F': 'flush',
  swap: 'swap',
  w: 'swap',
  '-W': 'swap',
  rename: 'rename',
  e: 'rename',
  '-E': 'rename',
  destroy: 'destroy',
  x: 'destroy',
  '-X': 'destroy',
}

/**
 * Reads an `ipset save` file: `create NAME hash:net family inet ...` and `add NAME CIDR` lines.
 * Sets of addresses (hash:net, hash:ip, bitmap:ip) and list:set sets of them; sets of other types
 * (hash:ip,port, ...) are left out. `nomatch` entries are left out too, not taken from wider ones.
 */
export function readIpsetSave(
  text: string,
  file: string,
): Map<string, { ipv4: AddrRanges; ipv6: AddrRanges }> {
  const members = new Map<
    string,
    { family: 4 | 6; list: boolean; values: string[]; line: number }
  >()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const words = splitWords(lines[i]!)
    const [verb, name, arg] = words
    if (verb === undefined || name === undefined) continue
    // sets of a type left out are not in `members`: commands on them change nothing
    const set = members.get(name)
    switch (IPSET_COMMANDS[verb]) {
      case 'create': {
        if (!/^(hash:(net|ip)|bitmap:ip|list:set)$/.test(String(arg))) break
        const famIdx = words.indexOf('family')
        const family = famIdx >= 0 && words[famIdx + 1] === 'inet6' ? 6 : 4
        members.set(name, { family, list: arg === 'list:set', values: [], line: i + 1 })
        break
      }
      case 'add':
        if (set && arg !== undefined && !words.includes('nomatch')) set.values.push(arg)
        break
      case 'del':
        if (set) set.values = set.values.filter((v) => v !== arg)
        break
      case 'flush':
        if (set) set.values = []
        break
      case 'swap': {
        const other = members.get(String(arg))
        if (set && other) {
          members.set(name, other)
          members.set(arg!, set)
        }
        break
      }
      case 'rename':
        if (set) {
          members.delete(name)
          members.set(String(arg), set)
        }
        break
      case 'destroy':
        members.delete(name)
        break
    }
  }
  const out = new Map<string, { ipv4: AddrRanges; ipv6: AddrRanges }>()
  for (const [name, set] of members) {
    if (set.list) continue
    const sets = addressSets(set.values, { file, line: set.line })
    out.set(
      name,
      set.family === 4
        ? { ipv4: sets.ipv4, ipv6: AddrRanges.empty(6) }
        : { ipv4: AddrRanges.empty(4), ipv6: sets.ipv6 },
    )
  }
  // a list:set matches what any of its sets matches (ipset adds only existing sets to it)
  for (const [name, set] of members) {
    if (!set.list) continue
    let union = { ipv4: AddrRanges.empty(4), ipv6: AddrRanges.empty(6) }
    for (const member of set.values) {
      const m = out.get(member)
      if (m) union = { ipv4: union.ipv4.union(m.ipv4), ipv6: union.ipv6.union(m.ipv6) }
    }
    out.set(name, union)
  }
  return out
}

const VERDICTS: Record<string, FirewallRule['verdict']> = {
  ACCEPT: { kind: 'accept' },
  DROP: { kind: 'drop' },
  REJECT: { kind: 'drop' },
  RETURN: { kind: 'return' },
}

/** Chain policies (`:INPUT DROP [0:0]`, `-P INPUT DROP`). */
const POLICIES: Record<string, 'accept' | 'drop'> = { ACCEPT: 'accept', DROP: 'drop' }

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

/** Whether a text looks like an iptables-save file of the IPv6 flavour. */
function looksIpv6(text: string): boolean {
  return (
    /^# Generated by ip6tables-save/m.test(text) ||
    /^:ufw6-/m.test(text) ||
    /\s-[sd] !?\s*[0-9a-fA-F]*:[0-9a-fA-F:]*[/\s]/.test(text) ||
    /ipv6-icmp|icmpv6/.test(text)
  )
}

/**
 * Calls `fn` with each line of `text[from, to)` trimmed, its number (the first is `line`) and its
 * offset; returns the number of the last line. Lines are sliced one at a time, never split into
 * an array.
 */
function eachLine(
  text: string,
  from: number,
  to: number,
  line: number,
  fn: (raw: string, line: number, offset: number) => void,
): number {
  let n = line
  for (let at = from; at < to; n++) {
    const nl = text.indexOf('\n', at)
    const end = nl < 0 || nl > to ? to : nl
    fn(text.slice(at, end).trim(), n, at)
    at = end + 1
  }
  return Math.max(line, n - 1)
}

/** The chains of the file as they are read; built-in chains have a policy. */
type ChainDrafts = Map<
  string,
  { policy?: 'accept' | 'drop'; policyLine: number; rules: FirewallRule[] }
>

/** One command line of a *filter block: `-A`, `-I`, `-N` or `-P`. */
function readCommand(
  raw: string,
  line: number,
  ctx: { file: string; chains: ChainDrafts; sets?: NamedSets; warnings: string[]; family: 4 | 6 },
): void {
  const { file, chains } = ctx
  const words = splitWords(raw)
  const command = words[0]!
  const chainName = words[1]
  if (chainName === undefined || !['-A', '-I', '-N', '-P'].includes(command))
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:${line}: expected '-A CHAIN ...', got '${raw.slice(0, 60)}'`,
      { file, line },
    )
  let chain = chains.get(chainName)
  if (chain === undefined) {
    chain = { policyLine: line, rules: [] }
    chains.set(chainName, chain)
  }
  // iptables-restore also takes `-N CHAIN` (a chain line) and `-P CHAIN POLICY`
  if (command === '-N') return
  if (command === '-P') {
    const policy = POLICIES[String(words[2])]
    if (policy === undefined)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${line}: '${raw}': the policy is ACCEPT or DROP`,
        { file, line },
      )
    chain.policy = policy
    chain.policyLine = line
    return
  }
  const args = words.slice(2)
  // `-I CHAIN` inserts at the top, `-I CHAIN N` before the Nth rule
  let at: number | undefined
  if (command === '-I') at = /^[1-9]\d*$/.test(String(args[0])) ? Number(args.shift()) - 1 : 0
  const rule = parseRule(
    args,
    { file, line, text: raw },
    chains,
    ctx.sets,
    ctx.warnings,
    ctx.family,
  )
  if (at !== undefined) chain.rules.splice(at, 0, rule)
  else chain.rules.push(rule)
}

/**
 * A table cut off before its COMMIT (a truncated dump): iptables-restore applies nothing of it
 * and fails, so reading the rest would judge a ruleset the host never had.
 */
function noCommit(file: string, table: { name: string; line: number }, line: number): PolicyError {
  return new PolicyError(
    'ERR_POLICY_CONFIG',
    `${file}:${line}: table '${table.name}' (opened at line ${table.line}) has no COMMIT: the dump is cut short (iptables-restore refuses it)`,
    { file, line },
  )
}

/**
 * Reads an iptables-save file. ufw's user.rules are recognised by their `ufw-user-input` chain,
 * which then stands in for INPUT (default deny) and `ufw-user-output` for OUTPUT (default allow),
 * as ufw's defaults have it.
 */
export function readIptablesSave(
  text: string,
  options: { file: string; sets?: NamedSets; ufw: boolean },
): FirewallConfig {
  const { file, ufw } = options
  const family: 4 | 6 = looksIpv6(text) ? 6 : 4
  const warnings: string[] = []
  const chains: ChainDrafts = new Map()
  // pass 1: tables, COMMITs and chain lines; the *filter blocks' rule lines are read in pass 2,
  // from the text itself: a dump's million lines are never held in an array
  let table: { name: string; line: number } | undefined
  const blocks: { from: number; to: number; line: number }[] = []
  const nat: { words: string[]; line: number; text: string }[] = []
  /** The *nat table's PREROUTING chain line; undefined without a *nat table. */
  let natLine: number | undefined
  const last = eachLine(text, 0, text.length, 1, (raw, line, offset) => {
    if (raw === '' || raw.startsWith('#')) return
    if (raw.startsWith('*')) {
      if (table !== undefined) throw noCommit(file, table, line)
      table = { name: raw.slice(1), line }
      if (table.name === 'filter') blocks.push({ from: offset, to: text.length, line })
      return
    }
    if (raw === 'COMMIT') {
      if (table?.name === 'filter') blocks.at(-1)!.to = offset
      table = undefined
      return
    }
    if (table === undefined)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${line}: '${raw.slice(0, 60)}' outside a *table ... COMMIT block`,
        { file, line },
      )
    if (table.name === 'nat') {
      natLine ??= table.line
      if (raw.startsWith(':PREROUTING ')) natLine = line
      else if (!raw.startsWith(':')) nat.push({ words: splitWords(raw), line, text: raw })
      return
    }
    if (table.name !== 'filter' || !raw.startsWith(':')) return
    const m = /^:(\S+)\s+(\S+)/.exec(raw)
    if (!m)
      throw new PolicyError('ERR_POLICY_CONFIG', `${file}:${line}: bad chain line '${raw}'`, {
        file,
        line,
      })
    // built-in chains have a policy, user chains `-`
    const policy = POLICIES[m[2]!]
    chains.set(m[1]!, { ...(policy ? { policy } : {}), policyLine: line, rules: [] })
  })
  if (table !== undefined) throw noCommit(file, table, last)
  // a dump (iptables-save names itself) may hold no filter table: nothing filters then
  const dump = /^# Generated by ip6?tables-save/m.test(text)
  if (blocks.length === 0 && !dump)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}: no *filter table (is this an iptables-save file?)`,
      { file },
    )
  const read = (raw: string, line: number) => {
    if (raw === '' || raw.startsWith('#') || raw.startsWith(':') || raw.startsWith('*')) return
    readCommand(raw, line, { file, chains, sets: options.sets, warnings, family })
  }
  for (const b of blocks) eachLine(text, b.from, b.to, b.line, read)
  const out: FirewallChain[] = []
  for (const [name, c] of chains) {
    let hook: FirewallChain['hook']
    let policy = c.policy
    if (!ufw && name === 'INPUT') hook = 'input'
    else if (!ufw && name === 'OUTPUT') hook = 'output'
    else if (!ufw && name === 'FORWARD') hook = 'forward'
    else if (name === 'DOCKER-USER') {
      hook = 'docker-user'
      policy = 'accept'
    } else if (ufw && /^ufw6?-user-input$/.test(name)) {
      hook = 'input'
      policy = 'drop'
      c.rules.unshift(
        impliedEstablished(file, c.policyLine, 'ufw before.rules: ESTABLISHED,RELATED accept'),
      )
    } else if (ufw && /^ufw6?-user-output$/.test(name)) {
      hook = 'output'
      policy = 'accept'
    }
    out.push({
      name,
      rules: c.rules,
      ...(hook ? { hook, priority: 0 } : {}),
      ...(hook ? { policyLine: c.policyLine } : {}),
      ...(policy && hook ? { policy } : {}),
    })
  }
  if (natLine !== undefined)
    out.push(...readNat(nat, natLine, { file, family, sets: options.sets, warnings }))
  return {
    file,
    format: ufw ? 'ufw-rules' : 'iptables-save',
    layer: 'host',
    families: [family],
    chains: out,
    published: [],
    warnings,
    // iptables-restore sets up a *filter table whole (its built-in chains all exist); a file
    // without INPUT (ufw's after.rules, a snippet for --noflush) is a fragment
    ...(!ufw && (dump || chains.has('INPUT')) ? { whole: true } : {}),
  }
}

/**
 * The `*nat` table's PREROUTING chain and the chains it reaches (Docker's DOCKER): DNAT and
 * REDIRECT rules send packets to another address or port before the filter table sees them.
 * Chains are named `nat NAME`; the others (POSTROUTING's SNAT, OUTPUT) change no inbound verdict.
 */
function readNat(
  lines: readonly { words: string[]; line: number; text: string }[],
  policyLine: number,
  ctx: { file: string; family: 4 | 6; sets: NamedSets | undefined; warnings: string[] },
): FirewallChain[] {
  const byChain = new Map<string, { words: string[]; line: number; text: string }[]>()
  for (const l of lines) {
    // iptables-save writes `-A CHAIN ...` only; `-N CHAIN` declares one, as a chain line does
    if (l.words[0] === '-N' && l.words.length === 2) continue
    if (l.words[0] !== '-A' || l.words.length < 3)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${ctx.file}:${l.line}: expected '-A CHAIN ...' in the *nat table, got '${l.text.slice(0, 60)}'`,
        { file: ctx.file, line: l.line },
      )
    let list = byChain.get(l.words[1]!)
    if (!list) byChain.set(l.words[1]!, (list = []))
    list.push(l)
  }
  const reached = ['PREROUTING']
  for (let k = 0; k < reached.length; k++)
    for (const l of byChain.get(reached[k]!) ?? [])
      for (let j = 0; j < l.words.length - 1; j++)
        if (/^(-j|--jump|-g|--goto)$/.test(l.words[j]!) && byChain.has(l.words[j + 1]!))
          if (!reached.includes(l.words[j + 1]!)) reached.push(l.words[j + 1]!)
  return reached.map((name) => ({
    name: `nat ${name}`,
    rules: (byChain.get(name) ?? []).map((l) => {
      const rule = parseRule(
        l.words.slice(2),
        { ...l, file: ctx.file },
        byChain,
        ctx.sets,
        ctx.warnings,
        ctx.family,
      )
      const v = rule.verdict
      return v.kind === 'jump' || v.kind === 'goto'
        ? { ...rule, verdict: { kind: v.kind, target: `nat ${v.target}` } }
        : rule
    }),
    ...(name === 'PREROUTING'
      ? { hook: 'prerouting' as const, priority: -100, policy: 'accept' as const, policyLine }
      : {}),
  }))
}

/** A DNAT (`--to-destination ADDR[:PORT]`) or REDIRECT (`--to-ports PORT`) target. */
function natTarget(
  target: 'DNAT' | 'REDIRECT',
  options: readonly string[],
  where: { file: string; line: number },
  warnings: string[],
): FirewallRule['verdict'] {
  const flag = target === 'DNAT' ? '--to-destination' : '--to-ports'
  const at = options.indexOf(flag)
  const value = at >= 0 ? options[at + 1] : undefined
  const t = value === undefined ? undefined : parseNatTarget(value, target === 'REDIRECT')
  if (t === undefined)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${where.file}:${where.line}: ${target} needs ${flag} ${target === 'DNAT' ? 'ADDRESS[:PORT]' : 'PORT'}${value === undefined ? '' : `, not '${value}'`}`,
      where,
    )
  if (t.range)
    warnings.push(
      `${where.file}:${where.line}: ${target} to a range ('${value}'): the first address and port are taken`,
    )
  return {
    kind: 'dnat',
    ...(t.addr !== undefined ? { addr: t.addr } : {}),
    ...(t.port !== undefined ? { port: t.port } : {}),
  }
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
  '--syn',
])

/**
 * Port matches already read, by protocol and text: a big dump names the same few ports a
 * million times, and each rule then shares one frozen match instead of holding its own copy.
 * Cleared when full, so that it stays small whatever the input.
 */
const PORT_MATCHES = new Map<string, RuleDraft['dports'] & object>()
const PORT_MATCHES_MAX = 4096

/** `--dport`/`--dports` as a port match, names resolved over the rule's one protocol. */
function portMatch(
  text: string,
  negate: boolean,
  draft: RuleDraft,
  err: (r: string) => PolicyError,
): RuleDraft['dports'] & object {
  // iptables resolves a name with the protocol of `-p` (`-p tcp --dport dhcpv6-client` fails)
  const protocol = draft.protocols?.length === 1 ? draft.protocols[0] : undefined
  const key = `${protocol ?? ''} ${negate ? '!' : ''}${text}`
  const known = PORT_MATCHES.get(key)
  if (known) return known
  const ranges = text.split(',').map((part) => {
    const r = parsePortRange(part, protocol)
    if (r === undefined)
      throw err(
        `'${part}' is not a port, port range or ${protocol ?? 'TCP/UDP'} service name of /etc/services`,
      )
    return Object.freeze(r)
  })
  if (PORT_MATCHES.size >= PORT_MATCHES_MAX) PORT_MATCHES.clear()
  const match = Object.freeze({ ranges: Object.freeze(ranges) as PortRange[], negate })
  PORT_MATCHES.set(key, match)
  return match
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

function parseRule(
  words: string[],
  where: { file: string; line: number; text: string },
  chains: ReadonlyMap<string, unknown>,
  sets: NamedSets | undefined,
  warnings: string[],
  family: 4 | 6,
): FirewallRule {
  const draft: RuleDraft = {}
  const err = (reason: string) =>
    new PolicyError('ERR_POLICY_CONFIG', `${where.file}:${where.line}: ${reason}`, where)
  let negate = false
  // the rate-limit options met, and whether one keeps a first connection out of the rule
  const rates: string[] = []
  let over = false
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!
    const next = () => {
      const v = words[++k]
      if (v === undefined) throw err(`'${w}' needs a value`)
      return v
    }
    if (w === '!') {
      negate = true
      continue
    }
    const neg = negate
    negate = false
    const rate = RATE_OPTIONS[w]
    if (rate) {
      // `--set`, `--update`, `--rcheck`, `--remove` take no value; the others a rate or count
      const value = rate.match === 'recent' ? '' : ` ${next()}`
      rates.push(`-m ${rate.match} ${neg ? '! ' : ''}${w}${value}`)
      if (rate.over !== neg) over = true
      continue
    }
    switch (w) {
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const value = next()
        const m = addressMatch(addressSets(value.split(','), where), neg)
        if (w === '-s' || w === '--source') draft.saddr = andAddress(draft.saddr, m)
        else draft.daddr = andAddress(draft.daddr, m)
        break
      }
      case '-p':
      case '--protocol': {
        // of the protocols the model knows, the ones this names (ICMP, ESP, ...: none)
        const named = PROTOCOLS[next().toLowerCase()] ?? []
        narrowProtocols(draft, neg ? TCP_UDP.filter((p) => !named.includes(p)) : named)
        break
      }
      case '-i':
      case '--in-interface':
        draft.iif = interfaceMatch([next()], neg)
        break
      case '-o':
      case '--out-interface':
        draft.oif = interfaceMatch([next()], neg)
        break
      case '--dst-type':
      case '--src-type': {
        const types = next()
        if (!narrowAddressType(draft, types.split(','), neg, w === '--dst-type' ? 'dst' : 'src'))
          warnings.push(
            `${where.file}:${where.line}: address type '${types}' is not modelled; the rule is taken to match`,
          )
        break
      }
      case '-m':
      case '--match':
        next()
        break
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
      case '--ports':
      case '--ctorigdstport':
        // --ctorigdstport: the port before DNAT (the host's, where --dport sees the container's)
        draft[w === '--ctorigdstport' ? 'origDports' : 'dports'] = portMatch(
          next(),
          neg,
          draft,
          err,
        )
        break
      case '--sport':
      case '--source-port':
      case '--sports':
      case '--source-ports':
        next()
        warnings.push(
          `${where.file}:${where.line}: source ports are not modelled; the rule is taken to match`,
        )
        break
      case '--ctstate':
      case '--state': {
        const states = parseStates(next().split(','), neg)
        if (states) draft.states = states
        break
      }
      case '--ctdir':
        next()
        break
      case '--match-set': {
        const name = next()
        const dir = next()
        const set = sets?.get(name)
        if (set === undefined)
          throw err(`ipset '${name}' is not defined (pass its 'ipset save' file as a config too)`)
        const m = addressMatch(set, neg)
        if (dir.startsWith('src')) draft.saddr = andAddress(draft.saddr, m)
        else draft.daddr = andAddress(draft.daddr, m)
        break
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const target = next()
        const v = VERDICTS[target]
        if (v) draft.verdict = v
        else if (target === 'DNAT' || target === 'REDIRECT')
          draft.verdict = natTarget(target, words.slice(k + 1), where, warnings)
        else if (chains.has(target))
          draft.verdict = { kind: w === '-g' || w === '--goto' ? 'goto' : 'jump', target }
        else draft.verdict = { kind: 'continue' }
        // skip the target's own options (e.g. --reject-with, --log-prefix)
        k = words.length
        break
      }
      case '--comment':
        next()
        break
      case '--tcp-flags':
        next()
        next()
        break
      case '--icmp-type':
      case '--icmpv6-type':
        next()
        break
      default:
        if (w.startsWith('--')) {
          // an option of a match we do not model: skip its value, if it has one
          if (words[k + 1] !== undefined && !words[k + 1]!.startsWith('-') && words[k + 1] !== '!')
            k++
          if (!QUIET_OPTIONS.has(w))
            warnings.push(
              `${where.file}:${where.line}: '${w}' is not modelled; the rule is taken to match`,
            )
        } else throw err(`unexpected '${w}'`)
    }
  }
  // a LOG or counting rule under a rate limit decides nothing either way: no note
  if (rates.length > 0 && draft.verdict !== undefined && draft.verdict.kind !== 'continue')
    warnings.push(rateNote(where.file, where.line, rates, over))
  if (over) draft.never = true
  if (draft.protocols) draft.protocols = sharedProtocols(draft.protocols)
  // an iptables-save file is of one family: its rules are too
  draft.family = family
  return finishRule(draft, where)
}
