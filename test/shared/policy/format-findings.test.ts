/** @module formatFindingsText, toFindingsJson and exitCodeFor: findings for people, machines and the shell. */
import { describe, expect, it } from 'vitest'
import {
  exitCodeFor,
  formatFindingsText,
  parsePolicy,
  toFindingsJson,
  type Finding,
} from '../../../shared/src/index.ts'

const POLICY = parsePolicy('id: web\ninbound:\n  require: [443/tcp]\n', 'policies/web.yml')

const ERROR: Finding = {
  rule: 'forbid-public-5432-tcp',
  severity: 'error',
  port: '5432',
  protocol: 'tcp',
  direction: 'inbound',
  file: 'etc/iptables/rules.v4',
  line: 7,
  message: '5432/tcp is reachable from the public Internet over IPv4 (from anywhere)',
  hint: 'Close it to the Internet.',
  sources: ['0.0.0.0/0'],
}
const WARNING: Finding = {
  rule: 'not-modelled',
  severity: 'warning',
  file: 'docker-compose.yml',
  message: 'a warning without a line',
  hint: 'check it by hand',
}
const NOTE: Finding = {
  rule: 'note',
  severity: 'note',
  message: 'Set the TCP session timeout to 14,400 s.',
  hint: 'From policies/web.yml.',
  sources: ['192.0.2.0/24'],
}

describe('formatFindingsText', () => {
  it('writes FILE:LINE: severity [rule] message, the fix below, the sources of errors, then a verdict', () => {
    expect(
      formatFindingsText([ERROR, { ...WARNING, sources: [] }, NOTE], POLICY).split('\n'),
    ).toEqual([
      `${ERROR.file}:${ERROR.line}: error [${ERROR.rule}] ${ERROR.message}`,
      `    fix: ${ERROR.hint}`,
      '    sources: 0.0.0.0/0',
      `${WARNING.file}: warning [${WARNING.rule}] ${WARNING.message}`,
      `    fix: ${WARNING.hint}`,
      `note [${NOTE.rule}] ${NOTE.message}`,
      `    fix: ${NOTE.hint}`,
      'policy web: NOT compliant (1 error(s), 1 warning(s), 1 note(s))',
      '',
    ])
  })

  it('calls findings without errors compliant', () => {
    expect(formatFindingsText([WARNING], POLICY)).toMatch(
      /\npolicy web: compliant \(0 error\(s\), 1 warning\(s\), 0 note\(s\)\)\n$/,
    )
    expect(formatFindingsText([], POLICY)).toBe(
      'policy web: compliant (0 error(s), 0 warning(s), 0 note(s))\n',
    )
  })

  it('escapes control characters that config text may carry into a message', () => {
    const text = formatFindingsText(
      [
        {
          ...WARNING,
          file: 'a\tb.conf',
          message: 'rule text "x\u001b[31m"\nnext',
          hint: 'h\u007f',
        },
      ],
      POLICY,
    )
    expect(text.split('\n').slice(0, 2)).toEqual([
      'a\\x09b.conf: warning [not-modelled] rule text "x\\x1b[31m"\\x0anext',
      '    fix: h\\x7f',
    ])
  })
})

describe('toFindingsJson', () => {
  it('gives null for what a finding does not say, and sources only when it has them', () => {
    const json = toFindingsJson([ERROR, NOTE, WARNING], POLICY)
    expect(json).toEqual({
      policy: 'web',
      compliant: false,
      counts: { error: 1, warning: 1, note: 1 },
      findings: [
        {
          rule: ERROR.rule,
          severity: 'error',
          port: '5432',
          protocol: 'tcp',
          direction: 'inbound',
          file: ERROR.file,
          line: 7,
          message: ERROR.message,
          hint: ERROR.hint,
          sources: ['0.0.0.0/0'],
        },
        {
          rule: 'note',
          severity: 'note',
          port: null,
          protocol: null,
          direction: null,
          file: null,
          line: null,
          message: NOTE.message,
          hint: NOTE.hint,
          sources: ['192.0.2.0/24'],
        },
        {
          rule: 'not-modelled',
          severity: 'warning',
          port: null,
          protocol: null,
          direction: null,
          file: 'docker-compose.yml',
          line: null,
          message: WARNING.message,
          hint: WARNING.hint,
        },
      ],
    })
    expect(toFindingsJson([WARNING, NOTE], POLICY).compliant).toBe(true)
  })
})

describe('exitCodeFor', () => {
  it.each([
    [[], 0],
    [[WARNING, NOTE], 0],
    [[NOTE, ERROR], 1],
  ] as const)('exits %#: %j -> %i', (findings, code) => {
    expect(exitCodeFor(findings)).toBe(code)
  })
})

describe('the evaluation summary: verdict, unchecked traffic, interfaces', () => {
  const NOTHING = {
    verdict: 'nothing-checked' as const,
    unchecked: [
      { direction: 'inbound' as const, family: 4 as const },
      { direction: 'inbound' as const, family: 6 as const },
    ],
    interfaces: { public: [], internal: [] },
  }
  const PARTLY = {
    verdict: 'compliant' as const,
    unchecked: [{ direction: 'inbound' as const, family: 6 as const }],
    interfaces: { public: ['eth0', 'any other interface'], internal: ['lo', 'wg0'] },
  }

  it('says when nothing was checked, exits 2, and is not compliant in JSON', () => {
    expect(formatFindingsText([NOTE], POLICY, NOTHING).split('\n').slice(-3)).toEqual([
      'interfaces taken as public: none',
      'policy web: NOTHING CHECKED: no config decides inbound IPv4, inbound IPv6 traffic (a fragment, or a file that only includes others?) (0 error(s), 0 warning(s), 1 note(s))',
      '',
    ])
    expect(exitCodeFor([NOTE], NOTHING)).toBe(2)
    expect(exitCodeFor([ERROR], NOTHING)).toBe(1)
    expect(toFindingsJson([NOTE], POLICY, NOTHING)).toMatchObject({
      compliant: false,
      verdict: 'nothing-checked',
      unchecked: NOTHING.unchecked,
      interfaces: NOTHING.interfaces,
    })
  })

  it('names what went unchecked and the interfaces taken as public and internal', () => {
    expect(formatFindingsText([], POLICY, PARTLY).split('\n').slice(-3)).toEqual([
      'interfaces taken as public: eth0, any other interface (internal: lo, wg0)',
      'policy web: compliant where checked (not checked: inbound IPv6) (0 error(s), 0 warning(s), 0 note(s))',
      '',
    ])
    expect(exitCodeFor([], PARTLY)).toBe(0)
    expect(toFindingsJson([], POLICY, PARTLY).compliant).toBe(true)
  })
})
