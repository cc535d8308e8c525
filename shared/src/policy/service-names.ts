/**
 * @module Service names, as the tools resolve them: every TCP and UDP name and alias of Debian's
 * /etc/services (service-names.data.ts, generated from netbase), per protocol. Names are
 * case-sensitive, as getservbyname(3) is: `nft` and `iptables-restore` refuse `SSH`.
 */
import { SERVICES_TEXT } from './service-names.data.ts'
import type { TransportProtocol } from './types.ts'

/** A service's port over TCP and over UDP, where /etc/services lists it for that protocol. */
export interface ServicePorts {
  readonly tcp?: number
  readonly udp?: number
}

function load(text: string): ReadonlyMap<string, ServicePorts> {
  const out = new Map<string, { tcp?: number; udp?: number }>()
  for (const line of text.split('\n')) {
    const [name, portProto, ...aliases] = line.split(' ') as [string, string, ...string[]]
    const [port, proto] = portProto.split('/') as [string, TransportProtocol]
    for (const n of [name, ...aliases]) {
      // the generator keeps one line per name and protocol: the first, as getservbyname(3) reads
      const entry = out.get(n) ?? {}
      entry[proto] = Number(port)
      out.set(n, entry)
    }
  }
  return out
}

/** Every service name and alias with its ports. */
export const SERVICE_NAMES: ReadonlyMap<string, ServicePorts> = load(SERVICES_TEXT)

/** The length of the longest name: what is longer is no name. */
export const SERVICE_NAME_MAX = Math.max(...[...SERVICE_NAMES.keys()].map((n) => n.length))

/**
 * The port of a service name for `protocol` (iptables `-p tcp --dport NAME` resolves over TCP
 * only); for either protocol, TCP first, when `protocol` is undefined (nft resolves a name with
 * no protocol: `tcp dport dhcpv6-client` is 546). Undefined for a name /etc/services lacks.
 */
export function servicePort(name: string, protocol?: TransportProtocol): number | undefined {
  const entry = SERVICE_NAMES.get(name)
  if (entry === undefined) return undefined
  return protocol === undefined ? (entry.tcp ?? entry.udp) : entry[protocol]
}
