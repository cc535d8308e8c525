/** Tests of `allowlist-sync feeds`: the bundled CLI process lists the catalogue. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BUILTIN_FEEDS, CATALOGUE_PROVIDERS } from '../../../shared/src/feeds/index.ts'
import { cliPath } from '../../helpers/dist.ts'

const exec = promisify(execFile)

/** Runs the bundled CLI; resolves to its exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath(), ...args], {
      env: { ...process.env, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('allowlist-sync feeds', () => {
  it('lists every built-in feed under its provider, with who connects from it and its URL', async () => {
    const { code, stdout } = await cli(['feeds'])
    expect(code).toBe(0)
    const groups = stdout.split('\n\n')
    expect(groups).toHaveLength(CATALOGUE_PROVIDERS.length)
    for (const [i, provider] of CATALOGUE_PROVIDERS.entries()) {
      expect(groups[i]!.startsWith(`${provider.name} (${provider.id}/)\n`)).toBe(true)
      for (const feed of provider.feeds) {
        const escaped = feed.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        expect(groups[i]).toMatch(new RegExp(`^  ${escaped} `, 'm'))
        if (feed.use !== undefined) expect(groups[i]).toContain(`for: ${feed.use}`)
      }
      for (const pattern of provider.patterns) expect(groups[i]).toContain(pattern.id)
    }
    for (const feed of BUILTIN_FEEDS) expect(stdout).toContain(`  ${feed.id} `)
    expect(stdout).toContain('Google (google/)\n  google/services ')
    expect(stdout).toContain('for: ')
    expect(stdout).toContain('https://api.github.com/meta')
    expect(stdout).toContain('aws/SERVICE[@REGION,...]')
  })

  it('--json prints the catalogue as data', async () => {
    const { code, stdout } = await cli(['feeds', '--json'])
    expect(code).toBe(0)
    const feeds = JSON.parse(stdout) as { id: string; sources: { url: string }[] }[]
    expect(feeds.map((f) => f.id)).toEqual(BUILTIN_FEEDS.map((f) => f.id))
    expect(feeds.find((f) => f.id === 'coolify/cloud')?.sources.map((s) => s.url)).toEqual([
      'https://coolify.io/ipv4.txt',
      'https://coolify.io/ipv6.txt',
    ])
  })

  it('--help has examples; a stray argument is a usage error', async () => {
    const help = await cli(['feeds', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Examples:')
    const bad = await cli(['feeds', 'github/hooks'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unexpected argument 'github/hooks'")
  })
})
