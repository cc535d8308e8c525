/**
 * @module parseYamlDocument, and the one way its callers (compose, AWS and nft JSON readers,
 * policy files, the Action's config) refuse a file of several documents.
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../action/src/config.ts'
import { parsePolicy, parseYamlDocument, readFirewallConfig } from '../../shared/src/index.ts'

const MULTI = "more than one YAML document (a '---' line starts another); give one per file"

describe('parseYamlDocument', () => {
  it('parses one document and places its nodes by line and column', () => {
    const r = parseYamlDocument('a: 1\nb:\n  c: [2, 3]\n', 'f.yml')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.doc.toJS()).toEqual({ a: 1, b: { c: [2, 3] } })
    expect(r.position(text('a: 1\nb:\n  c: [2, 3]\n', 'c:'))).toEqual({ line: 3, col: 3 })
  })

  it('gives syntax errors as FILE:LINE:COL: message, one per problem', () => {
    const r = parseYamlDocument('a: 1\nb: [2,\n', 'f.yml')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.problems.length).toBeGreaterThan(0)
    expect(r.problems[0]!.text).toMatch(/^f\.yml:\d+:\d+: \S/)
    expect(r.problems[0]!.text).not.toContain('\n')
  })

  it('refuses repeated keys unless asked to keep them', () => {
    expect(parseYamlDocument('a: 1\na: 2\n', 'f').ok).toBe(false)
    expect(parseYamlDocument('a: 1\na: 2\n', 'f', { uniqueKeys: false }).ok).toBe(true)
  })

  it('refuses a second document at its --- line', () => {
    const r = parseYamlDocument('a: 1\n---\nb: 2\n', 'f.yml')
    expect(r).toEqual({
      ok: false,
      problems: [{ line: 2, col: 1, message: MULTI, text: `f.yml:2:1: ${MULTI}` }],
    })
  })
})

describe('a file of several documents', () => {
  it.each([
    ['docker-compose', 'services:\n  web:\n    ports: ["80:80"]\n---\nservices: {}\n', 4],
    ['aws-sg', '{"SecurityGroups": []}\n---\n{"SecurityGroups": []}\n', 2],
    ['nft-json', '{"nftables": []}\n---\n{"nftables": []}\n', 2],
  ] as const)('is refused by the %s reader at the second document', (format, body, line) => {
    expect(() => readFirewallConfig(body, { file: 'c', format })).toThrow(`c:${line}: not valid`)
    expect(() => readFirewallConfig(body, { file: 'c', format })).toThrow(MULTI)
  })

  it('is refused in a policy file and in the Action config', () => {
    expect(() => parsePolicy('inbound:\n  allow: [22]\n---\nid: x\n', 'p.yml')).toThrow(MULTI)
    expect(() => parseConfig('version: 1\n---\nversion: 1\n', 'c.yml')).toThrow(
      `c.yml:2:1: ${MULTI}`,
    )
  })
})

function text(body: string, needle: string): number {
  return body.indexOf(needle)
}
