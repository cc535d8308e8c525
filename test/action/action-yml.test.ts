/**
 * @module action.yml agrees with the code: node24, the bundled entry, every input the code reads
 * and every output it sets declared and described, nothing declared that the code ignores.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = path.resolve(import.meta.dirname, '../..')
const yml = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  runs: { using: string; main: string }
  branding: { icon: string; color: string }
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
}
const inputsSource = readFileSync(path.join(root, 'action/src/inputs.ts'), 'utf8')
const mainSource = readFileSync(path.join(root, 'action/src/main.ts'), 'utf8')
const read = [...inputsSource.matchAll(/(?:getInput|bool|list)\('([a-z-]+)'/g)].map((m) => m[1]!)
const set = [...mainSource.matchAll(/\[\s*'([a-z-]+)',\s/g)].map((m) => m[1]!)

describe('action.yml', () => {
  it('runs the bundled entry on node24, with branding', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'action/dist/index.js' })
    expect(yml.branding.icon).toBeTruthy()
  })

  it('declares exactly the inputs the code reads, each described', () => {
    expect(Object.keys(yml.inputs).sort()).toEqual([...new Set(read)].sort())
    for (const [name, i] of Object.entries(yml.inputs)) expect(i.description, name).toMatch(/\w{3}/)
    expect(yml.inputs.token!.default).toBe('${{ github.token }}')
    expect(yml.inputs.mode!.default).toBe('sync-and-verify')
  })

  it('declares exactly the outputs the code sets, each described', () => {
    expect(Object.keys(yml.outputs).sort()).toEqual(
      [
        'added',
        'changed',
        'pull-request-number',
        'pull-request-branch',
        'pull-request-head-sha',
        'pull-request-operation',
        'pull-request-url',
        'removed',
        'sarif-file',
        'violations',
      ].sort(),
    )
    expect([...new Set(set)].sort()).toEqual(Object.keys(yml.outputs).sort())
    for (const [name, o] of Object.entries(yml.outputs))
      expect(o.description, name).toMatch(/\w{3}/)
  })
})
