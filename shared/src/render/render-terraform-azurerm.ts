/**
 * @module Terraform, Azure: `azurerm_network_security_rule` inbound Allow rules admitting the
 * allowlist (`source_address_prefixes`) to the ports, in the network security group you name.
 */
import type { TransportProtocol } from '../ip/index.ts'
import { hclList, hclString, type HclNode } from './format-hcl.ts'
import { portRange, refuseLimit, requireNonEmpty, underscored, type Prepared } from './prepare.ts'
import { terraformFile, tfResource, tfVariable, type TopBlock } from './terraform-file.ts'

/** A rule description holds 140 characters (Azure's SecurityRule.description). */
const MAX_DESCRIPTION = 140

/** Azure's protocol names with the port ranges of each (`*` and no ports without --port). */
function azureProtocols(p: Prepared): { protocol: string; ports: string[] }[] {
  if (p.ports.length === 0) return [{ protocol: '*', ports: [] }]
  return (['tcp', 'udp'] as TransportProtocol[])
    .map((protocol) => ({
      protocol: protocol === 'tcp' ? 'Tcp' : 'Udp',
      ports: p.ports
        .filter((s) => s.protocol === protocol)
        .map((s) => {
          const [from, to] = portRange(s)
          return from === to ? `${from}` : `${from}-${to}`
        }),
    }))
    .filter((x) => x.ports.length > 0)
}

/** One rule per family with addresses, per protocol, priorities counting up from the variable. */
function azureRules(
  p: Prepared,
  base: string,
  protocols: readonly { protocol: string; ports: string[] }[],
  description: string,
): TopBlock[] {
  const rules: TopBlock[] = []
  for (const [family, list] of [
    [4, p.ipv4],
    [6, p.ipv6],
  ] as const) {
    if (list.length === 0) continue
    for (const { protocol, ports } of protocols) {
      const n = rules.length
      const suffix = protocol === '*' ? 'all' : protocol.toLowerCase()
      const port: HclNode =
        ports.length === 0
          ? { key: 'destination_port_range', value: '"*"' }
          : { key: 'destination_port_ranges', value: hclList(ports) }
      rules.push(
        tfResource('azurerm_network_security_rule', `${base}_v${family}_${suffix}`, [
          { key: 'name', value: hclString(`${p.name}-v${family}-${suffix}`) },
          {
            key: 'priority',
            value: n === 0 ? `var.${base}_priority` : `var.${base}_priority + ${n}`,
          },
          { key: 'direction', value: '"Inbound"' },
          { key: 'access', value: '"Allow"' },
          { key: 'protocol', value: hclString(protocol) },
          { key: 'source_port_range', value: '"*"' },
          port,
          { key: 'destination_address_prefix', value: '"*"' },
          { key: 'resource_group_name', value: `var.${base}_resource_group_name` },
          { key: 'network_security_group_name', value: `var.${base}_network_security_group_name` },
          { key: 'description', value: hclString(description) },
          { key: 'source_address_prefixes', items: list.map(hclString) },
        ]),
      )
    }
  }
  return rules
}

/**
 * One rule per family per protocol (`*` without ports), priorities counting up from
 * var.NAME_priority. Refuses (ERR_RENDER_LIMIT) past limits.azurePrefixesPerGroup prefixes in all
 * (Azure counts them per security group) or limits.azureRulesPerGroup rules.
 */
export function renderTerraformAzurerm(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const total = p.ipv4.length + p.ipv6.length
  if (total > p.limits.azurePrefixesPerGroup)
    refuseLimit(
      p.format,
      `${total} source prefixes; a network security group holds ${p.limits.azurePrefixesPerGroup} addresses and ranges across its rules (limits.azurePrefixesPerGroup, Azure networking limits). Split the feeds across security groups.`,
    )
  const protocols = azureProtocols(p)
  let description = `allowlist-sync ${p.comment ?? p.feedIds.join(' ')}`
  if (description.length > MAX_DESCRIPTION) description = `allowlist-sync ${p.feedIds.length} feeds`
  const rules = azureRules(p, base, protocols, description)
  if (rules.length > p.limits.azureRulesPerGroup)
    refuseLimit(
      p.format,
      `${rules.length} rules; a network security group holds ${p.limits.azureRulesPerGroup} (limits.azureRulesPerGroup).`,
    )
  const last = rules.length - 1
  return terraformFile(
    p,
    [
      'Allow rules with a lower priority number than these, opening the same ports to others,',
      'defeat them: give these the lowest numbers for the ports.',
    ],
    [
      tfVariable(
        `${base}_resource_group_name`,
        'string',
        'Resource group of the network security group.',
      ),
      tfVariable(
        `${base}_network_security_group_name`,
        'string',
        'The network security group the rules go into.',
      ),
      tfVariable(
        `${base}_priority`,
        'number',
        `Priority of the first rule; the ${rules.length} rules take consecutive numbers.`,
        {
          default: '100',
          validation: [
            `var.${base}_priority >= 100 && var.${base}_priority + ${last} <= 4096`,
            `Azure rule priorities run from 100 to 4096; these ${rules.length} rules need ${rules.length} consecutive numbers.`,
          ],
        },
      ),
      ...rules,
    ],
  )
}
