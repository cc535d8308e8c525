/** The generated Wasm modules in shared/src/ip/wasm match their .wat sources. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble, render, wasmSources } from './build-wasm.ts'

describe('build-wasm.ts', () => {
  it('finds the .wat sources', () => {
    expect(wasmSources().map((s) => path.basename(s.wat))).toContain('lines.wat')
  })

  it.each(wasmSources())('$generated is up to date with its .wat', async ({ wat, generated }) => {
    const bytes = await assemble(wat)
    expect(readFileSync(generated, 'utf8'), 'stale: run `node test/scripts/build-wasm.ts`').toBe(
      render(path.basename(wat), bytes),
    )
    // And the bytes are a valid module with the exports the reader uses.
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(new Uint8Array(bytes))).map(
      (e) => e.name,
    )
    expect(exports.sort()).toEqual([
      'count',
      'formatIpv4Cidrs',
      'lines',
      'memory',
      'readIpv4Lines',
      'readIpv6Lines',
      'unsorted',
    ])
  })
})
