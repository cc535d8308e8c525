/**
 * @module nftables text into tokens, each with its line: what the nftables reader parses.
 */

/** One token of nftables text. */
export interface NftToken {
  readonly t: string
  readonly line: number
  /** `w` word, `s` quoted string, `p` punctuation `{ } ; ,`, `n` newline. */
  readonly k: 'w' | 's' | 'p' | 'n'
}

/**
 * The tokens of nftables text: words, quoted strings (quotes dropped), the punctuation `{ } ; ,`
 * and newlines (which end statements); comments and line continuations dropped. One pass.
 */
export function tokenizeNft(text: string): NftToken[] {
  const out: NftToken[] = []
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
