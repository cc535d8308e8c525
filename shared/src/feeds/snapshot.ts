/** @module Snapshot hashing and diffing: the canonical lists are the only identity of a feed. */
import { IpSet, parseCidrList, type Family } from '../ip/index.ts'
import { readPlainLines } from './string-array.ts'
import type { Change, FamilyLists, Snapshot, UpstreamVersion } from './types.ts'
import { Utf8Buffer } from './utf8-buffer.ts'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * `prev` confirmed by a fetch at `fetchedAt`, with the publisher's version that fetch read (else
 * prev's): every other field copied as prev holds it, so lists read only when asked for (the
 * worker's, parsed from D1's text on first use) are not read to confirm an unchanged feed.
 */
export function confirmedSnapshot(
  prev: Snapshot,
  fetchedAt: string,
  upstreamVersion?: UpstreamVersion,
): Snapshot {
  const next: Record<string, unknown> = {}
  for (const key in prev) {
    const d = Object.getOwnPropertyDescriptor(prev, key)!
    if (d.get === undefined) next[key] = d.value
    else Object.defineProperty(next, key, { ...d, configurable: true })
  }
  next['fetchedAt'] = fetchedAt
  if (upstreamVersion !== undefined) next['upstreamVersion'] = upstreamVersion
  return next as unknown as Snapshot
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(
  bytes: Parameters<typeof crypto.subtle.digest>[1],
): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  let hex = ''
  for (const b of digest) hex += HEX[b]
  return hex
}

/** What sha256Text and sha256Lists hash, kept between calls (utf8-buffer.ts). */
const hashed = new Utf8Buffer(1 << 16)

/**
 * Lower-case hex SHA-256 of `pieces` joined: texts as UTF-8, and bytes, each asked for in turn
 * (bytes valid only until the next piece's are: Entries.bytes). Each text is encoded alone: none
 * may end in the first half of a surrogate pair whose second half starts the next.
 */
export function sha256Text(...pieces: readonly (string | (() => Uint8Array))[]): Promise<string> {
  let at = 0
  for (const piece of pieces)
    at = typeof piece === 'string' ? hashed.write(piece, at) : hashed.writeBytes(piece(), at)
  // digest copies its input before it returns (WebCrypto): the buffer may be written again.
  return sha256Hex(hashed.bytes.subarray(0, at))
}

/** Entries of a list stringified at once by sha256Lists: the JSON of more could be a large object. */
const LIST_CHUNK = 2048
const COMMA = 0x2c

/**
 * Lower-case hex SHA-256 over `JSON.stringify([ipv4, ipv6])` (the documented Snapshot hash): that
 * text written a chunk of each list at a time, never as one string (JSON.stringify escapes any
 * lone surrogate, so chunks split no pair).
 */
export function sha256Lists(lists: FamilyLists): Promise<string> {
  let at = hashed.write('[', 0)
  for (const [family, list] of [lists.ipv4, lists.ipv6].entries()) {
    if (family > 0) at = hashed.write(',', at)
    for (let from = 0; ; from += LIST_CHUNK) {
      const start = at
      at = hashed.write(JSON.stringify(list.slice(from, from + LIST_CHUNK)), at)
      // A chunk after the first continues the list: its `[` becomes a comma.
      if (from > 0) hashed.bytes[start] = COMMA
      if (from + LIST_CHUNK >= list.length) break
      // and the list goes on after it: its `]` is dropped.
      at--
    }
  }
  at = hashed.write(']', at)
  return sha256Hex(hashed.bytes.subarray(0, at))
}

/** Both families' sets. */
interface Sets {
  readonly ipv4: IpSet
  readonly ipv6: IpSet
}

/** Snapshots whose lists are also known as their JSON text: {@link withListsJson}. */
const listsJson = new WeakMap<object, { readonly ipv4: string; readonly ipv6: string }>()

/**
 * Records that `snapshot`'s lists are the JSON arrays `json` (as the worker stores them), so that
 * {@link snapshotSets} reads its sets from that text's bytes, without a string per CIDR.
 */
export function withListsJson<T extends Snapshot>(
  snapshot: T,
  json: { readonly ipv4: string; readonly ipv6: string },
): T {
  listsJson.set(snapshot, json)
  return snapshot
}

/** Both families of a snapshot as IpSets (throws IpParseError for lists that are not CIDRs). */
export function snapshotSets(lists: FamilyLists): Sets {
  const json = listsJson.get(lists)
  const ipv4 = json && setOfJson(4, json.ipv4)
  const ipv6 = json && setOfJson(6, json.ipv6)
  if (ipv4 && ipv6) return { ipv4, ipv6 }
  return { ipv4: IpSet.fromCidrs(4, lists.ipv4), ipv6: IpSet.fromCidrs(6, lists.ipv6) }
}

/** A list's JSON text as UTF-8, and its CIDRs as lines, kept between calls. */
const jsonBytes = new Utf8Buffer(1 << 16)
let jsonLines = new Uint8Array(1 << 16)

/**
 * The set of a JSON array of plain CIDRs (string-array.ts) of `family`, each as IpSet.fromCidrs
 * reads it; undefined for any other text (the lists are read as strings then, which names what
 * is wrong).
 */
function setOfJson(family: Family, json: string): IpSet | undefined {
  // Written first: a text larger than the buffer grows it, replacing `bytes`.
  const end = jsonBytes.write(json, 0)
  const bytes = jsonBytes.bytes.subarray(0, end)
  if (jsonLines.length < bytes.length) jsonLines = new Uint8Array(bytes.length)
  const plain = readPlainLines(bytes, () => jsonLines)
  if (plain === undefined) return undefined
  const list = parseCidrList(plain.lines)
  const other = family === 4 ? list.ipv6 : list.ipv4
  if (list.rejected.length > 0 || !other.isEmpty) return undefined
  return family === 4 ? list.ipv4 : list.ipv6
}

/**
 * The change from `previous` (undefined: nothing, version 0) to `next`: added and removed
 * addresses per family as minimal CIDR covers. `at` is `next.changedAt`.
 */
export function diffSnapshots(previous: Snapshot | undefined, next: Snapshot): Change {
  const after = snapshotSets(next)
  const before = previous ? snapshotSets(previous) : { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
  return diffSets(next.feed, previous?.version ?? 0, next.version, next.changedAt, before, after)
}

/** {@link diffSnapshots} on sets already built. */
export function diffSets(
  feed: string,
  previousVersion: number,
  version: number,
  at: string,
  before: { ipv4: IpSet; ipv6: IpSet },
  after: { ipv4: IpSet; ipv6: IpSet },
): Change {
  return {
    feed,
    version,
    previousVersion,
    at,
    added: {
      ipv4: after.ipv4.difference(before.ipv4).toCidrs(),
      ipv6: after.ipv6.difference(before.ipv6).toCidrs(),
    },
    removed: {
      ipv4: before.ipv4.difference(after.ipv4).toCidrs(),
      ipv6: before.ipv6.difference(after.ipv6).toCidrs(),
    },
  }
}
