/**
 * @module Runs of rules: consecutive rules of one chain that differ only in the one address range
 * they take traffic from (a fail2ban jail's bans, an allowlist chain's sources, with or without
 * their comments) are held as one rule whose source set is the union of theirs. First match is
 * unchanged: the rules are consecutive and share every other match and the verdict, so a packet
 * matches one of them exactly when it matches the union. Each rule's line, offset in the file and
 * range are kept in flat arrays, so a finding still names the very rule that holds an address.
 * A dump's million bans cost a few bytes each instead of a few objects each, and the evaluator
 * sweeps one set per run instead of a set per ban.
 */
import { IpSet, type Family } from '../ip/index.ts'
import { addressMatch, ruleText } from './rule-builder.ts'
import type { FirewallRule, RuleRun } from './types.ts'

/** A column's chunk: 8 numbers at first, doubling to this many, then more chunks this size. */
const CHUNK = 4096

/**
 * Numbers appended into typed chunks. A plain array would hold each IPv4 bound (over 2^31) as a
 * heap object referenced from a long-lived array: every member's bounds promoted to the old
 * generation, garbage there once the run closes. Chunks of a fixed size are never copied as the
 * column grows (a doubling array leaves its outgrown stores behind, outside the heap, until a
 * full collection).
 */
class NumberColumn {
  readonly #chunks: Float64Array[] = [new Float64Array(8)]
  length = 0

  push(value: number): void {
    const k = this.#chunks.length - 1
    let last = this.#chunks[k]!
    let at = this.length - k * CHUNK
    if (at === last.length) {
      if (last.length < CHUNK) {
        // only the first chunk grows, until it is full size
        const grown = new Float64Array(2 * last.length)
        grown.set(last)
        this.#chunks[k] = last = grown
      } else {
        this.#chunks.push((last = new Float64Array(CHUNK)))
        at = 0
      }
    }
    last[at] = value
    this.length++
  }

  /** The values appended, in an array of their exact size. */
  values(): Float64Array {
    const out = new Float64Array(this.length)
    this.#chunks.forEach((chunk, k) =>
      out.set(chunk.subarray(0, this.length - k * CHUNK), k * CHUNK),
    )
    return out
  }
}

/** A run still being read: the rule it started with, and every member's line, offset and range. */
interface OpenRun {
  readonly head: FirewallRule
  readonly family: Family
  readonly lines: NumberColumn
  readonly offsets: NumberColumn
  /** Each member's range: {@link pushRange}. */
  readonly bounds: NumberColumn
}

/** The fields that may differ between the rules of a run (the source, and where each is). */
const OWN = new Set<string>(['file', 'line', 'text', 'saddr', 'run'])

/**
 * Appends the rules of a file's chains, joining each to the run at the end of its chain when it
 * differs from the run's first rule only in its one source range. `close()` when the chains are
 * read: each run of two or more becomes one rule in place.
 */
export class RunCollector {
  readonly #source: string
  readonly #open = new Map<FirewallRule[], OpenRun>()

  /** `source`: the file's text, from which a member's text is sliced when a finding names it. */
  constructor(source: string) {
    this.#source = source
  }

  /** Appends `rule`, read from the line at `offset` of the source, to `rules`. */
  append(rules: FirewallRule[], rule: FirewallRule, offset: number): void {
    const range = oneRange(rule)
    const open = this.#open.get(rules)
    if (open && range && range.family === open.family && sameExceptSource(open.head, rule)) {
      open.lines.push(rule.line)
      open.offsets.push(offset)
      pushRange(open.bounds, range)
      return
    }
    if (open) this.#finish(rules, open)
    rules.push(rule)
    if (range) {
      const run: OpenRun = {
        head: rule,
        family: range.family,
        lines: new NumberColumn(),
        offsets: new NumberColumn(),
        bounds: new NumberColumn(),
      }
      run.lines.push(rule.line)
      run.offsets.push(offset)
      pushRange(run.bounds, range)
      this.#open.set(rules, run)
    }
  }

  /** Closes every open run (each stands last in its chain). */
  close(): void {
    for (const [rules, open] of this.#open) this.#finish(rules, open)
  }

  #finish(rules: FirewallRule[], open: OpenRun): void {
    this.#open.delete(rules)
    if (open.lines.length === 1) return
    const bounds = open.bounds.values()
    const union =
      open.family === 4
        ? IpSet.fromIpv4Bounds(bounds)
        : IpSet.fromValueRanges(
            6,
            Array.from({ length: open.lines.length }, (_, i) => ipv6Range(bounds, i)),
          )
    const empty = IpSet.empty(open.family === 4 ? 6 : 4)
    const sets = open.family === 4 ? { ipv4: union, ipv6: empty } : { ipv4: empty, ipv6: union }
    rules[rules.length - 1] = {
      ...open.head,
      saddr: addressMatch(sets),
      run: new Run(open, bounds, this.#source),
    }
  }
}

/**
 * A member's range onto a run's bounds column: IPv4 as its start and end (half-open); IPv6 as
 * eight 32-bit words, the first address's four and the last's (the end itself may be 2^128), so
 * no bigint outlives the line that made it.
 */
function pushRange(
  bounds: NumberColumn,
  range: { start: number | bigint; end: number | bigint },
): void {
  if (typeof range.start === 'number') {
    bounds.push(range.start)
    bounds.push(range.end as number)
    return
  }
  for (const v of [range.start, (range.end as bigint) - 1n])
    for (let shift = 96n; shift >= 0n; shift -= 32n) bounds.push(Number((v >> shift) & WORD))
}

const WORD = 0xffffffffn

/** The IPv6 range `[start, end)` of member `i` in a run's bounds (pushRange). */
function ipv6Range(bounds: Float64Array, i: number): [bigint, bigint] {
  const at = (k: number) =>
    (BigInt(bounds[k]!) << 96n) |
    (BigInt(bounds[k + 1]!) << 64n) |
    (BigInt(bounds[k + 2]!) << 32n) |
    BigInt(bounds[k + 3]!)
  return [at(8 * i), at(8 * i + 4) + 1n]
}

/** The one range a rule's (non-negated) source holds, when it holds exactly one. */
function oneRange(
  rule: FirewallRule,
): { family: Family; start: number | bigint; end: number | bigint } | undefined {
  const m = rule.saddr
  if (m === undefined || m.negate || m.ipv4.rangeCount + m.ipv6.rangeCount !== 1) return undefined
  const set = m.ipv4.isEmpty ? m.ipv6 : m.ipv4
  return { family: set.family, start: set.bounds[0]!, end: set.bounds[1]! }
}

/** Whether two rules agree on everything but their source (and where they are written). */
function sameExceptSource(a: FirewallRule, b: FirewallRule): boolean {
  const x = a as unknown as Record<string, unknown>
  const y = b as unknown as Record<string, unknown>
  const keys = Object.keys(x)
  if (keys.length !== Object.keys(y).length) return false
  return keys.every((k) => OWN.has(k) || (Object.hasOwn(y, k) && same(x[k], y[k])))
}

/** Structural equality of a rule's match values: primitives, plain objects, arrays and IpSets. */
function same(x: unknown, y: unknown): boolean {
  if (x instanceof IpSet) return y instanceof IpSet && x.equals(y)
  if (typeof x !== 'object' || x === null) return x === y
  if (typeof y !== 'object' || y === null) return false
  const a = x as Record<string, unknown>
  const b = y as Record<string, unknown>
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]))
}

/** A closed run: its members' lines, offsets and ranges, compact. */
class Run implements RuleRun {
  readonly count: number
  readonly #family: Family
  readonly #lines: Uint32Array
  readonly #offsets: Float64Array
  readonly #bounds: Float64Array
  readonly #source: string

  constructor(open: OpenRun, bounds: Float64Array, source: string) {
    this.count = open.lines.length
    this.#family = open.family
    this.#lines = Uint32Array.from(open.lines.values())
    this.#offsets = open.offsets.values()
    this.#bounds = bounds
    this.#source = source
  }

  memberOf(family: Family, address: bigint): { line: number; text: string } | undefined {
    if (family !== this.#family) return undefined
    const b = this.#bounds
    const v = Number(address)
    const holds =
      family === 4
        ? (i: number) => b[2 * i]! <= v && v < b[2 * i + 1]!
        : (i: number) => {
            const [start, end] = ipv6Range(b, i)
            return start <= address && address < end
          }
    for (let i = 0; i < this.count; i++)
      if (holds(i)) {
        // a member's line always ends with a line break: its table's COMMIT line follows it
        const from = this.#offsets[i]!
        const raw = this.#source.slice(from, this.#source.indexOf('\n', from)).trim()
        return { line: this.#lines[i]!, text: ruleText(raw) }
      }
    return undefined
  }
}
