/**
 * @module parseCidrList: a whole text list (one entry a line, as feeds and allowlist files are
 * written) into one IpSet per family, with every rejected line and every oddity reported by line.
 */
import { RangeCollector } from './build.ts'
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
 */
export function parseCidrList(text: string): ParsedList {
  const collector = new RangeCollector()
  const rejected: LineIssue[] = []
  const notes: LineIssue[] = []
  let blanks: number[] | undefined
  let afterEntry = false
  let nextHash = text.indexOf('#')
  let line = 0
  let from = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const length = text.length
  const bytes = asciiBytes(text, from)
  while (from <= length) {
    if (blanks === undefined && bytes !== undefined) {
      const next = readIpv4Lines(bytes, from, length, collector)
      if (linesRead > 0) {
        line += linesRead
        afterEntry = true
        from = next
        continue
      }
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
    if (nextHash >= 0 && nextHash < start) nextHash = text.indexOf('#', start)
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

const POW2 = Array.from({ length: 33 }, (_, k) => 2 ** k)
const encoder = new TextEncoder()

/**
 * The text as bytes, when it is pure ASCII (a BOM at the start aside): byte offsets then equal
 * string offsets. One zero byte after the end stops every scan without a bounds test.
 */
function asciiBytes(text: string, from: number): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length + 1)
  const { read, written } = encoder.encodeInto(
    from === 0 ? text : text.slice(from),
    bytes.subarray(from, text.length),
  )
  return read === written && read === text.length - from ? bytes : undefined
}

/** How many lines the last readIpv4Lines call consumed. */
let linesRead = 0

/**
 * The hot path: reads consecutive lines that are each exactly a canonical IPv4 address or CIDR
 * (then LF, CRLF or the end), adding them to `out`. Stops at the first other line (blank,
 * comment, whitespace, IPv6, host bits set, anything invalid) and returns where it starts, for
 * the general path to handle; `linesRead` says how many lines were consumed.
 */
function readIpv4Lines(b: Uint8Array, i: number, length: number, out: RangeCollector): number {
  let r = out.r4
  let n = out.n4
  let lastStart = n > 0 ? r[2 * n - 2]! : -1
  let lastEnd = n > 0 ? r[2 * n - 1]! : -1
  let unsorted = out.unsorted4
  let lines = 0
  while (i < length) {
    const lineStart = i
    let value = 0
    let ok = true
    for (let k = 0; k < 4; k++) {
      let c = b[i]! - 48
      if (c < 0 || c > 9) {
        ok = false
        break
      }
      let octet = c
      i++
      if (c !== 0) {
        c = b[i]! - 48
        if (c >= 0 && c <= 9) {
          octet = octet * 10 + c
          i++
          c = b[i]! - 48
          if (c >= 0 && c <= 9) {
            octet = octet * 10 + c
            i++
            if (octet > 255) {
              ok = false
              break
            }
          }
        }
      }
      value = value * 256 + octet
      if (k < 3) {
        if (b[i] !== 46) {
          ok = false
          break
        }
        i++
      }
    }
    let prefix = 32
    let c = b[i]!
    if (ok && c === 47) {
      const d = b[++i]! - 48
      if (d < 0 || d > 9) ok = false
      prefix = d
      i++
      if (d !== 0) {
        const e = b[i]! - 48
        if (e >= 0 && e <= 9) {
          prefix = d * 10 + e
          i++
          if (prefix > 32) ok = false
        }
      }
      c = b[i]!
    }
    if (c === 13) c = b[++i]!
    const size = POW2[32 - prefix]!
    if (!ok || (c !== 10 && i < length) || value % size !== 0) {
      i = lineStart
      break
    }
    i++
    lines++
    const end = value + size
    if (value >= lastStart && value <= lastEnd) {
      if (end > lastEnd) {
        lastEnd = end
        r[2 * n - 1] = end
      }
      continue
    }
    if (value < lastStart) unsorted = true
    if (2 * n === r.length) {
      out.n4 = n
      out.grow4()
      r = out.r4
    }
    r[2 * n] = value
    r[2 * n + 1] = end
    n++
    lastStart = value
    lastEnd = end
  }
  out.n4 = n
  out.unsorted4 = unsorted
  linesRead = lines
  return i
}

// Run the hot path on a small list at load time, so the first big list meets code with complete
// type feedback (V8 allocates feedback only once a function has run a while): addresses above
// 2^31 (floats, not small integers) and the growth branch. Without it a cold process (the CLI)
// deoptimises twice midway through its input. Costs well under a millisecond.
{
  const warm = ` ${'0.0.0.0/0\r\n10.0.0.0/8\n1.2.3.4\n255.255.255.255\n'.repeat(64)}`
  const bytes = asciiBytes(warm, 1) ?? new Uint8Array(0)
  for (let k = 0; k < 2; k++) {
    const collector = new RangeCollector()
    collector.r4 = new Float64Array(2)
    readIpv4Lines(bytes, 1, warm.length, collector)
  }
}
