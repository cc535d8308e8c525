/**
 * @module parseCidrList: a whole text list (one entry a line, as feeds and allowlist files are
 * written) into one IpSet per family, with every rejected line and every oddity reported by line.
 */
import { RangeCollector } from './build.ts'
import { bytesOf, linesRead, readIpv4Lines, readIpv6Lines } from './read-lines.ts'
import { formatIpv4, formatWords } from './format.ts'
import { IpSet } from './ip-set.ts'
import { isMappedScan, scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

/** One line that was rejected (`code` is an `ERR_IP_*` code) or noted. */
export interface LineIssue {
  /** 1-based line number. */
  line: number
  /** The line as written (without its line break), cut to 200 characters. */
  text: string
  code: string
  reason: string
}

/** The result of parseCidrList. */
export interface ParsedList {
  ipv4: IpSet
  ipv6: IpSet
  /** Lines that are not valid entries; they add nothing to the sets. */
  rejected: LineIssue[]
  /**
   * Accepted oddities, each with a code: `HOST_BITS_SET` (the entry was canonicalised to its
   * network), `IPV4_MAPPED` (kept as IPv6), `EMPTY_LINE` (a blank line between two entries).
   */
  notes: LineIssue[]
}

const MAX_TEXT = 200
const NON_ASCII = /[^\0-\x7f]/
/** UTF-8 as Node's readFile decodes it: a BOM dropped, invalid bytes read as U+FFFD. */
const utf8 = new TextDecoder()
/** @internal Bytes per window of the input given to the byte readers (see parseCidrList). */
export const WINDOW = 1 << 17

/** Where the line holding `at` ends, after its line break (or the end of the input). */
function afterLineBreak(input: string | Uint8Array, at: number): number {
  const i = typeof input === 'string' ? input.indexOf('\n', at) : input.indexOf(10, at)
  return i < 0 ? input.length : i + 1
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text
}

/**
 * Parses a list, one CIDR or bare address a line, both families mixed. A UTF-8 BOM at the start
 * is dropped; lines end in LF or CRLF; `#` starts a comment (whole line or after an entry);
 * surrounding whitespace is trimmed. Blank lines are skipped, and one between two non-blank lines
 * is noted (`EMPTY_LINE`) when it stands between two entries (not next to a comment line): an empty
 * line inside a feed may mean two files were glued together or one was cut.
 * Each entry follows parseCidr's rules; invalid ones are returned in `rejected` with their line
 * number, never thrown.
 * The input may be the text or its UTF-8 bytes (as read from a file): bytes spare a big list the
 * decoding into a string, which is then done only if some line needs the general path.
 */
export function parseCidrList(input: string | Uint8Array): ParsedList {
  if (typeof input !== 'string' && input.length > 0 && input[0]! >= 0x80)
    // Not ASCII (a BOM, say): read as decoded text.
    return parseCidrList(utf8.decode(input))
  const collector = new RangeCollector()
  const rejected: LineIssue[] = []
  const notes: LineIssue[] = []
  let blanks: number[] | undefined
  let afterEntry = false
  let text = typeof input === 'string' ? input : undefined
  let from = text?.charCodeAt(0) === 0xfeff ? 1 : 0
  const length = input.length
  /** The window of the input the byte readers see: its bytes hold [winStart, winEnd). */
  let winStart = 0
  let winEnd = 0
  let win: Uint8Array | undefined
  /** The next '#' at or after the current line; -1: none; -2: not looked up yet. */
  let nextHash = -2
  let line = 0
  // Up to the last line break: an empty last "line" after it changes nothing (a blank line is
  // noted only before an entry), and bytes in would decode the whole text just to see that.
  while (from < length) {
    if (blanks === undefined) {
      if (from >= winEnd) {
        // The next window: whole lines from here, about WINDOW bytes, so that it is read while
        // still in the processor's cache (a list of megabytes is encoded and read in one pass).
        winStart = from
        winEnd = from + WINDOW >= length ? length : afterLineBreak(input, from + WINDOW)
        win = bytesOf(input, winStart, winEnd)
      }
      if (win !== undefined) {
        const at = from - winStart
        const end = winEnd - winStart
        // The IPv4 reader stops before any line when the collector is full: room first, or that
        // line would take the general path (and bytes in would be decoded whole for it).
        if (2 * collector.n4 + 2 > collector.r4.length) collector.grow4()
        let next = readIpv4Lines(win, at, end, collector)
        if (linesRead === 0) next = readIpv6Lines(win, at, end, collector)
        if (linesRead > 0) {
          line += linesRead
          afterEntry = true
          from = winStart + next
          continue
        }
      }
    }
    if (text === undefined) {
      // Bytes in, and a line for the general path: from here on it needs the text, with string
      // offsets equal to byte offsets, so pure ASCII; other input starts over as decoded text.
      const decoded = utf8.decode(input as Uint8Array)
      if (decoded.length !== length || NON_ASCII.test(decoded)) return parseCidrList(decoded)
      text = decoded
    }
    let to = text.indexOf('\n', from)
    if (to < 0) to = length
    line++
    trimBounds(text, from, to)
    let { start, end } = bounds
    if (start === end) {
      if (afterEntry) (blanks ??= []).push(line)
      from = to + 1
      continue
    }
    // The next '#' in the whole text, looked up again only once passed: O(n) over the file.
    if (nextHash === -2 || (nextHash >= 0 && nextHash < start)) nextHash = text.indexOf('#', start)
    if (nextHash >= 0 && nextHash < end) {
      trimBounds(text, start, nextHash)
      start = bounds.start
      end = bounds.end
      if (start === end) {
        // A comment line: blank lines around it separate sections on purpose.
        blanks = undefined
        afterEntry = false
        from = to + 1
        continue
      }
    }
    if (blanks !== undefined) {
      for (const blank of blanks)
        notes.push({
          line: blank,
          text: '',
          code: 'EMPTY_LINE',
          reason: 'empty line between entries',
        })
      blanks = undefined
    }
    afterEntry = true
    if (!scan(text, start, end)) {
      rejected.push({
        line,
        text: clip(text.slice(from, to).replace(/\r$/, '')),
        code: scanned.code,
        reason: scanned.reason,
      })
    } else {
      collector.addScanned()
      if (scanned.hostBits) {
        const canonical = `${scanned.family === 4 ? formatIpv4(scanned.v4) : formatWords(w)}/${scanned.prefix}`
        notes.push({
          line,
          text: clip(text.slice(start, end)),
          code: 'HOST_BITS_SET',
          reason: `host bits set: read as ${canonical}`,
        })
      }
      if (scanned.family === 6 && isMappedScan()) {
        notes.push({
          line,
          text: clip(text.slice(start, end)),
          code: 'IPV4_MAPPED',
          reason: `IPv4-mapped IPv6 address: kept as IPv6 ${formatWords(w)}/${scanned.prefix}`,
        })
      }
    }
    from = to + 1
  }
  return {
    ipv4: IpSet.fromRanges(4, collector.ranges4()),
    ipv6: IpSet.fromRanges(6, collector.ranges6()),
    rejected,
    notes,
  }
}
