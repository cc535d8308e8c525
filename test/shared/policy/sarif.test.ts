/**
 * @module toSarif against the official SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5.json, as
 * shipped by the @microsoft/jest-sarif package; draft-04, hence ajv-draft-04), and within GitHub
 * code scanning's limits: 5,000 results a run, 10 MB a file.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import Ajv from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import {
  evaluatePolicy,
  parsePolicy,
  presetPolicy,
  readFirewallConfig,
  SARIF_MAX_BYTES,
  SARIF_MAX_RESULTS,
  toFindingsJson,
  toSarif,
  type Finding,
} from '../../../shared/src/index.ts'

const require = createRequire(import.meta.url)
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>
// the schema's language pattern is not a valid unicode-mode regular expression
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
addFormats(ajv)
const validate = ajv.compile(schema)

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT
COMMIT
`

function sample(): { findings: readonly Finding[]; policy: ReturnType<typeof presetPolicy> } {
  const policy = presetPolicy('oec')
  const config = readFirewallConfig(RULES, { file: 'etc/iptables/rules.v4' })
  return { findings: evaluatePolicy(policy, [config]).findings, policy }
}

describe('toSarif', () => {
  it('validates against the SARIF 2.1.0 schema, with a result per finding at its file and line', () => {
    const { findings, policy } = sample()
    const log = toSarif(findings, { toolVersion: '0.1.0', policy })
    const ok = validate(log)
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
    const run = log.runs[0]!
    expect(run.results).toHaveLength(findings.length)
    const db = run.results.find((r) => r.ruleId === 'forbid-public-5432-tcp')
    expect(db?.level).toBe('error')
    expect(db?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'etc/iptables/rules.v4' },
      region: { startLine: 7 },
    })
    expect(
      run.results.find((r) => r.ruleId === 'require-22-tcp')?.locations?.[0]?.physicalLocation
        .region.startLine,
    ).toBe(2)
  })

  it('rejects what the schema forbids (the validator is not vacuous)', () => {
    const { findings, policy } = sample()
    const log = JSON.parse(JSON.stringify(toSarif(findings, { toolVersion: '0.1.0', policy }))) as {
      runs: { results: { level: string }[] }[]
    }
    log.runs[0]!.results[0]!.level = 'fatal'
    expect(validate(log)).toBe(false)
  })

  it('keeps at most 5,000 results, most severe first, and says how many it left out', () => {
    const { policy } = sample()
    const many: Finding[] = Array.from({ length: SARIF_MAX_RESULTS + 250 }, (_, i) => ({
      rule: i < 10 ? 'require-22-tcp' : 'unlisted-inbound',
      severity: i < 10 ? 'error' : 'warning',
      port: String(1000 + i),
      protocol: 'tcp',
      file: 'rules.v4',
      line: i + 1,
      message: `finding ${i}`,
      hint: 'fix it',
    }))
    const log = toSarif(many, { toolVersion: '0.1.0', policy })
    expect(validate(log)).toBe(true)
    const run = log.runs[0]!
    expect(run.results).toHaveLength(SARIF_MAX_RESULTS)
    expect(run.results.slice(0, 10).every((r) => r.level === 'error')).toBe(true)
    expect(run.invocations[0]!.toolExecutionNotifications[0]!.message.text).toMatch(
      /^250 result\(s\) left out/,
    )
  })

  it('stays under 10 MB however long the messages', () => {
    const { policy } = sample()
    const long: Finding[] = Array.from({ length: 3000 }, (_, i) => ({
      rule: 'unlisted-inbound',
      severity: 'warning',
      file: 'rules.v4',
      line: i + 1,
      message: 'x'.repeat(5000),
      hint: 'h',
    }))
    const text = JSON.stringify(toSarif(long, { toolVersion: '0.1.0', policy }))
    expect(text.length).toBeLessThan(SARIF_MAX_BYTES)
    expect(text).toMatch(/left out/)
  })

  it('titles a rule by its port range, and places a finding without a line at line 1', () => {
    const policy = parsePolicy(
      'id: p\ninbound:\n  allow: [{ port: 49152-65535/udp, title: RTP media }]\n',
      'p.yml',
    )
    const rule = policy.rules[0]!
    const log = toSarif(
      [
        {
          rule: rule.id,
          severity: 'warning',
          file: 'compose.yml',
          message: 'published on all addresses',
          hint: 'bind it to 127.0.0.1',
        },
      ],
      { toolVersion: '0.1.0', policy },
    )
    expect(validate(log)).toBe(true)
    const run = log.runs[0]!
    expect(run.tool.driver.rules[0]!.shortDescription.text).toBe(
      'allow inbound 49152-65535/udp: RTP media',
    )
    expect(run.results[0]!.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'compose.yml' },
      region: { startLine: 1 },
    })
  })
})

describe('toSarif: the evaluation summary', () => {
  it('carries the verdict and the public interfaces, and warns when nothing was checked', () => {
    const { findings, policy } = sample()
    const summary = {
      verdict: 'nothing-checked' as const,
      unchecked: [{ direction: 'inbound' as const, family: 6 as const }],
      interfaces: { public: ['any other interface'], internal: ['lo'] },
    }
    const log = toSarif(findings, { toolVersion: '0.1.0', policy, summary })
    expect(validate(log)).toBe(true)
    const run = log.runs[0]!
    expect(run.properties).toMatchObject({ verdict: 'nothing-checked' })
    expect(JSON.stringify(run)).toContain(
      'Nothing was checked: no config decides inbound IPv6 traffic',
    )
    expect(toSarif(findings, { toolVersion: '0.1.0', policy }).runs[0]!.properties).toBeUndefined()
  })
})

describe('toFindingsJson', () => {
  it('has the documented shape: { findings: [{ rule, severity, port, protocol, file, line, message }] }', () => {
    const { findings, policy } = sample()
    const json = toFindingsJson(findings, policy)
    expect(json.compliant).toBe(false)
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'forbid-public-5432-tcp',
        severity: 'error',
        port: '5432',
        protocol: 'tcp',
        file: 'etc/iptables/rules.v4',
        line: 7,
      }),
    )
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'unlisted-inbound',
        port: '3306',
        line: 8,
        severity: 'warning',
      }),
    )
  })
})
