/**
 * @module The hot paths of list parsing (internal): byte-level readers that take whole runs of
 * plain IPv4 or IPv6 lines without allocating, leaving every other line to the general scanner.
 * Both run as WebAssembly where available (wasm/lines.wat: no slow start in a fresh process, and
 * faster than V8 makes the JavaScript), else as the JavaScript below, with the same semantics.
 */
import { hostMask, RangeCollector } from './build.ts'
import { linesWasm, type LinesWasm } from './wasm/lines.ts'

const POW2 = Array.from({ length: 33 }, (_, k) => 2 ** k)
const encoder = new TextEncoder()
let scratch = new Uint8Array(0)

/**
 * Ranges the Wasm readers may write per call, from address 0 of its memory: IPv4 pairs of 16
 * bytes, or half as many IPv6 ranges of 32.
 */
const WASM_PAIRS = 1 << 15
const WASM_RANGES6 = WASM_PAIRS / 2
/**
 * Where the text's bytes start in the Wasm memory: after the ranges and the module's own tables,
 * 1,568 bytes from 16 * WASM_PAIRS (see $DECIMALS in lines.wat).
 */
const WASM_TEXT = 16 * WASM_PAIRS + 2048
const WASM_PAGE = 1 << 16
let wasmPairs = new Float64Array(0)
let wasmWords = new Uint32Array(0)

/** The buffer for `length` bytes: in the Wasm memory when the Wasm reader is in use. */
function scratchFor(length: number): Uint8Array {
  const wasm = linesWasm()
  if (wasm === undefined) {
    if (scratch.length < length || scratch.byteOffset !== 0)
      scratch = new Uint8Array(Math.max(length, 4096))
    return scratch
  }
  const { memory } = wasm
  const missing = WASM_TEXT + length - memory.buffer.byteLength
  if (missing > 0) memory.grow(Math.ceil(missing / WASM_PAGE))
  // Growing replaces (detaches) the buffer: views are made again.
  if (scratch.buffer !== memory.buffer) {
    scratch = new Uint8Array(memory.buffer, WASM_TEXT)
    wasmPairs = new Float64Array(memory.buffer, 0, 2 * WASM_PAIRS)
    wasmWords = new Uint32Array(memory.buffer, 0, 8 * WASM_RANGES6)
  }
  return scratch
}

/**
 * `input[start, end)` as bytes at offset 0 of a buffer shared by every call, valid until the next
 * one (all callers are synchronous), with one 0 byte after it that stops every scan without a
 * bounds test; undefined when text is not pure ASCII (byte offsets would not be string offsets).
 * Bytes are copied as they are: the readers take only ASCII lines.
 */
export function bytesOf(
  input: string | Uint8Array,
  start: number,
  end: number,
): Uint8Array | undefined {
  // One buffer, reused while it is big enough: a fresh array per list would make the garbage
  // collector run (and pay for other code's garbage) in the middle of a parse.
  const length = end - start
  const bytes = scratchFor(length + 1)
  bytes[length] = 0
  if (typeof input !== 'string') {
    bytes.set(input.subarray(start, end))
    return bytes
  }
  const part = start === 0 && end === input.length ? input : input.slice(start, end)
  const { read, written } = encoder.encodeInto(part, bytes.subarray(0, length))
  return read === written && read === length ? bytes : undefined
}

/** Entries joined into one string at a time by listBytesOf: a longer one could be a large object. */
const LIST_CHUNK = 2048

/**
 * `list` joined by line breaks as bytesOf gives a text (in the shared buffer, with the 0 byte
 * after) and its length, joined and written a chunk of entries at a time, never as
 * one string; undefined when it is not pure ASCII or an entry holds a line break itself (then
 * entries would not map to lines).
 */
export function listBytesOf(
  list: readonly string[],
): { bytes: Uint8Array; length: number } | undefined {
  let length = list.length - 1
  for (let i = 0; i < list.length; i++) length += list[i]!.length
  const bytes = scratchFor(length + 1)
  bytes[length] = 0
  let at = 0
  for (let from = 0; from < list.length; from += LIST_CHUNK) {
    if (from > 0) bytes[at++] = 10
    const chunk = list.slice(from, from + LIST_CHUNK).join('\n')
    const { read, written } = encoder.encodeInto(chunk, bytes.subarray(at, length))
    if (read !== chunk.length || written !== read) return undefined
    at += written
  }
  const written = bytes.subarray(0, length)
  let breaks = 0
  for (let i = written.indexOf(10); i >= 0; i = written.indexOf(10, i + 1)) breaks++
  return breaks === list.length - 1 ? { bytes, length } : undefined
}

const decoder = new TextDecoder()
/** Room for text per formatIpv4Cidrs call, in bytes. */
const WASM_OUT = 1 << 20

/**
 * IpSet.toCidrs for IPv4 in Wasm: the minimal CIDR cover of normalised ranges as text, each CIDR
 * then LF; undefined where the Wasm module is not in use. One string decoded at once makes far
 * less garbage than building each CIDR from its parts (and no cold start, as for reading).
 * Uses the buffer of bytesOf.
 */
export function formatIpv4CidrsWasm(r: Float64Array | readonly number[]): string | undefined {
  const wasm = linesWasm()
  if (wasm === undefined) return undefined
  const text = scratchFor(WASM_OUT)
  const n = r.length / 2
  let out = ''
  for (let k = 0; k < n; k += wasm.count.value) {
    const m = Math.min(n - k, WASM_PAIRS)
    wasmPairs.set(
      r instanceof Float64Array ? r.subarray(2 * k, 2 * (k + m)) : r.slice(2 * k, 2 * (k + m)),
    )
    const end = wasm.formatIpv4Cidrs(0, m, WASM_TEXT, WASM_TEXT + WASM_OUT)
    out += decoder.decode(text.subarray(0, end - WASM_TEXT))
  }
  return out
}

/** How many lines the last readIpv4Lines or readIpv6Lines call consumed. */
export let linesRead = 0

/**
 * The hot path: reads consecutive lines that are each exactly a canonical IPv4 address or CIDR,
 * like readIpv4LinesJs, in WebAssembly when `b` came from bytesOf with the Wasm reader in use.
 */
export function readIpv4Lines(
  b: Uint8Array,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  const wasm = linesWasm()
  return wasm !== undefined && b.buffer === wasm.memory.buffer
    ? readIpv4LinesWasm(wasm, b.byteOffset, i, length, out)
    : readIpv4LinesJs(b, i, length, out)
}

/**
 * readIpv4Lines in Wasm: the collector's last range goes in as pair 0, so that the first line
 * can coalesce with it; the new pairs come back into the collector. Stops after WASM_PAIRS pairs
 * (the caller's loop calls again).
 */
function readIpv4LinesWasm(
  wasm: LinesWasm,
  base: number,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  const pairs = wasmPairs
  const n = out.n4
  const first = n > 0 ? 1 : 0
  if (first === 1) pairs.set(out.r4.subarray(2 * n - 2, 2 * n))
  const next = wasm.readIpv4Lines(base + i, base + length, first, WASM_PAIRS) - base
  const count = wasm.count.value
  linesRead = wasm.lines.value
  if (wasm.unsorted.value !== 0) out.unsorted4 = true
  if (first === 1) out.r4[2 * n - 1] = pairs[1]!
  const total = n + count - first
  while (2 * total > out.r4.length) out.grow4()
  out.r4.set(pairs.subarray(2 * first, 2 * count), 2 * n)
  out.n4 = total
  return next
}

/**
 * The hot path in JavaScript: reads consecutive lines that are each exactly a canonical IPv4
 * address or CIDR (then LF, CRLF or the end), adding them to `out`, coalesced with the previous
 * range where they touch it. Stops at the first other line (blank, comment, whitespace, IPv6,
 * host bits set, anything invalid) or when `out.r4` is full, and returns where that line starts,
 * for the general path; `linesRead` says how many lines were consumed. Kept free of property
 * access and calls in its loop, so that V8 optimises it early and never has to throw that code
 * away.
 */
export function readIpv4LinesJs(
  b: Uint8Array,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  if (!warmed4 && length - i > WARM_UP_FROM) warmUpIpv4()
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

/**
 * The IPv6 hot path, like readIpv4Lines: consecutive lines that are each exactly an IPv6 address
 * or CIDR in hex groups (no dotted IPv4 part, no zone id, not IPv4-mapped), host bits clear; in
 * WebAssembly when `b` came from bytesOf with the Wasm reader in use.
 */
export function readIpv6Lines(
  b: Uint8Array,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  const wasm = linesWasm()
  return wasm !== undefined && b.buffer === wasm.memory.buffer
    ? readIpv6LinesWasm(wasm, b.byteOffset, i, length, out)
    : readIpv6LinesJs(b, i, length, out)
}

/** readIpv6Lines in Wasm, as readIpv4LinesWasm: the collector's last range goes in as range 0. */
function readIpv6LinesWasm(
  wasm: LinesWasm,
  base: number,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  const words = wasmWords
  const n = out.n6
  const first = n > 0 ? 1 : 0
  if (first === 1) words.set(out.r6.subarray(8 * n - 8, 8 * n))
  const next = wasm.readIpv6Lines(base + i, base + length, first, WASM_RANGES6) - base
  const count = wasm.count.value
  linesRead = wasm.lines.value
  if (wasm.unsorted.value !== 0) out.unsorted6 = true
  if (first === 1) out.r6.set(words.subarray(4, 8), 8 * n - 4)
  const total = n + count - first
  while (8 * total > out.r6.length) out.grow6()
  out.r6.set(words.subarray(8 * first, 8 * count), 8 * n)
  out.n6 = total
  return next
}

/** Hex digit values by byte; -1 for anything else. */
const HEX = new Int8Array(256).fill(-1)
for (let c = 0; c < 10; c++) HEX[48 + c] = c
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c

const groups = new Int32Array(8)

/**
 * readIpv6Lines in JavaScript, with the semantics of the Wasm reader (see readIpv4LinesJs).
 */
export function readIpv6LinesJs(
  b: Uint8Array,
  i: number,
  length: number,
  out: RangeCollector,
): number {
  // Only where the line could be IPv6: an IPv4 list's comment line does not pay for the warm-up.
  if (!warmed6 && length - i > WARM_UP_FROM && (b[i] === 58 || HEX[b[i]!]! >= 0)) warmUpIpv6()
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
    // Host bits set, or IPv4-mapped: left to the general path, which notes them.
    if (
      ((w0 & m0) | (w1 & m1) | (w2 & m2) | (w3 & m3)) !== 0 ||
      ((w0 | w1) === 0 && w2 === 0xffff && prefix >= 96)
    ) {
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

let warmed4 = false
let warmed6 = false

/** Inputs longer than this many characters warm a JavaScript line reader up first. */
const WARM_UP_FROM = 1 << 16

/** A short text as bytes in a buffer of its own, with the 0 byte after the end. */
function ownBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length + 1)
  encoder.encodeInto(text, bytes)
  return bytes
}

/*
 * The warm-ups run a JavaScript line reader on small lists a few times before its first long
 * input, so that it meets code with complete type feedback (V8 starts collecting feedback only
 * after a function has run a few times): addresses above 2^31 (floats, not small integers),
 * unsorted input, CRLF, the last line, the growth of the IPv6 array. Without them a cold process
 * deoptimises midway through its input. Each takes a few milliseconds in a cold process, once,
 * and only where that reader meets a long input (never for IPv4 when the Wasm reader is in use).
 */

function warmUpIpv4(): void {
  warmed4 = true
  const warm = `${'0.0.0.0/0\r\n10.0.0.0/8\n255.255.255.255\n1.2.3.4\n128.0.0.0/1\n'.repeat(4)}9.9.9.9`
  const bytes = ownBytes(warm)
  for (let k = 0; k < 12; k++) readIpv4LinesJs(bytes, 0, warm.length, new RangeCollector())
}

function warmUpIpv6(): void {
  warmed6 = true
  let warm = '::/128\n::1\r\n1:2:3:4:5:6:7:8/128\nffff::/16\n2001:db8::/32\n'
  for (let k = 0; k < 70; k++) warm += `2001:db8:${(2 * k).toString(16)}::/48\n`
  const bytes = ownBytes(warm)
  for (let k = 0; k < 12; k++) readIpv6LinesJs(bytes, 0, warm.length, new RangeCollector())
}
