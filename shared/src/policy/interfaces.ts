/**
 * @module Network interfaces in the policy model: matching a rule's `-i`/`iifname` against an
 * interface name, the role of a name (public: the Internet arrives there; internal: this host,
 * its containers, VMs, VPNs), and the classes of names every rule treats alike, so that reach is
 * computed once per class for traffic arriving on each public one.
 */
import type { InterfaceMatch, InterfaceRole, InterfaceRoles } from './types.ts'

/**
 * Interfaces taken as internal unless configured otherwise: loopback, container and VM bridges
 * and veths, Kubernetes CNIs, VPNs and tunnels. A trailing `*` covers every name it starts.
 */
export const DEFAULT_INTERNAL_INTERFACES: readonly string[] = [
  'lo',
  'docker*',
  'br-*',
  'veth*',
  'virbr*',
  'lxcbr*',
  'lxdbr*',
  'incusbr*',
  'cni*',
  'flannel*',
  'cali*',
  'kube*',
  'tailscale*',
  'wg*',
  'tun*',
  'tap*',
  'zt*',
]

/** The label of the class of every interface no config or role names. */
export const OTHER_INTERFACE = 'any other interface'

/**
 * The name standing for {@link OTHER_INTERFACE}: a NUL, which no real name holds, so that it
 * equals no name and starts with no prefix but the empty one (`-i +`).
 */
const OTHER_NAME = '\u0000'

/**
 * Whether a text names an interface or a pattern of them for a role: a Linux interface name (1-15
 * characters, no space, `/` or `:`), optionally ending in `*` or `+`, or `*` alone.
 */
export function isInterfacePattern(text: string): boolean {
  return INTERFACE_PATTERN.test(text)
}

/** An interface name (at most 15 characters), or a pattern: a trailing `*` or `+` matches many. */
export const INTERFACE_PATTERN = /^(?:[^\s/:'"*+]{1,15}[*+]?|[*+])$/

/** Whether `name` (an interface; `''` when the packet has none there) fits one pattern. */
function fits(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern
}

/** Whether an interface match matches the interface `name` (`''`: the packet has none). */
export function matchesInterface(m: InterfaceMatch, name: string): boolean {
  return m.names.some((p) => fits(p, name)) !== m.negate
}

/**
 * An interface name or pattern as the readers keep it: iptables' trailing `+` and nftables'
 * trailing `*` both become `*`; quotes are the reader's to strip.
 */
export function toInterfacePattern(text: string): string {
  return text.endsWith('+') ? `${text.slice(0, -1)}*` : text
}

/** The longest pattern of `patterns` that `name` fits (an exact name beats any prefix). */
function bestFit(patterns: readonly string[], name: string): string | undefined {
  let best: string | undefined
  for (const p of patterns) {
    if (!fits(p, name)) continue
    if (!p.endsWith('*')) return p
    if (best === undefined || p.length > best.length) best = p
  }
  return best
}

/**
 * The role of an interface: a role configured for its exact name, else for the longest prefix
 * pattern it fits, else the defaults ({@link DEFAULT_INTERNAL_INTERFACES} internal), else a
 * configured `*`, else public.
 */
export function interfaceRole(name: string, roles: InterfaceRoles = {}): InterfaceRole {
  const own = new Map<string, InterfaceRole>()
  for (const [key, role] of Object.entries(roles)) own.set(toInterfacePattern(key), role)
  const everything = own.get('*')
  own.delete('*')
  const fit = bestFit([...own.keys()], name)
  if (fit !== undefined) return own.get(fit)!
  if (bestFit(DEFAULT_INTERNAL_INTERFACES, name) !== undefined) return 'internal'
  return everything ?? 'public'
}

/** One class of interface names that every rule and role treats alike. */
export interface InterfaceClass {
  /** A name of the class, to evaluate rules against. */
  readonly name: string
  /** What to call it: the name, `prefix*`, or {@link OTHER_INTERFACE}. */
  readonly label: string
  readonly role: InterfaceRole
  /** Whether a config names it (the defaults' patterns do not count). */
  readonly named: boolean
}

/**
 * The classes of interface names that the patterns (`eth0`, `wg*`) the configs use split all
 * names into, with their roles: each exact name, each prefix (its names that are neither a named
 * interface nor under a longer prefix), and every other name. The roles' own names and the
 * default internal patterns are added first, so that every class has a single role.
 */
export function interfaceClasses(
  used: Iterable<string>,
  roles: InterfaceRoles = {},
): InterfaceClass[] {
  const named = new Set(used)
  const all = new Set([
    ...named,
    ...Object.keys(roles).map(toInterfacePattern),
    ...DEFAULT_INTERNAL_INTERFACES,
  ])
  all.delete('*')
  const out: InterfaceClass[] = []
  for (const p of [...all].sort()) {
    const prefix = p.endsWith('*')
    // a NUL after the prefix: a name under it that no longer pattern and no exact name fits
    const name = prefix ? `${p.slice(0, -1)}${OTHER_NAME}` : p
    out.push({ name, label: p, role: interfaceRole(name, roles), named: named.has(p) })
  }
  out.push({
    name: OTHER_NAME,
    label: OTHER_INTERFACE,
    role: interfaceRole(OTHER_NAME, roles),
    named: false,
  })
  return out
}
