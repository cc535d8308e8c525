/**
 * @module Sources whose URL changes (Azure's weekly `ServiceTags_Public_YYYYMMDD.json`): the
 * page that links the current file is fetched, and the file's URL read from it; or the URL is
 * configured (`SyncOptions.sourceUrls`) and the page is not fetched at all.
 */
import { quote } from './entries.ts'
import type { FetchedBody, FetchRefusal } from './fetcher.ts'
import type { FeedSource, FetchRecord, GuardName } from './types.ts'

/**
 * A page fetched without validators: a body or a refusal (fetchSource refuses a 304 to an
 * unconditional request as `http-error`).
 */
export type PageResult = (FetchedBody | FetchRefusal) & { readonly record: FetchRecord }

/** Where a discovered source is fetched from, or why it cannot be. */
export type Discovered =
  { readonly url: string } | { readonly guard: GuardName; readonly reason: string }

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The https URL on `page` (HTML or any text) to `host` whose last path segment matches `file`
 * (a regular expression source, matched whole); of several, the one whose last segment sorts
 * last (the latest dated file), then the one whose whole URL does. `&amp;` in a URL is read as
 * `&`. Undefined when the page has none.
 */
export function findLinkedFile(page: string, host: string, file: string): string | undefined {
  const links = page.matchAll(new RegExp(`https://${escapeRegExp(host)}/[^\\s"'<>\\\\]+`, 'gi'))
  const name = new RegExp(`^(?:${file})$`)
  let best: { url: string; last: string } | undefined
  for (const [match] of links) {
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
    const link = findLinkedFile(page.text, discover.host, discover.file)
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
