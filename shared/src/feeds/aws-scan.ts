/**
 * @module A byte-scanning reader of AWS's ip-ranges.json (2.6 MB, ~17,000 objects): walks the
 * body's bytes for `ip_prefix`/`ipv6_prefix`, `region` and `service` of every object, without
 * JSON.parse, and builds the same per-service index as the JSON reader (extract.ts, indexAws).
 * It reads only the shape AWS publishes: one object of string values and the two arrays of flat
 * objects of string values, in ASCII, without escapes. Anything else (another shape, a duplicate
 * key, an escape, a byte over 0x7f, a missing key, trailing bytes) returns undefined, and the
 * caller reads the body with the JSON reader, which refuses drift with its named errors.
 */
import type { AwsService } from './extract.ts'
import {
  ARRAY_CLOSE,
  ARRAY_OPEN,
  BACKSLASH,
  COLON,
  COMMA,
  isJsonSpace,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  QUOTE,
} from './json-bytes.ts'

/** The byte spelling of the keys the reader looks for. */
const KEYS = {
  prefixes: bytesOf('prefixes'),
  ipv6Prefixes: bytesOf('ipv6_prefixes'),
  ipPrefix: bytesOf('ip_prefix'),
  ipv6Prefix: bytesOf('ipv6_prefix'),
  region: bytesOf('region'),
  service: bytesOf('service'),
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

/** Thrown inside the scan for any shape it does not read; never leaves this module. */
const UNHANDLED = new Error('a shape the AWS scanner does not read')

/**
 * A cursor over the body: its bytes, and the same body decoded. The scan accepts ASCII only, so
 * up to where it has read a byte's offset is its character's index in the text.
 */
class Scanner {
  at = 0
  /** Where the last string read starts and ends, its quotes excluded (no tuple per string). */
  start = 0
  end = 0
  readonly bytes: Uint8Array
  readonly source: string
  constructor(bytes: Uint8Array, source: string) {
    this.bytes = bytes
    this.source = source
  }

  /** Skips JSON whitespace; returns the next byte (NaN at the end). */
  peek(): number {
    const b = this.bytes
    let i = this.at
    while (i < b.length && isJsonSpace(b[i])) i++
    this.at = i
    return i < b.length ? b[i]! : NaN
  }

  /** Consumes `byte` after whitespace. */
  take(byte: number): void {
    if (this.peek() !== byte) throw UNHANDLED
    this.at++
  }

  /** Consumes `,` (true) or `close` (false). */
  more(close: number): boolean {
    const c = this.peek()
    this.at++
    if (c === COMMA) return true
    if (c === close) return false
    throw UNHANDLED
  }

  /** Consumes a string of printable ASCII without escapes, its bytes then [start, end). */
  string(): void {
    this.take(QUOTE)
    const b = this.bytes
    const start = this.at
    const end = b.indexOf(QUOTE, start)
    if (end < 0) throw UNHANDLED
    for (let i = start; i < end; i++) {
      const c = b[i]!
      if (c < 0x20 || c > 0x7e || c === BACKSLASH) throw UNHANDLED
    }
    this.at = end + 1
    this.start = start
    this.end = end
  }

  /** Whether the last string read is `key`. */
  is(key: Uint8Array): boolean {
    const { start } = this
    if (this.end - start !== key.length) return false
    for (let i = 0; i < key.length; i++) if (this.bytes[start + i] !== key[i]) return false
    return true
  }

  /**
   * The span, read already (so ASCII), as a string sliced from the decoded body (at most 256
   * bytes: no value AWS publishes is longer).
   */
  text(): string {
    if (this.end - this.start > 256) throw UNHANDLED
    return this.source.slice(this.start, this.end)
  }
}

/** A string value that repeats from object to object (a region, a service): decoded once. */
class Repeated {
  #start = 0
  #end = -1
  #text = ''
  readonly s: Scanner
  readonly map: (text: string) => string
  constructor(s: Scanner, map: (text: string) => string) {
    this.s = s
    this.map = map
  }

  /** The last string read. */
  of(): string {
    const { start, end } = this.s
    const b = this.s.bytes
    let same = end - start === this.#end - this.#start
    for (let i = 0; same && i < end - start; i++) same = b[start + i] === b[this.#start + i]
    if (!same) {
      this.#start = start
      this.#end = end
      this.#text = this.map(this.s.text())
    }
    return this.#text
  }
}

interface ItemReader {
  readonly s: Scanner
  readonly regions: Repeated
  readonly services: Repeated
  readonly index: Map<string, AwsService>
}

const PREFIX = 1
const REGION = 2
const SERVICE = 3

/** One `{ "ip_prefix": ..., "region": ..., "service": ..., ... }` into the index. */
function readItem(r: ItemReader, prefixKey: Uint8Array, base: string, i: number): void {
  const { s } = r
  s.take(OBJECT_OPEN)
  let prefix: string | undefined
  let region: string | undefined
  let service: string | undefined
  if (s.peek() !== OBJECT_CLOSE)
    do {
      s.string()
      const key = s.is(prefixKey)
        ? PREFIX
        : s.is(KEYS.region)
          ? REGION
          : s.is(KEYS.service)
            ? SERVICE
            : 0
      s.take(COLON)
      s.string()
      if (key === PREFIX) {
        if (prefix !== undefined) throw UNHANDLED
        prefix = s.text()
      } else if (key === REGION) {
        if (region !== undefined) throw UNHANDLED
        region = r.regions.of()
      } else if (key === SERVICE) {
        if (service !== undefined) throw UNHANDLED
        service = r.services.of()
      }
    } while (s.more(OBJECT_CLOSE))
  else s.at++
  if (prefix === undefined || region === undefined || service === undefined) throw UNHANDLED
  let found = r.index.get(service)
  if (!found) {
    found = { texts: [], regions: [], bases: [], indexes: [] }
    r.index.set(service, found)
  }
  found.texts.push(prefix)
  found.regions.push(region)
  found.bases.push(base)
  found.indexes.push(i)
}

function readList(r: ItemReader, prefixKey: Uint8Array, base: string): void {
  const { s } = r
  s.take(ARRAY_OPEN)
  if (s.peek() === ARRAY_CLOSE) {
    s.at++
    return
  }
  let i = 0
  do readItem(r, prefixKey, base, i++)
  while (s.more(ARRAY_CLOSE))
}

/**
 * The per-service index of an ip-ranges.json body (IPv4 objects first, then IPv6, each in file
 * order, regions lower-cased), exactly as the JSON reader builds it; undefined for any body this
 * reader does not handle (read it with the JSON reader then). `text` is the body as UTF-8
 * decoded it (the fetcher's), so values are sliced from it instead of being built byte by byte.
 */
export function scanAwsIpRanges(
  bytes: Uint8Array,
  text: string,
): Map<string, AwsService> | undefined {
  const s = new Scanner(bytes, text)
  const r: ItemReader = {
    s,
    regions: new Repeated(s, (t) => t.toLowerCase()),
    services: new Repeated(s, (t) => t),
    index: new Map(),
  }
  let v4 = false
  let v6 = false
  try {
    s.take(OBJECT_OPEN)
    do {
      s.string()
      const v4List = s.is(KEYS.prefixes)
      const v6List = s.is(KEYS.ipv6Prefixes)
      s.take(COLON)
      if (v4List) {
        if (v4 || v6) throw UNHANDLED
        readList(r, KEYS.ipPrefix, '$["prefixes"]')
        v4 = true
      } else if (v6List) {
        if (v6 || !v4) throw UNHANDLED
        readList(r, KEYS.ipv6Prefix, '$["ipv6_prefixes"]')
        v6 = true
      } else s.string()
    } while (s.more(OBJECT_CLOSE))
    if (!v6 || !Number.isNaN(s.peek())) throw UNHANDLED
  } catch {
    // Only UNHANDLED is thrown in the scan: the JSON reader takes this body.
    return undefined
  }
  return r.index
}
