/**
 * @module `npm run deploy [-- --dry-run]`: one command from a clone to a running worker.
 *
 * 1. Checks the login (`wrangler whoami`; `wrangler login` or CLOUDFLARE_API_TOKEN).
 * 2. Creates the D1 database `allowlist-sync` if the account has none of that name.
 * 3. Applies the migrations to it (`wrangler d1 migrations apply DB --remote`), before the new
 *    code runs: migrations only add, so the running worker keeps working meanwhile.
 * 4. `wrangler deploy`, which creates the four queues (syncs, deliveries, and a dead-letter queue
 *    for each) and the KV namespaces SLICED_BODIES (large bodies read in slices) and FEED_HEADS
 *    (the head board reads refresh from) if missing (automatic provisioning) and
 *    connects D1 by name. ADMIN_TOKEN, SECRETS_KEY and GITHUB_TOKEN found in the environment are
 *    uploaded with it (`--secrets-file`, a temporary 0600 file); absent ones keep their deployed
 *    value, and a first deploy without ADMIN_TOKEN and SECRETS_KEY is refused by wrangler.
 *
 * `--dry-run` needs no account: it bundles and checks the config (`wrangler deploy --dry-run`),
 * applies every migration to a scratch local D1 (the same SQL, in order), checks a SECRETS_KEY
 * from the environment, and prints what a real run would do. WRANGLER overrides the wrangler
 * command (tests).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { secretsKeyProblem } from '../src/secrets/secrets-key-problem.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DATABASE = 'allowlist-sync'
/** Secrets uploaded when the environment has them; the first two are required. */
const SECRETS = ['ADMIN_TOKEN', 'SECRETS_KEY', 'GITHUB_TOKEN'] as const

/** A deploy step failed; the message says which and what to do. */
export class DeployError extends Error {
  override name = 'DeployError'
}

function wrangler(
  args: readonly string[],
  { capture = false }: { capture?: boolean } = {},
): { status: number; stdout: string; stderr: string } {
  const [command, ...prefix] = (
    process.env['WRANGLER'] ?? path.join(ROOT, 'node_modules/.bin/wrangler')
  ).split(' ')
  console.log(`$ wrangler ${args.join(' ')}`)
  const r = spawnSync(command!, [...prefix, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // Never a prompt: migrations and provisioning run unattended (CI, Workers Builds).
    stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

function must(step: string, result: { status: number }, hint: string): void {
  if (result.status !== 0) throw new DeployError(`${step} failed (exit ${result.status}): ${hint}`)
}

/** The secrets to upload from `env`, after checking SECRETS_KEY's shape. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const secrets: Record<string, string> = {}
  for (const name of SECRETS) {
    const value = env[name]?.trim()
    if (value !== undefined && value !== '') secrets[name] = value
  }
  const key = secrets['SECRETS_KEY']
  const problem = key === undefined ? undefined : secretsKeyProblem(key)
  if (problem !== undefined) {
    throw new DeployError(
      `SECRETS_KEY from the environment: ${problem} (make one with \`openssl rand -base64 32\`)`,
    )
  }
  return secrets
}

function migrations(): string[] {
  return readdirSync(path.join(ROOT, 'worker/migrations'))
    .filter((f) => f.endsWith('.sql'))
    .sort()
}

function dryRun(): void {
  const secrets = secretsFromEnv(process.env)
  const scratch = mkdtempSync(path.join(tmpdir(), 'allowlist-sync-deploy-'))
  try {
    must(
      'wrangler deploy --dry-run',
      wrangler(['deploy', '--dry-run', '--outdir', path.join(scratch, 'bundle')]),
      'the bundle or wrangler.toml is broken',
    )
    must(
      'applying the migrations to a scratch D1',
      wrangler([
        'd1',
        'migrations',
        'apply',
        'DB',
        '--local',
        '--persist-to',
        path.join(scratch, 'state'),
      ]),
      'a migration does not apply',
    )
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  const files = migrations()
  console.log(`
dry run ok. A real \`npm run deploy\` would:
  - check the login (wrangler whoami)
  - create the D1 database "${DATABASE}" if the account has none of that name
  - apply the migrations not yet applied of ${files.length}: ${files.join(', ')}
  - wrangler deploy: queues allowlist-sync-sync, allowlist-sync-sync-dlq, allowlist-sync-deliveries and allowlist-sync-deliveries-dlq, and the KV namespaces SLICED_BODIES and FEED_HEADS, created if missing
  - upload secrets from the environment: ${Object.keys(secrets).join(', ') || 'none (deployed values are kept)'}`)
}

function deploy(): void {
  const secrets = secretsFromEnv(process.env)
  must(
    'wrangler whoami',
    wrangler(['whoami']),
    'log in with `npx wrangler login`, or set CLOUDFLARE_API_TOKEN',
  )
  const info = wrangler(['d1', 'info', DATABASE, '--json'], { capture: true })
  if (info.status !== 0) {
    if (!/not found|couldn't find|does not exist|7404/i.test(info.stdout + info.stderr)) {
      throw new DeployError(
        `wrangler d1 info ${DATABASE} failed: ${(info.stderr || info.stdout).trim()}`,
      )
    }
    must(
      `wrangler d1 create ${DATABASE}`,
      wrangler(['d1', 'create', DATABASE]),
      'see the message above',
    )
  }
  must(
    'applying the migrations',
    wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']),
    'nothing was deployed; the database keeps the migrations that did apply',
  )
  const dir = mkdtempSync(path.join(tmpdir(), 'allowlist-sync-secrets-'))
  try {
    const args = ['deploy']
    if (Object.keys(secrets).length > 0) {
      const file = path.join(dir, 'secrets.json')
      writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 })
      chmodSync(file, 0o600)
      args.push('--secrets-file', file)
    }
    must(
      'wrangler deploy',
      wrangler(args),
      'a first deploy needs ADMIN_TOKEN and SECRETS_KEY in the environment, e.g. ' +
        '`ADMIN_TOKEN=$(openssl rand -base64 32) SECRETS_KEY=$(openssl rand -base64 32) npm run deploy` ' +
        '(keep SECRETS_KEY: it decrypts the stored webhook secrets)',
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(
    "\ndeployed. Set PUBLIC_URL in wrangler.toml [vars] to the worker's URL for Atom links and payloads.",
  )
}

if (import.meta.filename === process.argv[1]) {
  try {
    if (process.argv.includes('--dry-run')) dryRun()
    else deploy()
  } catch (error) {
    console.error(`npm run deploy: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
