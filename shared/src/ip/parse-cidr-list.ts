/**
 * @module parseCidrList: a whole text list (one entry a line, as feeds and allowlist files are
 * written) into one IpSet per family, with every rejected line and every oddity reported by line.
 */
import { hostMask, RangeCollector } from './build.ts'
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
  // Room for every IPv4 line up front (each takes at least 8 bytes: "0.0.0.0" and a line break),
  // so the hot path never grows the array.
  if (bytes !== undefined) collector.r4 = new Float64Array(2 * (Math.floor(length / 8) + 2))
  while (from <= length) {
    if (blanks === undefined && bytes !== undefined) {
      let next = readIpv4Lines(bytes, from, length, collector)
      if (linesRead === 0) next = readIpv6Lines(bytes, from, length, collector)
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
 * (then LF, CRLF or the end), adding them to `out`, coalesced with the previous range where they
 * touch it. Stops at the first other line (blank, comment, whitespace, IPv6, host bits set,
 * anything invalid) or when `out.r4` is full, and returns where that line starts, for the general
 * path; `linesRead` says how many lines were consumed. Kept free of property access and calls in
 * its loop, so that V8 optimises it early and never has to throw that code away.
 */
function readIpv4Lines(b: Uint8Array, i: number, length: number, out: RangeCollector): number {
  const r = out.r4
  const room = r.length - 2
  let n2 = 2 * out.n4
  let lastStart = n2 > 0 ? r[n2 - 2]! : -1
  let lastEnd = n2 > 0 ? r[n2 - 1]! : -1
  let unsorted = out.unsorted4
  let lines = 0
  scan: while (i < length && n2 <= room) {
    const lineStart = i
    let value = 0
    for (let k = 0; k < 4; k++) {
      let c = b[i]! - 48
      if (c < 0 || c > 9) {
        i = lineStart
        break scan
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
          }
        }
      }
      if (octet > 255 || (k < 3 && b[i] !== 46)) {
        i = lineStart
        break scan
      }
      value = value * 256 + octet
      i++
    }
    // i is one past the byte after the last octet: '/', CR, LF or the end.
    let c = b[i - 1]!
    let size = 1
    if (c === 47) {
      const d = b[i]! - 48
      if (d < 0 || d > 9) {
        i = lineStart
        break scan
      }
      let prefix = d
      i++
      if (d !== 0) {
        const e = b[i]! - 48
        if (e >= 0 && e <= 9) {
          prefix = d * 10 + e
          i++
        }
      }
      if (prefix > 32) {
        i = lineStart
        break scan
      }
      size = POW2[32 - prefix]!
      c = b[i++]!
    }
    if (c === 13) c = b[i++]!
    if ((c !== 10 && i <= length) || value % size !== 0) {
      i = lineStart
      break scan
    }
    lines++
    const end = value + size
    if (value >= lastStart && value <= lastEnd) {
      if (end > lastEnd) {
        lastEnd = end
        r[n2 - 1] = end
      }
      continue
    }
    if (value < lastStart) unsorted = true
    r[n2] = value
    r[n2 + 1] = end
    n2 += 2
    lastStart = value
    lastEnd = end
  }
  out.n4 = n2 / 2
  out.unsorted4 = unsorted
  linesRead = lines
  return i
}

/** Hex digit values by byte; -1 for anything else. */
const HEX = new Int8Array(256).fill(-1)
for (let c = 0; c < 10; c++) HEX[48 + c] = c
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c

const groups = new Int32Array(8)

/**
 * The IPv6 hot path, like readIpv4Lines: consecutive lines that are each exactly an IPv6 address
 * or CIDR in hex groups (no dotted IPv4 part, no zone id), host bits clear.
 */
function readIpv6Lines(b: Uint8Array, i: number, length: number, out: RangeCollector): number {
  const g = groups
  let lines = 0
  scan: while (i < length) {
    const lineStart = i
    let n = 0
    let gap = -1
    let more = true
    if (b[i] === 58) {
      if (b[i + 1] !== 58) {
        i = lineStart
        break scan
      }
      gap = 0
      i += 2
      more = HEX[b[i]!]! >= 0
    }
    while (more) {
      let v = 0
      let d = 0
      let h = HEX[b[i]!]!
      while (h >= 0 && d < 5) {
        v = v * 16 + h
        d++
        h = HEX[b[++i]!]!
      }
      if (d === 0 || d > 4 || n === 8) {
        i = lineStart
        break scan
      }
      g[n++] = v
      if (b[i] !== 58) break
      i++
      if (b[i] === 58) {
        if (gap >= 0) {
          i = lineStart
          break scan
        }
        gap = n
        i++
        more = HEX[b[i]!]! >= 0
      }
    }
    if (gap < 0 ? n !== 8 : n > 7) {
      i = lineStart
      break scan
    }
    let c = b[i++]!
    let prefix = 128
    if (c === 47) {
      let d = b[i++]! - 48
      if (d < 0 || d > 9) {
        i = lineStart
        break scan
      }
      prefix = d
      c = b[i++]!
      if (d !== 0) {
        d = c - 48
        if (d >= 0 && d <= 9) {
          prefix = prefix * 10 + d
          c = b[i++]!
          d = c - 48
          if (d >= 0 && d <= 9) {
            prefix = prefix * 10 + d
            c = b[i++]!
          }
        }
      }
      if (prefix > 128) {
        i = lineStart
        break scan
      }
    }
    if (c === 13) c = b[i++]!
    if (c !== 10 && i <= length) {
      i = lineStart
      break scan
    }
    if (gap >= 0) {
      const tail = n - gap
      for (let k = 1; k <= tail; k++) g[8 - k] = g[n - k]!
      for (let k = gap; k < 8 - tail; k++) g[k] = 0
    }
    const w0 = ((g[0]! << 16) | g[1]!) >>> 0
    const w1 = ((g[2]! << 16) | g[3]!) >>> 0
    const w2 = ((g[4]! << 16) | g[5]!) >>> 0
    const w3 = ((g[6]! << 16) | g[7]!) >>> 0
    const m0 = hostMask(prefix, 0)
    const m1 = hostMask(prefix, 1)
    const m2 = hostMask(prefix, 2)
    const m3 = hostMask(prefix, 3)
    if (((w0 & m0) | (w1 & m1) | (w2 & m2) | (w3 & m3)) !== 0) {
      i = lineStart
      break scan
    }
    lines++
    out.add6Range(
      w0,
      w1,
      w2,
      w3,
      (w0 | m0) >>> 0,
      (w1 | m1) >>> 0,
      (w2 | m2) >>> 0,
      (w3 | m3) >>> 0,
    )
  }
  linesRead = lines
  return i
}

// Run the hot path on small lists at load time, so that the first big list meets code with
// complete type feedback (V8 starts collecting it only after a function has run a few times):
// addresses above 2^31 (floats, not small integers), unsorted input, CRLF, the last line.
// Without it a cold process (the CLI) deoptimises midway through its input. Takes ~0.1 ms.
{
  const warm = ` ${'0.0.0.0/0\r\n10.0.0.0/8\n255.255.255.255\n1.2.3.4\n128.0.0.0/1\n'.repeat(4)}9.9.9.9`
  const bytes = asciiBytes(warm, 1) ?? new Uint8Array(0)
  for (let k = 0; k < 12; k++) {
    const collector = new RangeCollector()
    readIpv4Lines(bytes, 1, warm.length, collector)
  }
  // IPv6: 70 separate ranges (the growth branch), out of order, every syntax the path takes.
  let warm6 = ' ::/128\n::1\r\n1:2:3:4:5:6:7:8/128\nffff::/16\n2001:db8::/32\n'
  for (let k = 0; k < 70; k++) warm6 += `2001:db8:${(2 * k).toString(16)}::/48\n`
  const bytes6 = asciiBytes(warm6, 1) ?? new Uint8Array(0)
  for (let k = 0; k < 12; k++) readIpv6Lines(bytes6, 1, warm6.length, new RangeCollector())
}
