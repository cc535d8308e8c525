/**
 * @module `ipset save` files: the named address sets an iptables rule's `-m set --match-set`
 * refers to.
 */
import { IpSet } from '../ip/index.ts'
import { addressSets } from './rule-builder.ts'
import { splitWords } from './split-words.ts'

/** Named address sets (ipset or nft sets), per family. */
export type NamedSets = ReadonlyMap<string, { ipv4: IpSet; ipv6: IpSet }>

/** The `ipset restore` commands that change sets, under each of their names. */
const IPSET_COMMANDS: Record<string, string> = {
  create: 'create',
  n: 'create',
  '-N': 'create',
  add: 'add',
  a: 'add',
  '-A': 'add',
  del: 'del',
  d: 'del',
  '-D': 'del',
  flush: 'flush',
  f: 'flush',
  '-F': 'flush',
  swap: 'swap',
  w: 'swap',
  '-W': 'swap',
  rename: 'rename',
  e: 'rename',
  '-E': 'rename',
  destroy: 'destroy',
  x: 'destroy',
  '-X': 'destroy',
}

/**
 * Reads an `ipset save` file: `create NAME hash:net family inet ...` and `add NAME CIDR` lines.
 * Sets of addresses (hash:net, hash:ip, bitmap:ip) and list:set sets of them; sets of other types
 * (hash:ip,port, ...) are left out. `nomatch` entries are left out too, not taken from wider ones.
 */
export function readIpsetSave(
  text: string,
  file: string,
): Map<string, { ipv4: IpSet; ipv6: IpSet }> {
  const members = new Map<
    string,
    { family: 4 | 6; list: boolean; values: string[]; line: number }
  >()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const words = splitWords(lines[i]!)
    const [verb, name, arg] = words
    if (verb === undefined || name === undefined) continue
    // sets of a type left out are not in `members`: commands on them change nothing
    const set = members.get(name)
    switch (IPSET_COMMANDS[verb]) {
      case 'create': {
        if (!/^(hash:(net|ip)|bitmap:ip|list:set)$/.test(String(arg))) break
        const famIdx = words.indexOf('family')
        const family = famIdx >= 0 && words[famIdx + 1] === 'inet6' ? 6 : 4
        members.set(name, { family, list: arg === 'list:set', values: [], line: i + 1 })
        break
      }
      case 'add':
        if (set && arg !== undefined && !words.includes('nomatch')) set.values.push(arg)
        break
      case 'del':
        if (set) set.values = set.values.filter((v) => v !== arg)
        break
      case 'flush':
        if (set) set.values = []
        break
      case 'swap': {
        const other = members.get(String(arg))
        if (set && other) {
          members.set(name, other)
          members.set(arg!, set)
        }
        break
      }
      case 'rename':
        if (set) {
          members.delete(name)
          members.set(String(arg), set)
        }
        break
      case 'destroy':
        members.delete(name)
        break
    }
  }
  const out = new Map<string, { ipv4: IpSet; ipv6: IpSet }>()
  for (const [name, set] of members) {
    if (set.list) continue
    const sets = addressSets(set.values, { file, line: set.line })
    out.set(
      name,
      set.family === 4
        ? { ipv4: sets.ipv4, ipv6: IpSet.empty(6) }
        : { ipv4: IpSet.empty(4), ipv6: sets.ipv6 },
    )
  }
  // a list:set matches what any of its sets matches (ipset adds only existing sets to it)
  for (const [name, set] of members) {
    if (!set.list) continue
    let union = { ipv4: IpSet.empty(4), ipv6: IpSet.empty(6) }
    for (const member of set.values) {
      const m = out.get(member)
      if (m) union = { ipv4: union.ipv4.union(m.ipv4), ipv6: union.ipv6.union(m.ipv6) }
    }
    out.set(name, union)
  }
  return out
}
