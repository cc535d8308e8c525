/**
 * @module Reading this project's own rendered files back into address sets: the inverse of
 * renderFormat for every format, used by the property tests and by the policy checks on files
 * this project wrote. Not a general parser of hand-written configs.
 */
import { IpSet, parseCidrList } from '../ip/index.ts'
import { RenderError } from './render-error.ts'
import { FORMAT_IDS, type FormatId } from './formats.ts'

/** A format readRendered understands: every one with addresses in it. */
export type ReadableFormat = Exclude<FormatId, 'firewalld-policy'>

/**
 * Formats readRendered understands: every format renderFormat writes except firewalld-policy,
 * which names the ipsets of firewalld-ipset / firewalld-ipset6 and holds no address itself.
 */
export const READABLE_FORMATS: readonly ReadableFormat[] = FORMAT_IDS.filter(
  (f): f is ReadableFormat => f !== 'firewalld-policy',
)

const CIDR = '([0-9A-Fa-f:.]+/\\d{1,3})'

/**
 * Per line-oriented format: the pattern whose group 1 is an allowed CIDR, matched against each
 * line with its line end trimmed; leading whitespace is allowed (`--into` keeps the markers'
 * indentation), except where indentation tells items apart (Traefik's excludedIPs).
 */
const LINE_PATTERNS: Partial<Record<FormatId, RegExp>> = {
  nftables: new RegExp(`^\\s*${CIDR},?$`),
  iptables: new RegExp(`^\\s*-A \\S+ -s ${CIDR} -j RETURN$`),
  ip6tables: new RegExp(`^\\s*-A \\S+ -s ${CIDR} -j RETURN$`),
  'docker-user': new RegExp(`^\\s*-A \\S+ -s ${CIDR} -j RETURN$`),
  ipset: new RegExp(`^\\s*add \\S+ ${CIDR}$`),
  ufw: new RegExp(`^\\s*ufw allow from ${CIDR}\\b`),
  nginx: new RegExp(`^\\s*allow ${CIDR};$`),
  apache: /^\s*Require ip ((?:[0-9A-Fa-f:.]+\/\d{1,3} ?)+)$/,
  caddy: /^\s*remote_ip ((?:[0-9A-Fa-f:.]+\/\d{1,3} ?)+)$/,
  // sourceRange items only: excludedIPs items sit two spaces deeper.
  traefik: new RegExp(`^ {10}- "${CIDR}"$`),
  'traefik-crd': new RegExp(`^ {6}- "${CIDR}"$`),
  'traefik-labels': /^traefik\.(?:http|tcp)\.middlewares\.[^.]+\.ipallowlist\.sourcerange=(.+)$/,
  'k8s-networkpolicy': new RegExp(`^\\s+cidr: "${CIDR}"$`),
  'firewalld-ipset': new RegExp(`^  <entry>${CIDR}</entry>$`),
  'firewalld-ipset6': new RegExp(`^  <entry>${CIDR}</entry>$`),
  'terraform-hcloud': new RegExp(`^\\s+"${CIDR}",$`),
  'terraform-digitalocean': new RegExp(`^\\s+"${CIDR}",$`),
  'terraform-google': new RegExp(`^\\s+"${CIDR}",$`),
  'terraform-azurerm': new RegExp(`^\\s+"${CIDR}",$`),
  'terraform-aws-prefix-list': new RegExp(`^\\s+cidr = "${CIDR}"$`),
  // Single IPv4 addresses go without /32 (the Cloudflare provider refuses it).
  'terraform-cloudflare': /^\s+\{ ip = "([0-9A-Fa-f:.]+(?:\/\d{1,3})?)" \},$/,
}

function fromLists(v4: Iterable<string>, v6: Iterable<string>): { ipv4: string[]; ipv6: string[] } {
  return { ipv4: IpSet.fromCidrs(4, v4).toCidrs(), ipv6: IpSet.fromCidrs(6, v6).toCidrs() }
}

function stringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new RenderError('ERR_RENDER_CIDR', `${what} is not a list of strings`)
  }
  return value
}

/** The `sourceRange = [ ... ]` items of traefik-toml output. */
function readTraefikToml(text: string): { ipv4: string[]; ipv6: string[] } {
  const v4: string[] = []
  const v6: string[] = []
  let inRange = false
  for (const line of text.split('\n')) {
    if (line === '  sourceRange = [') inRange = true
    else if (line === '  ]') inRange = false
    else if (inRange) {
      const cidr = /^ {4}"(.+)",$/.exec(line)?.[1]
      if (cidr === undefined)
        throw new RenderError(
          'ERR_RENDER_CIDR',
          `traefik-toml: ${JSON.stringify(line)} is not a sourceRange item`,
        )
      ;(cidr.includes(':') ? v6 : v4).push(cidr)
    }
  }
  return fromLists(v4, v6)
}

/**
 * The canonical sets a rendered file allows (for ufw, the `allow` lines; `delete` lines are not
 * counted). Throws RenderError ERR_RENDER_CIDR when the text is not such a file.
 */
export function readRendered(format: FormatId, text: string): { ipv4: string[]; ipv6: string[] } {
  switch (format) {
    case 'firewalld-policy':
      throw new RenderError(
        'ERR_RENDER_FORMAT',
        'firewalld-policy holds no addresses: read its ipsets (firewalld-ipset, firewalld-ipset6)',
      )
    case 'traefik-toml':
      return readTraefikToml(text)
    case 'hcloud-rules': {
      const rules = JSON.parse(text) as { source_ips?: unknown }[]
      const all = rules.flatMap((r, i) =>
        stringArray(r.source_ips, `hcloud-rules [${i}].source_ips`),
      )
      return fromLists(
        all.filter((c) => !c.includes(':')),
        all.filter((c) => c.includes(':')),
      )
    }
    case 'txt':
    case 'haproxy': {
      const list = parseCidrList(text)
      const bad = list.rejected[0]
      if (bad !== undefined) {
        throw new RenderError('ERR_RENDER_CIDR', `${format}: line ${bad.line}: ${bad.reason}`)
      }
      return { ipv4: list.ipv4.toCidrs(), ipv6: list.ipv6.toCidrs() }
    }
    case 'json': {
      const doc = JSON.parse(text) as { ipv4?: unknown; ipv6?: unknown }
      return fromLists(stringArray(doc.ipv4, 'json .ipv4'), stringArray(doc.ipv6, 'json .ipv6'))
    }
    case 'terraform': {
      const doc = JSON.parse(text) as Record<string, unknown>
      const keys = Object.keys(doc)
      const v4 = keys.find((k) => k.endsWith('_ipv4'))
      const v6 = keys.find((k) => k.endsWith('_ipv6'))
      if (v4 === undefined || v6 === undefined) {
        throw new RenderError('ERR_RENDER_CIDR', 'terraform: no *_ipv4 / *_ipv6 variables')
      }
      return fromLists(stringArray(doc[v4], v4), stringArray(doc[v6], v6))
    }
    case 'aws-sg': {
      const perms = JSON.parse(text) as {
        IpRanges?: { CidrIp: string }[]
        Ipv6Ranges?: { CidrIpv6: string }[]
      }[]
      return fromLists(
        perms.flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp)),
        perms.flatMap((p) => (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)),
      )
    }
    default: {
      const re = LINE_PATTERNS[format]!
      const v4: string[] = []
      const v6: string[] = []
      for (const line of text.split('\n')) {
        const m = re.exec(line.trimEnd())
        for (const cidr of m?.[1]?.split(/[ ,]+/) ?? []) (cidr.includes(':') ? v6 : v4).push(cidr)
      }
      return fromLists(v4, v6)
    }
  }
}
