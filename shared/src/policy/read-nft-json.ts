/**
 * @module `nft -j list ruleset` JSON (libnftables-json(5)): tables, chains, sets and rules with
 * their expression trees, mapped onto the same matches as the text reader.
 */
import { isMap, isSeq, type Node } from 'yaml'
import { parseYamlDocument } from '../parse-yaml-document.ts'
import { PolicyError, syntaxError } from './policy-error.ts'
import { rateNote } from './rate-note.ts'
import { scalarText } from './rule-builder.ts'
import {
  assembleNft,
  buildNftRule,
  buildNftSet,
  type NftChainDraft,
  type NftFamily,
  type NftMatch,
  type NftSet,
  type NftValue,
} from './nft-rule.ts'
import type { FirewallConfig, FirewallRule, RuleVerdict, ReaderWarning } from './types.ts'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function isObj(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `v` if an array, else none (a set without elements has no `elem`). */
function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : []
}

function fam(v: Json | undefined): NftFamily {
  return v === 'ip' || v === 'ip6' || v === 'inet' ? v : 'other'
}

/** An expression on the right of a match, as an {@link NftValue}. */
function toValue(v: Json | undefined): NftValue {
  if (typeof v === 'string') return v.startsWith('@') ? { set: v.slice(1) } : v
  if (typeof v === 'number') return scalarText(v)
  if (Array.isArray(v)) return v.map(toValue)
  if (isObj(v)) {
    if (isObj(v.prefix)) return `${scalarText(v.prefix.addr)}/${scalarText(v.prefix.len)}`
    if (Array.isArray(v.range)) return `${scalarText(v.range[0])}-${scalarText(v.range[1])}`
    if ('set' in v) return toValue(v.set)
    if (isObj(v.elem)) return toValue(v.elem.val)
  }
  return '?'
}

/** The verdict of a verdict statement (`{"accept": null}`, `{"jump": {"target": "x"}}`). */
function verdictOf(e: Json | undefined): RuleVerdict | undefined {
  if (!isObj(e)) return undefined
  if ('accept' in e) return { kind: 'accept' }
  if ('drop' in e || 'reject' in e) return { kind: 'drop' }
  if ('return' in e) return { kind: 'return' }
  if ('continue' in e) return { kind: 'continue' }
  if (isObj(e.jump)) return { kind: 'jump', target: scalarText(e.jump.target) }
  if (isObj(e.goto)) return { kind: 'goto', target: scalarText(e.goto.target) }
  if ('dnat' in e || 'redirect' in e) {
    // {"dnat": {"addr": "172.17.0.2", "port": 80}}, {"redirect": {"port": 8080}}, {"redirect": null}
    const t = isObj(e.dnat) ? e.dnat : isObj(e.redirect) ? e.redirect : {}
    const addr = typeof t.addr === 'string' ? t.addr : undefined
    const port = typeof t.port === 'number' ? t.port : undefined
    if ('dnat' in e && addr === undefined) return { kind: 'continue' }
    return {
      kind: 'dnat',
      ...(addr !== undefined ? { addr } : {}),
      ...(port !== undefined ? { port } : {}),
    }
  }
  return undefined
}

/** The selector text of a match's left side, e.g. `ip saddr`, `tcp dport`, `ct state`. */
function selectorOf(left: Json | undefined): string {
  if (!isObj(left)) return 'unknown'
  if (isObj(left.payload))
    return `${scalarText(left.payload.protocol)} ${scalarText(left.payload.field)}`
  if (isObj(left.meta)) {
    const key = scalarText(left.meta.key)
    return key === 'l4proto' || key === 'nfproto' ? `meta ${key}` : key
  }
  if (isObj(left.ct))
    return left.ct.dir === undefined
      ? `ct ${scalarText(left.ct.key)}`
      : `ct ${scalarText(left.ct.dir)} ${scalarText(left.ct.key)}`
  // {"fib": {"result": "type", "flags": ["daddr"]}}: `fib daddr type`
  if (isObj(left.fib)) {
    const flags = Array.isArray(left.fib.flags) ? left.fib.flags : [left.fib.flags]
    return `fib ${scalarText(flags[0])} ${scalarText(left.fib.result)}`
  }
  return Object.keys(left)[0] ?? 'unknown'
}

/** Statements that decide nothing about what gets in: skipped without a word. */
const QUIET_STATEMENTS = new Set([
  'counter',
  'log',
  'comment',
  'notrack',
  'mangle',
  'snat',
  'masquerade',
])

/**
 * The rate limits in a statement, wherever they nest (`limit`, `quota`, `ct count`, a `meter`'s
 * or a set update's `stmt`), and whether one of them is inverted (`over`).
 */
function ratesOf(e: Json | undefined, out: { rates: string[]; over: boolean }): void {
  if (Array.isArray(e)) for (const x of e) ratesOf(x, out)
  if (!isObj(e)) return
  for (const [key, v] of Object.entries(e)) {
    if (key === 'limit' || key === 'quota' || key === 'ct count') {
      out.rates.push(`${key} ${JSON.stringify(v)}`)
      if (isObj(v) && v.inv === true) out.over = true
    } else ratesOf(v, out)
  }
}

/** Reads `nft -j list ruleset` output. Lines are those of each rule object in the text. */
export function readNftJson(text: string, file: string): FirewallConfig {
  const parsed = parseYamlDocument(text, file, { uniqueKeys: false })
  if (!parsed.ok) throw syntaxError(file, parsed.problems[0]!, 'JSON')
  const { doc, position } = parsed
  const root = doc.contents
  const items = isMap(root) ? root.get('nftables', true) : undefined
  if (!isSeq(items))
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:1: expected an object with an "nftables" array`,
      { file, line: 1 },
    )
  const warnings: ReaderWarning[] = []
  const chains = new Map<string, NftChainDraft>()
  const sets = new Map<string, Map<string, NftSet>>()
  /** Named verdict maps' elements (`[KEY, VERDICT]` each), by `family table name`. */
  const vmaps = new Map<string, Json[]>()
  const rules: { obj: { [k: string]: Json }; line: number }[] = []
  for (const item of items.items as Node[]) {
    // every node of a parsed document has its range
    const line = position(item.range![0]).line
    const obj = item.toJSON() as Json
    if (!isObj(obj)) continue
    const [kind] = Object.keys(obj)
    const body = kind === undefined ? undefined : obj[kind]
    if (!isObj(body)) continue
    const family = fam(body.family)
    const table = scalarText(body.table)
    if (kind === 'chain') {
      const name = scalarText(body.name)
      chains.set(`${family} ${table} ${name}`, {
        family,
        table,
        name,
        line,
        rules: [],
        ...(typeof body.hook === 'string' ? { hook: body.hook } : {}),
        ...(typeof body.type === 'string' ? { type: body.type } : {}),
        ...(typeof body.prio === 'number' ? { priority: body.prio } : {}),
        ...(body.policy === 'drop' || body.policy === 'accept'
          ? { policy: body.policy, policyLine: line }
          : {}),
      })
    } else if (kind === 'set') {
      let m = sets.get(`${family} ${table}`)
      if (!m) sets.set(`${family} ${table}`, (m = new Map<string, NftSet>()))
      // elements are scalars, prefixes, ranges, `{elem: {val}}` (with a comment or timeout) or
      // concatenations (of an 'other' set): strings, or '?'
      const words = list(body.elem).map((e) => scalarText(toValue(e)))
      m.set(
        scalarText(body.name),
        buildNftSet(scalarText(body.type), words, {
          file,
          line,
          text: `set ${scalarText(body.name)}`,
        }),
      )
    } else if (kind === 'map' && body.map === 'verdict')
      vmaps.set(`${family} ${table} ${scalarText(body.name)}`, list(body.elem))
    else if (kind === 'rule') rules.push({ obj: body, line })
  }
  for (const { obj, line } of rules) {
    const family = fam(obj.family)
    const table = scalarText(obj.table)
    const key = `${family} ${table} ${scalarText(obj.chain)}`
    let chain = chains.get(key)
    if (!chain)
      chains.set(key, (chain = { family, table, name: scalarText(obj.chain), line, rules: [] }))
    const matches: NftMatch[] = []
    let verdict: RuleVerdict = { kind: 'continue' }
    let vmap: { [k: string]: Json } | undefined
    const rate = { rates: [] as string[], over: false }
    for (const e of list(obj.expr).filter(isObj)) {
      const v = verdictOf(e)
      const kind = Object.keys(e)[0]!
      if (v) verdict = v
      else if (isObj(e.match)) {
        matches.push({
          selector: selectorOf(e.match.left),
          negate: e.match.op === '!=',
          value: toValue(e.match.right),
        })
      } else if (isObj(e.vmap)) vmap = e.vmap
      else if (!QUIET_STATEMENTS.has(kind)) ratesOf(e, rate)
    }
    const text = `handle ${scalarText(obj.handle ?? '?')} in chain ${scalarText(obj.chain)}`
    const ctx = {
      family,
      sets: sets.get(`${family} ${table}`) ?? new Map<string, NftSet>(),
      where: { file, line, text },
      warnings,
    }
    const built: FirewallRule[] = []
    if (vmap === undefined) built.push(buildNftRule(matches, verdict, ctx))
    else {
      const data = vmap.data
      // an anonymous map `{set: [[KEY, VERDICT], ...]}`, or `@name`
      const elements = isObj(data)
        ? list(data.set)
        : vmaps.get(`${family} ${table} ${scalarText(data).replace(/^@/, '')}`)
      if (elements === undefined)
        throw new PolicyError(
          'ERR_POLICY_CONFIG',
          `${file}:${line}: '${scalarText(data)}' is not a verdict map of this table`,
          { file, line },
        )
      // one rule per element, as the text reader: keys are distinct
      const selector = selectorOf(vmap.key)
      for (const element of elements) {
        const [key, data] = list(element)
        const v = verdictOf(data)
        if (v === undefined)
          throw new PolicyError(
            'ERR_POLICY_CONFIG',
            `${file}:${line}: verdict map element ${JSON.stringify(element)} is not [KEY, VERDICT]`,
            { file, line },
          )
        const value = toValue(key)
        built.push(buildNftRule([...matches, { selector, negate: false, value }], v, ctx))
      }
    }
    if (rate.rates.length > 0 && (vmap !== undefined || verdict.kind !== 'continue'))
      warnings.push(rateNote(file, line, rate.rates, rate.over))
    chain.rules.push(...(rate.over ? built.map((r) => ({ ...r, never: true })) : built))
  }
  // `nft -j list ruleset` prints the whole ruleset
  return assembleNft([...chains.values()], { file, format: 'nft-json', warnings, whole: true })
}
