/**
 * @module Terraform, Hetzner Cloud: an `hcloud_firewall` resource NAME whose inbound rules admit
 * the allowlist to the ports, within the API's limits (see hcloud-rules.ts).
 */
import { hclString } from './format-hcl.ts'
import { hcloudRules } from './hcloud-rules.ts'
import type { Prepared } from './prepare.ts'
import { terraformFile, tfResource } from './terraform-file.ts'

/** Attach it with `hcloud_firewall_attachment` or `apply_to`, outside this block. */
export function renderTerraformHcloud(p: Prepared): string {
  const rules = hcloudRules(p).map((r) => ({
    block: 'rule',
    body: [
      { key: 'description', value: hclString(r.description) },
      { key: 'direction', value: hclString(r.direction) },
      { key: 'protocol', value: hclString(r.protocol) },
      ...(r.port === undefined ? [] : [{ key: 'port', value: hclString(r.port) }]),
      { key: 'source_ips', items: r.source_ips.map(hclString) },
    ],
  }))
  return terraformFile(
    p,
    [
      `Attach hcloud_firewall.${p.name} to servers with hcloud_firewall_attachment (or apply_to).`,
      'Firewalls on a server add up: no other firewall may open these ports to everyone.',
    ],
    [tfResource('hcloud_firewall', p.name, [{ key: 'name', value: hclString(p.name) }, ...rules])],
  )
}
