/**
 * @module The one port grammar of the project: `PORT`, a range `PORT-PORT` or `PORT:PORT`, and
 * (where the caller takes one) a `/tcp` or `/udp` suffix. A PORT is digits, or where the caller
 * resolves them, a service name (`ssh`, `dhcpv6-client`). The renderers' `--port`, the policy
 * files' `port:` and the firewall readers all read ports through it.
 */
import type { TransportProtocol } from './ip/index.ts'

/** What a caller of {@link parsePortText} allows beyond `N`, `A-B` and `A:B`. */
export interface PortGrammar {
  /** Takes a `/tcp` or `/udp` suffix (lower case) and reports it. */
  readonly suffix?: boolean
  /** The lowest port taken (default 1; firewall rules may name port 0). */
  readonly min?: 0 | 1
  /** Resolves a word that is not digits (a service name); undefined when it is none. */
  readonly resolve?: (word: string) => number | undefined
}

/** A port or range read; or why not: not the grammar, outside `min`-65535, or high to low. */
export type PortText =
  | {
      readonly ok: true
      readonly ports: readonly [number, number]
      readonly protocol?: TransportProtocol
    }
  | { readonly ok: false; readonly reason: 'syntax' | 'bounds' | 'reversed' }

const DIGITS = /^\d{1,5}$/
const SUFFIX = /\/(tcp|udp)$/

function portWord(word: string, resolve: PortGrammar['resolve']): number | undefined {
  if (DIGITS.test(word)) return Number(word)
  return word === '' || resolve === undefined ? undefined : resolve(word)
}

/**
 * Reads `text` (not trimmed: callers trim or refuse blanks) as one port or an inclusive range. A
 * word with a dash is a name first, then a range at the first `:` (else `-`) where both sides
 * read. Linear in the text for each separator it holds.
 */
export function parsePortText(text: string, grammar: PortGrammar = {}): PortText {
  const { resolve } = grammar
  let body = text
  let protocol: TransportProtocol | undefined
  const m = grammar.suffix ? SUFFIX.exec(text) : null
  if (m) {
    protocol = m[1] as TransportProtocol
    body = text.slice(0, m.index)
  }
  let range: [number, number] | undefined
  const whole = portWord(body, resolve)
  if (whole !== undefined) range = [whole, whole]
  for (const sep of [':', '-']) {
    for (let i = body.indexOf(sep); range === undefined && i > 0; i = body.indexOf(sep, i + 1)) {
      const a = portWord(body.slice(0, i), resolve)
      const b = portWord(body.slice(i + 1), resolve)
      if (a !== undefined && b !== undefined) range = [a, b]
    }
  }
  if (range === undefined) return { ok: false, reason: 'syntax' }
  const [a, b] = range
  if (a < (grammar.min ?? 1) || b < (grammar.min ?? 1) || a > 65535 || b > 65535)
    return { ok: false, reason: 'bounds' }
  if (a > b) return { ok: false, reason: 'reversed' }
  return { ok: true, ports: range, ...(protocol ? { protocol } : {}) }
}
