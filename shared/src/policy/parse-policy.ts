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
import { PolicyError } from './policy-error.ts'
import { scalarText } from './rule-builder.ts'
import { policyIssue, policySchema, type PolicyDocument } from './policy-schema.ts'
import { PRESETS } from './presets.ts'
import type {
  Policy,
  PolicyRule,
  PolicyRuleKind,
  PortRange,
  TrafficDirection,
  TransportProtocol,
} from './types.ts'

const KINDS: Record<string, PolicyRuleKind> = {
  require: 'require',
  forbidPublic: 'forbid-public',
  'forbid-public': 'forbid-public',
  restrict: 'restrict',
  allow: 'allow',
}

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
  const checked = policySchema.safeParse(doc)
  if (!checked.success) return fail(...policyIssue(checked.error.issues[0]!, doc))
  // The document itself, not checked.data: zod rebuilds objects in the schema's key order, and
  // rules apply in the file's (the schema transforms nothing, so the two are otherwise equal).
  const root = doc as PolicyDocument
  const base = root.extends === undefined ? undefined : PRESETS[root.extends]
  const id =
    root.id === undefined
      ? file.slice(file.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/, '')
      : scalarText(root.id)
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id))
    fail('id', `'${id}' must be letters, digits, '.', '_' or '-' (at most 64)`)
  const rules = parseRules(root, base?.rules ?? [], fail)
  const fallback = base?.unlisted ?? { inbound: 'warn', outbound: 'ignore' }
  const stances = typeof root.unlisted === 'string' ? { inbound: root.unlisted } : root.unlisted
  const unlisted = {
    inbound: stances?.inbound ?? fallback.inbound,
    outbound: stances?.outbound ?? fallback.outbound,
  }
  const notes = (root.notes ?? []).map(String)
  const interfaces = root.interfaces
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
      ? { udpReturnTraffic: root.udpReturnTraffic ?? base!.udpReturnTraffic! }
      : {}),
    notes: [...(base?.notes ?? []), ...notes],
    ...(interfaces ? { interfaces } : {}),
  }
}

/** The preset's rules, then the `inbound` and `outbound` lists', each id made unique. */
function parseRules(
  root: PolicyDocument,
  inherited: readonly PolicyRule[],
  fail: (field: string, reason: string) => never,
): PolicyRule[] {
  const rules = [...inherited]
  const ids = new Set(rules.map((r) => r.id))
  for (const direction of ['inbound', 'outbound'] as const)
    for (const [kindKey, list] of Object.entries(root[direction] ?? {})) {
      const field = `${direction}.${kindKey}`
      list?.forEach((item, idx) => {
        const rule = parseRuleItem(item, KINDS[kindKey]!, direction, `${field}[${idx}]`, fail)
        let ruleId = rule.id
        for (let n = 2; ids.has(ruleId); n++) ruleId = `${rule.id}-${n}`
        ids.add(ruleId)
        rules.push({ ...rule, id: ruleId })
      })
    }
  return rules
}

/** `22`, `22/tcp`, `1000-2000/udp`; undefined when not a port spec. */
function parsePortSpec(
  text: string,
): { ports: PortRange; protocol?: TransportProtocol } | undefined {
  const r = parsePortText(text.trim(), { suffix: true })
  return r.ok ? { ports: r.ports, ...(r.protocol ? { protocol: r.protocol } : {}) } : undefined
}

function parseRuleItem(
  item: RuleItem,
  kind: PolicyRuleKind,
  direction: TrafficDirection,
  field: string,
  fail: (field: string, reason: string) => never,
): PolicyRule {
  const obj: RuleObject = typeof item === 'object' ? item : { port: item }
  const portValue = obj.port ?? obj.ports
  if (portValue === undefined) fail(`${field}.port`, 'missing')
  const spec = parsePortSpec(scalarText(portValue))
  if (!spec)
    fail(
      `${field}.port`,
      `'${scalarText(portValue)}' is not a port (1-65535), a range (1000-2000) or PORT/PROTO`,
    )
  const protocol = obj.protocol ?? spec.protocol ?? 'tcp'
  const sources = parseSources(obj, field, fail)
  if (kind === 'restrict' && !sources) fail(`${field}.from`, 'restrict needs the sources it allows')
  const severity = obj.severity
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

type RuleItem = NonNullable<NonNullable<PolicyDocument['inbound']>['allow']>[number]
type RuleObject = Exclude<RuleItem, string | number>

/** A rule's `from` (or `to`, or `sources`): one item or a list of `any`, CIDRs and `feed:` ids. */
function parseSources(
  obj: RuleObject,
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
