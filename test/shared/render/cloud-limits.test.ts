/**
 * @module Issue 18: each cloud format knows its platform's limits and either splits or refuses,
 * naming the limit and the option that raises it; and acceptance 4: the Hetzner rules JSON has
 * the Hetzner Cloud API's Rule shape (its OpenAPI schema, vendored in test/fixtures/schemas).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseHcl } from '@cdktf/hcl2json'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { readRendered, renderFormat, type RenderInput } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError, randomInput } from './sample.ts'

const V4 = (n: number): RenderInput => ({ ...randomInput(n, 11), ipv6: [] })
const ONE = { ports: [{ port: 22, protocol: 'tcp' as const }] }

describe('hcloud-rules / terraform-hcloud', () => {
  const ajv = new Ajv({ allErrors: true, strict: false })
  ajv.addKeyword('example')
  const rule = JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, '../../fixtures/schemas/hcloud-rule.openapi.json'),
      'utf8',
    ),
  ) as { properties: Record<string, unknown> }
  const validate = ajv.compile({ ...rule, additionalProperties: false })

  it.each([
    ['with ports', DOC_OPTIONS],
    ['without ports', {}],
  ])('every rule has the API Rule shape (%s), within 100 sources', (_, options) => {
    const rules = JSON.parse(renderFormat('hcloud-rules', DOC_INPUT, options)) as unknown[]
    for (const r of rules) expect(validate(r), JSON.stringify(validate.errors)).toBe(true)
    expect(rules.length).toBe(Object.keys(options).length === 0 ? 5 : 3)
  })

  it('the schema refuses what the API refuses (not vacuous)', () => {
    expect(validate({ direction: 'in', protocol: 'sctp', source_ips: [] })).toBe(false)
    expect(validate({ direction: 'in', protocol: 'tcp', sourceIps: [] })).toBe(false)
    expect(validate({ direction: 'in', protocol: 'tcp', description: 'x'.repeat(256) })).toBe(false)
  })

  it('splits at 100 sources a rule and refuses past 500 effective rules', () => {
    const rules = JSON.parse(renderFormat('hcloud-rules', V4(250), ONE)) as {
      source_ips: string[]
    }[]
    expect(rules.map((r) => r.source_ips.length)).toEqual([100, 100, 50])
    expect(
      readRendered('hcloud-rules', renderFormat('hcloud-rules', V4(250), ONE)).ipv4,
    ).toHaveLength(250)
    expect(() => renderFormat('hcloud-rules', V4(500), ONE)).not.toThrow()
    expectRenderError(
      () => renderFormat('hcloud-rules', V4(501), ONE),
      { code: 'ERR_RENDER_LIMIT' },
      /501 effective rules.*holds 500.*limits\.hcloudEffectiveRules/,
    )
    expectRenderError(
      () => renderFormat('terraform-hcloud', V4(101), {}),
      { code: 'ERR_RENDER_LIMIT' },
      /505 effective rules/,
    )
  })

  it('refuses past 50 rules a firewall', () => {
    const ports = Array.from({ length: 51 }, (_, i) => ({
      port: 1000 + i,
      protocol: 'tcp' as const,
    }))
    expectRenderError(
      () => renderFormat('hcloud-rules', V4(1), { ports }),
      { code: 'ERR_RENDER_LIMIT' },
      /51 rules.*holds 50.*limits\.hcloudRulesPerFirewall/,
    )
    expect(() => renderFormat('hcloud-rules', V4(1), { ports: ports.slice(0, 50) })).not.toThrow()
  })

  it('keeps descriptions within 255 characters when many feeds are named', () => {
    const feeds = Array.from({ length: 30 }, (_, i) => ({ id: `provider/list-number-${i}` }))
    const rules = JSON.parse(renderFormat('hcloud-rules', { ...DOC_INPUT, feeds }, ONE)) as {
      description: string
    }[]
    expect(rules[0]!.description).toBe('allowlist-sync 30 feeds 22/tcp 1/1')
  })
})

describe('terraform-digitalocean', () => {
  it('splits at 1,000 sources a rule and refuses past 50 rules', async () => {
    const doc = (await parseHcl('x.tf', renderFormat('terraform-digitalocean', V4(2500), ONE))) as {
      resource: {
        digitalocean_firewall: Record<string, { inbound_rule: { source_addresses: string[] }[] }[]>
      }
    }
    const rules = Object.values(doc.resource.digitalocean_firewall)[0]![0]!.inbound_rule
    expect(rules.map((r) => r.source_addresses.length)).toEqual([1000, 1000, 500])
    const ports = Array.from({ length: 17 }, (_, i) => ({
      port: 1000 + i,
      protocol: 'udp' as const,
    }))
    expectRenderError(
      () => renderFormat('terraform-digitalocean', V4(2500), { ports }),
      { code: 'ERR_RENDER_LIMIT' },
      /51 inbound rules.*limits\.digitaloceanRulesPerFirewall/,
    )
  })
})

describe('terraform-aws-prefix-list', () => {
  it('refuses a list past 1,000 entries, and references that pass the group quota', () => {
    expectRenderError(
      () =>
        renderFormat('terraform-aws-prefix-list', V4(1001), { limits: { awsRulesPerGroup: 1e6 } }),
      { code: 'ERR_RENDER_LIMIT' },
      /1001 IPv4 CIDRs.*holds 1000.*limits\.awsPrefixListEntries/,
    )
    expect(() => renderFormat('terraform-aws-prefix-list', V4(60), ONE)).not.toThrow()
    expectRenderError(
      () => renderFormat('terraform-aws-prefix-list', V4(61), ONE),
      { code: 'ERR_RENDER_LIMIT' },
      /61 rules.*max_entries.*limits\.awsRulesPerGroup/,
    )
    expectRenderError(
      () =>
        renderFormat('terraform-aws-prefix-list', V4(31), {
          ports: [...ONE.ports, { port: 80, protocol: 'tcp' }],
        }),
      { code: 'ERR_RENDER_LIMIT' },
      '62 rules',
    )
  })
  it('writes no list for a family without addresses', () => {
    const text = renderFormat('terraform-aws-prefix-list', V4(3), ONE)
    expect(text).toContain('aws_ec2_managed_prefix_list" "allowlist_sync_v4"')
    expect(text).not.toContain('_v6')
    expect(text).toContain('max_entries    = 3')
  })
  it('aws-sg points to the prefix lists when it refuses, and says they count against the same quota', () => {
    expectRenderError(
      () => renderFormat('aws-sg', V4(61), ONE),
      { code: 'ERR_RENDER_LIMIT' },
      /terraform-aws-prefix-list.*max_entries rules against the same quota/,
    )
  })
})

describe('terraform-google', () => {
  it('splits at 5,000 ranges a rule, numbering rules from 1 so growth only adds rules', async () => {
    const doc = (await parseHcl('x.tf', renderFormat('terraform-google', V4(12_000), ONE))) as {
      resource: {
        google_compute_firewall: Record<string, { name: string; source_ranges: string[] }[]>
      }
    }
    const rules = Object.values(doc.resource.google_compute_firewall).map((r) => r[0]!)
    expect(rules.map((r) => [r.name, r.source_ranges.length])).toEqual([
      ['allowlist-sync-v4-1', 5000],
      ['allowlist-sync-v4-2', 5000],
      ['allowlist-sync-v4-3', 2000],
    ])
    const small = renderFormat('terraform-google', V4(10), ONE)
    expect(small).toContain('"allowlist-sync-v4-1"')
  })
})

describe('terraform-azurerm', () => {
  it('refuses past 4,000 prefixes per security group and 1,000 rules', () => {
    expect(() => renderFormat('terraform-azurerm', V4(4000), ONE)).not.toThrow()
    expectRenderError(
      () => renderFormat('terraform-azurerm', V4(4001), ONE),
      { code: 'ERR_RENDER_LIMIT' },
      /4001 source prefixes.*limits\.azurePrefixesPerGroup/,
    )
    expectRenderError(
      () =>
        renderFormat('terraform-azurerm', DOC_INPUT, {
          ...DOC_OPTIONS,
          limits: { azureRulesPerGroup: 3 },
        }),
      { code: 'ERR_RENDER_LIMIT' },
      /4 rules.*limits\.azureRulesPerGroup/,
    )
  })
  it('shortens a description past 140 characters to the feed count', () => {
    const text = renderFormat('terraform-azurerm', DOC_INPUT, { comment: 'c'.repeat(130) })
    expect(text).toContain('description                 = "allowlist-sync 2 feeds"')
  })
})

describe('terraform-cloudflare', () => {
  it('refuses IPv6 longer than /64, naming it, instead of widening it', () => {
    expectRenderError(
      () => renderFormat('terraform-cloudflare', DOC_INPUT),
      { code: 'ERR_RENDER_LIMIT' },
      /"2001:db8:ff::1\/128" is longer than \/64/,
    )
  })
  it('writes single IPv4 addresses without /32 and refuses past 10,000 items', () => {
    const text = renderFormat('terraform-cloudflare', { ...DOC_INPUT, ipv6: ['2001:db8::/32'] })
    expect(text).toContain('{ ip = "198.51.100.7" },')
    expect(text).toContain('{ ip = "2001:db8::/32" },')
    expectRenderError(
      () => renderFormat('terraform-cloudflare', V4(10_001)),
      { code: 'ERR_RENDER_LIMIT' },
      /10001 items.*limits\.cloudflareListItems/,
    )
    const feeds = Array.from({ length: 30 }, (_, i) => ({ id: `provider/list-number-${i}` }))
    const many = renderFormat('terraform-cloudflare', { ...DOC_INPUT, feeds, ipv6: [] })
    expect(many).toContain('description = "allowlist-sync 30 feeds"')
    const long = renderFormat(
      'terraform-cloudflare',
      { ...DOC_INPUT, ipv6: [] },
      { comment: 'x'.repeat(200), name: 'n' },
    )
    expect(long).toContain(`description = "allowlist-sync ${'x'.repeat(200)}"`)
  })
})

describe('firewalld', () => {
  it('refuses names past 18 characters (firewalld policy names)', () => {
    for (const f of ['firewalld-ipset', 'firewalld-ipset6', 'firewalld-policy'] as const)
      expectRenderError(
        () => renderFormat(f, DOC_INPUT, { name: 'a'.repeat(19) }),
        { code: 'ERR_RENDER_NAME' },
        'hold 18',
      )
  })
  it('raises maxelem past 65,536 entries, and renders an empty family set', () => {
    const text = renderFormat('firewalld-ipset', V4(70_000))
    expect(text).toContain('<option name="maxelem" value="70000"/>')
    expect(renderFormat('firewalld-ipset6', V4(2))).not.toContain('<entry>')
    expectRenderError(
      () => renderFormat('firewalld-ipset6', { ...DOC_INPUT, ipv4: [], ipv6: [] }),
      { code: 'ERR_RENDER_EMPTY' },
      'admits nobody',
    )
  })
})
