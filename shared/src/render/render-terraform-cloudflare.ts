/**
 * @module Terraform, Cloudflare: a `cloudflare_list` of kind `ip` holding the allowlist, for WAF
 * custom rules (`ip.src in $NAME`). Cloudflare provider 5.x syntax (`items = [{ ip = ... }]`).
 */
import { prefixLength } from '../ip/index.ts'
import { hclString, type HclNode } from './format-hcl.ts'
import { refuseLimit, requireNonEmpty, underscored, type Prepared } from './prepare.ts'
import { terraformFile, tfResource, tfVariable } from './terraform-file.ts'

/** A list description holds 500 characters (provider docs). */
const MAX_DESCRIPTION = 500

/**
 * Items are the canonical CIDRs, with the `/32` of a single IPv4 address dropped (the provider
 * refuses it). Cloudflare lists take IPv6 prefixes up to /64 only: a longer one would have to be
 * widened (admitting 2^64 or more other addresses), so it is refused (ERR_RENDER_LIMIT) naming it,
 * as is a list past limits.cloudflareListItems. The list name takes letters, digits and `_`.
 */
export function renderTerraformCloudflare(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  const long = p.ipv6.find((c) => prefixLength(c) > 64)
  if (long !== undefined)
    refuseLimit(
      p.format,
      `IPv6 entry ${JSON.stringify(long)} is longer than /64; Cloudflare IP lists hold IPv6 prefixes up to /64, and widening it would admit other addresses. Leave IPv6 out of this list, or use another format for this feed.`,
    )
  const items = [...p.ipv4, ...p.ipv6]
  if (items.length > p.limits.cloudflareListItems)
    refuseLimit(
      p.format,
      `${items.length} items; a Cloudflare list holds ${p.limits.cloudflareListItems} on your plan (limits.cloudflareListItems). Split the feeds across lists, or raise the limit on an Enterprise plan.`,
    )
  let description = `allowlist-sync ${p.comment ?? p.feedIds.join(' ')}`
  if (description.length > MAX_DESCRIPTION) description = `allowlist-sync ${p.feedIds.length} feeds`
  const body: HclNode[] = [
    { key: 'account_id', value: `var.${base}_account_id` },
    { key: 'name', value: hclString(base) },
    { key: 'kind', value: '"ip"' },
    { key: 'description', value: hclString(description) },
    {
      key: 'items',
      items: items.map(
        (c) => `{ ip = ${hclString(!c.includes(':') && c.endsWith('/32') ? c.slice(0, -3) : c)} }`,
      ),
    },
  ]
  return terraformFile(
    p,
    [
      `Use it in a WAF custom rule, e.g. (http.host eq "example.com" and not ip.src in $${base})`,
      '-> Block. The list alone allows or blocks nothing.',
    ],
    [
      tfVariable(`${base}_account_id`, 'string', 'The Cloudflare account that owns the list.'),
      tfResource('cloudflare_list', base, body),
    ],
  )
}
