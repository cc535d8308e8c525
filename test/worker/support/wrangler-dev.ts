/**
 * @module Runs in Node: starts the worker the way a user does, `npm start` in a fresh copy of the
 * repository (its tracked files only, so no .wrangler state or .dev.vars), on a free loopback
 * port, and stops it; and another Worker under the same wrangler (the benchmark's peer). Used by
 * test/e2e/worker-*.test.ts and test/bench/worker.bench.ts.
 */
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../../helpers/free-port.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')

/**
 * Copies the repository's files that git does not ignore (as they are in the working tree) into a new temp dir,
 * with node_modules linked: what `git clone` + `npm install` gives, without the network.
 */
export function freshCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-worker-clone-'))
  // Tracked files and new ones not yet committed, never ignored ones (.wrangler, .dev.vars).
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT },
  )
    .toString('utf8')
    .split('\0')
    .filter((f) => f !== '' && existsSync(path.join(ROOT, f)))
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    cpSync(path.join(ROOT, file), path.join(dir, file))
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

/** The environment a user's shell would have: without the test runner's own variables. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|TEST$|NODE_ENV$|__VITEST)/.test(k)),
  )
}

/** A running `npm start` (or another `wrangler dev`). */
export interface WorkerDev {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** Everything it printed so far. */
  readonly output: () => string
  stop(): Promise<void>
}

/**
 * `npm start -- --ip 127.0.0.1 --port P [args]` in a fresh copy, with `env` added to the environment
 * (e.g. UPSTREAM_MIRROR) and `files` written into it; resolves once /healthz answers, rejects
 * after `timeoutMs`.
 */
export async function startWorkerDev(
  env: Record<string, string> = {},
  {
    timeoutMs = 90_000,
    args = [],
    files = {},
  }: {
    timeoutMs?: number
    args?: readonly string[]
    /** Files written into the copy first, e.g. a `.dev.vars` (which git ignores). */
    files?: Readonly<Record<string, string>>
  } = {},
): Promise<WorkerDev> {
  const dir = freshCopy()
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return startDevServer(dir, 'npm', ['start', '--'], args, env, '/healthz', timeoutMs)
}

/**
 * `wrangler dev --config CONFIG` of another Worker (the benchmark's hello-world peer), run by the
 * project's wrangler in a copy of the config's folder; resolves once `/` answers.
 */
export async function startOtherWorkerDev(
  configDir: string,
  timeoutMs = 90_000,
): Promise<WorkerDev> {
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-worker-other-'))
  cpSync(configDir, dir, { recursive: true })
  const wrangler = path.join(ROOT, 'node_modules/.bin/wrangler')
  const args = ['dev', '--config', path.join(dir, 'wrangler.toml')]
  return startDevServer(dir, wrangler, args, [], {}, '/', timeoutMs)
}

async function startDevServer(
  dir: string,
  command: string,
  commandArgs: readonly string[],
  args: readonly string[],
  env: Record<string, string>,
  probe: string,
  timeoutMs: number,
): Promise<WorkerDev> {
  const [port, inspector] = [await freePort(), await freePort()]
  let output = ''
  const child: ChildProcess = spawn(
    command,
    [
      ...commandArgs,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      ...args,
    ],
    {
      cwd: dir,
      detached: true, // its own process group: stop() ends npm, wrangler and workerd together
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...userEnv(), WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1', ...env },
    },
  )
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || /Build failed/.test(output)) {
      await stop()
      throw new Error(`${command} failed (exit ${child.exitCode}):\n${output}`)
    }
    try {
      const res = await fetch(`${url}${probe}`, { signal: AbortSignal.timeout(2000) })
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${command} did not answer ${probe} within ${timeoutMs} ms:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, output: () => output, stop }
}

/**
 * Fires the cron of a `wrangler dev` (`GET /__scheduled`) and waits until its sync messages were
 * consumed: every enabled feed in `/v1/feeds` has a check from after the cron fired. The cron only
 * enqueues (worker/src/jobs/sync-queue.ts); the local sync queue delivers its messages within
 * max_batch_timeout. Resolves to that `/v1/feeds` listing; rejects after `timeoutMs`, naming the
 * feeds still waiting.
 */
export async function runCronAndWait<
  F extends { id: string; enabled?: boolean; lastOutcome: { at?: string } | null },
>(url: string, timeoutMs = 60_000): Promise<F[]> {
  // Same clock as the worker's: a check of this run is stamped at or after this instant.
  const since = new Date().toISOString()
  const fired = await fetch(`${url}/__scheduled?cron=*/15+*+*+*+*`)
  if (fired.status !== 200) throw new Error(`GET /__scheduled answered ${fired.status}`)
  const deadline = Date.now() + timeoutMs
  let waiting: string[] = []
  while (Date.now() < deadline) {
    const { feeds } = (await (await fetch(`${url}/v1/feeds`)).json()) as { feeds: F[] }
    waiting = feeds
      .filter((f) => f.enabled !== false && (f.lastOutcome?.at ?? '') < since)
      .map((f) => f.id)
    if (waiting.length === 0) return feeds
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the cron's syncs did not finish in ${timeoutMs} ms: ${waiting.join(', ')}`)
}
