/**
 * @module The port-policy presets, one per platform page in `../shared/seeds/`: each cites the
 * page its ports come from (by its public title, never the seed file's internal path). Sources `any` mean the whole Internet; `feed:<id>` a feed.
 */
import { PolicyError } from './policy-error.ts'
import type {
  Policy,
  PolicyRule,
  PolicyRuleKind,
  PolicySource,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

/** Every preset id, in the order `allowlist-sync policies` lists them. */
export const PRESET_IDS = [
  'coolify-self-hosted',
  'coolify-self-hosted-custom-domain',
  'coolify-cloud',
  'oec',
  'web-minimal',
  'web-mail',
  'firezone-gateway',
  'cumulocity',
] as const

/** One preset id. */
export type PresetId = (typeof PRESET_IDS)[number]

interface RuleSpec {
  readonly kind: PolicyRuleKind
  readonly port: number | readonly [number, number]
  readonly title: string
  readonly protocol?: TransportProtocol
  readonly direction?: TrafficDirection
  readonly sources?: readonly PolicySource[]
  readonly severity?: PolicyRule['severity']
  readonly hint?: string
  readonly id?: string
}

const KIND_PREFIX: Record<PolicyRuleKind, string> = {
  require: 'require',
  'forbid-public': 'forbid-public',
  restrict: 'restrict',
  allow: 'allow',
}

function rules(specs: readonly RuleSpec[]): PolicyRule[] {
  return specs.map((s) => {
    const ports: readonly [number, number] = typeof s.port === 'number' ? [s.port, s.port] : s.port
    const protocol = s.protocol ?? 'tcp'
    const direction = s.direction ?? 'inbound'
    const portText = ports[0] === ports[1] ? `${ports[0]}` : `${ports[0]}-${ports[1]}`
    const out = direction === 'outbound' ? '-out' : ''
    return {
      id: s.id ?? `${KIND_PREFIX[s.kind]}${out}-${portText}-${protocol}`,
      kind: s.kind,
      direction,
      protocol,
      ports,
      title: s.title,
      ...(s.sources ? { sources: s.sources } : {}),
      ...(s.severity ? { severity: s.severity } : {}),
      ...(s.hint ? { hint: s.hint } : {}),
    }
  })
}

// Where each preset's ports come from, as users may be shown it (PR bodies, SARIF, the CLI). The
// pages themselves are kept in ../shared/seeds/: 000_eb79c9404b027578.txt (Coolify),
// 001_570a17affb2d9237.txt (OEC.sh), 002_b8b5f8ec751a7eca.txt (web server guide),
// 003_5ecc62ef429e26c6.txt (Firezone), 004_41d93fd846f21906.txt (Cumulocity).
const SEED_COOLIFY =
  'Coolify docs, Firewall (https://coolify.io/docs/knowledge-base/server/firewall)'
const SEED_OEC = 'OEC.sh docs, Firewall & Ports'
const SEED_WEB = 'a generic web server firewall guide'
const SEED_FIREZONE = 'Firezone docs, Ports and Protocols in Use'
const SEED_CUMULOCITY = 'Cumulocity docs, Firewall settings'

/** The inbound ports every web-server preset requires; web-mail adds the optional ones. */
const WEB_REQUIRED: readonly RuleSpec[] = [
  { kind: 'require', port: 22, title: 'SSH' },
  { kind: 'require', port: 80, title: 'HTTP' },
  { kind: 'require', port: 443, title: 'HTTPS' },
]

const DOCKER_NOTE =
  'Docker publishes container ports with NAT rules that bypass ufw and the INPUT chain: restrict them in DOCKER-USER (or with ufw-docker), or in the cloud provider firewall.'

const COOLIFY_BASE: RuleSpec[] = [
  { kind: 'require', port: 22, title: 'SSH access (or your custom SSH port)' },
  { kind: 'require', port: 80, title: 'SSL certificate generation via the reverse proxy' },
  { kind: 'require', port: 443, title: 'HTTPS traffic' },
]

/** Every preset, keyed by id. */
export const PRESETS: Readonly<Record<PresetId, Policy>> = {
  'coolify-self-hosted': {
    id: 'coolify-self-hosted',
    title: 'Coolify, self-hosted, dashboard by server IP',
    source: SEED_COOLIFY,
    rules: rules([
      ...COOLIFY_BASE,
      { kind: 'require', port: 8000, title: 'HTTP access to the Coolify dashboard' },
      { kind: 'require', port: 6001, title: 'Real-time communications' },
      { kind: 'require', port: 6002, title: 'Terminal access (Coolify 4.0.0-beta.336 and later)' },
    ]),
    unlisted: { inbound: 'warn', outbound: 'ignore' },
    notes: [DOCKER_NOTE],
  },
  'coolify-self-hosted-custom-domain': {
    id: 'coolify-self-hosted-custom-domain',
    title: 'Coolify, self-hosted, dashboard on a custom domain (8000/6001/6002 closed)',
    source: SEED_COOLIFY,
    rules: rules([
      ...COOLIFY_BASE,
      ...([8000, 6001, 6002] as const).map((port): RuleSpec => ({
        kind: 'forbid-public',
        port,
        title: 'closable once the dashboard is reached through the custom domain',
        severity: 'warning',
      })),
    ]),
    unlisted: { inbound: 'warn', outbound: 'ignore' },
    notes: [DOCKER_NOTE],
  },
  'coolify-cloud': {
    id: 'coolify-cloud',
    title: 'A server connected to Coolify Cloud',
    source: SEED_COOLIFY,
    rules: rules([
      {
        kind: 'require',
        port: 22,
        title: 'SSH from Coolify Cloud (remote management)',
        sources: ['feed:coolify/cloud'],
      },
      {
        kind: 'restrict',
        port: 22,
        title: 'SSH only from Coolify Cloud',
        sources: ['feed:coolify/cloud'],
        hint: 'Coolify Cloud publishes its addresses at coolify.io/ipv4.txt and ipv6.txt.',
      },
      COOLIFY_BASE[1]!,
      COOLIFY_BASE[2]!,
      ...([80, 443] as const).map((port): RuleSpec => ({
        kind: 'require',
        port,
        id: `require-github-hooks-${port}-tcp`,
        title: "GitHub webhooks (api.github.com/meta 'hooks')",
        sources: ['feed:github/hooks'],
      })),
    ]),
    unlisted: { inbound: 'warn', outbound: 'ignore' },
    notes: [DOCKER_NOTE],
  },
  oec: {
    id: 'oec',
    title: 'OEC.sh managed server (Odoo)',
    source: SEED_OEC,
    rules: rules([
      { kind: 'require', port: 22, title: 'SSH access for OEC.sh management' },
      { kind: 'require', port: 80, title: 'HTTP traffic (redirects to HTTPS)' },
      { kind: 'require', port: 443, title: 'HTTPS traffic (main Odoo access)' },
      { kind: 'allow', port: 8069, title: 'Direct Odoo HTTP (debugging, bypassing proxy)' },
      { kind: 'allow', port: 8072, title: 'Odoo longpolling (discuss, chat)' },
      { kind: 'allow', port: 5432, title: 'PostgreSQL (external database access, BI tools)' },
      {
        kind: 'forbid-public',
        port: 5432,
        title: 'PostgreSQL must not be open to the Internet',
        hint: 'Allow only named hosts (e.g. the BI server), or use an SSH tunnel.',
      },
      { kind: 'allow', port: 19999, title: 'Netdata monitoring dashboard' },
      { kind: 'allow', port: 6432, title: 'PgBouncer (primary)' },
      { kind: 'allow', port: 6433, title: 'PgBouncer (replica, Odoo 18+)' },
      {
        kind: 'require',
        port: 80,
        direction: 'outbound',
        title: 'Docker Hub, package repositories',
      },
      {
        kind: 'require',
        port: 443,
        direction: 'outbound',
        title: 'Docker Hub, package repositories, api.oec.sh',
      },
      ...([25, 465, 587] as const).map((port): RuleSpec => ({
        kind: 'allow',
        port,
        direction: 'outbound',
        title: 'Outgoing email (if configured)',
      })),
    ]),
    unlisted: { inbound: 'warn', outbound: 'ignore' },
    notes: [DOCKER_NOTE],
  },
  'web-minimal': {
    id: 'web-minimal',
    title: 'Web server, minimum inbound set; outbound open',
    source: SEED_WEB,
    rules: rules(WEB_REQUIRED),
    unlisted: { inbound: 'deny', outbound: 'ignore' },
    notes: [],
  },
  'web-mail': {
    id: 'web-mail',
    title: 'Web server with the optional DNS, mail and FTP ports; outbound open',
    source: SEED_WEB,
    rules: rules([
      ...WEB_REQUIRED,
      { kind: 'allow', port: 53, title: 'DNS' },
      { kind: 'allow', port: 25, title: 'SMTP' },
      { kind: 'allow', port: 143, title: 'IMAP' },
      { kind: 'allow', port: 110, title: 'POP3' },
      { kind: 'allow', port: 21, title: 'FTP' },
    ]),
    unlisted: { inbound: 'deny', outbound: 'ignore' },
    notes: [],
  },
  'firezone-gateway': {
    id: 'firezone-gateway',
    title: 'Firezone Gateway (outbound only)',
    source: SEED_FIREZONE,
    rules: rules([
      {
        kind: 'require',
        port: 443,
        direction: 'outbound',
        title: 'Portal and control-plane API (app/api.firezone.dev)',
        sources: ['feed:firezone/portal'],
      },
      {
        kind: 'require',
        port: 3478,
        protocol: 'udp',
        direction: 'outbound',
        title: 'STUN signalling to the relays',
        sources: ['feed:firezone/relays'],
      },
      {
        kind: 'require',
        port: [49152, 65535],
        protocol: 'udp',
        direction: 'outbound',
        title: 'TURN channel data to the relays',
        sources: ['feed:firezone/relays'],
      },
    ]),
    unlisted: { inbound: 'warn', outbound: 'ignore' },
    udpReturnTraffic: true,
    notes: [
      'Gateways need no inbound ports; a stateless firewall in front must still let UDP return traffic in (AWS network ACLs: UDP 1024-65535 from 0.0.0.0/0, or from the relays only).',
    ],
  },
  cumulocity: {
    id: 'cumulocity',
    title: 'Cumulocity IoT platform, external firewall',
    source: SEED_CUMULOCITY,
    rules: rules([
      { kind: 'require', port: 80, title: 'HTTP' },
      { kind: 'require', port: 443, title: 'HTTPS' },
      { kind: 'require', port: 1883, title: 'MQTT' },
      { kind: 'require', port: 8883, title: 'MQTT/TLS' },
      { kind: 'allow', port: 6670, title: 'opcua server-side agent' },
      { kind: 'allow', port: 8334, title: 'Smartrule-apama server-side agent' },
      { kind: 'allow', port: 22, title: 'SSH (management, internal)' },
      ...([80, 443, 25] as const).map((port): RuleSpec => ({
        kind: 'require',
        port,
        direction: 'outbound',
        title: port === 25 ? 'SMTP' : 'core node and Apama to the Internet',
      })),
      {
        kind: 'require',
        port: 53,
        protocol: 'udp',
        direction: 'outbound',
        title: 'DNS (depending on the DNS setup)',
        severity: 'warning',
      },
      {
        kind: 'require',
        port: 123,
        protocol: 'udp',
        direction: 'outbound',
        title: 'NTP (depending on the NTP setup)',
        severity: 'warning',
      },
    ]),
    unlisted: { inbound: 'deny', outbound: 'ignore' },
    notes: [
      'The firewall must support long-lasting sessions: set the TCP session timeout to 14,400 seconds (e.g. nf_conntrack_tcp_timeout_established >= 14400).',
    ],
  },
}

/** Whether `text` is a preset id. */
export function isPresetId(text: string): text is PresetId {
  return (PRESET_IDS as readonly string[]).includes(text)
}

/** The preset with this id; an unknown id is an ERR_POLICY_PRESET error listing the known ones. */
export function presetPolicy(id: string): Policy {
  if (!isPresetId(id))
    throw new PolicyError(
      'ERR_POLICY_PRESET',
      `no preset '${id}' (known: ${PRESET_IDS.join(', ')})`,
    )
  return PRESETS[id]
}
