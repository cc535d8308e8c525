/**
 * @module A real firewall file (iptables-save, nft ruleset) made loadable in a namespace pair:
 * every address that is not a documentation, loopback, link-local, multicast or `/0` address is
 * mapped into the documentation ranges by a deterministic, order- and containment-preserving map,
 * and the interfaces the rules name are listed (a namespace has its own interface names, so the
 * file keeps them; a wildcard gets one concrete member). Every rewrite is returned for the record.
 */
import { isIPv4, isIPv6 } from 'node:net'

/** What was changed, for `<file>.rewrite.json`. */
export interface NetnsRewrite {
  /** Original address or CIDR as written -> its replacement as written. */
  readonly addresses: Record<string, string>
  /** Interface names and wildcards the rules name -> the interface created for each. */
  readonly interfaces: Record<string, string>
  /** Lines removed because they cannot load in a namespace here, with the tool's reason. */
  readonly drops: readonly { line: number; text: string; why: string }[]
  /** ipsets the file names but does not hold, created empty (`ipset restore`) for both sides. */
  readonly emptySets?: readonly string[]
}

/** The rewritten text, the record, and the addresses the probes use. */
export interface RewrittenFile {
  readonly text: string
  readonly rewrite: NetnsRewrite
  /** Per family, one address inside every mapped range and outside its sub-ranges. */
  readonly inside: Record<4 | 6, string[]>
  /** Mapped host addresses a rule names as the destination (`-d`, `daddr`): this host's own. */
  readonly local: Record<4 | 6, string[]>
  /** Mapped DNAT targets (containers) with the interface their traffic leaves by, if the rule says. */
  readonly containers: { address: string; bridge?: string }[]
}

const V4 = /(?<![\w.:/])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?![\w.]|\/\d)/g
const V6 = /(?<![\w.:/-])([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})(?:\/(\d{1,3}))?(?![\w.:])/g

const ranges = (f: 4 | 6, list: [string, number][]): [bigint, number][] =>
  list.map(([a, l]) => [toBig(f, a), l])

/** The documentation ranges, where every mapped address lands. */
const DOCUMENTATION: Record<4 | 6, [bigint, number][]> = {
  4: ranges(4, [
    ['192.0.2.0', 24],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
  ]),
  6: ranges(6, [['2001:db8::', 32]]),
}

/** Ranges kept as they are: documentation, loopback, link-local, multicast, broadcast. */
const KEEP: Record<4 | 6, [bigint, number][]> = {
  4: [
    ...DOCUMENTATION[4],
    ...ranges(4, [
      ['127.0.0.0', 8],
      ['224.0.0.0', 4],
      ['255.255.255.255', 32],
      ['0.0.0.0', 32],
    ]),
  ],
  6: [
    ...DOCUMENTATION[6],
    ...ranges(6, [
      ['::1', 128],
      ['::', 128],
      ['fe80::', 10],
      ['ff00::', 8],
    ]),
  ],
}

const BITS = { 4: 32, 6: 128 } as const
/** Where mapped ranges go: 198.51.100.0/24 and 203.0.113.0/24; 2001:db8:8000::/33. */
const POOLS: Record<4 | 6, [bigint, bigint][]> = {
  4: [
    [toBig(4, '198.51.100.0'), 256n],
    [toBig(4, '203.0.113.0'), 256n],
  ],
  6: [[toBig(6, '2001:db8:8000::'), 1n << 95n]],
}
/** The smallest block a mapped non-host range gets (a /30; a /112). */
const LEAF = { 4: 4n, 6: 1n << 16n } as const

function toBig(f: 4 | 6, text: string): bigint {
  if (f === 4) return text.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n)
  const [head = '', tail] = text.split('::')
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail !== '' ? tail.split(':') : []
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n)
}

/** An address in its canonical text. */
export function formatBig(f: 4 | 6, v: bigint): string {
  if (f === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.')
  const groups = Array.from({ length: 8 }, (_, k) =>
    ((v >> BigInt(112 - 16 * k)) & 0xffffn).toString(16),
  )
  const text = groups.join(':')
  // the longest run of zero groups becomes '::'
  const runs = [...`:${text}:`.matchAll(/(?::0)+:/g)].sort((a, b) => b[0].length - a[0].length)
  const best = runs[0]
  if (!best || best[0] === ':0:') return text
  return `:${text}:`.replace(best[0], '::').replace(/^:(?!:)|(?<!:):$/g, '')
}

const maskOf = (f: 4 | 6, len: number) =>
  ((1n << BigInt(BITS[f])) - 1n) ^ ((1n << BigInt(BITS[f] - len)) - 1n)

interface Node {
  net: bigint
  len: number
  children: Node[]
  size: bigint
  base: bigint
}

const inRange = (f: 4 | 6, a: bigint, net: bigint, len: number) => (a & maskOf(f, len)) === net

function nextPow2(n: bigint): bigint {
  let p = 1n
  while (p < n) p <<= 1n
  return p
}

function sizeOf(f: 4 | 6, n: Node): bigint {
  if (n.len === BITS[f]) return (n.size = 1n)
  let off = 0n
  for (const c of n.children) {
    const s = sizeOf(f, c)
    off = ((off + s - 1n) / s) * s + s
  }
  // half of the block stays outside every sub-range, for a probe inside this one only
  n.size = off === 0n ? LEAF[f] : nextPow2(off) * 2n
  if (n.size < LEAF[f]) n.size = LEAF[f]
  return n.size
}

function place(n: Node, base: bigint) {
  n.base = base
  let off = 0n
  for (const c of n.children) {
    off = ((off + c.size - 1n) / c.size) * c.size
    place(c, base + off)
    off += c.size
  }
}

/** Builds the containment forest of the ranges and lays it out in the pool, in address order. */
function layout(f: 4 | 6, ranges: [bigint, number][]): Node[] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
  const roots: Node[] = []
  const stack: Node[] = []
  for (const [net, len] of sorted) {
    const node: Node = { net, len, children: [], size: 0n, base: 0n }
    while (stack.length > 0 && !inRange(f, net, stack.at(-1)!.net, stack.at(-1)!.len)) stack.pop()
    const parent = stack.at(-1)
    if (parent) parent.children.push(node)
    else roots.push(node)
    stack.push(node)
  }
  const pools = POOLS[f].map(([b, s]) => ({ base: b, end: b + s, off: 0n }))
  let k = 0
  for (const r of roots) {
    const s = sizeOf(f, r)
    for (;;) {
      const p = pools[k]
      if (!p) throw new RangeError(`too many IPv${f} ranges to map into the documentation ranges`)
      const at = ((p.off + s - 1n) / s) * s
      if (p.base + at + s <= p.end) {
        place(r, p.base + at)
        p.off = at + s
        break
      }
      k++
    }
  }
  return roots
}

function* walk(nodes: Node[]): Generator<Node> {
  for (const n of nodes) {
    yield n
    yield* walk(n.children)
  }
}

const isKept = (f: 4 | 6, a: bigint, len: number) =>
  len === 0 || KEEP[f].some(([net, l]) => l <= len && inRange(f, a, net, l))

interface Hit {
  f: 4 | 6
  start: number
  end: number
  addr: bigint
  len: number
  explicit: boolean
}

function findAddresses(text: string): Hit[] {
  const hits: Hit[] = []
  for (const [f, re] of [
    [4, V4],
    [6, V6],
  ] as const) {
    for (const m of text.matchAll(re)) {
      const a = m[1]!
      if (f === 4 ? !isIPv4(a) : !isIPv6(a)) continue
      const len = m[2] !== undefined ? Number(m[2]) : BITS[f]
      if (len > BITS[f]) continue
      const addr = toBig(f, a) & maskOf(f, len)
      hits.push({
        f,
        start: m.index,
        end: m.index + m[0].length,
        addr,
        len,
        explicit: m[2] !== undefined,
      })
    }
  }
  return hits.sort((a, b) => a.start - b.start)
}

/** The interface names a rule names (`-i`, `-o`, `iifname`, `oifname`, `iif`, `oif`, in sets too). */
function interfaceNames(text: string): string[] {
  const defines = new Map<string, string>()
  for (const m of text.matchAll(/^\s*define\s+(\w+)\s*=\s*(.+?)\s*$/gm)) defines.set(m[1]!, m[2]!)
  const resolved = text.replace(/\$(\w+)/g, (all, n: string) => defines.get(n) ?? all)
  const names = new Set<string>()
  for (const m of resolved.matchAll(/(?:^|\s)(?:!\s+)?-[io]\s+(?:!\s+)?(\S+)/gm)) names.add(m[1]!)
  const word = String.raw`"[^"]*"|[^\s{},:;]+`
  for (const m of resolved.matchAll(
    new RegExp(
      String.raw`\b(?:iifname|oifname|iif|oif)\s+(?:!=\s*)?(?:vmap\s+)?(\{[^}]*\}|${word})`,
      'g',
    ),
  )) {
    for (const item of m[1]!.replace(/[{}]/g, '').split(/,|\n/)) {
      const n = item.split(':')[0]!.trim().replace(/^"|"$/g, '')
      if (n) names.add(n)
    }
  }
  names.delete('lo')
  return [...names].filter((n) => /^[\w.@+*-]{1,15}$/.test(n) && !n.startsWith('@'))
}

/** A concrete name for a name or wildcard (`eth+`, `br-*`) that no other named interface takes. */
function concrete(name: string, taken: Set<string>): string {
  if (!/[+*]$/.test(name)) return name
  const stem = name.slice(0, -1)
  for (let k = 0; ; k++) {
    const c = `${stem}kt${k}`.slice(0, 15)
    if (!taken.has(c)) return c
  }
}

/** Rewrites a file's addresses and names its interfaces for a namespace pair. */
export function rewriteForNetns(text: string): RewrittenFile {
  const hits = findAddresses(text).filter((h) => !isKept(h.f, h.addr, h.len))
  const nodes: Record<4 | 6, Node[]> = { 4: [], 6: [] }
  for (const f of [4, 6] as const) {
    const uniq = new Map<string, [bigint, number]>()
    for (const h of hits) if (h.f === f) uniq.set(`${h.addr}/${h.len}`, [h.addr, h.len])
    nodes[f] = layout(f, [...uniq.values()])
  }
  const mapped = new Map<string, Node>()
  for (const f of [4, 6] as const)
    for (const n of walk(nodes[f])) mapped.set(`${f}:${n.net}/${n.len}`, n)
  const addresses: Record<string, string> = {}
  let out = ''
  let at = 0
  for (const h of hits) {
    const n = mapped.get(`${h.f}:${h.addr}/${h.len}`)!
    const bits = BITS[h.f]
    const newLen = bits - (n.size.toString(2).length - 1)
    const to = h.explicit ? `${formatBig(h.f, n.base)}/${newLen}` : formatBig(h.f, n.base)
    addresses[text.slice(h.start, h.end)] = to
    out += text.slice(at, h.start) + to
    at = h.end
  }
  out += text.slice(at)
  const inside: Record<4 | 6, string[]> = { 4: [], 6: [] }
  for (const f of [4, 6] as const)
    for (const n of walk(nodes[f]))
      inside[f].push(formatBig(f, n.size === 1n ? n.base : n.base + n.size / 2n + 1n))
  const taken = new Set(interfaceNames(text))
  const interfaces: Record<string, string> = {}
  for (const n of [...taken].sort()) interfaces[n] = concrete(n, taken)
  return {
    text: out,
    rewrite: { addresses, interfaces, drops: [] },
    inside,
    local: localHosts(out),
    containers: containersOf(out),
  }
}

function family(a: string): 4 | 6 | undefined {
  return isIPv4(a) ? 4 : isIPv6(a) ? 6 : undefined
}

/** Whether an address is in the documentation ranges (where every mapped address lands). */
const isDocumentation = (f: 4 | 6, a: bigint) =>
  DOCUMENTATION[f].some(([net, l]) => inRange(f, a, net, l))

/**
 * Host addresses named as a destination, after the mapping (not DNAT targets, not a container's
 * `-d` in DOCKER): a DNAT on `-d PUBLIC_ADDRESS` is probed on that address.
 */
function localHosts(text: string): Record<4 | 6, string[]> {
  const out: Record<4 | 6, Set<string>> = { 4: new Set(), 6: new Set() }
  const dnat = new Set(containersOf(text).map((c) => c.address))
  for (const m of text.matchAll(
    /(?:\s-d|daddr)\s+(?:!=\s*)?([0-9a-fA-F.:]+)(\/(?:32|128))?(?=\s)/g,
  )) {
    const f = family(m[1]!)
    if (f && !dnat.has(m[1]!) && isDocumentation(f, toBig(f, m[1]!))) out[f].add(m[1]!)
  }
  return { 4: [...out[4]], 6: [...out[6]] }
}

/** DNAT targets and, where the rule says (`! -i X`, `iifname != X`), the bridge they sit behind. */
function containersOf(text: string): { address: string; bridge?: string }[] {
  const found = new Map<string, string | undefined>()
  for (const line of text.split('\n')) {
    const m =
      /--to-destination\s+\[?([0-9a-fA-F.:]+?)\]?(?::\d+(?:-\d+)?)?(?:\s|$)/.exec(line) ??
      /\bdnat\s+(?:ip6?\s+)?to\s+\[?([0-9a-fA-F.:]+?)\]?(?::\d+)?(?:\s|$)/.exec(line)
    if (!m || !family(m[1]!) || m[1]!.startsWith('127.')) continue
    const bridge =
      /!\s+-i\s+(\S+)/.exec(line)?.[1] ?? /iifname\s+!=\s+"?([^"\s]+)"?/.exec(line)?.[1]
    if (!found.has(m[1]!) || bridge) found.set(m[1]!, bridge ?? found.get(m[1]!))
  }
  // a filter rule `-d <container> ... -o <bridge>` (Docker's DOCKER chain) names the bridge too
  for (const [address, bridge] of found) {
    if (bridge) continue
    const esc = address.replace(/\./g, '\\.')
    const m =
      new RegExp(`-d ${esc}(?:/32|/128)?\\b.*?\\s-o\\s+(\\S+)`).exec(text) ??
      new RegExp(`daddr ${esc}\\b.*?oifname\\s+"?([^"\\s]+)"?`).exec(text)
    if (m) found.set(address, m[1])
  }
  // else (a VM host's own bridge) the first interface the forward chain accepts out to
  const out = /^-A FORWARD\b(?:(?!\s-i\s).)*?\s-o\s+(\S+)(?:(?!\s-i\s).)*?-j ACCEPT\s*$/m.exec(
    text,
  )?.[1]
  for (const [address, bridge] of found) if (!bridge && out) found.set(address, out)
  return [...found].map(([address, bridge]) => ({ address, ...(bridge ? { bridge } : {}) }))
}

/** An address's value (IPv4 or IPv6 text), for the evaluator's `local`. */
export function addressValue(text: string): bigint {
  return toBig(text.includes(':') ? 6 : 4, text)
}
