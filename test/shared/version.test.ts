import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { USER_AGENT, VERSION } from '../../shared/src/index.ts'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

describe('VERSION', () => {
  it("equals package.json's version", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/)
    expect(VERSION).toBe(pkg.version)
  })

  it('is the one the Action, SARIF, and the User-Agent carry (the status page: test/worker/status)', () => {
    expect(USER_AGENT).toContain(`allowlist-sync/${VERSION} `)
    // no second constant: no source renames VERSION or spells a version of its own
    const root = path.join(import.meta.dirname, '../..')
    const sources = ['shared/src', 'action/src', 'worker/src'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(dir, f)),
    )
    const copies = sources.flatMap((file) =>
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /=\s*VERSION\b|VERSION\s*=\s*['"`]/.test(line)
            ? [`${file}:${i + 1}: ${line.trim()}`]
            : [],
        ),
    )
    expect(copies.filter((c) => !c.startsWith('shared/src/version.ts'))).toEqual([])
  })
})
