/**
 * @module User policy files (YAML or JSON) into the {@link Policy} model, and the feeds a policy
 * names. A file may `extends` a preset and add or override rules:
 *
 * ```yaml
 * id: my-odoo
 * extends: oec
 * unlisted: deny            # or { inbound: deny, outbound: ignore }
 * inbound:
 *   require: [22/tcp, { port: 443, from: [any] }]
 *   restrict: [{ port: 22, from: [feed:coolify/cloud, 203.0.113.0/24] }]
 *   forbidPublic: [5432/tcp]
 *   allow: [8069, 49152-65535/udp]
 * outbound:
 *   require: [{ port: 443, to: [feed:firezone/portal] }]
 * notes: ['Set the TCP session timeout to 14,400 s.']
 * interfaces: { eth1: internal }   # roles over the defaults (see InterfaceRole)
 * ```
 */
import { parsePortText } from '../parse-port-text.ts'
import { parseYamlDocument } from '../parse-yaml-document.ts'
import { toCidrRange } from '../ip/index.ts'
import { isInterfacePattern } from './interfaces.ts'
import { PolicyError } from './policy-error.ts'
import { scalarText } from './rule-builder.ts'
import { isPresetId, PRESET_IDS, PRESETS } from './presets.ts'
import type {
  InterfaceRole,
  InterfaceRoles,
  Policy,
  PolicyRule,
  PolicyRuleKind,
  PortRange,
  TrafficDirection,
  TransportProtocol,
  UnlistedStance,
} from './types.ts'

const KINDS: Record<string, PolicyRuleKind> = {
  require: 'require',
  forbidPublic: 'forbid-public',
  'forbid-public': 'forbid-public',
  restrict: 'restrict',
  allow: 'allow',
}

const TOP_KEYS = new Set([
  'id',
  'title',
  'extends',
  'unlisted',
  'inbound',
  'outbound',
  'notes',
  'udpReturnTraffic',
  'description',
  'interfaces',
])

/**
 * Parses a policy file, YAML or JSON. Errors are ERR_POLICY_FILE PolicyErrors whose message
 * starts with `FILE: field: reason` (e.g. `p.yml: inbound.require[1].port: '70000' is not a port`).
 */
export function parsePolicy(text: string, file: string): Policy {
  const fail = (field: string, reason: string): never => {
    throw new PolicyError('ERR_POLICY_FILE', `${file}: ${field ? `${field}: ` : ''}${reason}`, {
      file,
    })
  }
  const parsed = parseYamlDocument(text, file)
  if (!parsed.ok) {
    const p = parsed.problems[0]!
    throw new PolicyError(
      'ERR_POLICY_FILE',
      `${file}: not valid YAML or JSON (${p.message} at line ${p.line}, column ${p.col})`,
      { file, line: p.line },
    )
  }
  const doc: unknown = parsed.doc.toJS()
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return fail('', 'expected a mapping at the top (id, inbound, outbound, ...)')
  const root = doc as Record<string, unknown>
  for (const key of Object.keys(root))
    if (!TOP_KEYS.has(key)) fail(key, `unknown field (known: ${[...TOP_KEYS].join(', ')})`)
  let base: Policy | undefined
  if (root.extends !== undefined) {
    const ext = scalarText(root.extends)
    if (!isPresetId(ext))
      fail('extends', `'${ext}' is not a preset (known: ${PRESET_IDS.join(', ')})`)
    base = PRESETS[ext as keyof typeof PRESETS]
  }
  const id =
    root.id === undefined
      ? file.slice(file.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/, '')
      : scalarText(root.id)
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id))
    fail('id', `'${id}' must be letters, digits, '.', '_' or '-' (at most 64)`)
  const rules = parseRules(root, base?.rules ?? [], fail)
  const unlisted = parseUnlisted(
    root.unlisted,
    base?.unlisted ?? { inbound: 'warn', outbound: 'ignore' },
    fail,
  )
  const notes =
    root.notes === undefined
      ? []
      : Array.isArray(root.notes)
        ? root.notes.map(String)
        : fail('notes', 'expected a list of strings')
  const interfaces = parseInterfaces(root.interfaces, fail)
  if (rules.length === 0 && unlisted.inbound === 'ignore' && unlisted.outbound === 'ignore')
    fail('', 'the policy has no rules and ignores unlisted ports: it checks nothing')
  return {
    id,
    title:
      root.title === undefined ? (base ? `${base.title}, customised` : id) : scalarText(root.title),
    source: file,
    rules,
    unlisted,
    ...(root.udpReturnTraffic !== undefined || base?.udpReturnTraffic
      ? {
          udpReturnTraffic:
            root.udpReturnTraffic === undefined
              ? base!.udpReturnTraffic!
              : root.udpReturnTraffic === true,
        }
      : {}),
    notes: [...(base?.notes ?? []), ...notes],
    ...(interfaces ? { interfaces } : {}),
  }
}

/** The preset's rules, then the `inbound` and `outbound` lists', each id made unique. */
function parseRules(
  root: Record<string, unknown>,
  inherited: readonly PolicyRule[],
  fail: (field: string, reason: string) => never,
): PolicyRule[] {
  const rules = [...inherited]
  const ids = new Set(rules.map((r) => r.id))
  for (const direction of ['inbound', 'outbound'] as const) {
    const section = root[direction]
    if (section === undefined || section === null) continue
    if (typeof section !== 'object' || Array.isArray(section))
      fail(direction, 'expected a mapping of require / forbidPublic / restrict / allow lists')
    for (const [kindKey, list] of Object.entries(section as Record<string, unknown>)) {
      const kind = KINDS[kindKey]
      const field = `${direction}.${kindKey}`
      if (!kind) fail(field, `unknown rule kind (known: require, forbidPublic, restrict, allow)`)
      if (!Array.isArray(list)) fail(field, 'expected a list')
      ;(list as unknown[]).forEach((item, idx) => {
        const rule = parseRuleItem(item, kind, direction, `${field}[${idx}]`, fail)
        let ruleId = rule.id
        for (let n = 2; ids.has(ruleId); n++) ruleId = `${rule.id}-${n}`
        ids.add(ruleId)
        rules.push({ ...rule, id: ruleId })
      })
    }
  }
  return rules
}

/** `interfaces: { eth1: internal, 'wg*': public }`: roles by interface name or pattern. */
function parseInterfaces(
  value: unknown,
  fail: (field: string, reason: string) => never,
): InterfaceRoles | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('interfaces', 'expected a mapping of interface names to public or internal')
  const out: Record<string, InterfaceRole> = {}
  for (const [name, role] of Object.entries(value as Record<string, unknown>)) {
    if (!isInterfacePattern(name))
      fail(`interfaces.${name}`, `'${name}' is not an interface name (a trailing * matches many)`)
    if (role !== 'public' && role !== 'internal')
      return fail(`interfaces.${name}`, `'${scalarText(role)}' is not public or internal`)
    out[name] = role
  }
  return out
}

function parseUnlisted(
  value: unknown,
  fallback: Policy['unlisted'],
  fail: (field: string, reason: string) => never,
): Policy['unlisted'] {
  const stance = (v: unknown, field: string): UnlistedStance => {
    if (v === 'deny' || v === 'warn' || v === 'ignore') return v
    return fail(field, `'${scalarText(v)}' is not deny, warn or ignore`)
  }
  if (value === undefined) return fallback
  if (typeof value === 'string')
    return { inbound: stance(value, 'unlisted'), outbound: fallback.outbound }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>
    return {
      inbound: v.inbound === undefined ? fallback.inbound : stance(v.inbound, 'unlisted.inbound'),
      outbound:
        v.outbound === undefined ? fallback.outbound : stance(v.outbound, 'unlisted.outbound'),
    }
  }
  return fail('unlisted', 'expected deny, warn, ignore or { inbound, outbound }')
}

/** `22`, `22/tcp`, `1000-2000/udp`; undefined when not a port spec. */
function parsePortSpec(
  text: string,
): { ports: PortRange; protocol?: TransportProtocol } | undefined {
  const r = parsePortText(text.trim(), { suffix: true })
  return r.ok ? { ports: r.ports, ...(r.protocol ? { protocol: r.protocol } : {}) } : undefined
}

function parseRuleItem(
  item: unknown,
  kind: PolicyRuleKind,
  direction: TrafficDirection,
  field: string,
  fail: (field: string, reason: string) => never,
): PolicyRule {
  const obj: Record<string, unknown> =
    typeof item === 'string' || typeof item === 'number'
      ? { port: scalarText(item) }
      : typeof item === 'object' && item !== null && !Array.isArray(item)
        ? (item as Record<string, unknown>)
        : fail(field, 'expected "PORT[/PROTO]" or a mapping')
  for (const key of Object.keys(obj))
    if (!RULE_KEYS.has(key)) fail(`${field}.${key}`, 'unknown field')
  const portValue = obj.port ?? obj.ports
  if (portValue === undefined) fail(`${field}.port`, 'missing')
  const spec = parsePortSpec(scalarText(portValue))
  if (!spec)
    fail(
      `${field}.port`,
      `'${scalarText(portValue)}' is not a port (1-65535), a range (1000-2000) or PORT/PROTO`,
    )
  const protoValue = obj.protocol ?? spec.protocol ?? 'tcp'
  if (protoValue !== 'tcp' && protoValue !== 'udp')
    fail(`${field}.protocol`, `'${scalarText(protoValue)}' is not tcp or udp`)
  const protocol = protoValue
  const sources = parseSources(obj, field, fail)
  if (kind === 'restrict' && !sources) fail(`${field}.from`, 'restrict needs the sources it allows')
  const severity = obj.severity
  if (
    severity !== undefined &&
    severity !== 'error' &&
    severity !== 'warning' &&
    severity !== 'note'
  )
    fail(`${field}.severity`, `'${scalarText(severity)}' is not error, warning or note`)
  const ports = spec.ports
  const portText = formatPortRange(ports)
  const id =
    obj.id === undefined
      ? `${kind}${direction === 'outbound' ? '-out' : ''}-${portText}-${protocol}`
      : scalarText(obj.id)
  return {
    id,
    kind,
    direction,
    protocol,
    ports,
    title: obj.title === undefined ? `${portText}/${protocol}` : scalarText(obj.title),
    ...(sources ? { sources } : {}),
    ...(severity ? { severity: severity } : {}),
    ...(obj.hint !== undefined ? { hint: scalarText(obj.hint) } : {}),
  }
}

const RULE_KEYS = new Set([
  'port',
  'ports',
  'protocol',
  'from',
  'to',
  'sources',
  'title',
  'severity',
  'hint',
  'id',
])

/** A rule's `from` (or `to`, or `sources`): one item or a list of `any`, CIDRs and `feed:` ids. */
function parseSources(
  obj: Record<string, unknown>,
  field: string,
  fail: (field: string, reason: string) => never,
): string[] | undefined {
  const srcKey = obj.from !== undefined ? 'from' : obj.to !== undefined ? 'to' : 'sources'
  const rawSources = obj[srcKey]
  if (rawSources === undefined) return undefined
  const list = Array.isArray(rawSources) ? rawSources : [rawSources]
  const sources = list.map((s, i) => {
    const text = scalarText(s).trim()
    if (text === 'any' || text === '0.0.0.0/0' || text === '::/0' || text === 'anywhere')
      return text === '0.0.0.0/0' || text === '::/0' ? text : 'any'
    if (/^feed:[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9._/-]+$/.test(text)) return text
    if (!toCidrRange(text))
      fail(`${field}.${srcKey}[${i}]`, `'${text}' is not 'any', a CIDR or feed:<provider/list>`)
    return text
  })
  if (sources.length === 0) fail(`${field}.${srcKey}`, 'empty list')
  return sources
}

/** The feed ids a policy's `feed:<id>` sources name, sorted, deduplicated. */
export function requiredFeeds(policy: Policy): string[] {
  const ids = new Set<string>()
  for (const rule of policy.rules)
    for (const s of rule.sources ?? []) if (s.startsWith('feed:')) ids.add(s.slice(5))
  return [...ids].sort()
}

/** `443` or `49152-65535`. */
export function formatPortRange(range: PortRange): string {
  return range[0] === range[1] ? `${range[0]}` : `${range[0]}-${range[1]}`
}
