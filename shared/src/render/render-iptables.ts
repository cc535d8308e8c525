/**
 * @module iptables-restore / ip6tables-restore: a dedicated chain that accepts the allowed sources
 * and drops the rest, and (with ports) the INPUT jumps that send those ports through it.
 */
import { managedText, portRange, requireNonEmpty, type Prepared } from './prepare.ts'
import type { PortSpec, Protocol } from './types.ts'

/** multiport takes at most 15 ports, a range counting as two. */
const MULTIPORT_MAX = 15

/**
 * `-p tcp -m multiport --dports 443,8000:8100` match strings, at most 15 port slots each; one
 * entry per protocol chunk. Shared with the DOCKER-USER and ipset renderers.
 */
export function multiportMatches(ports: readonly PortSpec[]): string[] {
  const out: string[] = []
  for (const proto of ['tcp', 'udp'] as const satisfies Protocol[]) {
    let chunk: string[] = []
    let slots = 0
    const flush = () => {
      if (chunk.length > 0) out.push(`-p ${proto} -m multiport --dports ${chunk.join(',')}`)
      chunk = []
      slots = 0
    }
    for (const spec of ports.filter((s) => s.protocol === proto)) {
      const [from, to] = portRange(spec)
      const cost = from === to ? 1 : 2
      if (slots + cost > MULTIPORT_MAX) flush()
      chunk.push(from === to ? String(from) : `${from}:${to}`)
      slots += cost
    }
    flush()
  }
  return out
}

/**
 * One `*filter` table: `:NAME - [0:0]`, `-A NAME -s CIDR -j ACCEPT` per allowed CIDR of the
 * family, `-A NAME -j DROP`; with ports, `-A INPUT <ports> -j NAME`. Loading the chain alone
 * again with `--noflush` refreshes it in place; the INPUT jumps belong in a first, full load.
 */
export function renderIptables(p: Prepared, family: 4 | 6): string {
  requireNonEmpty(p, [family])
  const cidrs = family === 4 ? p.ipv4 : p.ipv6
  const lines = ['*filter', `:${p.name} - [0:0]`]
  for (const c of cidrs) lines.push(`-A ${p.name} -s ${c} -j ACCEPT`)
  lines.push(`-A ${p.name} -j DROP`)
  for (const m of multiportMatches(p.ports)) lines.push(`-A INPUT ${m} -j ${p.name}`)
  lines.push('COMMIT')
  const tool = family === 4 ? 'iptables-restore' : 'ip6tables-restore'
  return managedText(p, lines, [
    `# load with: ${tool} FILE (a first load), or ${tool} --noflush FILE without the INPUT lines`,
  ])
}
