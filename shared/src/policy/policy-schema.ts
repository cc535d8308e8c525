/**
 * @module The one schema of a policy file (YAML or JSON), as zod: parsePolicy validates with it
 * and the published action/policy.schema.json (what editors complete from) is generated from it
 * by `npm run schemas`. Each failure carries the message parsePolicy reports. What a schema
 * cannot say stays in parse-policy.ts: that a port text is a port (1-65535) or range, that a
 * source is a CIDR, that a `restrict` names its sources, and how rules inherit from a preset.
 */
import { z } from 'zod'
import { INTERFACE_PATTERN } from './interfaces.ts'
import { PRESET_IDS } from './presets.ts'
import { scalarText } from './rule-builder.ts'

/** The top-level keys, as the error for an unknown one lists them. */
const TOP_KEYS = [
  'id',
  'title',
  'description',
  'extends',
  'unlisted',
  'inbound',
  'outbound',
  'notes',
  'udpReturnTraffic',
  'interfaces',
] as const

/** What the value was, quoted, for a message: `'70000'`. */
const quoted = (input: unknown) => `'${scalarText(input)}'`

/** A string or a number (YAML reads `id: 2024` and `title: 443` as numbers). */
const scalar = () => z.union([z.string(), z.number()], { error: 'expected a string or a number' })

/** `443`, `'443/tcp'`, `'49152-65535/udp'`: checked as a port by parsePolicy. */
const portText = () =>
  scalar().describe('A port (1-65535), a range (1000-2000), either with /tcp or /udp.')

const sources = (what: string) =>
  z
    .union([scalar(), z.array(scalar())])
    .optional()
    .describe(`${what}: 'any', CIDRs, or feed:PROVIDER/LIST ids (one, or a list).`)

const ruleObject = z
  .strictObject(
    {
      port: portText().optional(),
      ports: portText().optional().describe('Another spelling of port.'),
      protocol: z
        .enum(['tcp', 'udp'], { error: (iss) => `${quoted(iss.input)} is not tcp or udp` })
        .optional()
        .describe('tcp (the default) or udp.'),
      from: sources('Inbound sources'),
      to: sources('Outbound destinations'),
      sources: sources('Sources or destinations'),
      title: scalar().optional(),
      severity: z
        .enum(['error', 'warning', 'note'], {
          error: (iss) => `${quoted(iss.input)} is not error, warning or note`,
        })
        .optional(),
      hint: scalar().optional().describe('Shown with a finding of this rule.'),
      id: scalar().optional().describe('The rule id findings carry (default: kind-port-protocol).'),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? 'unknown field' : undefined) },
  )
  .describe('A rule: its port and protocol, and the sources it concerns.')

const ruleList = (what: string) =>
  z
    .array(
      z.union([portText(), ruleObject], {
        error: 'expected "PORT[/PROTO]" or a mapping',
      }),
      { error: 'expected a list' },
    )
    .optional()
    .describe(what)

const direction = (what: string) =>
  z
    .strictObject(
      {
        require: ruleList('Ports that must be reachable (from the sources given, else from any).'),
        forbidPublic: ruleList('Ports that must not be reachable from the Internet.'),
        'forbid-public': ruleList('Another spelling of forbidPublic.'),
        restrict: ruleList('Ports reachable from the sources given (`from`) and no others.'),
        allow: ruleList('Ports that may be open (not reported as unlisted).'),
      },
      {
        error: (iss) =>
          iss.code === 'unrecognized_keys'
            ? 'unknown rule kind (known: require, forbidPublic, restrict, allow)'
            : 'expected a mapping of require / forbidPublic / restrict / allow lists',
      },
    )
    .nullable()
    .optional()
    .describe(what)

const stance = z
  .enum(['deny', 'warn', 'ignore'], {
    error: (iss) => `${quoted(iss.input)} is not deny, warn or ignore`,
  })
  .describe('deny: an unlisted open port is an error; warn: a warning; ignore: not reported.')

/** The policy file. */
export const policySchema = z.strictObject(
  {
    id: scalar()
      .optional()
      .describe("Letters, digits, '.', '_' or '-' (at most 64); default: the file name."),
    title: scalar().optional(),
    description: scalar().optional(),
    extends: z
      .enum(PRESET_IDS, {
        error: (iss) => `${quoted(iss.input)} is not a preset (known: ${PRESET_IDS.join(', ')})`,
      })
      .optional()
      .describe('A preset whose rules come first (`allowlist-sync policies` lists them).'),
    unlisted: z
      .union(
        [stance, z.strictObject({ inbound: stance.optional(), outbound: stance.optional() })],
        {
          error: 'expected deny, warn, ignore or { inbound, outbound }',
        },
      )
      .optional()
      .describe(
        'What an open port no rule names is: one stance for inbound, or one per direction.',
      ),
    inbound: direction('Rules on traffic to the host.'),
    outbound: direction('Rules on traffic from the host.'),
    notes: z
      .array(scalar(), { error: 'expected a list of strings' })
      .optional()
      .describe('Shown with the result.'),
    udpReturnTraffic: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe('Whether UDP replies count as established (a stateful firewall).'),
    interfaces: z
      .record(
        z.string().regex(INTERFACE_PATTERN, {
          error: (iss) =>
            `${quoted(iss.input)} is not an interface name (a trailing * matches many)`,
        }),
        z.enum(['public', 'internal'], {
          error: (iss) => `${quoted(iss.input)} is not public or internal`,
        }),
        { error: 'expected a mapping of interface names to public or internal' },
      )
      .optional()
      .describe('Interface roles over the defaults, by name or pattern (`wg*`).'),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field (known: ${TOP_KEYS.join(', ')})`
        : 'expected a mapping at the top (id, inbound, outbound, ...)',
  },
)

/** A policy file as the schema reads it. */
export type PolicyDocument = z.infer<typeof policySchema>

/** `inbound.require[0].port` for a zod path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('')
}

/** The value at `path` of the document. */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc
  for (const p of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[p]
  return v
}

/**
 * Whether a union branch failed on the value's type (a string where it wants a mapping, a list
 * where it wants one of some words) rather than inside a value of its type.
 */
function typeMismatch(issue: z.core.$ZodIssue, value: unknown): boolean {
  if (issue.path.length > 0) return false
  if (issue.code === 'invalid_union')
    return issue.errors.every((branch) => typeMismatch(branch[0]!, value))
  if (issue.code === 'invalid_value') return !issue.values.some((v) => typeof v === typeof value)
  return issue.code === 'invalid_type'
}

/**
 * The first failure of a policy document as `[field, reason]`: an unknown key named with its
 * path, and in a union (a stance or a mapping; a port or a rule) the branch the value's type
 * chose, so a rule mapping's own error is reported rather than "expected a mapping".
 */
export function policyIssue(issue: z.core.$ZodIssue, doc: unknown): [string, string] {
  if (issue.code === 'invalid_union') {
    const value = valueAt(doc, issue.path)
    const inner = issue.errors.find((branch) => !typeMismatch(branch[0]!, value))?.[0]
    if (inner) return policyIssue({ ...inner, path: [...issue.path, ...inner.path] }, doc)
  }
  if (issue.code === 'invalid_key') return [fieldOf(issue.path), issue.issues[0]!.message]
  if (issue.code === 'unrecognized_keys')
    return [fieldOf([...issue.path, issue.keys[0]!]), issue.message]
  return [fieldOf(issue.path), issue.message]
}

/** The published JSON Schema (draft-07) of a policy file, generated from {@link policySchema}. */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(policySchema, { target: 'draft-07', io: 'input' })
  return {
    $schema,
    $id: 'https://github.com/allowlist-sync/allowlist-sync/action/policy.schema.json',
    title: 'allowlist-sync port policy',
    description:
      "A port policy for `allowlist-sync verify --policy FILE` and the Action config's `policies[].file`.",
    ...rest,
  }
}
