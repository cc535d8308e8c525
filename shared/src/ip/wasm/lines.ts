/**
 * @module The WebAssembly line readers (IPv4 and IPv6) and IPv4 CIDR printer (internal),
 * instantiated lazily, once.
 * Why Wasm: a command-line process parses its one big list while V8 still interprets the
 * JavaScript reader (about 40 ms for 100,000 lines, against under 5 ms once optimised); Liftoff
 * compiles this small module straight to machine code, so a cold process parses as fast as a
 * warm one. Where compiling Wasm from bytes is not allowed (Cloudflare Workers forbid code
 * generation at run time) or WebAssembly is absent, `linesWasm()` returns undefined and
 * callers use the JavaScript reader, which has the same semantics.
 */
import { WASM_HEX } from './lines.wasm.ts'

/** What the module exports (see lines.wat). */
export interface LinesWasm {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number }
  /** Reads lines from address `p` to `end`; `n` of at most `cap` range pairs in use. */
  readonly readIpv4Lines: (p: number, end: number, n: number, cap: number) => number
  /** The same for IPv6, ranges of 8 32-bit words (start, inclusive end). */
  readonly readIpv6Lines: (p: number, end: number, n: number, cap: number) => number
  /** Writes the CIDR cover of `n` ranges at `r` as text from `out`, up to about `limit`. */
  readonly formatIpv4Cidrs: (r: number, n: number, out: number, limit: number) => number
  readonly lines: { readonly value: number }
  readonly count: { readonly value: number }
  readonly unsorted: { readonly value: number }
}

/** The part of the WebAssembly API used here; not in shared/'s lib (ES2022), so typed locally. */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { readonly exports: object }
}

/** undefined: not tried yet; null: unavailable here. */
let instance: LinesWasm | null | undefined
let enabled = true

function instantiate(): LinesWasm | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) return null
  const bytes = new Uint8Array(WASM_HEX.length / 2)
  for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(WASM_HEX.slice(2 * k, 2 * k + 2), 16)
  try {
    // Synchronous on purpose: the module is a few hundred bytes, and the readers are synchronous.
    return new api.Instance(new api.Module(bytes)).exports as LinesWasm
  } catch {
    // A CompileError where code generation is disallowed (Workers), or a missing API.
    return null
  }
}

/** The instantiated module, or undefined where Wasm is unavailable or disabled. */
export function linesWasm(): LinesWasm | undefined {
  if (!enabled) return undefined
  if (instance === undefined) instance = instantiate()
  return instance ?? undefined
}

/**
 * Switches the Wasm reader off (or back on), for tests that run the same inputs through the
 * JavaScript fallback; returns the previous setting.
 */
export function setWasmEnabled(on: boolean): boolean {
  const was = enabled
  enabled = on
  return was
}
