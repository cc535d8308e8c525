/**
 * @module Terraform, DigitalOcean: a `digitalocean_firewall` NAME whose inbound rules admit the
 * allowlist (`source_addresses`) to the ports, applied to the Droplets and tags you give it.
 */
import { hclString, type HclNode } from './format-hcl.ts'
import {
  chunked,
  dashedLower,
  portRange,
  refuseLimit,
  requireNonEmpty,
  underscored,
  type Prepared,
} from './prepare.ts'
import { terraformFile, tfResource, tfVariable, type TopBlock } from './terraform-file.ts'

/**
 * One inbound_rule per port spec (without ports: tcp and udp 1-65535 and icmp) per piece of
 * limits.digitaloceanSourcesPerRule sources; refuses past limits.digitaloceanRulesPerFirewall.
 * The firewall has no outbound rules: a Droplet whose firewalls have none can send nothing, so
 * keep them in the firewall you already have (the header says so). The firewall name takes
 * letters, digits, `.` and `-`: `_` becomes `-`.
 */
export function renderTerraformDigitalocean(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const what: { protocol: string; port?: string }[] =
    p.ports.length === 0
      ? [
          { protocol: 'tcp', port: '1-65535' },
          { protocol: 'udp', port: '1-65535' },
          { protocol: 'icmp' },
        ]
      : p.ports.map((spec) => {
          const [from, to] = portRange(spec)
          return { protocol: spec.protocol, port: from === to ? `${from}` : `${from}-${to}` }
        })
  const pieces = chunked([...p.ipv4, ...p.ipv6], p.limits.digitaloceanSourcesPerRule)
  const count = what.length * pieces.length
  if (count > p.limits.digitaloceanRulesPerFirewall)
    refuseLimit(
      p.format,
      `${what.length} port rule(s) x ${pieces.length} piece(s) of ${p.limits.digitaloceanSourcesPerRule} sources = ${count} inbound rules; a DigitalOcean firewall holds ${p.limits.digitaloceanRulesPerFirewall} incoming and outgoing rules (limits.digitaloceanRulesPerFirewall). Split the feeds across firewalls.`,
    )
  const rules: HclNode[] = what.flatMap((w) =>
    pieces.map((piece) => ({
      block: 'inbound_rule',
      body: [
        { key: 'protocol', value: hclString(w.protocol) },
        ...(w.port === undefined ? [] : [{ key: 'port_range', value: hclString(w.port) }]),
        { key: 'source_addresses', items: piece.map(hclString) },
      ],
    })),
  )
  return terraformFile(
    p,
    [
      'No outbound rules: a Droplet whose firewalls have none can send nothing, so keep your',
      'existing firewall (with its outbound rules) on the Droplets too. Firewalls add up: no other',
      'firewall may open these ports to everyone.',
    ],
    [
      attachVariable(
        `${base}_droplet_ids`,
        'list(number)',
        'Droplets',
        10,
        'Droplets; tag them instead',
      ),
      attachVariable(`${base}_tags`, 'list(string)', 'Droplet tags', 5, 'tags'),
      tfResource('digitalocean_firewall', p.name, [
        { key: 'name', value: hclString(dashedLower(p.name)) },
        { key: 'droplet_ids', value: `var.${base}_droplet_ids` },
        { key: 'tags', value: `var.${base}_tags` },
        ...rules,
      ]),
    ],
  )
}

/**
 * A list variable of what the firewall applies to (`what`: Droplets or their tags), empty by
 * default, validated against DigitalOcean's per-firewall cap `max` (`over`: what the error names).
 */
function attachVariable(
  name: string,
  type: string,
  what: string,
  max: number,
  over: string,
): TopBlock {
  return tfVariable(name, type, `${what} the firewall applies to (at most ${max}).`, {
    default: '[]',
    validation: [
      `length(var.${name}) <= ${max}`,
      `A DigitalOcean firewall takes at most ${max} ${over}.`,
    ],
  })
}
