/**
 * @module Acceptance 3 of issue 18: the Terraform cloud formats are what `terraform fmt` writes
 * (`terraform fmt -check`, no provider download needed) and name only resources, attributes and
 * blocks of the providers' schemas, with their types and syntax (test/helpers/terraform-schema.ts
 * against test/fixtures/schemas/terraform/). Each format has a test that a misspelt attribute,
 * a wrong type and a block written as an attribute (or the reverse) are caught.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { renderFormat, type FormatId } from '../../../shared/src/index.ts'
import { checkTerraform } from '../../helpers/terraform-schema.ts'
import { missingTools } from '../../helpers/tools.ts'
import { DOC_INPUT, DOC_OPTIONS, inputFor, randomInput } from './sample.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'asr-fm-terraform-'))
// An empty CLI configuration: without one terraform warns on stderr that ~/.terraformrc is missing.
const cliConfig = path.join(dir, 'terraformrc')
writeFileSync(cliConfig, '# no settings\n')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Per format: an attribute it writes, to misspell; a typed attribute, to give a wrong value. */
const FORMATS: {
  format: FormatId
  misspell: string
  retype: [RegExp, string]
  reshape: [RegExp, string]
}[] = [
  {
    format: 'terraform-hcloud',
    misspell: 'source_ips',
    retype: [/(direction +)= "in"/, '$1= 1'],
    reshape: [/^ {2}rule \{$/m, '  rule = {'],
  },
  {
    format: 'terraform-digitalocean',
    misspell: 'source_addresses',
    retype: [/(protocol +)= "tcp"/, '$1= ["tcp"]'],
    reshape: [/^ {2}inbound_rule \{$/m, '  inbound_rule = {'],
  },
  {
    format: 'terraform-aws-prefix-list',
    misspell: 'address_family',
    retype: [/(from_port +)= 443/, '$1= "443"'],
    reshape: [/^ {2}entry \{$/m, '  entry = {'],
  },
  {
    format: 'terraform-google',
    misspell: 'source_ranges',
    retype: [/(direction +)= "INGRESS"/, '$1= ["INGRESS"]'],
    reshape: [/^ {2}allow \{$/m, '  allow = {'],
  },
  {
    format: 'terraform-azurerm',
    misspell: 'source_address_prefixes',
    retype: [/(access +)= "Allow"/, '$1= true'],
    reshape: [/^ {2}name( +)= "(.*)"$/m, '  name {\n  }'],
  },
  {
    format: 'terraform-cloudflare',
    misspell: 'account_id',
    retype: [/(kind +)= "ip"/, '$1= 4'],
    reshape: [/^ {2}items = \[$/m, '  items {\n  }\n  other = ['],
  },
]

const CASES = [
  { label: 'documentation feeds with ports', input: DOC_INPUT, options: DOC_OPTIONS },
  { label: 'documentation feeds, no ports', input: DOC_INPUT, options: { name: 'hooks_2' } },
  {
    label: '300 random CIDRs, one port',
    input: randomInput(300, 3),
    options: {
      ports: [{ port: 22, protocol: 'tcp' as const }],
      limits: { hcloudRulesPerFirewall: 1e6, hcloudEffectiveRules: 1e6, awsRulesPerGroup: 1e6 },
    },
  },
]

const fmtSkip = missingTools('terraform')

describe.each(FORMATS)('$format', ({ format, misspell, retype, reshape }) => {
  it.each(CASES)('conforms to the provider schema: $label', async ({ input, options }) => {
    const text = renderFormat(format, inputFor(format, input), options)
    expect(await checkTerraform(text)).toEqual([])
  })

  it.skipIf(fmtSkip !== undefined)('terraform fmt -check accepts every case', () => {
    for (const [i, c] of CASES.entries()) {
      const file = path.join(dir, `${format}-${i}.tf`)
      writeFileSync(file, renderFormat(format, inputFor(format, c.input), c.options))
      const r = spawnSync('terraform', ['fmt', '-check', '-diff', file], {
        encoding: 'utf8',
        env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig },
      })
      expect((r.stdout + r.stderr).trim(), c.label).toBe('')
      expect(r.status, c.label).toBe(0)
    }
  })

  it('a misspelt attribute, a wrong type and the wrong syntax are each caught', async () => {
    const text = renderFormat(format, inputFor(format, DOC_INPUT), DOC_OPTIONS)
    const typo = text.replaceAll(`${misspell} `, `${misspell.slice(0, -1)}x `)
    expect(typo).not.toBe(text)
    expect((await checkTerraform(typo)).join('\n')).toContain(
      `unknown attribute or block '${misspell.slice(0, -1)}x'`,
    )
    expect(text).toMatch(retype[0])
    expect((await checkTerraform(text.replace(retype[0], retype[1]))).join('\n')).toMatch(
      /expected/,
    )
    expect(text).toMatch(reshape[0])
    const reshaped = await checkTerraform(text.replace(reshape[0], reshape[1])).catch(
      (e: Error) => [e.message],
    )
    expect(reshaped.join('\n')).toMatch(/must be written as|written as a block|parse/)
  })
})

if (fmtSkip !== undefined) console.warn(`terraform fmt -check: ${fmtSkip}`)

describe('checkTerraform', () => {
  it('refuses an unknown resource type and an undeclared variable', async () => {
    const errors = await checkTerraform('resource "hcloud_firewal" "x" {\n  name = var.nope\n}\n')
    expect(errors).toContain("resource type 'hcloud_firewal' is not a known resource")
    expect(errors).toContain('var.nope is used but not declared')
  })
  it('refuses a missing required attribute', async () => {
    const errors = await checkTerraform('resource "cloudflare_list" "x" {\n  kind = "ip"\n}\n')
    expect(errors).toContain("cloudflare_list.x: missing required 'account_id'")
  })
})
