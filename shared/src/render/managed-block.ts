/**
 * @module Managed blocks: the rendered lines between `# BEGIN allowlist-sync <feeds>` and
 * `# END allowlist-sync` inside a file the user owns; everything outside them stays byte for byte.
 */
import { RenderError } from './render-error.ts'

/** The marker prefix; a BEGIN line is this, a space, and the feed ids separated by spaces. */
export const BEGIN_MARKER = '# BEGIN allowlist-sync'
/** The closing marker line. */
export const END_MARKER = '# END allowlist-sync'

/** One managed block found in a file: its feed ids and its 1-based first and last lines. */
export interface ManagedBlock {
  readonly feedIds: readonly string[]
  readonly beginLine: number
  readonly endLine: number
}

/** The BEGIN line for a set of feeds (ids in the given order, space-separated). */
export function beginMarker(feedIds: readonly string[]): string {
  return feedIds.length === 0 ? BEGIN_MARKER : `${BEGIN_MARKER} ${feedIds.join(' ')}`
}

function markerKind(line: string): 'begin' | 'end' | undefined {
  const t = line.trim()
  if (t === END_MARKER || t.startsWith(`${END_MARKER} `)) return 'end'
  if (t === BEGIN_MARKER || t.startsWith(`${BEGIN_MARKER} `)) return 'begin'
  // A marker with other spacing or case is a hand edit gone wrong: refuse rather than guess.
  if (/^#\s*(begin|end)\s+allowlist-sync\b/i.test(t)) {
    throw new RangeError(`malformed marker '${t}'`)
  }
  return undefined
}

/**
 * Lists the managed blocks of a file. Throws RenderError ERR_RENDER_BLOCK, naming the line, on a
 * malformed marker, a BEGIN inside a block, an END without BEGIN, or a BEGIN never closed.
 */
export function findManagedBlocks(text: string): ManagedBlock[] {
  const lines = text.split('\n')
  const blocks: ManagedBlock[] = []
  let open: { feedIds: string[]; beginLine: number } | undefined
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    let kind: 'begin' | 'end' | undefined
    try {
      kind = markerKind(line)
    } catch (cause) {
      throw new RenderError('ERR_RENDER_BLOCK', `line ${i + 1}: ${(cause as Error).message}`, {
        cause,
        line: i + 1,
      })
    }
    if (kind === 'begin') {
      if (open !== undefined) {
        throw new RenderError(
          'ERR_RENDER_BLOCK',
          `line ${i + 1}: '${BEGIN_MARKER}' inside the block opened on line ${open.beginLine}`,
          { line: i + 1 },
        )
      }
      const ids = line.trim().slice(BEGIN_MARKER.length).trim()
      open = { feedIds: ids === '' ? [] : ids.split(/\s+/), beginLine: i + 1 }
    } else if (kind === 'end') {
      if (open === undefined) {
        throw new RenderError(
          'ERR_RENDER_BLOCK',
          `line ${i + 1}: '${END_MARKER}' without a BEGIN`,
          {
            line: i + 1,
          },
        )
      }
      blocks.push({ ...open, endLine: i + 1 })
      open = undefined
    }
  })
  if (open !== undefined) {
    throw new RenderError(
      'ERR_RENDER_BLOCK',
      `line ${open.beginLine}: '${BEGIN_MARKER}' is never closed by '${END_MARKER}'`,
      { line: open.beginLine },
    )
  }
  return blocks
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i])

/**
 * Replaces the managed block for `feedIds` in `existing` with `rendered` (a renderFormat output of
 * a line-oriented format: it carries its own BEGIN and END lines), leaving every other byte as it
 * was; appends the block when the file has none for these feeds (after a newline if the file does
 * not end with one). Blocks of other feed sets are left alone. Splicing the same rendering twice
 * gives identical bytes. The file's line ending (CRLF if its first line uses one) is kept.
 * Throws RenderError ERR_RENDER_BLOCK naming the line for malformed or duplicated markers, or when
 * `rendered` is not exactly one block for `feedIds`.
 */
export function spliceManagedBlock(
  existing: string,
  rendered: string,
  feedIds: readonly string[],
): string {
  const own = findManagedBlocks(rendered)
  const first = own[0]
  if (own.length !== 1 || first === undefined || !sameIds(first.feedIds, feedIds)) {
    throw new RenderError(
      'ERR_RENDER_BLOCK',
      `the rendered text must be exactly one '${beginMarker(feedIds)}' block`,
    )
  }
  const eol = /^[^\n]*\r\n/.test(existing) ? '\r\n' : '\n'
  const blockLines = rendered.replace(/\r?\n$/, '').split(/\r?\n/)
  const matches = findManagedBlocks(existing).filter((b) => sameIds(b.feedIds, feedIds))
  if (matches.length > 1) {
    throw new RenderError(
      'ERR_RENDER_BLOCK',
      `line ${matches[1]!.beginLine}: a second '${beginMarker(feedIds)}' block (the first is on line ${matches[0]!.beginLine})`,
      { line: matches[1]!.beginLine },
    )
  }
  const match = matches[0]
  if (match === undefined) {
    const sep = existing === '' || existing.endsWith('\n') ? '' : eol
    return `${existing}${sep}${blockLines.join(eol)}${eol}`
  }
  const lines = existing.split('\n')
  const before = lines.slice(0, match.beginLine - 1)
  const after = lines.slice(match.endLine)
  // endLine is a line of `existing`: findManagedBlocks found the END marker there.
  const endRaw = lines[match.endLine - 1]!
  const blockEol = endRaw.endsWith('\r') ? '\r' : ''
  const block = blockLines.map((l, i) =>
    i < blockLines.length - 1 ? `${l}${eol === '\r\n' ? '\r' : ''}` : `${l}${blockEol}`,
  )
  return [...before, ...block, ...after].join('\n')
}
