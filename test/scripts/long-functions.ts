/**
 * @module `node test/scripts/long-functions.ts [DIR...] [--max N]`: lists the functions, methods
 * and arrow functions longer than N lines (default 80), with file:line and length, read with the
 * TypeScript compiler API (STYLE: functions under ~80 lines). Nested functions count on their own
 * and inside their parent. Default DIR: shared/src/policy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import ts from 'typescript'

const { values, positionals } = parseArgs({
  options: { max: { type: 'string', default: '80' } },
  allowPositionals: true,
})
const max = Number(values.max)

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    if (statSync(p).isDirectory()) return files(p)
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

/** Every function-like node over `max` lines in one file. */
export function longFunctions(file: string, limit: number): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1
      const lines = end - start + 1
      const name =
        'name' in node && node.name
          ? node.name.getText(source)
          : `(anonymous ${ts.SyntaxKind[node.kind]})`
      if (lines > limit) out.push(`${file}:${start}  ${name}  ${lines} lines`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

for (const dir of positionals.length > 0 ? positionals : ['shared/src/policy'])
  for (const f of files(dir).sort()) for (const row of longFunctions(f, max)) console.log(row)
