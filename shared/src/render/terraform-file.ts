/**
 * @module What the Terraform cloud formats share: a managed block of HCL top-level blocks
 * (variables first, then resources), separated by blank lines, formatted as `terraform fmt` does.
 */
import { formatHcl, hclString, type HclNode } from './format-hcl.ts'
import { managedText, type Prepared } from './prepare.ts'

/** A top-level block: `variable "x" {}` or `resource "type" "label" {}`. */
export type TopBlock = Extract<HclNode, { block: string }>

/**
 * `variable "NAME" { type, description, default?, validation? }`. `validation` is a condition
 * (HCL source) and its message.
 */
export function tfVariable(
  name: string,
  type: string,
  description: string,
  options: { default?: string; validation?: readonly [string, string] } = {},
): TopBlock {
  const body: HclNode[] = [
    { key: 'type', value: type },
    { key: 'description', value: hclString(description) },
  ]
  if (options.default !== undefined) body.push({ key: 'default', value: options.default })
  if (options.validation !== undefined) {
    const [condition, message] = options.validation
    body.push({
      block: 'validation',
      body: [
        { key: 'condition', value: condition },
        { key: 'error_message', value: hclString(message) },
      ],
    })
  }
  return { block: 'variable', labels: [name], body }
}

/** `resource "type" "label" { body }`. */
export function tfResource(type: string, label: string, body: readonly HclNode[]): TopBlock {
  return { block: 'resource', labels: [type, label], body }
}

/** The managed block: header, `# ` notes, then the blocks, one blank line between blocks. */
export function terraformFile(
  p: Prepared,
  notes: readonly string[],
  blocks: readonly TopBlock[],
): string {
  const body: string[] = []
  blocks.forEach((b, i) => {
    if (i > 0) body.push('')
    for (const line of formatHcl([b])) body.push(line)
  })
  return managedText(
    p,
    body,
    notes.map((n) => `# ${n}`),
  )
}
