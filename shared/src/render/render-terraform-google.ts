/**
 * @module Terraform, Google Cloud: `google_compute_firewall` ingress rules admitting the
 * allowlist (`source_ranges`) to the ports on the network you name, split at the per-rule limit.
 */
import type { TransportProtocol } from '../ip/index.ts'
import { hclList, hclString, type HclNode } from './format-hcl.ts'
import {
  chunked,
  dashedLower,
  portRange,
  requireNonEmpty,
  underscored,
  type Prepared,
} from './prepare.ts'
import { terraformFile, tfResource, tfVariable, type TopBlock } from './terraform-file.ts'

/**
 * One rule per family (a rule takes IPv4 or IPv6 ranges, not both) per piece of
 * limits.gcpRangesPerRule ranges, named NAME-v4-1, NAME-v4-2, ...: numbered from the start, so
 * a list that grows adds rules instead of renaming (and so replacing) the first one. Each rule
 * allows the ports, one `allow` per protocol (`all` without ports).
 */
export function renderTerraformGoogle(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const allow: HclNode[] = []
  if (p.ports.length === 0)
    allow.push({ block: 'allow', body: [{ key: 'protocol', value: '"all"' }] })
  for (const protocol of ['tcp', 'udp'] as TransportProtocol[]) {
    const ports = p.ports
      .filter((s) => s.protocol === protocol)
      .map((s) => {
        const [from, to] = portRange(s)
        return from === to ? `${from}` : `${from}-${to}`
      })
    if (ports.length > 0)
      allow.push({
        block: 'allow',
        body: [
          { key: 'protocol', value: hclString(protocol) },
          { key: 'ports', value: hclList(ports) },
        ],
      })
  }
  const blocks: TopBlock[] = [
    tfVariable(
      `${base}_network`,
      'string',
      'The VPC network (name or self link) the rules belong to.',
    ),
    tfVariable(`${base}_priority`, 'number', 'Priority of the rules (0-65535, lower wins).', {
      default: '1000',
    }),
    tfVariable(
      `${base}_target_tags`,
      'list(string)',
      'Instances the rules apply to; empty: every instance of the network.',
      {
        default: '[]',
      },
    ),
  ]
  const description = `allowlist-sync ${p.comment ?? p.feedIds.join(' ')}`
  for (const [family, list] of [
    [4, p.ipv4],
    [6, p.ipv6],
  ] as const) {
    if (list.length === 0) continue
    chunked(list, p.limits.gcpRangesPerRule).forEach((piece, i) => {
      blocks.push(
        tfResource('google_compute_firewall', `${base}_v${family}_${i + 1}`, [
          { key: 'name', value: hclString(`${dashedLower(p.name)}-v${family}-${i + 1}`) },
          { key: 'network', value: `var.${base}_network` },
          { key: 'direction', value: '"INGRESS"' },
          { key: 'priority', value: `var.${base}_priority` },
          { key: 'target_tags', value: `var.${base}_target_tags` },
          { key: 'description', value: hclString(description) },
          { key: 'source_ranges', items: piece.map(hclString) },
          ...allow,
        ]),
      )
    })
  }
  return terraformFile(
    p,
    ['VPC firewall allow rules add up: no other rule may open these ports to everyone.'],
    blocks,
  )
}
