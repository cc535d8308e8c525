/**
 * The oracle and parseCidrList property tests again, with the WebAssembly line reader switched
 * off: the JavaScript readers (the fallback where Wasm cannot be compiled, as on Cloudflare
 * Workers) must pass the same bar. The suites are imported, so they register in this file.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { linesWasm, setWasmEnabled } from '../../../shared/src/ip/wasm/lines.ts'

beforeAll(() => {
  setWasmEnabled(false)
})
afterAll(() => {
  setWasmEnabled(true)
})

it('runs on the JavaScript line readers', () => {
  expect(linesWasm()).toBeUndefined()
})

await import('./oracles.test.ts')
await import('./parse-cidr-list.test.ts')
