/**
 * @module What the nftables text and JSON readers share: a rule as a list of selector matches,
 * named sets, and the assembly of tables and chains into a {@link FirewallConfig}.
 */
import { IpSet, type Family, type TransportProtocol } from '../ip/index.ts'
import { PolicyError } from './policy-error.ts'
import * as build from './rule-builder.ts'
import type {
  ConfigFormat,
  FirewallChain,
  FirewallConfig,
  FirewallRule,
  PortRange,
  RuleVerdict,
  ReaderWarning,
} from './types.ts'

/** A value on the right of a match: a word (`22`, `10.0.0.0/8`, `1-9`), a list, or `@set`. */
export type NftValue = string | { readonly set: string } | readonly NftValue[]

/** One `selector [op] value` match, e.g. `ip saddr != @blocked`. */
export interface NftMatch {
  /** `ip saddr`, `tcp dport`, `ct state`, `meta l4proto`, `iifname`, ... */
  readonly selector: string
  readonly negate: boolean
  readonly value: NftValue
}

/** A named set: addresses, ports or interface names. */
export type NftSet =
  | { readonly kind: 'addr'; readonly ipv4: IpSet; readonly ipv6: IpSet }
  | { readonly kind: 'port'; readonly ranges: readonly PortRange[] }
  | { readonly kind: 'iface'; readonly names: readonly string[] }
  /** A named verdict map (`type T : verdict`): its elements' words, `KEY : VERDICT` each. */
  | { readonly kind: 'vmap'; readonly elements: readonly string[] }
  | { readonly kind: 'other' }

/** A table's family. */
export type NftFamily = 'ip' | 'ip6' | 'inet' | 'other'

/** Where in a file. */
export interface Where {
  readonly file: string
  readonly line: number
  readonly text: string
}

/** Builds the named set from its `type` and element words. */
export function buildNftSet(type: string, elements: readonly string[], where: Where): NftSet {
  if (/:\s*verdict$/.test(type)) return { kind: 'vmap', elements: [...elements] }
  if (type === 'ipv4_addr' || type === 'ipv6_addr') {
    const s = build.addressSets(elements, where)
    return { kind: 'addr', ipv4: s.ipv4, ipv6: s.ipv6 }
  }
  if (type === 'inet_service') {
    const ranges: PortRange[] = []
    for (const e of elements) {
      const r = build.parsePortRange(e)
      if (r === undefined) throw configError(where, `'${e}' is not a port or port range`)
      ranges.push(r)
    }
    return { kind: 'port', ranges }
  }
  if (type === 'ifname') return { kind: 'iface', names: [...elements] }
  return { kind: 'other' }
}

function configError(where: { file: string; line: number }, reason: string): PolicyError {
  return new PolicyError('ERR_POLICY_CONFIG', `${where.file}:${where.line}: ${reason}`, where)
}

function flatten(
  value: NftValue,
  sets: ReadonlyMap<string, NftSet>,
  where: Where,
): (string | NftSet)[] {
  if (typeof value === 'string') return [value]
  if ('set' in value && typeof value.set === 'string') {
    const s = sets.get(value.set)
    if (s === undefined)
      throw configError(where, `set '@${value.set}' is not defined in this table`)
    return [s]
  }
  return (value as readonly NftValue[]).flatMap((v) => flatten(v, sets, where))
}

const PROTO_WORDS: Record<string, TransportProtocol | 'other'> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
}

type BuildCtx = {
  family: NftFamily
  sets: ReadonlyMap<string, NftSet>
  where: Where
  warnings: ReaderWarning[]
}

/** Builds one rule from its matches and verdict. */
export function buildNftRule(
  matches: readonly NftMatch[],
  verdict: RuleVerdict,
  ctx: BuildCtx,
): FirewallRule {
  const draft: build.RuleDraft = { verdict }
  if (ctx.family === 'ip') draft.family = 4
  if (ctx.family === 'ip6') draft.family = 6
  for (const m of matches) applyMatch(draft, m, ctx)
  return build.finishRule(draft, ctx.where)
}

/** Narrows the draft by one match; a selector the model does not know is a warning. */
function applyMatch(draft: build.RuleDraft, m: NftMatch, ctx: BuildCtx): void {
  const { where } = ctx
  const items = flatten(m.value, ctx.sets, where)
  const words = items.filter((i): i is string => typeof i === 'string')
  const setItems = items.filter((i): i is NftSet => typeof i !== 'string')
  const sel = m.selector
  const notModelled = (what: string) =>
    ctx.warnings.push({
      file: where.file,
      line: where.line,
      message: `'${what}' is not modelled; the rule is taken to match`,
    })
  if (/^(ip|ip6) (saddr|daddr)$/.test(sel)) {
    const [fam, field] = sel.split(' ') as [string, string]
    // nft refuses a rule (or table) that mixes ip and ip6: no conflict to record
    draft.family = fam === 'ip' ? 4 : 6
    const am = build.addressMatch(addressesOf(sel, words, setItems, where), m.negate)
    if (field === 'saddr') draft.saddr = build.andAddress(draft.saddr, am)
    else draft.daddr = build.andAddress(draft.daddr, am)
  } else if (/^(tcp|udp|th) dport$/.test(sel)) {
    const proto = sel.split(' ')[0]!
    build.narrowProtocols(draft, proto === 'th' ? ['tcp', 'udp'] : [proto as TransportProtocol])
    draft.dports = { ranges: portRangesOf(sel, words, setItems, where), negate: m.negate }
  } else if (/^(tcp|udp|th) sport$/.test(sel)) {
    const proto = sel.split(' ')[0]!
    if (proto !== 'th') build.narrowProtocols(draft, [proto as TransportProtocol])
    ctx.warnings.push({
      file: where.file,
      line: where.line,
      message: `source ports are not modelled; the rule is taken to match`,
    })
  } else if (sel === 'meta l4proto' || sel === 'ip protocol' || sel === 'ip6 nexthdr') {
    if (sel === 'ip protocol') draft.family = 4
    if (sel === 'ip6 nexthdr') draft.family = 6
    const protos = words.map((w) => PROTO_WORDS[w.toLowerCase()] ?? 'other')
    const named = protos.filter((p): p is TransportProtocol => p !== 'other')
    build.narrowProtocols(
      draft,
      m.negate ? (['tcp', 'udp'] as const).filter((p) => !named.includes(p)) : named,
    )
  } else if (sel === 'meta nfproto') {
    const keep = ([4, 6] as const).filter((f) => words.includes(`ipv${f}`) !== m.negate)
    if (keep.length === 1) draft.family = keep[0]!
    else if (keep.length === 0) draft.never = true
  } else if (sel === 'ct status' && words.length === 1 && words[0] === 'dnat') {
    draft.dnat = !m.negate
  } else if (sel === 'ct state') {
    const states = build.parseStates(words, m.negate)
    if (states) draft.states = states
  } else if (/^(meta )?(iif|iifname|oif|oifname)$/.test(sel)) {
    const im = build.interfaceMatch(interfaceNamesOf(sel, words, setItems, where), m.negate)
    if (sel.replace('meta ', '').startsWith('i')) draft.iif = im
    else draft.oif = im
  } else if (sel === 'fib daddr type') {
    if (!build.narrowAddressType(draft, words, m.negate, 'dst'))
      notModelled(`fib daddr type ${words.join(',')}`)
  } else if (sel === 'fib saddr oif' && words.every((w) => w === 'missing' || w === '0')) {
    // reverse-path filtering: a source the host routes back to (the Internet, by the default
    // route) has an output interface, so `oif missing` does not match it
    if (!m.negate) draft.never = true
  } else if (sel === 'ct original proto-dst') {
    draft.origDports = { ranges: portRangesOf(sel, words, [], where), negate: m.negate }
  } else if (/^icmp(v6)? (type|code)$/.test(sel)) {
    draft.protocols = []
  } else notModelled(sel)
}

/** The addresses a `saddr`/`daddr` match compares with: its words and its address sets. */
function addressesOf(sel: string, words: readonly string[], sets: readonly NftSet[], where: Where) {
  let { ipv4, ipv6 } =
    words.length > 0
      ? build.addressSets(words, where)
      : { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  for (const s of sets) {
    if (s.kind !== 'addr')
      throw configError(where, `'${sel}' compared with a set that holds no addresses`)
    ipv4 = ipv4.union(s.ipv4)
    ipv6 = ipv6.union(s.ipv6)
  }
  return { ipv4, ipv6 }
}

/** The port ranges a port match compares with: its words and its port sets. */
function portRangesOf(
  sel: string,
  words: readonly string[],
  sets: readonly NftSet[],
  where: Where,
): PortRange[] {
  const ranges: PortRange[] = []
  for (const w of words) {
    const r = build.parsePortRange(w)
    if (r === undefined) throw configError(where, `'${w}' is not a port or port range`)
    ranges.push(r)
  }
  for (const s of sets) {
    if (s.kind !== 'port')
      throw configError(where, `'${sel}' compared with a set that holds no ports`)
    ranges.push(...s.ranges)
  }
  return ranges
}

/** The names an interface match compares with: its words and its interface sets. */
function interfaceNamesOf(
  sel: string,
  words: readonly string[],
  sets: readonly NftSet[],
  where: Where,
): string[] {
  const names = [...words]
  for (const s of sets) {
    if (s.kind !== 'iface')
      throw configError(where, `'${sel}' compared with a set that holds no interface names`)
    names.push(...s.names)
  }
  return names
}

/** A chain as the readers collect it. */
export interface NftChainDraft {
  readonly table: string
  readonly family: NftFamily
  readonly name: string
  hook?: string
  type?: string
  priority?: number
  policy?: 'accept' | 'drop'
  policyLine?: number
  line: number
  readonly rules: FirewallRule[]
}

/**
 * Assembles chains into a config. Chain names are qualified `family table chain` so that two
 * tables' chains never collide; `filter` chains on the input, output and forward hooks and `nat`
 * chains on prerouting are base chains. A whole ruleset decides both families.
 */
export function assembleNft(
  chains: readonly NftChainDraft[],
  options: { file: string; format: ConfigFormat; warnings: ReaderWarning[]; whole: boolean },
): FirewallConfig {
  const families = new Set<Family>(options.whole ? [4, 6] : [])
  const out: FirewallChain[] = []
  for (const c of chains) {
    if (c.family === 'other') continue
    const hook = hookOf(c)
    if (hook) {
      if (c.family === 'ip' || c.family === 'inet') families.add(4)
      if (c.family === 'ip6' || c.family === 'inet') families.add(6)
    }
    out.push({
      name: qualify(c.family, c.table, c.name),
      rules: c.rules.map((r) =>
        r.verdict.kind === 'jump' || r.verdict.kind === 'goto'
          ? {
              ...r,
              verdict: {
                kind: r.verdict.kind,
                target: qualify(c.family, c.table, r.verdict.target),
              },
            }
          : r,
      ),
      ...(hook
        ? {
            hook,
            priority: c.priority ?? 0,
            policy: c.policy ?? 'accept',
            policyLine: c.policyLine ?? c.line,
            // ip/ip6 tables see only their family: the evaluator skips them for the other one
            ...(c.family === 'ip' ? { family: 4 } : c.family === 'ip6' ? { family: 6 } : {}),
          }
        : {}),
    })
  }
  return {
    file: options.file,
    format: options.format,
    layer: 'host',
    families: [...families].sort(),
    chains: out,
    published: [],
    warnings: options.warnings,
    ...(options.whole ? { whole: true } : {}),
  }
}

/**
 * The hook a chain is a base chain of, as the model knows them: filter chains on input, output,
 * forward and prerouting (which sees every packet before routing), nat chains on prerouting.
 */
function hookOf(c: NftChainDraft): FirewallChain['hook'] {
  if (c.type === 'nat') return c.hook === 'prerouting' ? 'prerouting' : undefined
  if (c.type !== 'filter') return undefined
  return c.hook === 'input' ||
    c.hook === 'output' ||
    c.hook === 'forward' ||
    c.hook === 'prerouting'
    ? c.hook
    : undefined
}

/** `inet filter input`: a chain's name unique across tables. */
export function qualify(family: string, table: string, chain: string): string {
  return `${family} ${table} ${chain}`
}

/** Priority keywords of `type filter hook input priority filter - 10`. */
export function parsePriority(words: readonly string[]): number | undefined {
  const named: Record<string, number> = {
    raw: -300,
    mangle: -150,
    dstnat: -100,
    filter: 0,
    security: 50,
    srcnat: 100,
  }
  let total = 0
  let sign = 1
  for (const w of words) {
    if (w === '+') sign = 1
    else if (w === '-') sign = -1
    else if (/^-?\d+$/.test(w)) {
      total += sign * Number(w)
      sign = 1
    } else if (w in named) total += sign * named[w]!
    else return undefined
  }
  return total
}
