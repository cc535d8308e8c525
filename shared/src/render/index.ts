/**
 * @module The public surface of shared/src/render: one merged IP set (plus the feeds it came from)
 * into every firewall format people keep in git, deterministic text, platform limits enforced.
 *
 * ```ts
 * const text = renderFormat('nftables', { feeds: [{ id: 'github/hooks' }], ipv4, ipv6 },
 *   { ports: [parsePort('443/tcp')] })
 * const file = spliceManagedBlock(existingText, text, ['github/hooks'])
 * ```
 */
import { isFormatId, type FormatId } from './formats.ts'
import { prepare, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'
import { renderApache } from './render-apache.ts'
import { renderFirewalldIpset } from './render-firewalld-ipset.ts'
import { renderFirewalldPolicy } from './render-firewalld-policy.ts'
import { renderHcloudRules } from './render-hcloud-rules.ts'
import { renderTerraformAwsPrefixList } from './render-terraform-aws-prefix-list.ts'
import { renderTerraformAzurerm } from './render-terraform-azurerm.ts'
import { renderTerraformCloudflare } from './render-terraform-cloudflare.ts'
import { renderTerraformDigitalocean } from './render-terraform-digitalocean.ts'
import { renderTerraformGoogle } from './render-terraform-google.ts'
import { renderTerraformHcloud } from './render-terraform-hcloud.ts'
import { renderTraefikCrd } from './render-traefik-crd.ts'
import { renderTraefikLabels } from './render-traefik-labels.ts'
import { renderTraefikToml } from './render-traefik-toml.ts'
import { renderAwsSg } from './render-aws-sg.ts'
import { renderCaddy } from './render-caddy.ts'
import { renderDockerUser } from './render-docker-user.ts'
import { renderHaproxy } from './render-haproxy.ts'
import { renderIpset } from './render-ipset.ts'
import { renderIptables } from './render-iptables.ts'
import { renderJson } from './render-json.ts'
import { renderK8sNetworkPolicy } from './render-k8s-networkpolicy.ts'
import { renderNftables } from './render-nftables.ts'
import { renderNginx } from './render-nginx.ts'
import { renderTerraform } from './render-terraform.ts'
import { renderTraefik } from './render-traefik.ts'
import { renderTxt } from './render-txt.ts'
import { renderUfw } from './render-ufw.ts'
import type { RenderInput, RenderOptions } from './types.ts'

export { FORMAT_IDS, FORMATS, formatInfo, isFormatId } from './formats.ts'
export type { FormatId, FormatInfo } from './formats.ts'
export { RenderError } from './render-error.ts'
export type { RenderErrorCode } from './render-error.ts'
export { DEFAULT_LIMITS } from './types.ts'
export type {
  FeedRef,
  PortSpec,
  RenderInput,
  RenderLimits,
  RenderOptions,
  TraefikIpStrategy,
} from './types.ts'
export { formatPort, parsePort } from './parse-port.ts'
export {
  BEGIN_MARKER,
  END_MARKER,
  beginMarker,
  findManagedBlocks,
  markerLines,
  ownBlock,
  spliceManagedBlock,
} from './managed-block.ts'
export type { ManagedBlock, SpliceOptions } from './managed-block.ts'
export { blockPlacement } from './block-placement.ts'
export type { BlockLines, BlockPlacement } from './block-placement.ts'
export { blockSum } from './block-sum.ts'
export { ipsetReferenceRules } from './render-ipset.ts'
export { READABLE_FORMATS, readRendered } from './read-rendered.ts'
export type { ReadableFormat } from './read-rendered.ts'

const RENDERERS: Readonly<Record<FormatId, (p: Prepared) => string>> = {
  nftables: renderNftables,
  iptables: (p) => renderIptables(p, 4),
  ip6tables: (p) => renderIptables(p, 6),
  ipset: renderIpset,
  ufw: renderUfw,
  'docker-user': renderDockerUser,
  'firewalld-ipset': (p) => renderFirewalldIpset(p, 4),
  'firewalld-ipset6': (p) => renderFirewalldIpset(p, 6),
  'firewalld-policy': renderFirewalldPolicy,
  nginx: renderNginx,
  apache: renderApache,
  caddy: renderCaddy,
  traefik: renderTraefik,
  'traefik-toml': renderTraefikToml,
  'traefik-labels': renderTraefikLabels,
  'traefik-crd': renderTraefikCrd,
  haproxy: renderHaproxy,
  'k8s-networkpolicy': renderK8sNetworkPolicy,
  terraform: renderTerraform,
  'aws-sg': renderAwsSg,
  'hcloud-rules': renderHcloudRules,
  'terraform-hcloud': renderTerraformHcloud,
  'terraform-digitalocean': renderTerraformDigitalocean,
  'terraform-aws-prefix-list': renderTerraformAwsPrefixList,
  'terraform-google': renderTerraformGoogle,
  'terraform-azurerm': renderTerraformAzurerm,
  'terraform-cloudflare': renderTerraformCloudflare,
  txt: renderTxt,
  json: renderJson,
}

/**
 * Renders the set in one format. Deterministic: the same input and options give the same bytes
 * (no clock, no randomness; CIDRs re-canonicalised, merged and sorted through the IP engine).
 * Line-oriented formats (FORMATS[].lineOriented) return one managed block, BEGIN and END markers
 * included, ready for {@link spliceManagedBlock}.
 *
 * Throws RenderError: ERR_RENDER_FORMAT (unknown id), ERR_RENDER_NAME / ERR_RENDER_COMMENT /
 * ERR_RENDER_FEED / ERR_RENDER_PORT (configuration the format cannot carry safely; names are never
 * escaped, only refused), ERR_RENDER_CIDR (an entry the IP engine rejects), ERR_RENDER_EMPTY
 * (firewall formats refuse a set that admits nobody; txt and json render it), ERR_RENDER_LIMIT
 * (a platform limit, named in the message with the option that raises it: aws-sg refuses more
 * than 60 rules per family per group by default, k8s-networkpolicy more than 1.5 MB, ufw more
 * than 200 commands; the cloud formats know their platforms' rules, sources-per-rule and list
 * sizes, see RenderLimits), ERR_RENDER_OPTION (an option the format cannot honour: ipStrategy
 * outside Traefik, exemptLoopback false for ufw and docker-user, exemptPrivate for any format but
 * docker-user).
 */
export function renderFormat(
  format: string,
  input: RenderInput,
  options: RenderOptions = {},
): string {
  if (!isFormatId(format)) {
    throw new RenderError(
      'ERR_RENDER_FORMAT',
      `unknown format '${format}'; see 'allowlist-sync formats'`,
    )
  }
  return RENDERERS[format](prepare(format, input, options))
}
