/**
 * @module nftables text: `nft list ruleset` output and `nft -f` files, in block form
 * (`table inet t { chain c { ... } }`) or command form (`add rule inet t c tcp dport 22 accept`).
 */
import { ELEMENT_TYPE, FAMILIES, MAX_EXPANDED_TOKENS, TABLE_SKIPPED } from './nft-keywords.ts'
import {
  assembleNft,
  buildNftSet,
  parsePriority,
  type NftChainDraft,
  type NftFamily,
  type NftSet,
} from './nft-rule.ts'
import { parseNftRule } from './parse-nft-rule.ts'
import { PolicyError } from './policy-error.ts'
import { tokenizeNft, type NftToken } from './tokenize-nft.ts'
import type { FirewallConfig, ReaderWarning } from './types.ts'

class Parser {
  private pos = 0
  readonly chains = new Map<string, NftChainDraft>()
  readonly sets = new Map<string, Map<string, NftSet>>()
  /** `define NAME = VALUE`: the value's tokens, its own `$` uses expanded. */
  private readonly defines = new Map<string, NftToken[]>()
  private readonly pendingRules: {
    family: NftFamily
    table: string
    chain: string
    tokens: NftToken[]
    line: number
    insert: boolean
  }[] = []
  readonly warnings: ReaderWarning[] = []
  private readonly tokens: NftToken[]
  /** Tokens put in place of `$NAME` uses so far. */
  private expanded = 0
  /** The tokens of the `$NAME` use being read, and how many of them were read. */
  private queue: NftToken[] = []
  private queued = 0
  private readonly lines: string[]
  private readonly file: string
  /** Whether the file declares tables (a ruleset) and whether it includes others (a part of one). */
  private sawTable = false
  private sawInclude = false
  constructor(text: string, file: string) {
    this.tokens = tokenizeNft(text)
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
  private peek(): NftToken | undefined {
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
  private next(): NftToken {
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
  private statement(): NftToken[] {
    const out: NftToken[] = []
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
      const rules = parseNftRule(p.tokens, p.line, {
        file: this.file,
        // a line of the text: the line of a token, or of an `add rule` command
        text: this.lines[p.line - 1]!.trim(),
        family: p.family,
        sets: this.tableSets(p.family, p.table),
        warnings: this.warnings,
      })
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
      case 'insert':
        this.addStatement(head)
        return
      case 'delete':
      case 'destroy':
      case 'flush':
        this.removeStatement(head)
        return
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

  /** `add|create|insert table|chain|rule|set|element ...`. */
  private addStatement(head: NftToken): void {
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
      const sets = this.tableSets(family, table)
      const prev = sets.get(name)
      const elems = this.braceWords(prev?.kind === 'vmap')
      // as nft: elements go into a set declared before
      if (prev === undefined) throw this.err(what.line, `set '${name}' is not declared`)
      const where = { file: this.file, line: what.line, text: `set ${name}` }
      sets.set(name, mergeSets(prev, buildNftSet(ELEMENT_TYPE[prev.kind], elems, where)))
      return
    }
    this.statement()
  }

  /**
   * `flush|delete|destroy ruleset|table|chain ...`: flush empties tables and chains, delete
   * removes them too; rules are pending until the end, so both drop the rules added before.
   */
  private removeStatement(head: NftToken): void {
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

  /** A `{ ... }` block's words (and, for a verdict map's `KEY [. KEY] : VERDICT`, its punctuation). */
  private braceWords(colons = false): string[] {
    this.expect('{')
    const out: string[] = []
    for (;;) {
      const t = this.next()
      if (t.t === '}') return out
      if (t.k === 'w' || t.k === 's' || (colons && (t.t === ':' || t.t === '.'))) out.push(t.t)
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
        type = /:\s*verdict$/.test(text)
          ? 'other : verdict'
          : /\bip6 [sd]addr\b/.test(text)
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
        elements = this.braceWords(/:\s*verdict$/.test(type))
      } else this.statement()
    }
    const where = { file: this.file, line: elementsLine, text: `set ${name}` }
    this.tableSets(family, table).set(
      name,
      mergeSets(this.tableSets(family, table).get(name), buildNftSet(type, elements, where)),
    )
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
  if (prev?.kind === 'vmap' && add.kind === 'vmap')
    return { kind: 'vmap', elements: [...prev.elements, ...add.elements] }
  // the first declaration, or one of another type (which nft refuses): the new one
  return add
}

/** Reads an nftables text ruleset. */
export function readNftables(text: string, file: string): FirewallConfig {
  return new Parser(text, file).parse()
}
