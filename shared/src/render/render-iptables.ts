/**
 * @module iptables-restore / ip6tables-restore: a dedicated chain that drops sources outside the
 * allowlist (on the given ports) and returns everything else to the rules after its hook.
 */
import type { Family, TransportProtocol } from '../ip/index.ts'
import { filterHeader } from './filter-header.ts'
import { managedText, portRange, requireNonEmpty, type Prepared } from './prepare.ts'
import type { PortSpec } from './types.ts'

/** multiport takes at most 15 ports, a range counting as two. */
const MULTIPORT_MAX = 15

/**
 * `-p tcp -m multiport --dports 443,8000:8100` match strings, at most 15 port slots each; one
 * entry per protocol chunk. Shared with the DOCKER-USER and ipset renderers.
 */
export function multiportMatches(ports: readonly PortSpec[]): string[] {
  const out: string[] = []
  for (const proto of ['tcp', 'udp'] as const satisfies TransportProtocol[]) {
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
 * One `*filter` table for `iptables-restore --noflush` (family 4) or `ip6tables-restore --noflush`
 * (family 6), which flushes and refills only the chains it declares, in one commit, so reloading
 * is atomic and idempotent. It restricts and never opens: chain NAME returns loopback (unless
 * exemptLoopback is false) and, with ports, sends those ports to `NAME-src`, which returns each
 * allowed CIDR and drops the rest; without ports NAME itself returns the allowed CIDRs and drops
 * the rest, for your own rules to jump to. Allowed packets go back to the rule after the hook, so
 * fail2ban, ufw, rate limits and whatever opens the port still apply. The file never touches
 * INPUT: the one-time hook `iptables -I INPUT -j NAME` is in the header, and a reload cannot
 * duplicate it.
 */
export function renderIptables(p: Prepared, family: Family): string {
  requireNonEmpty(p, [family])
  const cidrs = family === 4 ? p.ipv4 : p.ipv6
  const tool = family === 4 ? 'iptables' : 'ip6tables'
  const guarded = p.ports.length > 0
  const src = guarded ? `${p.name}-src` : p.name
  const lines = ['*filter', `:${p.name} - [0:0]`]
  if (guarded) lines.push(`:${src} - [0:0]`)
  if (p.exemptLoopback) lines.push(`-A ${p.name} -i lo -j RETURN`)
  if (guarded) {
    for (const m of multiportMatches(p.ports)) lines.push(`-A ${p.name} ${m} -j ${src}`)
  }
  for (const c of cidrs) lines.push(`-A ${src} -s ${c} -j RETURN`)
  lines.push(`-A ${src} -j DROP`, 'COMMIT')
  return managedText(p, lines, [
    ...filterHeader(p, [family]),
    guarded
      ? `# hook it in once: ${tool} -C INPUT -j ${p.name} || ${tool} -I INPUT -j ${p.name}`
      : `# jump to ${p.name} from your rules that match the traffic to guard: it drops other sources and returns the allowed ones to your next rule`,
  ])
}
