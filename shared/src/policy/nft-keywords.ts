/**
 * @module The nftables keywords the text reader branches on, each set named for what its words
 * do in nft(8)'s grammar, so that the reader reads `SELECTOR_HEADS.has(word)`, not a list inline.
 */

/** Table families (`table inet filter`); a table without one is `ip`. */
export const FAMILIES: ReadonlySet<string> = new Set([
  'ip',
  'ip6',
  'inet',
  'arp',
  'bridge',
  'netdev',
])

/** Words that start a two-word selector (`ip saddr`, `tcp dport`, `ct state`, `meta l4proto`). */
export const SELECTOR_HEADS: ReadonlySet<string> = new Set([
  'ip',
  'ip6',
  'tcp',
  'udp',
  'th',
  'meta',
  'ct',
  'icmp',
  'icmpv6',
  'sctp',
  'ether',
  'vlan',
])

/** Meta keys written without `meta` (nft(8) "META EXPRESSIONS"); `l4proto`, `nfproto` need it. */
export const BARE_SELECTORS: ReadonlySet<string> = new Set([
  'iif',
  'iifname',
  'oif',
  'oifname',
  'iiftype',
  'oiftype',
  'mark',
])

/** Table-level objects and attributes that hold no filter rules; blocks are taken whole. */
export const TABLE_SKIPPED: ReadonlySet<string> = new Set([
  'flags',
  'comment',
  'flowtable',
  'counter',
  'quota',
  'ct',
  'limit',
  'secmark',
  'synproxy',
])

/** Words that end a skipped statement's arguments: verdicts and the statements that follow. */
export const STOPS: ReadonlySet<string> = new Set([
  'accept',
  'drop',
  'return',
  'jump',
  'goto',
  'reject',
  'continue',
  'comment',
  'counter',
  'log',
  'limit',
  'fib',
  'dnat',
  'redirect',
])

/**
 * Statements that decide nothing about which packets match (counting, logging, marking, NAT on
 * the way out, set updates) or rate limits (noted apart); their arguments are skipped.
 */
export const NOISE: ReadonlySet<string> = new Set([
  'counter',
  'log',
  'limit',
  'comment',
  'notrack',
  'meter',
  'quota',
  'reject',
  'masquerade',
  'snat',
  'dnat',
  'mark',
  'set',
  'update',
  'add',
])

/** Verdicts that take no chain: they end (or, `continue`, pass on) the rule's decision. */
export const PLAIN_VERDICTS: ReadonlySet<string> = new Set(['accept', 'drop', 'return', 'continue'])

/** Verdicts that name a chain (`jump web`, `goto web`). */
export const CHAIN_VERDICTS: ReadonlySet<string> = new Set(['jump', 'goto'])

/** Words that end a `tcp flags ...` expression (taken to match: new connections start with SYN). */
export const TCP_FLAGS_STOPS: ReadonlySet<string> = new Set([
  'accept',
  'drop',
  'jump',
  'goto',
  'return',
  'reject',
  'counter',
  'log',
])

/** Relational operators of an equality match: `==`/`eq` (the default) and `!=`/`ne`. */
export const EQUALS: ReadonlySet<string> = new Set(['==', 'eq'])
export const NOT_EQUALS: ReadonlySet<string> = new Set(['!=', 'ne'])

/** Ordering operators (`tcp dport > 1024`): not modelled, the match is taken to hold. */
export const ORDERINGS: ReadonlySet<string> = new Set(['>', '<', '>=', '<=', 'gt', 'lt'])

/** Words that follow `ct original` / `ct reply` to name a field (`ct original proto-dst`). */
export const CT_DIRECTION_FIELDS: ReadonlySet<string> = new Set([
  'ip',
  'ip6',
  'proto-dst',
  'proto-src',
  'saddr',
  'daddr',
])

/** What `add element` parses a set's new elements as, by the set's kind. */
export const ELEMENT_TYPE = {
  addr: 'ipv4_addr',
  port: 'inet_service',
  iface: 'ifname',
  vmap: 'other : verdict',
  other: 'other',
} as const

/** The most tokens `$NAME` uses may expand to in one file (a 50,000-element set is ~100,000). */
export const MAX_EXPANDED_TOKENS = 2_000_000
