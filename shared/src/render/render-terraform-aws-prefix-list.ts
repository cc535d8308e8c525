/**
 * @module Terraform, AWS: customer-managed prefix lists (`aws_ec2_managed_prefix_list`, one per
 * family) holding the allowlist, and one `aws_vpc_security_group_ingress_rule` per family and
 * port referencing them from the security group you name.
 */
import { hclString, type HclNode } from './format-hcl.ts'
import { portRange, refuseLimit, requireNonEmpty, underscored, type Prepared } from './prepare.ts'
import { ec2Description } from './render-aws-sg.ts'
import { terraformFile, tfResource, tfVariable, type TopBlock } from './terraform-file.ts'

/**
 * A family with no addresses gets no list and no rules (a prefix list holds at least one entry).
 * `max_entries` is the entry count: a rule referencing a prefix list counts as max_entries rules
 * against the group's quota, so headroom would cost quota. Refuses (ERR_RENDER_LIMIT) a family
 * past limits.awsPrefixListEntries entries, or whose entries x port rules pass
 * limits.awsRulesPerGroup (the security group quota the references count against).
 */
export function renderTerraformAwsPrefixList(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const description = ec2Description(p)
  const blocks: TopBlock[] = [
    tfVariable(
      `${base}_security_group_id`,
      'string',
      'The security group the ingress rules go into.',
    ),
  ]
  const perms = Math.max(1, p.ports.length)
  for (const [family, list] of [
    [4, p.ipv4],
    [6, p.ipv6],
  ] as const) {
    if (list.length === 0) continue
    if (list.length > p.limits.awsPrefixListEntries)
      refuseLimit(
        p.format,
        `${list.length} IPv${family} CIDRs; a managed prefix list holds ${p.limits.awsPrefixListEntries} entries (limits.awsPrefixListEntries, the VPC quota). Split the feeds.`,
      )
    if (list.length * perms > p.limits.awsRulesPerGroup)
      refuseLimit(
        p.format,
        `${list.length} IPv${family} entries x ${perms} port rule(s) = ${list.length * perms} rules: a rule referencing a prefix list counts as its max_entries rules, and a security group holds ${p.limits.awsRulesPerGroup} per family (limits.awsRulesPerGroup, the "Inbound or outbound rules per security group" quota). Raise the quota (up to 1,000 a group), or split the feeds across groups.`,
      )
    const list_ = `${base}_v${family}`
    blocks.push(
      tfResource('aws_ec2_managed_prefix_list', list_, [
        { key: 'name', value: hclString(`${p.name}-v${family}`) },
        { key: 'address_family', value: hclString(family === 4 ? 'IPv4' : 'IPv6') },
        { key: 'max_entries', value: String(list.length) },
        ...list.map((c): HclNode => ({
          block: 'entry',
          body: [{ key: 'cidr', value: hclString(c) }],
        })),
      ]),
    )
    const rules = p.ports.length === 0 ? [undefined] : p.ports
    for (const spec of rules) {
      const [from, to] = spec === undefined ? [0, 0] : portRange(spec)
      const label =
        spec === undefined
          ? `${list_}_all`
          : `${list_}_${spec.protocol}_${from}${to === from ? '' : `_${to}`}`
      blocks.push(
        tfResource('aws_vpc_security_group_ingress_rule', label, [
          { key: 'security_group_id', value: `var.${base}_security_group_id` },
          { key: 'prefix_list_id', value: `aws_ec2_managed_prefix_list.${list_}.id` },
          { key: 'ip_protocol', value: hclString(spec?.protocol ?? '-1') },
          ...(spec === undefined
            ? []
            : [
                { key: 'from_port', value: String(from) },
                { key: 'to_port', value: String(to) },
              ]),
          { key: 'description', value: hclString(description) },
        ]),
      )
    }
  }
  return terraformFile(
    p,
    [
      "Each rule referencing a prefix list counts as the list's max_entries rules against the",
      'security group quota (60 per family by default).',
    ],
    blocks,
  )
}
