/**
 * @module No import cycles (issue 16 item 4): dpdm reads every module of shared/src, action/src,
 * worker/src and worker/scripts, type-only imports included, and the test fails on any cycle,
 * naming it. dpdm is first shown to find a cycle in a scratch pair of modules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseCircular, parseDependencyTree } from 'dpdm'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')

/** Every import cycle among the files the globs match, each as the list of its files. */
async function cyclesIn(globs: string[], cwd: string): Promise<string[][]> {
  const tree = await parseDependencyTree(globs, {
    context: cwd,
    cwd,
    transform: false,
    skipDynamicImports: false,
    include: /\.ts$/,
    exclude: /node_modules|\.d\.ts$/,
  })
  return parseCircular(tree)
}

describe('import cycles', () => {
  it('are found by the checker (a scratch pair of modules importing each other)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asr-hpolicy-cycles-'))
    try {
      writeFileSync(
        path.join(dir, 'a.ts'),
        "import { b } from './b.ts'\nexport const a = () => b\n",
      )
      writeFileSync(path.join(dir, 'b.ts'), "import type { a } from './a.ts'\nexport const b = 1\n")
      writeFileSync(path.join(dir, 'c.ts'), "import { b } from './b.ts'\nexport const c = b\n")
      const cycles = await cyclesIn(['*.ts'], dir)
      expect(cycles.map((c) => [...c].sort())).toEqual([['a.ts', 'b.ts']])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('exist nowhere in shared/src, action/src, worker/src and worker/scripts', async () => {
    const globs = [
      'shared/src/**/*.ts',
      'action/src/**/*.ts',
      'worker/src/**/*.ts',
      'worker/scripts/**/*.ts',
    ]
    const cycles = await cyclesIn(globs, ROOT)
    expect(cycles.map((c) => c.join(' -> '))).toEqual([])
  }, 120_000)
})
