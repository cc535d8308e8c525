/**
 * @module docker-compose files: the `ports:` each service publishes on the host. Docker's NAT
 * rules send those past ufw and the INPUT chain; only DOCKER-USER rules (or a cloud firewall)
 * restrict them.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml'
import { toAddressValue } from '../ip/index.ts'
import { interpolateCompose } from './interpolate-compose.ts'
import { parseYamlDocument } from '../parse-yaml-document.ts'
import { PolicyError, syntaxError } from './policy-error.ts'
import { parsePortRange, scalarText } from './rule-builder.ts'
import type {
  FirewallConfig,
  PortRange,
  PublishedPort,
  TransportProtocol,
  ReaderWarning,
} from './types.ts'

/** Reads a compose file's published ports. */
export function readCompose(text: string, file: string): FirewallConfig {
  const parsed = parseYamlDocument(text, file)
  if (!parsed.ok) throw syntaxError(file, parsed.problems[0]!, 'YAML')
  const { doc, position } = parsed
  // nodes parsed from text always have their range
  const lineOf = (node: Node): number => position(node.range![0]).line
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined
  if (!isMap(services))
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:1: no 'services:' map (is this a compose file?)`,
      { file, line: 1 },
    )
  const published: PublishedPort[] = []
  const warnings: ReaderWarning[] = []
  for (const pair of services.items) {
    // a Scalar prints its value; compose allows no other keys here
    const service = String(pair.key)
    const svc = pair.value
    if (!isMap(svc)) continue
    const mode = svc.get('network_mode')
    if (mode === 'host')
      warnings.push({
        file,
        line: lineOf(svc),
        message: `service '${service}' uses network_mode: host: its listening ports are not known here (the INPUT chain applies to them)`,
      })
    const ports = svc.get('ports', true)
    if (ports === undefined) continue
    if (!isSeq(ports))
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${lineOf(ports)}: services.${service}.ports: expected a list`,
        { file, line: lineOf(ports) },
      )
    for (const item of ports.items) {
      const line = lineOf(item as Node)
      const where = { file, line }
      const err = (reason: string) =>
        new PolicyError(
          'ERR_POLICY_CONFIG',
          `${file}:${line}: services.${service}.ports: ${reason}`,
          where,
        )
      // `${VAR:-default}` read as compose reads it with nothing set, and said so
      const text = (value: unknown): string => {
        const raw = scalarText(value)
        let read: ReturnType<typeof interpolateCompose>
        try {
          read = interpolateCompose(raw)
        } catch (e) {
          throw err((e as Error).message)
        }
        if (read.defaulted.length > 0)
          warnings.push({
            file,
            line,
            message: `services.${service}.ports: '${raw}' read as '${read.value}', the default of ${read.defaulted.join(', ')}: a value set in the host's .env or environment changes it`,
          })
        return read.value
      }
      if (isMap(item)) {
        const pub = item.get('published')
        const proto = text(item.get('protocol') ?? 'tcp')
        const hostIp = item.get('host_ip')
        if (pub === undefined || pub === null) {
          warnings.push({
            file,
            line,
            message: `services.${service}.ports: no 'published' port: Docker picks an ephemeral host port`,
          })
          continue
        }
        const range = parsePortRange(text(pub))
        if (!range) throw err(`'${scalarText(pub)}' is not a port`)
        if (proto !== 'tcp' && proto !== 'udp') throw err(`protocol '${proto}' is not tcp or udp`)
        const target = parsePortRange(text(item.get('target')))
        published.push({
          ports: range,
          protocol: proto,
          ...(target ? { target: target[0] } : {}),
          ...(hostIp ? { hostIp: text(hostIp) } : {}),
          service,
          line,
        })
        continue
      }
      const spec = isScalar(item) ? text(item.value) : undefined
      if (spec === undefined) throw err('expected "HOST:CONTAINER" or a map')
      const p = parseShortSyntax(spec)
      if (p === 'ephemeral') {
        warnings.push({
          file,
          line,
          message: `services.${service}.ports: '${spec}' publishes on an ephemeral host port`,
        })
        continue
      }
      if (p === undefined)
        throw err(`'${spec}' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]`)
      published.push({ ...p, service, line })
    }
  }
  return {
    file,
    format: 'docker-compose',
    layer: 'docker',
    families: [4, 6],
    chains: [],
    published,
    warnings,
  }
}

/**
 * A port in compose's short syntax, which `docker run -p` takes too:
 * `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`; `ephemeral` when Docker picks the host port,
 * undefined when it is none.
 */
export function parseShortSyntax(
  spec: string,
):
  | { ports: PortRange; protocol: TransportProtocol; hostIp?: string; target: number }
  | 'ephemeral'
  | undefined {
  let rest = spec.trim()
  let protocol: TransportProtocol = 'tcp'
  const slash = rest.lastIndexOf('/')
  if (slash >= 0) {
    const p = rest.slice(slash + 1)
    if (p !== 'tcp' && p !== 'udp') return undefined
    protocol = p
    rest = rest.slice(0, slash)
  }
  let hostIp: string | undefined
  let parts: string[]
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(rest)
  if (bracket) {
    hostIp = bracket[1]
    parts = bracket[2]!.split(':')
  } else {
    parts = rest.split(':')
    // HOST_IP:HOST_PORT:CONTAINER_PORT, an IPv6 address also without brackets (`::1:6000:6000`);
    // an empty HOST_IP (`:2283:2283`) is every address, as Docker reads it
    if (parts.length > 2) {
      hostIp = parts.slice(0, -2).join(':') || undefined
      parts = parts.slice(-2)
    }
  }
  if (parts.length === 1) return parsePortRange(parts[0]!) ? 'ephemeral' : undefined
  if (parts.length !== 2) return undefined
  if (parts[0] === '') return 'ephemeral'
  const host = parsePortRange(parts[0]!)
  const container = parsePortRange(parts[1]!)
  if (!host || !container) return undefined
  if (hostIp !== undefined && toAddressValue(hostIp) === undefined) return undefined
  return {
    ports: host,
    protocol,
    target: container[0],
    ...(hostIp !== undefined ? { hostIp } : {}),
  }
}
