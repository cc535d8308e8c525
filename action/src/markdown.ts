/**
 * @module Markdown that stays inert whatever a feed or worker sends: escaped prose, names in code
 * spans (where GitHub resolves no mention or reference and copying gives the exact name), links
 * only to http(s) URLs, canonical CIDRs in code spans, and lists collapsed when long.
 */

/** Lists longer than this go inside a collapsed `<details>`. */
export const DETAILS_OVER = 10

/**
 * Escapes prose for Markdown and HTML: every character that could start markup (including
 * `<`, `&`, `@` mentions, `#` references, backticks, brackets, pipes) becomes inert.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]()#!|~:]/g, (c) => `\\${c}`)
      // GitHub resolves mentions after Markdown: a zero-width space after @ keeps them inert.
      // Names never get here (they go in code spans), so none carries it.
      .replace(/@/g, '@\u200b')
  )
}

/**
 * A name (feed id, path, URL, policy) as a code span: shown verbatim, copied exactly, never
 * markup. The fence is longer than any run of backticks inside (CommonMark 6.1).
 */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ')
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(longest + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') || /^ .* $/.test(flat) ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** An http(s) URL as a link whose text is the URL in a code span; anything else as code. */
export function link(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return code(url)
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return code(url)
  const href = u.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')
  return `[${code(u.href)}](${href})`
}

/** A canonical CIDR in a code span (hex digits, dots, colons, a slash); anything else escaped. */
export function formatCidr(cidr: string): string {
  return /^[0-9a-f.:]+\/\d{1,3}$/.test(cidr) ? `\`${cidr}\`` : escapeMarkdown(cidr)
}

/**
 * A labelled list of CIDRs: inline when short, in `<details>` when long, or only the count
 * (`full` false) with `elsewhere` saying where the list is.
 */
export function cidrList(
  cidrs: readonly string[],
  label: string,
  full: boolean,
  elsewhere: string,
): string {
  if (cidrs.length === 0) return ''
  if (!full) return `- ${label}: ${cidrs.length} (${elsewhere})\n`
  const items = cidrs.map((c) => `- ${formatCidr(c)}`).join('\n')
  return cidrs.length > DETAILS_OVER
    ? `<details><summary>${label}: ${cidrs.length}</summary>\n\n${items}\n\n</details>\n`
    : `${label}: ${cidrs.length}\n\n${items}\n`
}

/** `1 file`, `2 files`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
