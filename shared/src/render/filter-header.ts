/**
 * @module The header lines every restricting packet filter (nftables with ports, iptables,
 * ip6tables, ipset's rules, docker-user) opens with: what the rules do, and about loopback.
 */
import type { Family } from '../ip/index.ts'
import type { Prepared } from './prepare.ts'

/**
 * `#` lines: the one semantics of the packet filters (drop the others on the guarded ports, give
 * everything else no verdict, so the operator's own rules still decide whether a port is open);
 * whether loopback is exempt (or `loopback`, for a format whose rules never see it); and, for each
 * of `families` with no address, that every source of that family is dropped.
 */
export function filterHeader(
  p: Prepared,
  families: readonly Family[],
  loopback?: string,
): string[] {
  const lines = [
    '# restricts, never opens: drops traffic to the guarded ports from sources outside the allowlist and gives everything else no verdict, so allowed sources still meet your own rules (fail2ban, rate limits, whatever opens the port)',
    loopback ??
      (p.exemptLoopback
        ? '# loopback (lo: 127.0.0.0/8, ::1, the host talking to itself) is exempt'
        : '# loopback is NOT exempt (exemptLoopback false): local clients must be in the allowlist too'),
  ]
  for (const f of families) {
    if ((f === 4 ? p.ipv4 : p.ipv6).length === 0)
      lines.push(`# the allowlist has no IPv${f} address: every IPv${f} source is dropped`)
  }
  return lines
}
