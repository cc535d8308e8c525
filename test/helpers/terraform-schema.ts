/**
 * @module Checks rendered Terraform against provider schemas (test/fixtures/schemas/terraform/,
 * extracted from the @cdktf/provider-* packages or the provider source): every resource type,
 * attribute and nested type name is known, required ones are there, values have the schema's
 * type, nested types use the schema's syntax (block `x { }` or attribute `x = [{ }]`), and every
 * `var.X` is declared. Values come from hashicorp/hcl through @cdktf/hcl2json; the block-or-
 * attribute syntax, which its JSON does not keep, from a scan of the text.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from '@cdktf/hcl2json'

interface Attr {
  readonly type: string | readonly [string, string]
  readonly required: boolean
}
interface Schema {
  readonly attributes: Record<string, Attr>
  readonly nested: Record<
    string,
    { nesting: string; syntax: 'block' | 'attribute'; required: boolean; block: Schema }
  >
}

const DIR = path.resolve(import.meta.dirname, '../fixtures/schemas/terraform')

/** The schema of a resource type, or undefined when none is vendored. */
export function resourceSchema(type: string): Schema | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(DIR, `${type}.json`), 'utf8')) as { block: Schema })
      .block
  } catch {
    return undefined
  }
}

/** How each dotted path (`rule`, `a.b`) of a resource is written: as a block, an attribute, or both. */
interface Syntax {
  readonly blocks: Set<string>
  readonly attrs: Set<string>
}

/** `TYPE.LABEL` -> the syntax of every name in the resource, from a scan of the text. */
function syntaxOf(text: string): Map<string, Syntax> {
  const out = new Map<string, Syntax>()
  const stack: string[] = []
  let current: Syntax | undefined
  for (const line of text.split('\n')) {
    const res = /^resource "(\w+)" "([\w-]+)" \{$/.exec(line)
    if (res || /^\w+.*\{$/.test(line)) {
      current = res ? { blocks: new Set(), attrs: new Set() } : undefined
      if (res) out.set(`${res[1]}.${res[2]}`, current!)
      stack.length = 0
      continue
    }
    const here = (name: string) => [...stack.filter((x) => x !== ''), name].join('.')
    const open = /^\s+(\w+) \{$/.exec(line)
    const attr = /^\s+(\w+) += (.*)$/.exec(line)
    if (open) {
      current?.blocks.add(here(open[1]!))
      stack.push(open[1]!)
    } else if (attr) {
      current?.attrs.add(here(attr[1]!))
      if (/^[[{]$/.test(attr[2]!)) stack.push(attr[1]!)
    } else if (/^\s+[[{]$/.test(line)) stack.push('')
    else if (/^\s*[\]}],?$/.test(line)) stack.pop()
  }
  return out
}

function typeError(where: string, type: Attr['type'], value: unknown): string | undefined {
  if (typeof value === 'string' && /^\$\{[^}]+\}$/.test(value)) return undefined // an expression
  if (typeof type === 'string') {
    const ok =
      (type === 'string' && typeof value === 'string') ||
      (type === 'number' && typeof value === 'number') ||
      (type === 'bool' && typeof value === 'boolean')
    return ok ? undefined : `${where}: expected ${type}, got ${JSON.stringify(value)}`
  }
  const [kind, elem] = type
  if (kind === 'map') return typeof value === 'object' ? undefined : `${where}: expected a map`
  if (!Array.isArray(value)) return `${where}: expected a ${kind} of ${elem}`
  for (const [i, v] of value.entries()) {
    const e = typeError(`${where}[${i}]`, elem, v)
    if (e) return e
  }
  return undefined
}

function checkBody(
  where: string,
  schema: Schema,
  body: Record<string, unknown>,
  syntax: Syntax,
  prefix: string,
): string[] {
  const errors: string[] = []
  for (const [key, value] of Object.entries(body)) {
    const attr = schema.attributes[key]
    const nested = schema.nested[key]
    const p = prefix === '' ? key : `${prefix}.${key}`
    if (attr !== undefined) {
      if (syntax.blocks.has(p)) errors.push(`${where}.${key}: an attribute written as a block`)
      const e = typeError(`${where}.${key}`, attr.type, value)
      if (e) errors.push(e)
    } else if (nested !== undefined) {
      const wrong = nested.syntax === 'block' ? syntax.attrs.has(p) : syntax.blocks.has(p)
      if (wrong)
        errors.push(
          `${where}.${key}: must be written as ${nested.syntax === 'block' ? 'a block' : 'an attribute'}`,
        )
      for (const [i, item] of (Array.isArray(value) ? value : [value]).entries())
        errors.push(
          ...checkBody(
            `${where}.${key}[${i}]`,
            nested.block,
            item as Record<string, unknown>,
            syntax,
            p,
          ),
        )
    } else errors.push(`${where}: unknown attribute or block '${key}'`)
  }
  for (const [key, a] of Object.entries(schema.attributes))
    if (a.required && !(key in body)) errors.push(`${where}: missing required '${key}'`)
  for (const [key, n] of Object.entries(schema.nested))
    if (n.required && !(key in body)) errors.push(`${where}: missing required '${key}'`)
  return errors
}

/** Every problem of `text` against the vendored schemas; empty when it conforms. */
export async function checkTerraform(text: string): Promise<string[]> {
  const doc = (await parse('main.tf', text)) as {
    resource?: Record<string, Record<string, Record<string, unknown>[]>>
    variable?: Record<string, unknown>
  }
  const errors: string[] = []
  const syntax = syntaxOf(text)
  for (const [type, byLabel] of Object.entries(doc.resource ?? {})) {
    const schema = resourceSchema(type)
    if (schema === undefined) {
      errors.push(`resource type '${type}' is not a known resource`)
      continue
    }
    for (const [label, [body]] of Object.entries(byLabel))
      errors.push(
        ...checkBody(`${type}.${label}`, schema, body!, syntax.get(`${type}.${label}`)!, ''),
      )
  }
  const declared = new Set(Object.keys(doc.variable ?? {}))
  for (const m of text.matchAll(/\bvar\.(\w+)/g))
    if (!declared.has(m[1]!)) errors.push(`var.${m[1]} is used but not declared`)
  return errors
}
