/**
 * @module `iptables-save` / `ip6tables-save` files (and ufw's `user.rules`/`user6.rules`, which
 * are iptables-restore fragments), plus `ipset save` files that `-m set --match-set` refers to.
 * The `*filter` table decides what gets in; the `*nat` table's PREROUTING DNAT rules (Docker's
 * published ports) send packets past INPUT to FORWARD.
 */
import { AddrRanges } from './addr-ranges.ts'
import { PolicyError } from './policy-error.ts'
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
  const chains = new Map<
    string,
    { policy?: 'accept' | 'drop'; policyLine: number; rules: FirewallRule[] }
  >()
  const lines = text.split(/\r?\n/)
  let table: string | undefined
  let sawFilter = false
  const pending: { words: string[]; line: number; text: string }[] = []
  const nat: { words: string[]; line: number; text: string }[] = []
  /** The *nat table's PREROUTING chain line; undefined without a *nat table. */
  let natLine: number | undefined
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    if (raw === '' || raw.startsWith('#')) continue
    if (raw.startsWith('*')) {
      table = raw.slice(1)
      if (table === 'filter') sawFilter = true
      continue
    }
    if (raw === 'COMMIT') {
      table = undefined
      continue
    }
    if (table === undefined)
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${i + 1}: '${raw.slice(0, 60)}' outside a *table ... COMMIT block`,
        { file, line: i + 1 },
      )
    if (table === 'nat') {
      natLine ??= i
      if (raw.startsWith(':PREROUTING ')) natLine = i + 1
      else if (!raw.startsWith(':')) nat.push({ words: splitWords(raw), line: i + 1, text: raw })
      continue
    }
    if (table !== 'filter') continue
    if (raw.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)/.exec(raw)
      if (!m)
        throw new PolicyError('ERR_POLICY_CONFIG', `${file}:${i + 1}: bad chain line '${raw}'`, {
          file,
          line: i + 1,
        })
      // built-in chains have a policy, user chains `-`
      const policy = POLICIES[m[2]!]
      chains.set(m[1]!, { ...(policy ? { policy } : {}), policyLine: i + 1, rules: [] })
      continue
    }
    pending.push({ words: splitWords(raw), line: i + 1, text: raw })
  }
  // a dump (iptables-save names itself) may hold no filter table: nothing filters then
  const dump = /^# Generated by ip6?tables-save/m.test(text)
  if (!sawFilter && !dump)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}: no *filter table (is this an iptables-save file?)`,
      { file },
    )
  for (const p of pending) {
    const command = p.words[0]!
    const chainName = p.words[1]
    if (chainName === undefined || !['-A', '-I', '-N', '-P'].includes(command))
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${p.line}: expected '-A CHAIN ...', got '${p.text.slice(0, 60)}'`,
        { file, line: p.line },
      )
    let chain = chains.get(chainName)
    if (chain === undefined) {
      chain = { policyLine: p.line, rules: [] }
      chains.set(chainName, chain)
    }
    // iptables-restore also takes `-N CHAIN` (a chain line) and `-P CHAIN POLICY`
    if (command === '-N') continue
    if (command === '-P') {
      const policy = POLICIES[String(p.words[2])]
      if (policy === undefined)
        throw new PolicyError(
          'ERR_POLICY_CONFIG',
          `${file}:${p.line}: '${p.text}': the policy is ACCEPT or DROP`,
          { file, line: p.line },
        )
      chain.policy = policy
      chain.policyLine = p.line
      continue
    }
    const words = p.words.slice(2)
    // `-I CHAIN` inserts at the top, `-I CHAIN N` before the Nth rule
    let at: number | undefined
    if (p.words[0] === '-I')
      at = /^[1-9]\d*$/.test(String(words[0])) ? Number(words.shift()) - 1 : 0
    const rule = parseRule(
      words,
      { file, line: p.line, text: p.text },
      chains,
      options.sets,
      warnings,
      family,
    )
    if (at !== undefined) chain.rules.splice(at, 0, rule)
    else chain.rules.push(rule)
  }
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
    if (l.words[0] !== '-A' || l.words[1] === undefined) continue
    let list = byChain.get(l.words[1])
    if (!list) byChain.set(l.words[1], (list = []))
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
  let recentUpdate = false
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
      case '--ctorigdstport': {
        const ranges: PortRange[] = []
        for (const part of next().split(',')) {
          const r = parsePortRange(part)
          if (r === undefined) throw err(`'${part}' is not a port or port range`)
          ranges.push(r)
        }
        // --ctorigdstport: the port before DNAT (the host's, where --dport sees the container's)
        draft[w === '--ctorigdstport' ? 'origDports' : 'dports'] = { ranges, negate: neg }
        break
      }
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
      case '--update':
      case '--rcheck':
        // ufw's `limit`: a first connection is never over the rate, so these rules do not match it.
        recentUpdate = !neg
        break
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
          if (
            ![
              '--set',
              '--name',
              '--mask',
              '--rsource',
              '--seconds',
              '--hitcount',
              '--limit',
              '--limit-burst',
              '--syn',
            ].includes(w)
          )
            warnings.push(
              `${where.file}:${where.line}: '${w}' is not modelled; the rule is taken to match`,
            )
        } else throw err(`unexpected '${w}'`)
    }
  }
  if (recentUpdate) draft.never = true
  // an iptables-save file is of one family: its rules are too
  draft.family = family
  return finishRule(draft, where)
}
