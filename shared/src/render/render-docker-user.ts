/**
 * @module DOCKER-USER: Docker publishes container ports through its own FORWARD rules, past ufw
 * and INPUT; only the DOCKER-USER chain sees those packets first. This file owns that chain.
 */
import { managedText, portRange, requireNonEmpty, type Prepared } from './prepare.ts'

/**
 * For `iptables-restore --noflush FILE`: declares (and so flushes) DOCKER-USER and the chain NAME.
 * DOCKER-USER sends connections that Docker DNAT-ed (published ports; with ports, only those whose
 * original destination port is one of them, matched before DNAT rewrote it) to NAME, which
 * RETURNs the allowed sources to Docker's own rules and drops the rest. Replies and the
 * containers' own outbound traffic are not DNAT-ed originals, so they pass.
 */
export function renderDockerUser(p: Prepared): string {
  requireNonEmpty(p, [4])
  const lines = ['*filter', ':DOCKER-USER - [0:0]', `:${p.name} - [0:0]`]
  const ct = '-m conntrack --ctstate DNAT --ctdir ORIGINAL'
  if (p.ports.length === 0) {
    lines.push(`-A DOCKER-USER ${ct} -j ${p.name}`)
  } else {
    for (const spec of p.ports) {
      const [from, to] = portRange(spec)
      lines.push(
        `-A DOCKER-USER -p ${spec.protocol} ${ct} --ctorigdstport ${from === to ? from : `${from}:${to}`} -j ${p.name}`,
      )
    }
  }
  lines.push('-A DOCKER-USER -j RETURN')
  for (const c of p.ipv4) lines.push(`-A ${p.name} -s ${c} -j RETURN`)
  lines.push(`-A ${p.name} -j DROP`, 'COMMIT')
  return managedText(p, lines, ['# load with: iptables-restore --noflush FILE (owns DOCKER-USER)'])
}
