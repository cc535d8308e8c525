/**
 * @module AWS: the JSON for `aws ec2 authorize-security-group-ingress --ip-permissions file://F`.
 * A security group holds 60 inbound rules per family by default, and each CIDR x port is a rule.
 */
import { portRange, requireNonEmpty, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'

/** Description: up to 255 of a-z A-Z 0-9, space and ._-:/()#,@[]+=&;{}!$* (EC2 API reference, IpRange). */
const DESCRIPTION_RE = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/

/**
 * The Description of a security group rule: the comment, else `allowlist-sync FEED...`. Throws
 * ERR_RENDER_COMMENT when it has characters EC2 refuses.
 */
export function ec2Description(p: Prepared): string {
  const description = p.comment ?? ['allowlist-sync', ...p.feedIds].join(' ')
  if (!DESCRIPTION_RE.test(description)) {
    throw new RenderError(
      'ERR_RENDER_COMMENT',
      `${p.format}: description ${JSON.stringify(description)} has characters EC2 does not allow (a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*, at most 255)`,
      { format: p.format },
    )
  }
  return description
}

/**
 * One IpPermission per port spec (or one `IpProtocol: "-1"`, all traffic, without ports). Refuses
 * (ERR_RENDER_LIMIT) when CIDRs x permissions of one family pass limits.awsRulesPerGroup; the
 * message names the quota. A comment outside the Description alphabet is ERR_RENDER_COMMENT.
 */
export function renderAwsSg(p: Prepared): string {
  requireNonEmpty(p)
  const description = ec2Description(p)
  const perms = Math.max(1, p.ports.length)
  const limit = p.limits.awsRulesPerGroup
  for (const [family, list] of [
    [4, p.ipv4],
    [6, p.ipv6],
  ] as const) {
    const rules = list.length * perms
    if (rules > limit) {
      throw new RenderError(
        'ERR_RENDER_LIMIT',
        `aws-sg: ${list.length} IPv${family} CIDRs x ${perms} port rule(s) = ${rules} inbound rules; a security group holds ${limit} per family ("Inbound or outbound rules per security group" quota). Split the feeds across groups, or raise limits.awsRulesPerGroup after raising the quota (up to 1,000 rules a group). The terraform-aws-prefix-list format keeps the list in managed prefix lists referenced by one rule per port, but each reference still counts as max_entries rules against the same quota.`,
        { format: 'aws-sg' },
      )
    }
  }
  const ranges = {
    IpRanges: p.ipv4.map((c) => ({ CidrIp: c, Description: description })),
    Ipv6Ranges: p.ipv6.map((c) => ({ CidrIpv6: c, Description: description })),
  }
  const permissions =
    p.ports.length === 0
      ? [{ IpProtocol: '-1', ...ranges }]
      : p.ports.map((spec) => {
          const [from, to] = portRange(spec)
          return { IpProtocol: spec.protocol, FromPort: from, ToPort: to, ...ranges }
        })
  return `${JSON.stringify(permissions, null, 2)}\n`
}
