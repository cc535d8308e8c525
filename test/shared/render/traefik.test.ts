/**
 * @module Acceptance 1 of issue 18. No Traefik binary is in Debian, so the Traefik formats are
 * checked against what Traefik publishes instead of a running proxy: the file-provider YAML and
 * TOML (and the Docker labels, decoded the way Traefik's label parser reads them) against
 * SchemaStore's traefik-v3-file-provider schema plus tcp.middlewares from Traefik's own structs;
 * the Kubernetes CRDs with the @kubernetes-models/traefik models (generated from Traefik's CRD
 * Go types). Not run: Traefik itself, so routing through the middleware is not exercised here.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Middleware, MiddlewareTCP } from '@kubernetes-models/traefik/traefik.io/v1alpha1'
import { Ajv } from 'ajv'
import { parse as parseToml } from 'smol-toml'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { renderFormat, type RenderOptions } from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError, randomInput } from './sample.ts'

const SCHEMAS = path.resolve(import.meta.dirname, '../../fixtures/schemas')
const ajv = new Ajv({ allErrors: true, strict: false })
const load = (f: string) =>
  ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, f), 'utf8')) as object)
const fileProvider = load('traefik-v3-file-provider.schemastore.json')
const tcpMiddlewares = load('traefik-v3-tcp-middlewares.schema.json')

function expectValid(doc: unknown) {
  expect(fileProvider(doc), JSON.stringify(fileProvider.errors)).toBe(true)
  expect(tcpMiddlewares(doc), JSON.stringify(tcpMiddlewares.errors)).toBe(true)
}

/**
 * Docker labels to the dynamic configuration they mean: Traefik splits the key on dots, matches
 * each segment case-insensitively to a field, and splits list values on commas.
 */
function decodeLabels(text: string): Record<string, unknown> {
  const fields: Record<string, string> = {
    ipallowlist: 'ipAllowList',
    sourcerange: 'sourceRange',
    ipstrategy: 'ipStrategy',
    excludedips: 'excludedIPs',
  }
  const doc: Record<string, unknown> = {}
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const [key, value] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]
    const parts = key.split('.').slice(1)
    let node = doc
    parts.forEach((part, i) => {
      const name = i === 2 ? part : (fields[part] ?? part)
      if (i === parts.length - 1)
        node[name] = name === 'depth' ? Number(value) : value.split(',').map((v) => v.trim())
      else node = (node[name] ??= {}) as Record<string, unknown>
    })
  }
  return doc
}

const VARIANTS: { label: string; options: RenderOptions }[] = [
  { label: 'plain', options: DOC_OPTIONS },
  { label: 'ipStrategy depth', options: { ...DOC_OPTIONS, ipStrategy: { depth: 2 } } },
  {
    label: 'ipStrategy excludedIPs',
    options: { name: 'behind_lb', ipStrategy: { excludedIPs: ['203.0.113.9', '2001:db8:9::/64'] } },
  },
]

describe.each(VARIANTS)('Traefik formats ($label)', ({ options }) => {
  it("YAML passes SchemaStore's schema and Traefik's TCP middleware fields", () => {
    const doc = parseYaml(renderFormat('traefik', DOC_INPUT, options)) as {
      http: {
        middlewares: Record<
          string,
          { ipAllowList: { sourceRange: string[]; ipStrategy?: unknown } }
        >
      }
    }
    expectValid(doc)
    const mw = Object.values(doc.http.middlewares)[0]!.ipAllowList
    expect(mw.sourceRange).toContain('2001:db8:ff::1/128')
    expect(mw.ipStrategy).toEqual(
      options.ipStrategy?.depth !== undefined
        ? { depth: 2 }
        : options.ipStrategy
          ? { excludedIPs: ['203.0.113.9/32', '2001:db8:9::/64'] }
          : undefined,
    )
  })

  it('TOML parses to the same document as the YAML', () => {
    const toml = parseToml(renderFormat('traefik-toml', DOC_INPUT, options))
    expectValid(toml)
    expect(toml).toEqual(parseYaml(renderFormat('traefik', DOC_INPUT, options)))
  })

  it('Docker labels decode to the same document as the YAML', () => {
    const labels = decodeLabels(renderFormat('traefik-labels', DOC_INPUT, options))
    expectValid(labels)
    expect(labels).toEqual(parseYaml(renderFormat('traefik', DOC_INPUT, options)))
  })

  it('the Kubernetes Middleware and MiddlewareTCP pass the @kubernetes-models/traefik models', () => {
    const docs = parseAllDocuments(renderFormat('traefik-crd', DOC_INPUT, options)).map(
      (d) => d.toJS() as unknown,
    ) as [
      ConstructorParameters<typeof Middleware>[0],
      ConstructorParameters<typeof MiddlewareTCP>[0],
    ]
    expect(docs).toHaveLength(2)
    expect(() => new Middleware(docs[0]).validate()).not.toThrow()
    expect(() => new MiddlewareTCP(docs[1]).validate()).not.toThrow()
    expect(docs[0]!.spec.ipAllowList!.sourceRange).toHaveLength(5)
  })
})

describe('the checks are not vacuous', () => {
  it("SchemaStore's schema refuses a misspelt field; Traefik's TCP fields refuse ipStrategy", () => {
    expect(
      fileProvider({ http: { middlewares: { m: { ipAllowList: { sourceRanges: ['x'] } } } } }),
    ).toBe(false)
    expect(
      tcpMiddlewares({
        tcp: { middlewares: { m: { ipAllowList: { ipStrategy: { depth: 1 } } } } },
      }),
    ).toBe(false)
  })
  it('the CRD models refuse a sourceRange that is not a list', () => {
    const bad = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: { name: 'x' },
      spec: { ipAllowList: { sourceRange: '192.0.2.0/24' } },
    }
    expect(() => new Middleware(bad as never).validate()).toThrow()
  })
})

describe('ipStrategy', () => {
  it('is refused outside Traefik, with both depth and excludedIPs, or empty', () => {
    expectRenderError(
      () => renderFormat('nginx', DOC_INPUT, { ipStrategy: { depth: 1 } }),
      { code: 'ERR_RENDER_OPTION' },
      'Traefik option',
    )
    expectRenderError(
      () =>
        renderFormat('traefik', DOC_INPUT, {
          ipStrategy: { depth: 1, excludedIPs: ['192.0.2.1'] },
        }),
      { code: 'ERR_RENDER_OPTION' },
      'ignores excludedIPs',
    )
    for (const depth of [0, -1, 1.5, Number.NaN])
      expectRenderError(
        () => renderFormat('traefik', DOC_INPUT, { ipStrategy: { depth } }),
        { code: 'ERR_RENDER_OPTION' },
        'not a whole number',
      )
    expectRenderError(
      () => renderFormat('traefik', DOC_INPUT, { ipStrategy: {} }),
      { code: 'ERR_RENDER_OPTION' },
      'needs depth or excludedIPs',
    )
    expectRenderError(
      () => renderFormat('traefik', DOC_INPUT, { ipStrategy: { excludedIPs: [] } }),
      { code: 'ERR_RENDER_OPTION' },
      'needs depth or excludedIPs',
    )
    expectRenderError(
      () =>
        renderFormat('traefik-labels', DOC_INPUT, {
          ipStrategy: { excludedIPs: ['10.0.0.1; rm'] },
        }),
      { code: 'ERR_RENDER_CIDR' },
      'ipStrategy.excludedIPs',
    )
  })
})

it('2,000 random CIDRs still pass the schemas', () => {
  const input = randomInput(2000, 5)
  expectValid(parseYaml(renderFormat('traefik', input)))
  expectValid(parseToml(renderFormat('traefik-toml', input)))
})
