/**
 * @module nftables text: `nft list ruleset` output and `nft -f` files, in block form
 * (`table inet t { chain c { ... } }`) or command form (`add rule inet t c tcp dport 22 accept`).
 */
import { PolicyError } from './policy-error.ts'
import { parseNatTarget } from './rule-builder.ts'
import { rateNote } from './rate-note.ts'
import {
  assembleNft,
  buildNftRule,
  buildNftSet,
  parsePriority,
  type NftChainDraft,
  type NftFamily,
  type NftMatch,
  type NftSet,
  type NftValue,
} from './nft-rule.ts'
import type { FirewallConfig, FirewallRule, RuleVerdict, ReaderWarning } from './types.ts'

interface Token {
  readonly t: string
  readonly line: number
  /** `w` word, `s` quoted string, `p` punctuation `{ } ; ,`, `n` newline. */
  readonly k: 'w' | 's' | 'p' | 'n'
}

function tokenize(text: string): Token[] {
  const out: Token[] = []
  let line = 1
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text[i]!
    if (c === '\n') {
      out.push({ t: '\n', line, k: 'n' })
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') i++
    else if (c === '\\' && text[i + 1] === '\n') {
      i += 2
      line++
    } else if (c === '#') {
      while (i < n && text[i] !== '\n') i++
    } else if (c === '{' || c === '}' || c === ';' || c === ',') {
      out.push({ t: c, line, k: 'p' })
      i++
    } else if (c === '"') {
      let j = i + 1
      while (j < n && text[j] !== '"' && text[j] !== '\n') j++
      out.push({ t: text.slice(i + 1, j), line, k: 's' })
      i = j + 1
    } else {
      let j = i
      while (j < n && !' \t\r\n{};,"#'.includes(text[j]!)) j++
      out.push({ t: text.slice(i, j), line, k: 'w' })
      i = j
    }
  }
  return out
}

const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'])
const SELECTOR_HEADS = new Set([
  'ip',
  'ip6',
  'tcp',
  'udp',
  'th',
  'meta',
  'ct',
  'icmp',
  'icmpv6',
  'sctp',
  'ether',
  'vlan',
])
/** Meta keys written without `meta` (nft(8) "META EXPRESSIONS"); `l4proto`, `nfproto` need it. */
const BARE_SELECTORS = new Set(['iif', 'iifname', 'oif', 'oifname', 'iiftype', 'oiftype', 'mark'])
/** Table-level objects and attributes that hold no filter rules; blocks are taken whole. */
const TABLE_SKIPPED = new Set([
  'flags',
  'comment',
  'flowtable',
  'counter',
  'quota',
  'ct',
  'limit',
  'secmark',
  'synproxy',
])
/** The most tokens `$NAME` uses may expand to in one file (a 50,000-element set is ~100,000). */
const MAX_EXPANDED_TOKENS = 2_000_000
/** What `add element` parses a set's new elements as, by the set's kind. */
const ELEMENT_TYPE = {
  addr: 'ipv4_addr',
  port: 'inet_service',
  iface: 'ifname',
  other: 'other',
} as const
/** Words that end a skipped statement's arguments: verdicts and the statements that follow. */
const STOPS = new Set([
  'accept',
  'drop',
  'return',
  'jump',
  'goto',
  'reject',
  'continue',
  'comment',
  'counter',
  'log',
  'limit',
  'fib',
  'dnat',
  'redirect',
])

const NOISE = new Set([
  'counter',
  'log',
  'limit',
  'comment',
  'notrack',
  'meter',
  'quota',
  'reject',
  'masquerade',
  'snat',
  'dnat',
  'mark',
  'set',
  'update',
  'add',
])

class Parser {
  private pos = 0
  readonly chains = new Map<string, NftChainDraft>()
  readonly sets = new Map<string, Map<string, NftSet>>()
  /** `define NAME = VALUE`: the value's tokens, its own `$` uses expanded. */
  private readonly defines = new Map<string, Token[]>()
  private readonly pendingRules: {
    family: NftFamily
    table: string
    chain: string
    tokens: Token[]
    line: number
    insert: boolean
  }[] = []
  readonly warnings: ReaderWarning[] = []
  private readonly tokens: Token[]
  /** Tokens put in place of `$NAME` uses so far. */
  private expanded = 0
  /** The tokens of the `$NAME` use being read, and how many of them were read. */
  private queue: Token[] = []
  private queued = 0
  private readonly lines: string[]
  private readonly file: string
  /** Whether the file declares tables (a ruleset) and whether it includes others (a part of one). */
  private sawTable = false
  private sawInclude = false
  constructor(text: string, file: string) {
    this.tokens = tokenize(text)
    this.lines = text.split('\n')
    this.file = file
  }
  private err(line: number, reason: string): PolicyError {
    return new PolicyError('ERR_POLICY_CONFIG', `${this.file}:${line}: ${reason}`, {
      file: this.file,
      line,
    })
  }
  /** The next token; a `$NAME` is replaced by its definition first, at the line of the use. */
  private peek(): Token | undefined {
    if (this.queued < this.queue.length) return this.queue[this.queued]
    const t = this.tokens[this.pos]
    if (t?.k !== 'w' || !t.t.startsWith('$')) return t
    const value = this.defines.get(t.t.slice(1))
    if (value === undefined) throw this.err(t.line, `'${t.t}' is not defined`)
    // Definitions built from each other can double at every step: refuse a blow-up, not hang.
    this.expanded += value.length
    if (this.expanded > MAX_EXPANDED_TOKENS)
      throw this.err(t.line, `variables expand to over ${MAX_EXPANDED_TOKENS} tokens in all`)
    // The use is read as its definition's tokens (never empty, and with no `$` uses of their
    // own: they were expanded when the definition was read), queued before the rest.
    this.pos++
    this.queue = value.map((v) => ({ ...v, line: t.line }))
    this.queued = 0
    return this.queue[0]
  }
  /** Moves past the token peek() gave. */
  private advance(): void {
    if (this.queued < this.queue.length) this.queued++
    else this.pos++
  }
  private next(): Token {
    const t = this.peek()
    if (t === undefined) throw this.err(this.lines.length, 'unexpected end of file (missing "}"?)')
    this.advance()
    return t
  }
  private skipSeparators(): void {
    while (this.peek()?.k === 'n' || this.peek()?.t === ';') this.advance()
  }
  private expect(t: string): void {
    const tok = this.next()
    if (tok.t !== t) throw this.err(tok.line, `expected '${t}', got '${tok.t}'`)
  }
  /** Tokens to the end of the statement (newline or `;` outside braces); braces kept. */
  private statement(): Token[] {
    const out: Token[] = []
    let depth = 0
    for (let t = this.peek(); t !== undefined; t = this.peek()) {
      if (depth === 0 && (t.k === 'n' || t.t === ';' || t.t === '}')) break
      this.advance()
      if (t.t === '{') depth++
      if (t.t === '}') depth--
      out.push(t)
    }
    return out
  }
  private familyAndName(): { family: NftFamily; name: string } {
    const a = this.next()
    if (FAMILIES.has(a.t) && this.peek()?.k === 'w') {
      const name = this.next().t
      return { family: a.t === 'ip' || a.t === 'ip6' || a.t === 'inet' ? a.t : 'other', name }
    }
    return { family: 'ip', name: a.t }
  }
  private tableSets(family: NftFamily, table: string): Map<string, NftSet> {
    const key = `${family} ${table}`
    let m = this.sets.get(key)
    if (!m) this.sets.set(key, (m = new Map<string, NftSet>()))
    return m
  }
  private chain(family: NftFamily, table: string, name: string, line: number): NftChainDraft {
    const key = `${family} ${table} ${name}`
    let c = this.chains.get(key)
    if (!c) this.chains.set(key, (c = { family, table, name, line, rules: [] }))
    return c
  }

  parse(): FirewallConfig {
    for (;;) {
      this.skipSeparators()
      const t = this.peek()
      if (t === undefined) break
      this.topStatement()
    }
    for (const p of this.pendingRules) {
      const c = this.chain(p.family, p.table, p.chain, p.line)
      const rules = this.rule(p.tokens, p.line, p.family, p.table)
      if (p.insert) c.rules.unshift(...rules)
      else c.rules.push(...rules)
    }
    return assembleNft([...this.chains.values()], {
      file: this.file,
      format: 'nftables',
      warnings: this.warnings,
      // tables and no include: the whole ruleset (`nft list ruleset`, nftables.conf)
      whole: this.sawTable && !this.sawInclude,
    })
  }

  private topStatement(): void {
    const head = this.next()
    if (head.k !== 'w') throw this.err(head.line, `unexpected '${head.t}'`)
    switch (head.t) {
      case 'set': {
        // a sets-only fragment, meant to be included inside a table
        this.setBody('other', '(fragment)', this.next().t, head.line)
        return
      }
      case 'table': {
        this.sawTable = true
        const { family, name } = this.familyAndName()
        if (this.peek()?.t === '{') this.tableBody(family, name)
        return
      }
      case 'add':
      case 'create':
      case 'insert': {
        const what = this.next()
        if (what.t === 'table') {
          this.sawTable = true
          const { family, name } = this.familyAndName()
          if (this.peek()?.t === '{') this.tableBody(family, name)
          return
        }
        if (what.t === 'chain') {
          const { family, name: table } = this.familyAndName()
          const name = this.next().t
          const c = this.chain(family, table, name, what.line)
          if (this.peek()?.t === '{') this.chainBody(c)
          return
        }
        if (what.t === 'rule') {
          const { family, name: table } = this.familyAndName()
          const chainName = this.next().t
          const tokens = this.statement()
          if (tokens[0]?.t === 'position' || tokens[0]?.t === 'index' || tokens[0]?.t === 'handle')
            tokens.splice(0, 2)
          this.pendingRules.push({
            family,
            table,
            chain: chainName,
            tokens,
            line: what.line,
            insert: head.t === 'insert',
          })
          return
        }
        if (what.t === 'set') {
          const { family, name: table } = this.familyAndName()
          this.setBody(family, table, this.next().t, what.line)
          return
        }
        if (what.t === 'element') {
          const { family, name: table } = this.familyAndName()
          const name = this.next().t
          const elems = this.braceWords()
          const sets = this.tableSets(family, table)
          const prev = sets.get(name)
          // as nft: elements go into a set declared before
          if (prev === undefined) throw this.err(what.line, `set '${name}' is not declared`)
          const where = { file: this.file, line: what.line, text: `set ${name}` }
          sets.set(name, mergeSets(prev, buildNftSet(ELEMENT_TYPE[prev.kind], elems, where)))
          return
        }
        this.statement()
        return
      }
      case 'delete':
      case 'destroy':
      case 'flush': {
        // flush empties tables and chains, delete removes them too; rules are pending until the
        // end, so both drop the rules added before
        const [what, ...words] = this.statement().map((x) => x.t)
        if (what === 'ruleset') {
          this.chains.clear()
          this.sets.clear()
          this.pendingRules.length = 0
        } else if (what === 'table' || what === 'chain') {
          // `[family] table [chain]`: the family defaults to ip
          const [fam, table, chain] =
            words.length > (what === 'table' ? 1 : 2) ? words : ['ip', ...words]
          const hit = (c: { family: string; table: string }, name: string) =>
            c.family === fam && c.table === table && (what === 'table' || name === chain)
          const keep = this.pendingRules.filter((p) => !hit(p, p.chain))
          this.pendingRules.splice(0, this.pendingRules.length, ...keep)
          if (head.t !== 'flush') {
            for (const [key, c] of [...this.chains]) if (hit(c, c.name)) this.chains.delete(key)
            if (what === 'table') this.sets.delete(`${fam} ${table}`)
          }
        }
        return
      }
      case 'define':
      case 'redefine': {
        const [name, eq, ...value] = this.statement()
        if (eq?.t !== '=' || value.length === 0)
          throw this.err(head.line, `expected '${head.t} NAME = VALUE'`)
        // eq is the second token: the first is the name
        this.defines.set(name!.t, value)
        return
      }
      case 'undefine':
        for (const name of this.statement()) this.defines.delete(name.t)
        return
      case 'list':
        this.statement()
        return
      case 'include':
        this.sawInclude = true
        this.warnings.push({
          file: this.file,
          line: head.line,
          message: `include is not followed; pass the included file as a config too`,
        })
        this.statement()
        return
      default:
        throw this.err(
          head.line,
          `unexpected '${head.t}' (expected table, add, insert, flush, define, ...)`,
        )
    }
  }

  private tableBody(family: NftFamily, table: string): void {
    this.expect('{')
    for (;;) {
      this.skipSeparators()
      const t = this.next()
      if (t.t === '}') return
      if (t.t === 'chain') {
        const name = this.next().t
        this.chainBody(this.chain(family, table, name, t.line))
      } else if (t.t === 'set' || t.t === 'map') {
        const name = this.next().t
        this.setBody(family, table, name, t.line)
      } else if (TABLE_SKIPPED.has(t.t)) {
        // statement() takes a `counter c { ... }` block whole: it stops only outside braces
        this.statement()
      } else throw this.err(t.line, `unexpected '${t.t}' in table '${table}'`)
    }
  }

  private chainBody(c: NftChainDraft): void {
    this.expect('{')
    for (;;) {
      this.skipSeparators()
      const t = this.peek()
      if (t === undefined) throw this.err(c.line, `chain '${c.name}' is not closed`)
      if (t.t === '}') {
        this.advance()
        return
      }
      const tokens = this.statement()
      // never empty: the token peeked above is neither a separator nor '}'
      const first = tokens[0]!
      if (first.t === 'type') {
        // nft's grammar: `type T hook H [device D] priority P`
        const m = /^type (\S+) hook (\S+) (?:.* )?priority (.+)$/.exec(
          tokens.map((x) => x.t).join(' '),
        )
        if (!m) throw this.err(first.line, 'a chain type needs a hook and a priority')
        c.type = m[1]
        c.hook = m[2]
        const p = parsePriority(m[3]!.split(' '))
        if (p !== undefined) c.priority = p
      } else if (first.t === 'policy') {
        const v = tokens[1]?.t
        if (v === 'drop' || v === 'accept') {
          c.policy = v
          c.policyLine = first.line
        } else throw this.err(first.line, `policy '${v ?? ''}' is neither accept nor drop`)
      } else if (first.t === 'comment' || first.t === 'devices') {
        continue
      } else {
        // sets may be declared after the chains that use them: rules are built at the end
        this.pendingRules.push({
          family: c.family,
          table: c.table,
          chain: c.name,
          tokens,
          line: first.line,
          insert: false,
        })
      }
    }
  }

  private braceWords(): string[] {
    this.expect('{')
    const out: string[] = []
    for (;;) {
      const t = this.next()
      if (t.t === '}') return out
      if (t.k === 'w' || t.k === 's') out.push(t.t)
    }
  }

  private setBody(family: NftFamily, table: string, name: string, line: number): void {
    this.expect('{')
    let type = 'ipv4_addr'
    let elements: string[] = []
    let elementsLine = line
    for (;;) {
      this.skipSeparators()
      const t = this.next()
      if (t.t === '}') break
      if (t.t === 'type') {
        // `ipv4_addr . inet_service` (concatenation) and `ipv4_addr : verdict` (map) are 'other'
        type = [this.next(), ...this.statement()].map((x) => x.t).join(' ')
      } else if (t.t === 'typeof') {
        const words = this.statement().map((x) => x.t)
        const text = words.join(' ')
        type = /\bip6 [sd]addr\b/.test(text)
          ? 'ipv6_addr'
          : /\bip [sd]addr\b/.test(text)
            ? 'ipv4_addr'
            : /dport|sport/.test(text)
              ? 'inet_service'
              : /^(meta )?[io]ifname$/.test(text)
                ? 'ifname'
                : 'other'
      } else if (t.t === 'elements') {
        elementsLine = t.line
        this.expect('=')
        elements = this.braceWords()
      } else this.statement()
    }
    const where = { file: this.file, line: elementsLine, text: `set ${name}` }
    this.tableSets(family, table).set(
      name,
      mergeSets(this.tableSets(family, table).get(name), buildNftSet(type, elements, where)),
    )
  }

  /**
   * Parses a rule's tokens into matches and a verdict: one rule, or one per element of a verdict
   * map (`tcp dport vmap { 22 : accept, 23 : drop }`; keys are distinct, so the element a packet
   * matches is the only one that applies to it).
   */
  private rule(tokens: Token[], line: number, family: NftFamily, table: string): FirewallRule[] {
    // a line of the text: the line of a token, or of an `add rule` command
    const text = this.lines[line - 1]!.trim()
    const where = { file: this.file, line, text }
    const matches: NftMatch[] = []
    let verdict: RuleVerdict = { kind: 'continue' }
    let vmap: { selector: string; entries: [string, RuleVerdict][] } | undefined
    // rate limits met (limit, quota, meter, ct count), and whether one is `over` a rate
    const rates: string[] = []
    let over = false
    let i = 0
    const value = (): NftValue => {
      const t = tokens[i++]
      if (t === undefined) throw this.err(line, 'a match needs a value')
      if (t.t === '{') {
        const list: NftValue[] = []
        for (let u = tokens[i++]; u !== undefined && u.t !== '}'; u = tokens[i++]) {
          // nft takes no `@set` inside an anonymous set
          if (u.t !== ',' && u.k !== 'n') list.push(u.t)
        }
        return list
      }
      if (t.t.startsWith('@')) return { set: t.t.slice(1) }
      const words = [t.t]
      while (tokens[i]?.t === ',' && tokens[i + 1]?.k === 'w') {
        words.push(tokens[i + 1]!.t)
        i += 2
      }
      return words.length === 1 ? words[0]! : words
    }
    while (i < tokens.length) {
      const t = tokens[i]!
      const w = t.t
      if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
        verdict = { kind: w }
        i++
        continue
      }
      if (w === 'reject') {
        verdict = { kind: 'drop' }
        i = tokens.length
        break
      }
      if (w === 'jump' || w === 'goto') {
        const target = tokens[i + 1]?.t
        if (target === undefined) throw this.err(line, `'${w}' needs a chain`)
        verdict = { kind: w, target }
        i += 2
        continue
      }
      if (w === 'comment') {
        i += 2
        continue
      }
      if (w === 'dnat' || w === 'redirect') {
        verdict = this.natVerdict(tokens.slice(i + 1), w, line)
        i = tokens.length
        break
      }
      if (NOISE.has(w)) {
        // counter [packets N bytes M], log [prefix "x"] [level y], limit rate N/second,
        // meter m { ip saddr limit rate ... }, update @s { ... }: skip their arguments (blocks
        // whole) up to the next selector or verdict
        const start = i++
        for (let depth = 0; i < tokens.length; i++) {
          const u = tokens[i]!.t
          if (u === '{') depth++
          else if (u === '}') depth--
          else if (depth === 0 && (SELECTOR_HEADS.has(u) || BARE_SELECTORS.has(u) || STOPS.has(u)))
            break
        }
        const words = tokens.slice(start, i).map((x) => x.t)
        if (w === 'limit' || w === 'quota' || words.includes('limit')) {
          rates.push(words.join(' '))
          if (words.includes('over')) over = true
        }
        continue
      }
      if (w === 'ct' && tokens[i + 1]?.t === 'count') {
        // ct count [over] N: a source's first connection is the only one it has
        const isOver = tokens[i + 2]?.t === 'over'
        rates.push(
          tokens
            .slice(i, i + (isOver ? 4 : 3))
            .map((x) => x.t)
            .join(' '),
        )
        if (isOver) over = true
        i += isOver ? 4 : 3
        continue
      }
      let selector: string
      if (w === 'fib') {
        // `fib FLAG [. FLAG]... RESULT`: fib daddr type, fib daddr . iif type, fib saddr . iif oif
        const flag = tokens[i + 1]?.t ?? ''
        i += 2
        while (tokens[i]?.t === '.') i += 2
        selector = `fib ${flag} ${tokens[i++]?.t ?? ''}`
      } else if (SELECTOR_HEADS.has(w)) {
        const field = tokens[i + 1]?.t
        if (field === undefined) throw this.err(line, `'${w}' needs a field`)
        selector = w === 'meta' && BARE_SELECTORS.has(field) ? field : `${w} ${field}`
        i += 2
        // ct original proto-dst, ct original ip daddr
        if (selector === 'ct original' || selector === 'ct reply')
          while (/^(ip6?|proto-dst|proto-src|saddr|daddr)$/.test(tokens[i]?.t ?? ''))
            selector += ` ${tokens[i++]!.t}`
      } else if (BARE_SELECTORS.has(w)) {
        selector = w
        i++
      } else {
        // a statement this model does not know: its words up to the next selector or verdict
        const start = i++
        while (
          i < tokens.length &&
          !SELECTOR_HEADS.has(tokens[i]!.t) &&
          !BARE_SELECTORS.has(tokens[i]!.t) &&
          !STOPS.has(tokens[i]!.t) &&
          !NOISE.has(tokens[i]!.t)
        )
          i++
        const words = tokens.slice(start, i).map((x) => x.t)
        this.warnings.push({
          file: this.file,
          line,
          message: `'${words.join(' ')}' is not modelled; the rule is taken to match`,
        })
        continue
      }
      let negate = false
      const op = tokens[i]?.t
      if (op === '!=' || op === 'ne') {
        negate = true
        i++
      } else if (op === '==' || op === 'eq') i++
      else if (
        op === '>' ||
        op === '<' ||
        op === '>=' ||
        op === '<=' ||
        op === 'gt' ||
        op === 'lt'
      ) {
        this.warnings.push({
          file: this.file,
          line,
          message: `comparison '${op}' is not modelled; the rule is taken to match`,
        })
        i += 2
        continue
      }
      if (op === '.') {
        // `ip saddr . tcp dport @pairs`: skip the other selectors and the value
        this.warnings.push({
          file: this.file,
          line,
          message: `concatenation '${selector} . ...' is not modelled; the rule is taken to match`,
        })
        // `. tcp dport` or `. iifname`; nft takes concatenations with sets only
        while (tokens[i]?.t === '.') i += SELECTOR_HEADS.has(String(tokens[i + 1]?.t)) ? 3 : 2
        value()
        continue
      }
      if (op === 'vmap') {
        i++
        const map = value()
        if (!Array.isArray(map)) {
          this.warnings.push({
            file: this.file,
            line,
            message: `named verdict maps are not modelled; the rule is taken not to match`,
          })
          return []
        }
        // an anonymous set's items are words
        vmap = { selector, entries: this.verdictMap(map as string[], line) }
        continue
      }
      if (selector === 'tcp flags') {
        // tcp flags syn / tcp flags & (syn|ack) == syn: new connections start with SYN; taken to match
        while (
          i < tokens.length &&
          !SELECTOR_HEADS.has(tokens[i]!.t) &&
          !['accept', 'drop', 'jump', 'goto', 'return', 'reject', 'counter', 'log'].includes(
            tokens[i]!.t,
          )
        )
          i++
        continue
      }
      matches.push({ selector, negate, value: value() })
    }
    const ctx = { family, sets: this.tableSets(family, table), where, warnings: this.warnings }
    const rules =
      vmap === undefined
        ? [buildNftRule(matches, verdict, ctx)]
        : vmap.entries.map(([key, v]) =>
            buildNftRule(
              [...matches, { selector: vmap.selector, negate: false, value: key }],
              v,
              ctx,
            ),
          )
    if (rates.length === 0) return rules
    if (vmap !== undefined || verdict.kind !== 'continue')
      this.warnings.push(rateNote(this.file, line, rates, over))
    return over ? rules.map((r) => ({ ...r, never: true })) : rules
  }

  /**
   * `dnat [ip|ip6] to ADDR[:PORT]` and `redirect [to] [:]PORT` (after the keyword). A target
   * this model cannot follow (a map, numgen) is noted and the rule taken not to translate.
   */
  private natVerdict(rest: Token[], kind: 'dnat' | 'redirect', line: number): RuleVerdict {
    let k = 0
    if (rest[k]?.t === 'ip' || rest[k]?.t === 'ip6') k++
    if (rest[k]?.t === 'to') k++
    const value = rest[k]?.t
    const t =
      value === undefined && kind === 'redirect'
        ? { range: false }
        : value === undefined
          ? undefined
          : parseNatTarget(value, kind === 'redirect')
    if (t === undefined || rest[k + 1]?.t === 'map') {
      this.warnings.push({
        file: this.file,
        line,
        message: `${kind} to '${rest.map((x) => x.t).join(' ')}' is not modelled; the rule is taken not to translate`,
      })
      return { kind: 'continue' }
    }
    if (t.range)
      this.warnings.push({
        file: this.file,
        line,
        message: `${kind} to a range ('${value}'): the first address and port are taken`,
      })
    return {
      kind: 'dnat',
      ...('addr' in t && t.addr !== undefined ? { addr: t.addr } : {}),
      ...('port' in t && t.port !== undefined ? { port: t.port } : {}),
    }
  }

  /** `KEY : VERDICT` elements (the words of `{ 22 : accept, 80 : jump web }`). */
  private verdictMap(words: readonly string[], line: number): [string, RuleVerdict][] {
    const out: [string, RuleVerdict][] = []
    for (let k = 0; k < words.length; k += 3) {
      // a key is one word (`22`, `9000-9009`, `"lo"`, `established`)
      const [key, colon, kind, target] = words.slice(k, k + 4)
      const verdict: RuleVerdict | undefined =
        kind === 'accept' || kind === 'drop' || kind === 'return' || kind === 'continue'
          ? { kind }
          : (kind === 'jump' || kind === 'goto') && target !== undefined
            ? { kind, target }
            : undefined
      if (colon !== ':' || verdict === undefined)
        throw this.err(
          line,
          `verdict map element '${words.slice(k, k + 3).join(' ')}' is not KEY : VERDICT`,
        )
      if (verdict.kind === 'jump' || verdict.kind === 'goto') k++
      out.push([key!, verdict])
    }
    return out
  }
}

/** A set declared again (`add set` and a table block) or given more elements keeps both. */
function mergeSets(prev: NftSet | undefined, add: NftSet): NftSet {
  if (prev?.kind === 'addr' && add.kind === 'addr')
    return { kind: 'addr', ipv4: prev.ipv4.union(add.ipv4), ipv6: prev.ipv6.union(add.ipv6) }
  if (prev?.kind === 'port' && add.kind === 'port')
    return { kind: 'port', ranges: [...prev.ranges, ...add.ranges] }
  if (prev?.kind === 'iface' && add.kind === 'iface')
    return { kind: 'iface', names: [...prev.names, ...add.names] }
  // the first declaration, or one of another type (which nft refuses): the new one
  return add
}

/** Reads an nftables text ruleset. */
export function readNftables(text: string, file: string): FirewallConfig {
  return new Parser(text, file).parse()
}
