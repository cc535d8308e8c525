/**
 * What the bundled CLI loads before a command runs: `allowlist-sync cidr merge` is benchmarked as
 * a whole process against iprange (`npm run bench -- cidr`), and its start-up is mostly compiling
 * what it loads. The entry and the `cidr` command's chunk must not load the shared core's big
 * chunk (feed catalogue, renderers, policies): one import of `shared/src/index.ts` from the CLI's
 * entry modules did (835 KB compiled on every start, about 80 ms).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliPath } from '../../helpers/dist.ts'

/** Every chunk `file` loads before it runs (its static imports, transitively), with sizes. */
function staticClosure(file: string, seen = new Map<string, number>()): Map<string, number> {
  if (seen.has(file)) return seen
  const text = readFileSync(file, 'utf8')
  seen.set(file, text.length)
  for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[^'"();]*?from\s*)?["'](\.[^"']+)["']/g))
    staticClosure(path.resolve(path.dirname(file), m[1]!), seen)
  return seen
}

/** The chunk a command's dynamic import names in the entry. */
function commandChunk(entry: string, command: string): string {
  const m = new RegExp(`"\\./commands/${command}\\.ts":\\(\\)=>import\\("([^"]+)"\\)`).exec(
    readFileSync(entry, 'utf8'),
  )
  expect(m, `the entry's loader of ${command}`).not.toBeNull()
  return path.resolve(path.dirname(entry), m![1]!)
}

const kb = (files: Map<string, number>) => [...files.values()].reduce((a, b) => a + b, 0) / 1024

describe('the bundled CLI', () => {
  it('loads under 150 KB before `cidr merge` runs; `fetch` loads the shared core', () => {
    const entry = cliPath()
    const cidr = staticClosure(commandChunk(entry, 'cidr'), staticClosure(entry))
    expect(kb(cidr)).toBeLessThan(150)
    // The measure can see the core: a command that needs it loads it.
    const fetch = staticClosure(commandChunk(entry, 'fetch'), staticClosure(entry))
    expect(kb(fetch)).toBeGreaterThan(500)
  })
})
