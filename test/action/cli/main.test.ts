import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { EXIT, type CliIo } from '../../../action/src/cli/io.ts'
import { COMMANDS, main } from '../../../action/src/cli/main.ts'
import { cliPath } from '../../helpers/dist.ts'
import { VERSION } from '../../../shared/src/index.ts'
import { cliInProcess } from './in-process.ts'

describe('allowlist-sync --version', () => {
  it('prints the one version and exits 0', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await cliInProcess([flag])
      expect(run).toEqual({ code: 0, stdout: `allowlist-sync ${VERSION}\n`, stderr: '' })
    }
  })

  it('is in the top-level help', async () => {
    const run = await cliInProcess(['--help'])
    expect(run.stdout).toContain('allowlist-sync --version')
    expect(run.stdout).toContain('70 an unexpected crash')
  })
})

describe('an unexpected crash', () => {
  it('exits 70 (EX_SOFTWARE), not the usage code, with one line and a hint to report it', async () => {
    let stderr = ''
    const io: CliIo = {
      stdout: () => {
        throw new Error('write EPIPE\n    at somewhere (internal)')
      },
      stderr: (t) => void (stderr += t),
      readText: () => Promise.reject(new Error('no files')),
      env: {},
      fetch: () => Promise.reject(new Error('no network')),
      now: () => 0,
    }
    const code = await main(['formats'], io)
    expect(code).toBe(EXIT.software)
    expect(EXIT.software).toBe(70)
    const lines = stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('allowlist-sync formats: unexpected error: write EPIPE')
    expect(lines[1]).toMatch(
      new RegExp(`bug in allowlist-sync ${VERSION.replaceAll('.', '\\.')}; please report it`),
    )
    expect(lines).toHaveLength(2)
  })

  it('still exits 70 when stderr fails too', async () => {
    const io: CliIo = {
      stdout: () => {
        throw new Error('stdout closed')
      },
      stderr: () => {
        throw new Error('stderr closed')
      },
      readText: () => Promise.reject(new Error('no files')),
      env: {},
      fetch: () => Promise.reject(new Error('no network')),
      now: () => 0,
    }
    expect(await main(['formats'], io)).toBe(EXIT.software)
  })
})

describe('verify --json', () => {
  const rules = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT
COMMIT
`
  const args = ['verify', '--policy', 'web-minimal', '--config', 'db.rules']

  it('is the same as --format json', async () => {
    const long = await cliInProcess([...args, '--format', 'json'], { 'db.rules': rules })
    const short = await cliInProcess([...args, '--json'], { 'db.rules': rules })
    expect(short).toEqual(long)
    expect(JSON.parse(short.stdout)).toHaveProperty('findings')
    expect(
      await cliInProcess([...args, '--json', '--format', 'json'], { 'db.rules': rules }),
    ).toEqual(long)
  })

  it('refuses --json with another --format (usage, exit 2)', async () => {
    const run = await cliInProcess([...args, '--json', '--format', 'sarif'], { 'db.rules': rules })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("--json and --format 'sarif' disagree")
  })
})

describe('the command table', () => {
  // Command NAME is ./commands/NAME.ts, loaded by a template import: the bundle must hold each.
  it.each(Object.keys(COMMANDS))('%s loads from the bundled CLI and answers --help', (name) => {
    const r = spawnSync(process.execPath, [cliPath(), name, '--help'], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(EXIT.ok)
    expect(r.stdout).toContain(name)
  })

  it('takes no name that is not in the table to the import (a path, a prototype key)', async () => {
    for (const name of ['../io', 'constructor', '__proto__']) {
      let stderr = ''
      const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t) } as unknown as CliIo
      expect(await main([name], io)).toBe(EXIT.usage)
      expect(stderr).toContain(`unknown command '${name}'`)
    }
  })
})
