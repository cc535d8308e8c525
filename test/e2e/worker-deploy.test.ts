/**
 * `npm run deploy` (worker/scripts/deploy.ts) against a recording stand-in for wrangler: a real
 * deploy needs a Cloudflare account, which tests do not have (`npm run deploy -- --dry-run`, run
 * by .ci/run, exercises the real wrangler without one). These check the order of the steps, that
 * a missing database is created before the migrations run and the migrations before the code,
 * that secrets travel only in a 0600 file deleted afterwards, and that each failure stops the
 * run with a message saying what to do.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(path.join(tmpdir(), 'asr-worker-deploy-'))
const FAKE = path.join(dir, 'fake-wrangler.mjs')

// Records each call (argv, and the secrets file as it is at that moment), then answers as the
// scenario says: FAIL names a command prefix to fail ("whoami", "d1 info", "d1 migrations").
writeFileSync(
  FAKE,
  `import { appendFileSync, readFileSync, statSync } from 'node:fs'
const args = process.argv.slice(2)
const i = args.indexOf('--secrets-file')
const secrets = i < 0 ? null : { mode: (statSync(args[i + 1]).mode & 0o777).toString(8), body: JSON.parse(readFileSync(args[i + 1], 'utf8')), path: args[i + 1] }
appendFileSync(process.env.FAKE_LOG, JSON.stringify({ args, secrets, ci: process.env.CI }) + '\\n')
const fail = (process.env.FAKE_FAIL ?? '').split(',').filter(Boolean)
const cmd = args.join(' ')
if (fail.some((f) => cmd.startsWith(f))) {
  console.error(cmd.startsWith('d1 info') ? "Couldn't find a D1 DB named 'allowlist-sync' (bound as 'DB') in the API." : 'failed')
  process.exit(1)
}
`,
)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Call {
  args: string[]
  secrets: { mode: string; body: Record<string, string>; path: string } | null
  ci: string
}

let run = 0

function deploy(env: Record<string, string>): { status: number; output: string; calls: Call[] } {
  const log = path.join(dir, `calls-${++run}.jsonl`)
  writeFileSync(log, '')
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !['ADMIN_TOKEN', 'SECRETS_KEY', 'GITHUB_TOKEN'].includes(k),
    ),
  )
  const r = spawnSync(process.execPath, [path.join(ROOT, 'worker/scripts/deploy.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...clean, WRANGLER: `${process.execPath} ${FAKE}`, FAKE_LOG: log, ...env },
  })
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Call)
  return { status: r.status ?? 1, output: r.stdout + r.stderr, calls }
}

const KEY = Buffer.alloc(32, 7).toString('base64')

describe('npm run deploy', () => {
  it('on a new account: creates D1, migrates, then deploys with the secrets in a 0600 file', () => {
    const { status, output, calls } = deploy({
      FAKE_FAIL: 'd1 info',
      ADMIN_TOKEN: 'a-long-admin-token-of-32-chars!!',
      SECRETS_KEY: KEY,
    })
    expect(status, output).toBe(0)
    expect(calls.map((c) => c.args.filter((a) => !a.startsWith('/')).join(' '))).toEqual([
      'whoami',
      'd1 info allowlist-sync --json',
      'd1 create allowlist-sync',
      'd1 migrations apply DB --remote',
      'deploy --secrets-file',
    ])
    const last = calls.at(-1)!
    expect(last.secrets).toMatchObject({
      mode: '600',
      body: { ADMIN_TOKEN: 'a-long-admin-token-of-32-chars!!', SECRETS_KEY: KEY },
    })
    expect(existsSync(last.secrets!.path)).toBe(false)
    expect(calls.every((c) => c.ci === 'true')).toBe(true)
    expect(output).not.toContain(KEY)
    expect(output).toContain('Set PUBLIC_URL')
  })

  it('on an existing deployment: keeps the database and the deployed secrets', () => {
    const { status, calls } = deploy({})
    expect(status).toBe(0)
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      'whoami',
      'd1 info allowlist-sync --json',
      'd1 migrations apply DB --remote',
      'deploy',
    ])
  })

  it.each([
    ['whoami', /wrangler whoami failed .*npx wrangler login.*CLOUDFLARE_API_TOKEN/, 1],
    ['d1 migrations', /applying the migrations failed .*nothing was deployed/, 3],
    ['deploy', /a first deploy needs ADMIN_TOKEN and SECRETS_KEY in the environment/, 4],
  ])('stops when %s fails, saying what to do', (step, message, callsMade) => {
    const { status, output, calls } = deploy({ FAKE_FAIL: step })
    expect(status).toBe(1)
    expect(output).toMatch(message)
    expect(calls).toHaveLength(callsMade)
  })

  it('refuses a malformed SECRETS_KEY before calling wrangler, without printing it', () => {
    const { status, output, calls } = deploy({ SECRETS_KEY: 'c2hvcnQ=' })
    expect(status).toBe(1)
    expect(output).toContain('SECRETS_KEY from the environment: key 1 is 5 bytes, not 32')
    expect(output).not.toContain('c2hvcnQ=')
    expect(calls).toEqual([])
  })
})
