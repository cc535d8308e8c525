/**
 * @module Managed blocks: the rendered lines between `# BEGIN allowlist-sync name=NAME …` and
 * `# END allowlist-sync` inside a file the user owns; everything outside them stays byte for byte.
 * A block is known by its name (the set, chain or snippet name); its BEGIN line carries a
 * checksum of its lines, so a hand edit is refused rather than overwritten.
 */
import { blockPlacement } from './block-placement.ts'
import { blockSum } from './block-sum.ts'
import type { FormatId } from './formats.ts'
import { RenderError } from './render-error.ts'
import { errorMessage } from '../error-message.ts'

/** The marker prefix: a BEGIN line is this, then `name=NAME`, `feeds=ID,ID` and `sum=HEX`. */
export const BEGIN_MARKER = '# BEGIN allowlist-sync'
/** The closing marker line. */
export const END_MARKER = '# END allowlist-sync'

/**
 * One managed block found in a file, with its 1-based BEGIN and END lines. `name` is undefined
 * for a block written before blocks had names (`# BEGIN allowlist-sync github/hooks`): such a
 * block is known by its feed ids, and has no checksum.
 */
export interface ManagedBlock {
  readonly name: string | undefined
  readonly feedIds: readonly string[]
  /** The `sum=` of the BEGIN line; undefined for markers placed by hand and old blocks. */
  readonly sum: string | undefined
  readonly beginLine: number
  readonly endLine: number
  /** The blanks and tabs before the BEGIN marker. */
  readonly indent: string
}

/** How {@link spliceManagedBlock} treats the target file. */
export interface SpliceOptions {
  /** The format of the rendered block: it decides where in the file the block may stand. */
  readonly format: FormatId
  /** Overwrite a block whose lines no longer match its checksum (hand edits are lost). */
  readonly force?: boolean
}

/** The BEGIN line of a block: its name, its feeds (comma-separated) and, once rendered, its sum. */
export function beginMarker(name: string, feedIds: readonly string[], sum?: string): string {
  const feeds = feedIds.length === 0 ? '' : ` feeds=${feedIds.join(',')}`
  return `${BEGIN_MARKER} name=${name}${feeds}${sum === undefined ? '' : ` sum=${sum}`}`
}

/** The two lines a user places where the block named `name` belongs (no sum: nothing to lose). */
export function markerLines(name: string): [string, string] {
  return [beginMarker(name, []), END_MARKER]
}

const KEY_RE = /^(name|feeds|sum)=(.*)$/
const VALUE_RE = { name: /^[A-Za-z][A-Za-z0-9_-]{0,23}$/, feeds: /^\S+$/, sum: /^[0-9a-f]{16}$/ }

type Parsed = Pick<ManagedBlock, 'name' | 'feedIds' | 'sum'>

/** Reads the words after BEGIN_MARKER: `key=value` words (new), or feed ids (before names). */
function parseBegin(words: string[]): Parsed {
  if (!words.some((w) => w.includes('=')))
    return { name: undefined, feedIds: words, sum: undefined }
  const seen: Partial<Record<'name' | 'feeds' | 'sum', string>> = {}
  for (const word of words) {
    const m = KEY_RE.exec(word)
    const key = m?.[1] as 'name' | 'feeds' | 'sum' | undefined
    if (key === undefined || seen[key] !== undefined || !VALUE_RE[key].test(m![2]!)) {
      throw new RangeError(`'${word}' is not name=NAME, feeds=ID,ID or sum=16 hex digits, once`)
    }
    seen[key] = m![2]!
  }
  if (seen.name === undefined) throw new RangeError('the BEGIN marker has no name=NAME')
  return { name: seen.name, feedIds: seen.feeds?.split(',') ?? [], sum: seen.sum }
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

function blockError(line: number, message: string, cause?: unknown): RenderError {
  return new RenderError('ERR_RENDER_BLOCK', `line ${line}: ${message}`, { cause, line })
}

/**
 * The lines of `text` that mention allowlist-sync in any case (only they can be markers), with
 * their 0-based numbers: one native scan instead of a look at every line of a big block.
 */
function candidateLines(text: string): { index: number; raw: string }[] {
  const out: { index: number; raw: string }[] = []
  const re = /allowlist-sync/gi
  let index = 0
  let from = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (
      let nl = text.indexOf('\n', from);
      nl !== -1 && nl < m.index;
      nl = text.indexOf('\n', from)
    ) {
      index++
      from = nl + 1
    }
    const end = text.indexOf('\n', m.index)
    out.push({ index, raw: text.slice(from, end === -1 ? text.length : end) })
    re.lastIndex = end === -1 ? text.length : end
  }
  return out
}

/**
 * Lists the managed blocks of a file. Throws RenderError ERR_RENDER_BLOCK, naming the line, on a
 * malformed marker, a BEGIN inside a block, an END without BEGIN, or a BEGIN never closed.
 */
export function findManagedBlocks(text: string): ManagedBlock[] {
  const blocks: ManagedBlock[] = []
  let open: (Parsed & { beginLine: number; indent: string }) | undefined
  for (const { index: i, raw } of candidateLines(text)) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    let kind: 'begin' | 'end' | undefined
    let parsed: Parsed | undefined
    try {
      kind = markerKind(line)
      if (kind === 'begin') parsed = parseBegin(line.trim().split(/\s+/).slice(3))
    } catch (cause) {
      throw blockError(i + 1, errorMessage(cause), cause)
    }
    if (parsed !== undefined) {
      if (open !== undefined) {
        throw blockError(
          i + 1,
          `'${BEGIN_MARKER}' inside the block opened on line ${open.beginLine}`,
        )
      }
      open = { ...parsed, beginLine: i + 1, indent: /^[ \t]*/.exec(line)![0] }
    } else if (kind === 'end') {
      if (open === undefined) throw blockError(i + 1, `'${END_MARKER}' without a BEGIN`)
      blocks.push({ ...open, endLine: i + 1 })
      open = undefined
    }
  }
  if (open !== undefined) {
    throw blockError(open.beginLine, `'${BEGIN_MARKER}' is never closed by '${END_MARKER}'`)
  }
  return blocks
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i])

/**
 * The block of `blocks` that a rendering named `name` for `feedIds` replaces: the one with that
 * name, else an old block (no name) of exactly these feed ids, else undefined. Throws
 * ERR_RENDER_BLOCK when two blocks qualify.
 */
export function ownBlock(
  blocks: readonly ManagedBlock[],
  name: string,
  feedIds: readonly string[],
): ManagedBlock | undefined {
  let matches = blocks.filter((b) => b.name === name)
  if (matches.length === 0) {
    matches = blocks.filter((b) => b.name === undefined && sameIds(b.feedIds, feedIds))
  }
  const [first, second] = matches
  if (second !== undefined) {
    throw blockError(
      second.beginLine,
      `a second block for name=${name} (the first is on line ${first!.beginLine})`,
    )
  }
  return first
}

/** The rendered text's one block, its inner lines and its name. */
function renderedBlock(rendered: string): { block: ManagedBlock; name: string; lines: string[] } {
  const own = findManagedBlocks(rendered)
  const block = own[0]
  if (own.length !== 1 || block?.name === undefined || block.beginLine !== 1) {
    throw new RenderError('ERR_RENDER_BLOCK', 'the rendered text must be exactly one named block')
  }
  const lines = rendered.split('\n').slice(0, block.endLine)
  return { block, name: block.name, lines }
}

function noBlock(
  format: FormatId,
  name: string,
  body: readonly string[],
  blocks: ManagedBlock[],
): RenderError {
  const [begin, end] = markerLines(name)
  const others = blocks.map(
    (b) =>
      `line ${b.beginLine} holds ${b.name === undefined ? `an old block for ${b.feedIds.join(' ') || 'no feeds'} (rename it by replacing its BEGIN line with '${begin}' if it is this one)` : `the block name=${b.name}`}`,
  )
  return new RenderError(
    'ERR_RENDER_NO_BLOCK',
    [
      `no block name=${name} to replace, and allowlist-sync never appends blindly. Place these two lines ${blockPlacement(format, name, body).where}, then run again:`,
      `  ${begin}`,
      `  ${end}`,
      ...others,
    ].join('\n'),
    { format },
  )
}

/**
 * Replaces the block that `rendered` (one renderFormat output of a line-oriented format,
 * BEGIN and END lines included) replaces in `existing` — the block of the same name, or an old
 * unnamed block of the same feeds — leaving every other byte as it was. An empty (or blank) file
 * becomes the block alone. The block takes the BEGIN marker's indentation; its lines take the
 * line ending of the BEGIN line (CRLF stays CRLF); the END line keeps its own indentation and
 * ending. Splicing the same rendering twice gives identical bytes.
 *
 * Throws RenderError (with `line` where there is one):
 * - ERR_RENDER_NO_BLOCK: a non-blank file without the block; the message holds the marker lines
 *   to place and where they go for this format (it never appends: see {@link blockPlacement});
 * - ERR_RENDER_PLACEMENT: the markers stand where the format cannot work (nginx at `http` level,
 *   a Caddy snippet after a site that imports it, nftables sets outside a table, ...);
 * - ERR_RENDER_EDITED: the block's lines no longer match the `sum=` of its BEGIN line (a hand
 *   edit), unless `options.force`;
 * - ERR_RENDER_BLOCK: malformed, unclosed or duplicated markers, or a `rendered` that is not
 *   exactly one named block.
 */
export function spliceManagedBlock(
  existing: string,
  rendered: string,
  options: SpliceOptions,
): string {
  const own = renderedBlock(rendered)
  const blocks = findManagedBlocks(existing)
  const body = own.lines.slice(1, -1)
  const match = ownBlock(blocks, own.name, own.block.feedIds)
  if (match === undefined) {
    if (existing.trim() === '') return rendered
    throw noBlock(options.format, own.name, body, blocks)
  }
  const lines = existing.split('\n')
  const misplaced = blockPlacement(options.format, own.name, body).check(lines, match)
  if (misplaced !== undefined) {
    throw new RenderError(
      'ERR_RENDER_PLACEMENT',
      `line ${match.beginLine}: ${misplaced.replace(/\n/g, ' ')}`,
      { format: options.format, line: match.beginLine },
    )
  }
  const inner = lines.slice(match.beginLine, match.endLine - 1)
  if (match.sum !== undefined && blockSum(inner) !== match.sum && options.force !== true) {
    throw new RenderError(
      'ERR_RENDER_EDITED',
      `line ${match.beginLine}: the block name=${own.name} (lines ${match.beginLine}-${match.endLine}) was edited by hand since it was rendered (its lines no longer match sum=${match.sum}); move your lines outside the block, or overwrite them with --force (Action input overwrite-hand-edits)`,
      { format: options.format, line: match.beginLine },
    )
  }
  const cr = lines[match.beginLine - 1]!.endsWith('\r') ? '\r' : ''
  const endRaw = lines[match.endLine - 1]!
  const endIndent = /^[ \t]*/.exec(endRaw)![0]
  const block = own.lines.map((l, i) =>
    i === own.lines.length - 1
      ? `${endIndent}${l}${endRaw.endsWith('\r') ? '\r' : ''}`
      : `${match.indent}${l}${cr}`,
  )
  return [...lines.slice(0, match.beginLine - 1), ...block, ...lines.slice(match.endLine)].join(
    '\n',
  )
}
