import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ACTION_VERSION } from '../../action/src/sync-context.ts'
import { TOOL_VERSION } from '../../action/src/cli/commands/verify.ts'
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
    expect(ACTION_VERSION).toBe(VERSION)
    expect(TOOL_VERSION).toBe(VERSION)
    expect(USER_AGENT).toContain(`allowlist-sync/${VERSION} `)
  })
})
