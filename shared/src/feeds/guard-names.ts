/**
 * @module The guards' names: why a fetch was refused or held, in the order the guards run.
 * Re-exported by types.ts.
 */

/**
 * Why a fetch was refused, in the order the guards run:
 * - `network-error`: the request failed before a response (DNS, refused connection, TLS).
 * - `timeout`: no complete body within `timeoutMs` (headers or body).
 * - `redirect`: a 3xx to another host, a 3xx without Location, or too many same-host hops.
 * - `http-error`: any other status than 2xx (or 304 to a conditional request).
 * - `oversized`: Content-Length or the bytes read exceed `maxBodyBytes`.
 * - `wrong-content`: an HTML page (by Content-Type or by a body starting with `<`), or bytes that
 *   are not UTF-8.
 * - `unparseable`: JSON that does not parse (e.g. truncated), or CSV without the column.
 * - `schema-drift`: an expected key is missing or has another shape.
 * - `invalid-entry`: an entry that is not a plain address or CIDR: newline, shell metacharacter,
 *   zone id (`fe80::1%eth0`), IPv4-mapped IPv6 (`::ffff:192.0.2.1`), wrong family for the file.
 *   One bad entry refuses the whole fetch: dropping it silently could remove an address.
 * - `allow-all`: `0.0.0.0/0`, `::/0`, or entries that together cover a whole family. Such a list
 *   must never reach a firewall as an allowlist.
 * - `empty`: a source (or the whole feed) yields no address.
 * - `reserved-space`: an entry inside special-purpose space (the IANA IPv4 and IPv6
 *   special-purpose registries: private, loopback, link-local, documentation, multicast, ...);
 *   a user-defined feed may opt in with `allowReserved`.
 * - `too-broad`: a canonical (merged) CIDR shorter than the feed's `broadestPrefix`.
 * - `mass-removal`: against the previous snapshot, more than `maxRemovalShare` of one family's
 *   addresses would go, or every address of a family that had some; `allowMassRemoval` overrides.
 *   A well-formed list that trips it is *held* (a HeldOutcome), not refused.
 * - `mass-addition`: against the previous snapshot, one family's address count would more than
 *   double and grow by more than MASS_ADDITION_MIN_GROWTH (types.ts) (a /16's worth for IPv4, a
 *   /40's worth for IPv6: 256 of the smallest routed blocks, /24 and /48, in both families);
 *   held like a mass removal; `allowMassAddition` overrides.
 */
export type GuardName =
  | 'network-error'
  | 'timeout'
  | 'redirect'
  | 'http-error'
  | 'oversized'
  | 'wrong-content'
  | 'unparseable'
  | 'schema-drift'
  | 'invalid-entry'
  | 'allow-all'
  | 'empty'
  | 'reserved-space'
  | 'too-broad'
  | 'mass-removal'
  | 'mass-addition'

/** Every guard name, in the order the guards run. */
export const GUARD_NAMES: readonly GuardName[] = [
  'network-error',
  'timeout',
  'redirect',
  'http-error',
  'oversized',
  'wrong-content',
  'unparseable',
  'schema-drift',
  'invalid-entry',
  'allow-all',
  'empty',
  'reserved-space',
  'too-broad',
  'mass-removal',
  'mass-addition',
]
