/**
 * @module Hetzner Cloud firewall rules, shared by the rules JSON and the Terraform format: the
 * allowlist cut into rules the API accepts, or a refusal naming the limit.
 */
import { chunked, portRange, refuseLimit, requireNonEmpty, type Prepared } from './prepare.ts'

/** One rule as the API (and `hcloud firewall replace-rules --rules-file`) takes it. */
export interface HcloudRule {
  readonly description: string
  readonly direction: 'in'
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'esp' | 'gre'
  /** Only for tcp and udp: `443` or `8000-8100`. */
  readonly port?: string
  readonly source_ips: readonly string[]
}

/** The API's Rule.description holds 255 characters (OpenAPI schema, maxLength). */
const MAX_DESCRIPTION = 255

/**
 * Inbound rules: per port spec (or, without ports, per protocol: tcp and udp 1-65535, icmp, esp,
 * gre - all traffic), the sources (IPv4 and IPv6 together, as the API allows) cut into pieces of
 * limits.hcloudIpsPerRule. Refuses (ERR_RENDER_LIMIT) past limits.hcloudRulesPerFirewall rules
 * or limits.hcloudEffectiveRules effective rules (each source of each rule counts once).
 */
export function hcloudRules(p: Prepared): HcloudRule[] {
  requireNonEmpty(p)
  const sources = [...p.ipv4, ...p.ipv6]
  const what: { protocol: HcloudRule['protocol']; port?: string }[] =
    p.ports.length === 0
      ? [
          { protocol: 'tcp', port: '1-65535' },
          { protocol: 'udp', port: '1-65535' },
          { protocol: 'icmp' },
          { protocol: 'esp' },
          { protocol: 'gre' },
        ]
      : p.ports.map((spec) => {
          const [from, to] = portRange(spec)
          return { protocol: spec.protocol, port: from === to ? `${from}` : `${from}-${to}` }
        })
  const pieces = chunked(sources, p.limits.hcloudIpsPerRule)
  const rules = what.length * pieces.length
  const effective = what.length * sources.length
  const fix =
    'Split the feeds across firewalls (a server takes up to 5), or raise the limit after Hetzner raised it for your project.'
  if (rules > p.limits.hcloudRulesPerFirewall)
    refuseLimit(
      p.format,
      `${sources.length} sources in rules of ${p.limits.hcloudIpsPerRule} x ${what.length} port rule(s) = ${rules} rules; a Hetzner Cloud firewall holds ${p.limits.hcloudRulesPerFirewall} (limits.hcloudRulesPerFirewall). ${fix}`,
    )
  if (effective > p.limits.hcloudEffectiveRules)
    refuseLimit(
      p.format,
      `${sources.length} sources x ${what.length} port rule(s) = ${effective} effective rules; a Hetzner Cloud firewall holds ${p.limits.hcloudEffectiveRules} (limits.hcloudEffectiveRules, each source of each rule counts). ${fix}`,
    )
  let base = `allowlist-sync ${p.comment ?? p.feedIds.join(' ')}`
  if (base.length > MAX_DESCRIPTION - 20) base = `allowlist-sync ${p.feedIds.length} feeds`
  return what.flatMap((w) =>
    pieces.map((piece, i) => ({
      description: `${base} ${w.port === undefined ? w.protocol : `${w.port}/${w.protocol}`} ${i + 1}/${pieces.length}`,
      direction: 'in' as const,
      protocol: w.protocol,
      ...(w.port === undefined ? {} : { port: w.port }),
      source_ips: piece,
    })),
  )
}
