/**
 * @module The config line a finding's hint suggests: opening or closing a port in the format of
 * the file that decides it (iptables, nftables, ufw, AWS CLI, compose).
 */
import type { ConfigFormat, TrafficDirection, TransportProtocol } from './types.ts'

/** A config snippet that opens (or closes) a port, in the format of the file that decides it. */
export function fixSnippet(
  format: ConfigFormat | undefined,
  action: 'open' | 'close',
  direction: TrafficDirection,
  protocol: TransportProtocol,
  ports: string,
  from: string[],
): string {
  const p = ports.replace(/-/g, ':')
  const many = ports.includes(',')
  const src = from.length > 0 && from[0] !== 'any' ? from : []
  switch (format) {
    case 'iptables-save':
    case 'ufw-rules': {
      const chain = direction === 'inbound' ? 'INPUT' : 'OUTPUT'
      const flag = direction === 'inbound' ? '-s' : '-d'
      const portMatch = many ? `-m multiport --dports ${p}` : `-m ${protocol} --dport ${p}`
      return action === 'open'
        ? `-A ${chain} ${src.length ? `${flag} ${src.join(',')} ` : ''}-p ${protocol} ${portMatch} -j ACCEPT`
        : `-A ${chain} -p ${protocol} ${portMatch} -j DROP (or narrow the accepting rule with ${flag})`
    }
    case 'nftables':
    case 'nft-json': {
      const addr = direction === 'inbound' ? 'saddr' : 'daddr'
      const set = many ? `{ ${ports.split(',').join(', ')} }` : ports
      return action === 'open'
        ? `${src.length ? `ip ${addr} { ${src.join(', ')} } ` : ''}${protocol} dport ${set} accept`
        : `${protocol} dport ${set} drop (or narrow the accepting rule with ip ${addr})`
    }
    case 'ufw-status':
    case 'ufw-commands': {
      // outbound rules need `out`, and name the remote end with `to` (a `from` would be this host)
      const out = direction === 'outbound' ? 'out ' : ''
      if (action === 'close') return `ufw deny ${out}${p}/${protocol} (or delete the allowing rule)`
      if (src.length === 0) return `ufw allow ${out}${p}/${protocol}`
      return direction === 'inbound'
        ? `ufw allow from ${src[0]} to any port ${p} proto ${protocol}`
        : `ufw allow out to ${src[0]} port ${p} proto ${protocol}`
    }
    case 'aws-sg':
      return action === 'open'
        ? `aws ec2 authorize-security-group-${direction === 'inbound' ? 'ingress' : 'egress'} --protocol ${protocol} --port ${ports} --cidr ${src[0] ?? '0.0.0.0/0'}`
        : `aws ec2 revoke-security-group-${direction === 'inbound' ? 'ingress' : 'egress'} for ${protocol} ${ports} (keep only the sources that need it)`
    case 'docker-compose':
      return `bind the port to a private address ("127.0.0.1:${ports}:${ports}"), drop the ports: entry, or restrict it in DOCKER-USER: -A DOCKER-USER -p ${protocol} -m conntrack --ctorigdstport ${p} -j DROP after the ACCEPTs for the allowed sources`
    default:
      return action === 'open' ? `allow ${ports}/${protocol}` : `deny ${ports}/${protocol}`
  }
}
