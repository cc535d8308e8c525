/**
 * @module `npm start [-- wrangler dev options]`: applies the D1 migrations to the local database,
 * then runs the worker under `wrangler dev --test-scheduled`. Which value of a var wins, highest
 * first: the environment of `npm start` (`ENABLED_FEEDS=github/hooks npm start`, an empty value
 * included), `.dev.vars`, `.env`, wrangler.toml `[vars]`. Plain `wrangler dev` ignores the
 * environment once `.dev.vars` exists; this script passes the files with `--env-file`, with which
 * wrangler lets the environment win, and an empty value with `--var NAME:`. DEV_COUNTERS is
 * "true" unless set. GITHUB_TOKEN (an optional secret wrangler dev would drop) is not passed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')
const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler')

/** The names wrangler.toml declares under `[vars]` and `[secrets] required`. */
export function declaredNames(toml: string): string[] {
  const names: string[] = []
  let section = ''
  for (const line of toml.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line)
    if (header !== null) {
      section = header[1]!.trim()
      continue
    }
    const assignment = /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line)
    if (section === 'vars' && assignment !== null) names.push(assignment[1]!)
    const required = /^\s*required\s*=\s*\[([^\]]*)\]/.exec(line)
    if (section === 'secrets' && required !== null) {
      names.push(...[...required[1]!.matchAll(/"([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1]!))
    }
  }
  return names
}

/** The `wrangler dev` arguments that give the environment precedence over the files. */
export function devArgs(
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  files: readonly string[],
): { args: string[]; fromEnvironment: string[] } {
  const args = files.flatMap((f) => ['--env-file', f])
  const fromEnvironment = names.filter((n) => env[n] !== undefined)
  for (const name of fromEnvironment) {
    // wrangler takes the environment over the files only for non-empty values.
    if (env[name] === '') args.push('--var', `${name}:`)
  }
  if (env['DEV_COUNTERS'] === undefined) args.push('--var', 'DEV_COUNTERS:true')
  return { args, fromEnvironment }
}

function main(): void {
  const names = declaredNames(readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8'))
  const files = ['.env', '.dev.vars'].filter((f) => existsSync(path.join(ROOT, f)))
  const { args, fromEnvironment } = devArgs(names, process.env, files)
  if (fromEnvironment.length > 0) {
    console.log(
      `npm start: ${fromEnvironment.join(', ')} from the environment${files.length > 0 ? ` (over ${files.join(', ')})` : ''}`,
    )
  }
  const migrate = spawnSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (migrate.status !== 0) process.exit(migrate.status ?? 1)
  const dev = spawn(WRANGLER, ['dev', '--test-scheduled', ...args, ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => dev.kill(signal))
  }
  dev.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)))
}

if (import.meta.filename === process.argv[1]) main()
