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
  vmap: { selector: string; entries: [string, RuleVerdict][] } | undefined
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
 * What follows a selector: `[op] value` (a match), a verdict map, or what the model does not
 * read (orderings, concatenations, `tcp flags`). False when a named verdict map ends the rule.
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
  if (op === '.') {
    // `ip saddr . tcp dport @pairs`: skip the other selectors and the value
    warn(st, `concatenation '${sel} . ...' is not modelled; the rule is taken to match`)
    // `. tcp dport` or `. iifname`; nft takes concatenations with sets only
    while (word(st, st.i) === '.') st.i += SELECTOR_HEADS.has(String(word(st, st.i + 1))) ? 3 : 2
    value(st)
  } else if (op === 'vmap') {
    st.i++
    const map = value(st)
    if (!Array.isArray(map)) {
      warn(st, 'named verdict maps are not modelled; the rule is taken not to match')
      return false
    }
    // an anonymous set's items are words
    st.vmap = { selector: sel, entries: verdictMap(st, map as string[]) }
  } else if (sel === 'tcp flags') {
    // tcp flags syn / tcp flags & (syn|ack) == syn: new connections start with SYN; taken to match
    while (
      st.i < tokens.length &&
      !SELECTOR_HEADS.has(tokens[st.i]!.t) &&
      !TCP_FLAGS_STOPS.has(tokens[st.i]!.t)
    )
      st.i++
  } else st.matches.push({ selector: sel, negate, value: value(st) })
  return true
}

/**
 * Parses a rule's tokens into matches and a verdict: one rule, or one per element of a verdict
 * map (`tcp dport vmap { 22 : accept, 23 : drop }`; keys are distinct, so the element a packet
 * matches is the only one that applies to it). None for a named verdict map (noted).
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
          buildNftRule([...matches, { selector: vmap.selector, negate: false, value: key }], v, {
            ...build,
            where,
          }),
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
