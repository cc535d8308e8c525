/**
 * @module One nftables rule's tokens into matches and a verdict, then into firewall rules: one,
 * or one per element of a verdict map. Statements the model does not know are skipped with a
 * note; rate limits (`limit`, `quota`, `meter`, `ct count`) are noted as every reader notes them.
 */
import {
  BARE_SELECTORS,
  CHAIN_VERDICTS,
  CT_DIRECTION_FIELDS,
  EQUALS,
  NOISE,
  NOT_EQUALS,
  ORDERINGS,
  PLAIN_VERDICTS,
  SELECTOR_HEADS,
  STOPS,
  TCP_FLAGS_STOPS,
} from './nft-keywords.ts'
import {
  buildNftRule,
  type NftFamily,
  type NftMatch,
  type NftSet,
  type NftValue,
} from './nft-rule.ts'
import { nftTcpFlagsMatchSyn } from './nft-tcp-flags.ts'
import { PolicyError } from './policy-error.ts'
import { rateNote } from './rate-note.ts'
import { parseNatTarget } from './rule-builder.ts'
import type { NftToken } from './tokenize-nft.ts'
import type { FirewallRule, ReaderWarning, RuleVerdict } from './types.ts'

/** What a rule is read against. */
export interface NftRuleContext {
  readonly file: string
  /** The rule as written: its line of the text. */
  readonly text: string
  readonly family: NftFamily
  /** The sets of the rule's table. */
  readonly sets: ReadonlyMap<string, NftSet>
  readonly warnings: ReaderWarning[]
}

/** A rule while its tokens are read. */
interface RuleState {
  readonly tokens: readonly NftToken[]
  /** The index of the token being read. */
  i: number
  readonly line: number
  readonly ctx: NftRuleContext
  readonly matches: NftMatch[]
  verdict: RuleVerdict
  /** A verdict map or anonymous set keyed by one selector or a concatenation of several. */
  vmap: { selectors: string[]; entries: [string[], RuleVerdict | undefined][] } | undefined
  /** Rate limits met (limit, quota, meter, ct count), and whether one is `over` a rate. */
  readonly rates: string[]
  over: boolean
}

function fail(st: RuleState, reason: string): PolicyError {
  const { file } = st.ctx
  return new PolicyError('ERR_POLICY_CONFIG', `${file}:${st.line}: ${reason}`, {
    file,
    line: st.line,
  })
}

function warn(st: RuleState, message: string): void {
  st.ctx.warnings.push({ file: st.ctx.file, line: st.line, message })
}

const word = (st: RuleState, at: number): string | undefined => st.tokens[at]?.t

/** The words of tokens `[from, to)`. */
const words = (st: RuleState, from: number, to: number): string[] =>
  st.tokens.slice(from, to).map((x) => x.t)

/** A match's value: a word, `a, b` words, an anonymous set `{ ... }` or `@set`. */
function value(st: RuleState): NftValue {
  const { tokens } = st
  const t = tokens[st.i++]
  if (t === undefined) throw fail(st, 'a match needs a value')
  if (t.t === '{') {
    const list: NftValue[] = []
    for (let u = tokens[st.i++]; u !== undefined && u.t !== '}'; u = tokens[st.i++]) {
      // nft takes no `@set` inside an anonymous set
      if (u.t !== ',' && u.k !== 'n') list.push(u.t)
    }
    return list
  }
  if (t.t.startsWith('@')) return { set: t.t.slice(1) }
  const list = [t.t]
  while (word(st, st.i) === ',' && tokens[st.i + 1]?.k === 'w') {
    list.push(tokens[st.i + 1]!.t)
    st.i += 2
  }
  return list.length === 1 ? list[0]! : list
}

/** Whether `w` starts a selector or a verdict: where a skipped statement's words end. */
const endsStatement = (w: string) => SELECTOR_HEADS.has(w) || BARE_SELECTORS.has(w) || STOPS.has(w)

/**
 * `counter [packets N bytes M]`, `log [prefix "x"]`, `limit rate N/second`, `meter m { ... }`,
 * `update @s { ... }`: skips the arguments (blocks whole) up to the next selector or verdict.
 */
function noise(st: RuleState, w: string): void {
  const start = st.i++
  for (let depth = 0; st.i < st.tokens.length; st.i++) {
    const u = st.tokens[st.i]!.t
    if (u === '{') depth++
    else if (u === '}') depth--
    else if (depth === 0 && endsStatement(u)) break
  }
  const said = words(st, start, st.i)
  if (w === 'limit' || w === 'quota' || said.includes('limit')) {
    st.rates.push(said.join(' '))
    if (said.includes('over')) st.over = true
  }
}

/** The verdict words (`accept`, `jump web`, `reject ...`, `dnat to ...`); false for others. */
function verdictWord(st: RuleState, w: string): boolean {
  if (PLAIN_VERDICTS.has(w)) {
    st.verdict = { kind: w as 'accept' | 'drop' | 'return' | 'continue' }
    st.i++
  } else if (w === 'reject') {
    st.verdict = { kind: 'drop' }
    st.i = st.tokens.length
  } else if (CHAIN_VERDICTS.has(w)) {
    const target = word(st, st.i + 1)
    if (target === undefined) throw fail(st, `'${w}' needs a chain`)
    st.verdict = { kind: w as 'jump' | 'goto', target }
    st.i += 2
  } else if (w === 'dnat' || w === 'redirect') {
    st.verdict = natVerdict(st, st.tokens.slice(st.i + 1), w)
    st.i = st.tokens.length
  } else return false
  return true
}

/**
 * The selector at `st.i` (`ip saddr`, `iifname`, `fib daddr type`, `ct original proto-dst`),
 * moved past; undefined (with a note, its words skipped) for a statement the model does not know.
 */
function selector(st: RuleState, w: string): string | undefined {
  const { tokens } = st
  if (w === 'fib') {
    // `fib FLAG [. FLAG]... RESULT`: fib daddr type, fib daddr . iif type, fib saddr . iif oif
    const flag = word(st, st.i + 1) ?? ''
    st.i += 2
    while (word(st, st.i) === '.') st.i += 2
    return `fib ${flag} ${tokens[st.i++]?.t ?? ''}`
  }
  if (SELECTOR_HEADS.has(w)) {
    const field = word(st, st.i + 1)
    if (field === undefined) throw fail(st, `'${w}' needs a field`)
    let sel = w === 'meta' && BARE_SELECTORS.has(field) ? field : `${w} ${field}`
    st.i += 2
    // ct original proto-dst, ct original ip daddr
    if (sel === 'ct original' || sel === 'ct reply')
      while (CT_DIRECTION_FIELDS.has(word(st, st.i) ?? '')) sel += ` ${tokens[st.i++]!.t}`
    return sel
  }
  if (BARE_SELECTORS.has(w)) {
    st.i++
    return w
  }
  // a statement this model does not know: its words up to the next selector or verdict
  const start = st.i++
  while (st.i < tokens.length && !endsStatement(tokens[st.i]!.t) && !NOISE.has(tokens[st.i]!.t))
    st.i++
  warn(st, `'${words(st, start, st.i).join(' ')}' is not modelled; the rule is taken to match`)
  return undefined
}

/**
 * What follows a selector: `[op] value` (a match), a verdict map, a concatenation, `tcp flags`,
 * or what the model does not read (orderings). False when the rule matches no first packet:
 * a named verdict map (noted), or `tcp flags` a bare SYN does not have.
 */
function matchAfter(st: RuleState, sel: string): boolean {
  const { tokens } = st
  let negate = false
  const op = word(st, st.i) ?? ''
  if (NOT_EQUALS.has(op)) {
    negate = true
    st.i++
  } else if (EQUALS.has(op)) st.i++
  else if (ORDERINGS.has(op)) {
    warn(st, `comparison '${op}' is not modelled; the rule is taken to match`)
    st.i += 2
    return true
  }
  if (op === '.') concatenation(st, sel)
  else if (op === 'vmap') {
    st.i++
    const map = value(st)
    // an anonymous set's items are words; a named map's are kept as words by the reader
    st.vmap = {
      selectors: [sel],
      entries: verdictMap(
        st,
        Array.isArray(map) ? (map as string[]) : namedMap(st, map as NamedRef),
      ).map(([k, v]) => [[k], v]),
    }
  } else if (sel === 'tcp flags') {
    // judged on a connection's first packet, a bare SYN (nft-tcp-flags.ts)
    const from = st.i
    while (
      st.i < tokens.length &&
      !SELECTOR_HEADS.has(tokens[st.i]!.t) &&
      !TCP_FLAGS_STOPS.has(tokens[st.i]!.t)
    )
      st.i++
    // the comparison read above (`!=`, `==`) is part of the expression
    const prev = tokens[from - 1]!.t
    const cmp = negate ? '!= ' : prev === '==' || prev === 'eq' ? '== ' : ''
    const expr = cmp + words(st, from, st.i).join(' ')
    const syn = nftTcpFlagsMatchSyn(expr)
    // a rule no first packet matches changes no reach
    if (syn === false) return false
    if (syn === undefined)
      warn(st, `'tcp flags ${expr}' is not modelled; the rule is taken to match`)
  } else st.matches.push({ selector: sel, negate, value: value(st) })
  return true
}

/**
 * `SEL . SEL ... { elements }` or `... vmap { elements }` (nft takes concatenations with sets
 * only): one rule per element, each matching every part of its key. With a named set
 * (`ip saddr . tcp dport @pairs`) the pairs are not read: noted, taken to match.
 */
function concatenation(st: RuleState, sel: string): void {
  const selectors = [sel]
  while (word(st, st.i) === '.') {
    const head = String(word(st, st.i + 1))
    const two = SELECTOR_HEADS.has(head)
    selectors.push(two ? `${head} ${String(word(st, st.i + 2))}` : head)
    st.i += two ? 3 : 2
  }
  const isMap = word(st, st.i) === 'vmap'
  if (isMap) st.i++
  const items = value(st)
  if (Array.isArray(items) && word(st, st.i - 1) === '}')
    st.vmap = { selectors, entries: concatEntries(st, items as string[], selectors, isMap) }
  else if (isMap && !Array.isArray(items))
    st.vmap = {
      selectors,
      entries: concatEntries(st, namedMap(st, items as NamedRef), selectors, true),
    }
  else warn(st, `concatenation '${sel} . ...' is not modelled; the rule is taken to match`)
}

/**
 * The elements of an anonymous set or verdict map keyed by a concatenation: each key's parts
 * (`udp . 67`), and with a map its verdict (undefined in a set: the rule's own).
 */
function concatEntries(
  st: RuleState,
  list: readonly string[],
  selectors: readonly string[],
  isMap: boolean,
): [string[], RuleVerdict | undefined][] {
  const out: [string[], RuleVerdict | undefined][] = []
  let k = 0
  while (k < list.length) {
    const key = [list[k]!]
    k++
    while (list[k] === '.') {
      key.push(String(list[k + 1]))
      k += 2
    }
    if (key.length !== selectors.length)
      throw fail(st, `element '${key.join(' . ')}' does not fit '${selectors.join(' . ')}'`)
    if (!isMap) {
      out.push([key, undefined])
      continue
    }
    const n = list[k + 1] === 'jump' || list[k + 1] === 'goto' ? 3 : 2
    out.push([key, verdictMap(st, ['', ...list.slice(k, k + n)])[0]![1]])
    k += n
  }
  return out
}

/**
 * Parses a rule's tokens into matches and a verdict: one rule, or one per element of a verdict
 * map (`tcp dport vmap { 22 : accept, 23 : drop }`; keys are distinct, so the element a packet
 * matches is the only one that applies to it), anonymous or named (`vmap @name`).
 */
export function parseNftRule(
  tokens: readonly NftToken[],
  line: number,
  ctx: NftRuleContext,
): FirewallRule[] {
  const st: RuleState = {
    ...{ tokens, i: 0, line, ctx, matches: [], verdict: { kind: 'continue' } },
    ...{ vmap: undefined, rates: [], over: false },
  }
  while (st.i < tokens.length) {
    const w = tokens[st.i]!.t
    if (verdictWord(st, w)) continue
    if (w === 'comment') st.i += 2
    else if (NOISE.has(w)) noise(st, w)
    else if (w === 'ct' && word(st, st.i + 1) === 'count') {
      // ct count [over] N: a source's first connection is the only one it has
      const isOver = word(st, st.i + 2) === 'over'
      st.rates.push(words(st, st.i, st.i + (isOver ? 4 : 3)).join(' '))
      if (isOver) st.over = true
      st.i += isOver ? 4 : 3
    } else {
      const sel = selector(st, w)
      if (sel !== undefined && !matchAfter(st, sel)) return []
    }
  }
  return finish(st)
}

/** The rules of a read rule: a verdict map's elements each, rate limits noted. */
function finish(st: RuleState): FirewallRule[] {
  const { ctx, vmap, matches, verdict } = st
  const build = { family: ctx.family, sets: ctx.sets, warnings: ctx.warnings }
  const where = { file: ctx.file, line: st.line, text: ctx.text }
  const rules =
    vmap === undefined
      ? [buildNftRule(matches, verdict, { ...build, where })]
      : vmap.entries.map(([key, v]) =>
          buildNftRule(
            [
              ...matches,
              ...vmap.selectors.map((s, j) => ({ selector: s, negate: false, value: key[j]! })),
            ],
            v ?? verdict,
            { ...build, where },
          ),
        )
  if (st.rates.length === 0) return rules
  if (vmap !== undefined || verdict.kind !== 'continue')
    ctx.warnings.push(rateNote(ctx.file, st.line, st.rates, st.over))
  return st.over ? rules.map((r) => ({ ...r, never: true })) : rules
}

/**
 * `dnat [ip|ip6] to ADDR[:PORT]` and `redirect [to] [:]PORT` (after the keyword). A target
 * this model cannot follow (a map, numgen) is noted and the rule taken not to translate.
 */
function natVerdict(
  st: RuleState,
  rest: readonly NftToken[],
  kind: 'dnat' | 'redirect',
): RuleVerdict {
  let k = 0
  if (rest[k]?.t === 'ip' || rest[k]?.t === 'ip6') k++
  if (rest[k]?.t === 'to') k++
  const text = rest[k]?.t
  const t =
    text === undefined && kind === 'redirect'
      ? { range: false }
      : text === undefined
        ? undefined
        : parseNatTarget(text, kind === 'redirect')
  if (t === undefined || rest[k + 1]?.t === 'map') {
    warn(
      st,
      `${kind} to '${rest.map((x) => x.t).join(' ')}' is not modelled; the rule is taken not to translate`,
    )
    return { kind: 'continue' }
  }
  if (t.range) warn(st, `${kind} to a range ('${text}'): the first address and port are taken`)
  return {
    kind: 'dnat',
    ...('addr' in t && t.addr !== undefined ? { addr: t.addr } : {}),
    ...('port' in t && t.port !== undefined ? { port: t.port } : {}),
  }
}

/** A value that is no list: a word, or `@name`. */
type NamedRef = Exclude<NftValue, readonly NftValue[]>

/** The elements of the verdict map `@name` of the rule's table (nft refuses any other). */
function namedMap(st: RuleState, ref: NamedRef): readonly string[] {
  const name = typeof ref === 'string' ? ref : ref.set
  const map = st.ctx.sets.get(name)
  if (map?.kind !== 'vmap') throw fail(st, `'@${name}' is not a verdict map of this table`)
  return map.elements
}

/** `KEY : VERDICT` elements (the words of `{ 22 : accept, 80 : jump web }`). */
function verdictMap(st: RuleState, list: readonly string[]): [string, RuleVerdict][] {
  const out: [string, RuleVerdict][] = []
  for (let k = 0; k < list.length; k += 3) {
    // a key is one word (`22`, `9000-9009`, `"lo"`, `established`)
    const [key, colon, kind, target] = list.slice(k, k + 4)
    const verdict: RuleVerdict | undefined =
      kind !== undefined && PLAIN_VERDICTS.has(kind)
        ? { kind: kind as 'accept' | 'drop' | 'return' | 'continue' }
        : kind !== undefined && CHAIN_VERDICTS.has(kind) && target !== undefined
          ? { kind: kind as 'jump' | 'goto', target }
          : undefined
    if (colon !== ':' || verdict === undefined)
      throw fail(st, `verdict map element '${list.slice(k, k + 3).join(' ')}' is not KEY : VERDICT`)
    if (verdict.kind === 'jump' || verdict.kind === 'goto') k++
    out.push([key!, verdict])
  }
  return out
}
