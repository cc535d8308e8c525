/**
 * @module docker-user: Docker publishes container ports through its own FORWARD rules, past ufw and
 * INPUT; only the DOCKER-USER chain sees those packets first. This script guards them for IPv4 and
 * IPv6 from a chain of its own, leaving DOCKER-USER's other rules alone.
 */
import type { Family } from '../ip/index.ts'
import { filterHeader } from './filter-header.ts'
import {
  managedText,
  portRange,
  refuseLoopbackOff,
  requireNonEmpty,
  type Prepared,
} from './prepare.ts'
import { shellQuote } from './render-ufw.ts'

/** What ufw-docker lets through DOCKER-USER before its own rules, plus IPv6's unique local range. */
const PRIVATE = { 4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], 6: ['fc00::/7'] } as const

/**
 * Docker before 23.0 (moby PR 44706) has no IPv6 DOCKER-USER, and inserts each new network's
 * FORWARD rules above anything already there: where DOCKER-USER has no RETURN of Docker's, keep
 * one jump to it first in FORWARD, as Docker 23 does. A jump that slid down is replaced by one of
 * the other spelling (plain, or with a comment) inserted on top, then the old spelling is deleted
 * by its exact text: never by rule number, which Docker may shift in between.
 */
const IPV6_DOCKER_USER = [
  '  if ! ip6tables -w -C DOCKER-USER -j RETURN 2>/dev/null; then',
  '    ip6tables -w -N DOCKER-USER 2>/dev/null || true',
  '    tagged="-m comment --comment allowlist-sync -j DOCKER-USER"',
  '    case "$(ip6tables -w -S FORWARD | sed -n 2p)" in',
  '    "-A FORWARD -j DOCKER-USER" | "-A FORWARD $tagged") ;;',
  '    *)',
  '      if ip6tables -w -C FORWARD $tagged 2>/dev/null; then new="-j DOCKER-USER" old=$tagged',
  '      else new=$tagged old="-j DOCKER-USER"; fi',
  '      ip6tables -w -I FORWARD $new',
  '      while ip6tables -w -D FORWARD $old 2>/dev/null; do :; done',
  '      ;;',
  '    esac',
  '  fi',
]

/** The `iptables-restore --noflush` text of one family: chains NAME and NAME-src. */
function chains(p: Prepared, family: Family): string[] {
  const src = `${p.name}-src`
  const lines = ['*filter', `:${p.name} - [0:0]`, `:${src} - [0:0]`]
  if (p.exemptPrivate) {
    for (const c of PRIVATE[family])
      lines.push(`-A ${p.name} -s ${c} -m comment --comment exempt-private -j RETURN`)
  }
  const ct = '-m conntrack --ctstate DNAT --ctdir ORIGINAL'
  if (p.ports.length === 0) lines.push(`-A ${p.name} ${ct} -j ${src}`)
  for (const spec of p.ports) {
    const [from, to] = portRange(spec)
    const port = from === to ? String(from) : `${from}:${to}`
    lines.push(`-A ${p.name} -p ${spec.protocol} ${ct} --ctorigdstport ${port} -j ${src}`)
  }
  lines.push(`-A ${p.name} -j RETURN`)
  for (const c of family === 4 ? p.ipv4 : p.ipv6) lines.push(`-A ${src} -s ${c} -j RETURN`)
  lines.push(`-A ${src} -j DROP`, 'COMMIT')
  return lines
}

/**
 * One family's `iptables-restore --noflush` here-document (indented by `indent`, its terminator
 * at the line start as the shell wants it), and the jump from DOCKER-USER, added once.
 */
function load(p: Prepared, family: Family, indent: string): { restore: string[]; hook: string } {
  const tool = family === 4 ? 'iptables' : 'ip6tables'
  const eof = `ALLOWLIST_SYNC_IPV${family}`
  return {
    restore: [`${indent}${tool}-restore -w --noflush <<'${eof}'`, ...chains(p, family), eof],
    hook: `${indent}${tool} -w -C DOCKER-USER -j ${p.name} 2>/dev/null || ${tool} -w -I DOCKER-USER -j ${p.name}`,
  }
}

/**
 * A POSIX shell script, run as root after dockerd has started (and again to reload: idempotent).
 * Per family it loads, in one `iptables-restore --noflush` commit, chain NAME (private sources
 * return first when exemptPrivate; connections Docker DNAT-ed, with ports only those whose
 * original destination port, before DNAT, is one of them, go to NAME-src; everything else
 * returns) and NAME-src (returns each allowed CIDR, drops the rest); then jumps to NAME from the
 * top of DOCKER-USER unless a jump is already there. DOCKER-USER itself is never flushed.
 * IPv4 needs Docker's DOCKER-USER (the script stops, exit 1, without it). IPv6, when dockerd
 * manages ip6tables (a DOCKER chain): Docker 23+ keeps DOCKER-USER first in FORWARD; for Docker
 * 20.10-22 the script keeps one there itself (IPV6_DOCKER_USER). Without a DOCKER chain dockerd
 * does not route IPv6 (docker-proxy serves it through INPUT), and the script says so on stderr.
 */
export function renderDockerUser(p: Prepared): string {
  requireNonEmpty(p)
  refuseLoopbackOff(
    p,
    'local connections to published ports never pass DOCKER-USER (Docker serves them through docker-proxy or DNATs them in OUTPUT); guard them with the iptables format on INPUT',
  )
  const say = (text: string) => `echo ${shellQuote(`allowlist-sync: ${text}`)} >&2`
  const v4 = load(p, 4, '')
  const v6 = load(p, 6, '  ')
  const body = [
    'set -eu',
    'if ! iptables -w -n -L DOCKER-USER >/dev/null 2>&1; then',
    `  ${say('iptables has no DOCKER-USER chain: start dockerd first (it creates the chain), then run this again')}`,
    '  exit 1',
    'fi',
    ...v4.restore,
    v4.hook,
    'if [ ! -e /proc/net/if_inet6 ]; then',
    `  ${say('IPv6 is disabled in this kernel: IPv4 only')}`,
    'elif ip6tables -w -n -L DOCKER >/dev/null 2>&1; then',
    ...v6.restore,
    ...IPV6_DOCKER_USER,
    v6.hook,
    'else',
    `  ${say('ip6tables has no DOCKER chain, so dockerd does not route IPv6 here; IPv6 published ports, if any, are served by docker-proxy through INPUT: guard them with the ip6tables format')}`,
    'fi',
  ]
  const exempt = p.exemptPrivate
    ? [
        `# private sources (${[...PRIVATE[4], ...PRIVATE[6]].join(', ')}) are exempt (exemptPrivate)`,
      ]
    : []
  return managedText(p, body, [
    ...filterHeader(
      p,
      [4, 6],
      '# loopback never reaches DOCKER-USER: Docker serves local connections to published ports through docker-proxy or OUTPUT',
    ),
    ...exempt,
    "# Docker publishes ports through FORWARD, past INPUT and ufw: only DOCKER-USER sees them, matched here by conntrack's original destination port (before DNAT)",
  ])
}
