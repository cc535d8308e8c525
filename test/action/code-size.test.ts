/**
 * @module The Action's source stays in small pieces (issue 16): no function over 80 lines and no
 * file over 500 lines in action/src, measured on the TypeScript syntax tree.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../../action/src')
const files = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(ROOT, f))

/** `file:line name (N lines)` for every function-like node longer than `max` lines. */
function longFunctions(file: string, max: number): string[] {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      if (end - start + 1 > max) {
        const name = node.name?.getText() ?? '(anonymous)'
        out.push(`${path.relative(ROOT, file)}:${start + 1} ${name} (${end - start + 1} lines)`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

describe('action/src', () => {
  it('has no function over 80 lines', () => {
    expect(files.flatMap((f) => longFunctions(f, 80))).toEqual([])
  })

  it('has no file over 500 lines', () => {
    const long = files
      .map((f) => [path.relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 500)
    expect(long).toEqual([])
  })
})
