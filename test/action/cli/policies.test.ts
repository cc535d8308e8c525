/** @module The bundled `allowlist-sync policies` process: the preset list, one preset, JSON. */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { PRESET_IDS, type Policy } from '../../../shared/src/index.ts'
import { cliPath } from '../../helpers/dist.ts'

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath(), 'policies', ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('allowlist-sync policies', () => {
  it('lists every preset, one a line, with its title', () => {
    const r = cli()
    expect(r.code).toBe(0)
    const ids = r.stdout
      .split('\n')
      .filter((l) => /^\S/.test(l) && !l.startsWith('Run'))
      .map((l) => l.split(/\s+/)[0])
    expect(ids).toEqual([...PRESET_IDS])
  })

  it("shows one preset's rules, its source page and its feeds", () => {
    const r = cli('coolify-cloud')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^source: Coolify docs, Firewall \(https:\/\/coolify\.io\/docs\/knowledge-base\/server\/firewall\)$/m,
    )
    expect(r.stdout).toMatch(/^feeds: coolify\/cloud, github\/hooks$/m)
    expect(r.stdout).toMatch(
      /restrict\s+inbound\s+22\/tcp\s+SSH only from Coolify Cloud from feed:coolify\/cloud/,
    )
  })

  it('--json prints the policy model', () => {
    const r = cli('--json', 'oec')
    const p = JSON.parse(r.stdout) as Policy & { feeds: string[] }
    expect(p.id).toBe('oec')
    expect(p.rules).toContainEqual(
      expect.objectContaining({ kind: 'forbid-public', ports: [5432, 5432], protocol: 'tcp' }),
    )
    expect(p.feeds).toEqual([])
  })

  it('an unknown preset is a usage error', () => {
    const r = cli('nope')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no preset 'nope'; known: coolify-self-hosted/)
  })
})
