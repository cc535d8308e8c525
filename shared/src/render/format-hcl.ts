/**
 * @module A small HCL (Terraform) writer: blocks, attributes and comments laid out exactly as
 * `terraform fmt` lays them out, with strings escaped so that no value can start an interpolation.
 */

/** One line of a block body: an attribute or a nested block. */
export type HclNode =
  /** `key = value` where `value` is HCL source (use {@link hclString} for strings). */
  | { readonly key: string; readonly value: string }
  /** `key = [` items, one a line, each followed by `,`, then `]`. */
  | { readonly key: string; readonly items: readonly string[] }
  | {
      readonly block: string
      readonly labels?: readonly string[]
      readonly body: readonly HclNode[]
    }

/**
 * An HCL quoted string: JSON escapes `"` and `\` (control characters never get this far:
 * prepare() refuses them), and `${` / `%{` are doubled so that Terraform reads them literally.
 */
export function hclString(text: string): string {
  // A function replacement: in a replacement string '$$' would mean a single '$'.
  return JSON.stringify(text)
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{')
}

/** A one-line list of HCL strings, `["a", "b"]`. */
export function hclList(items: readonly string[]): string {
  return `[${items.map(hclString).join(', ')}]`
}

function singleLine(node: HclNode): node is Extract<HclNode, { value: string }> {
  return 'value' in node
}

/**
 * The lines of `nodes` at `depth` (two spaces a level). Like `terraform fmt`, the `=` of
 * consecutive one-line attributes are aligned; a multi-line attribute or a block ends the run.
 */
export function formatHcl(nodes: readonly HclNode[], depth = 0): string[] {
  const pad = '  '.repeat(depth)
  const lines: string[] = []
  let width = 0
  nodes.forEach((node, i) => {
    if (singleLine(node)) {
      if (i === 0 || !singleLine(nodes[i - 1]!)) {
        width = 0
        for (let j = i; j < nodes.length && singleLine(nodes[j]!); j++)
          width = Math.max(width, (nodes[j] as { key: string }).key.length)
      }
      lines.push(`${pad}${node.key.padEnd(width)} = ${node.value}`)
    } else if ('items' in node) {
      lines.push(`${pad}${node.key} = [`)
      for (const v of node.items) lines.push(`${pad}  ${v},`)
      lines.push(`${pad}]`)
    } else {
      const labels = (node.labels ?? []).map((l) => ` ${hclString(l)}`).join('')
      lines.push(`${pad}${node.block}${labels} {`)
      // No push(...inner): a prefix list of 50,000 entries would overflow the argument stack.
      for (const line of formatHcl(node.body, depth + 1)) lines.push(line)
      lines.push(`${pad}}`)
    }
  })
  return lines
}
