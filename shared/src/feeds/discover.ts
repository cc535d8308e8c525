/**
 * @module Sources whose URL changes (Azure's weekly `ServiceTags_Public_YYYYMMDD.json`): the
 * page that links the current file is fetched, and the file's URL read from it; or the URL is
 * configured (`SyncOptions.sourceUrls`) and the page is not fetched at all.
 */
import { quote } from './entries.ts'
import { NOT_UTF8, type FetchedBody, type FetchRefusal } from './fetcher.ts'
import type { FeedSource, FetchRecord, GuardName } from './types.ts'

/**
 * A page fetched without validators: a body or a refusal (fetchSource refuses a 304 to an
 * unconditional request as `http-error`). Its bytes are read (findLinkedFile), not its `text`:
 * fetch it with `decodeLater`.
 */
export type PageResult = (FetchedBody | FetchRefusal) & { readonly record: FetchRecord }

/** Where a discovered source is fetched from, or why it cannot be. */
export type Discovered =
  { readonly url: string } | { readonly guard: GuardName; readonly reason: string }

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Whether byte `b` ends a link (none of findLinkedFile's holds one): ASCII white space, `"'<>\`. */
const endsLink = (b: number) =>
  b === 0x20 ||
  (b >= 0x09 && b <= 0x0d) ||
  b === 0x22 ||
  b === 0x27 ||
  b === 0x3c ||
  b === 0x3e ||
  b === 0x5c

const COLON = 0x3a
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const encoder = new TextEncoder()

/**
 * Throws a TypeError unless `bytes` are UTF-8: each run of bytes over 0x7f decoded on its own
 * (an ASCII byte is never inside a character, so the runs are valid if and only if the whole is).
 * The ASCII between runs is skipped four bytes at a time.
 */
function checkUtf8(bytes: Uint8Array): void {
  // The bytes before the first whole aligned word are read one at a time.
  const head = (4 - (bytes.byteOffset & 3)) & 3
  const words =
    head < bytes.length
      ? new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >> 2)
      : new Uint32Array(0)
  for (let i = 0; i < bytes.length;) {
    if (i >= head && ((i - head) & 3) === 0) {
      let w = (i - head) >> 2
      while (w < words.length && (words[w]! & 0x80808080) === 0) w++
      i = head + w * 4
    }
    if (i >= bytes.length || bytes[i]! < 0x80) {
      i++
      continue
    }
    let end = i + 1
    while (end < bytes.length && bytes[end]! >= 0x80) end++
    strict.decode(bytes.subarray(i, end))
    i = end
  }
}

/**
 * The https URL on `page` (the UTF-8 bytes of HTML or any text) to `host` (ASCII, the
 * catalogue's) whose last path segment matches `file` (a regular expression source, matched
 * whole); of several, the one whose last segment sorts last (the latest dated file), then the
 * one whose whole URL does. A link runs from `https://HOST/` (any case) to white space or one of
 * `"'<>\`; `&amp;` in it is read as `&`. Undefined when the page has none; a TypeError when
 * `page` is not UTF-8.
 *
 * Read as bytes, only the links decoded: Azure's 138 KB page decoded whole is a 277 KB string at
 * every sync, for which workerd's V8 committed a fresh 256 KiB heap page at each sync in the
 * worker-cpu bench (about 70 page faults).
 */
export function findLinkedFile(page: Uint8Array, host: string, file: string): string | undefined {
  checkUtf8(page)
  const start = encoder.encode(`https://${host.toLowerCase()}/`)
  const link = new RegExp(`^https://${escapeRegExp(host)}/[^\\s"'<>\\\\]+`, 'i')
  const name = new RegExp(`^(?:${file})$`)
  let best: { url: string; last: string } | undefined
  // A link starts 5 bytes before a colon (`https:`): the colons are found natively.
  scan: for (let colon = page.indexOf(COLON); colon >= 0; colon = page.indexOf(COLON, colon + 1)) {
    const i = colon - 5
    if (i < 0 || i + start.length > page.length) continue
    // ASCII letters match either case, as /i matches them (no other character folds to one).
    for (let k = 0; k < start.length; k++) {
      const b = page[i + k]!
      if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== start[k]) continue scan
    }
    let end = i + start.length
    while (end < page.length && !endsLink(page[end]!)) end++
    // Decoded up to the byte that ends it, the link stops at Unicode white space too.
    const match = link.exec(strict.decode(page.subarray(i, end)))?.[0]
    if (match === undefined) continue
    // As matchAll goes on: after the match, so a link inside it is not another one.
    colon = i + encoder.encode(match).length - 1
    const url = match.replaceAll('&amp;', '&')
    const last = url.split(/[?#]/, 1)[0]!.split('/').at(-1)!
    if (!name.test(last)) continue
    if (best === undefined || last > best.last || (last === best.last && url > best.url))
      best = { url, last }
  }
  return best?.url
}

/**
 * Resolves every discovered source of `sources` (those with `discover`), by catalogue URL:
 * the configured URL when `configured` has one, else the link found on the page fetched with
 * `fetchPage`. A page that cannot be fetched refuses with the fetch's guard; a page without
 * the link is `schema-drift`. Each page is fetched once; `records` receives each request.
 */
export async function discoverSources(
  sources: readonly FeedSource[],
  configured: Readonly<Record<string, string>>,
  fetchPage: (url: string) => Promise<PageResult>,
  records: FetchRecord[],
): Promise<Map<string, Discovered>> {
  const resolved = new Map<string, Discovered>()
  for (const source of sources) {
    const { discover, url } = source
    if (discover === undefined || resolved.has(url)) continue
    if (Object.hasOwn(configured, url)) {
      resolved.set(url, { url: configured[url]! })
      continue
    }
    const page = await fetchPage(url)
    records.push(page.record)
    if (page.kind === 'refused') {
      resolved.set(url, { guard: page.guard, reason: `${url}: ${page.reason}` })
      continue
    }
    let link: string | undefined
    try {
      link = findLinkedFile(page.bytes, discover.host, discover.file)
    } catch {
      // Not UTF-8: refused as fetchSource refuses a body it decodes.
      resolved.set(url, { guard: 'wrong-content', reason: `${url}: ${NOT_UTF8}` })
      continue
    }
    resolved.set(
      url,
      link === undefined
        ? {
            guard: 'schema-drift',
            reason: `${url}: no link to https://${discover.host}/.../${quote(discover.file)} on the page`,
          }
        : { url: link },
    )
  }
  return resolved
}
