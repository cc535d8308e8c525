/**
 * @module Runs the bundled Action as the runner does: a child process of Node 24 with INPUT_*
 * (upper-cased names, hyphens kept), GITHUB_* and RUNNER_TEMP, then reads GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY back.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** What one run of the Action left behind. */
export interface ActionRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly summary: string
  readonly tempDir: string
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM` and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const value: string[] = []
      while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]!)
      out[heredoc[1]!] = value.join('\n')
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return out
}

/** Options of {@link runAction}. */
export interface RunActionOptions {
  /** Input name (as in action.yml) to value. */
  readonly inputs: Readonly<Record<string, string>>
  readonly repository: string
  readonly apiUrl: string
  readonly mirror?: string
  /** The event payload written to GITHUB_EVENT_PATH. */
  readonly event?: unknown
  readonly env?: Readonly<Record<string, string>>
  /** The bundled action (actionPath() in tests). */
  readonly script: string
}

/** Runs the Action once and collects its outputs and summary. */
export async function runAction(o: RunActionOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-run-'))
  const files = {
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary.md'),
    event: path.join(dir, 'event.json'),
  }
  await Promise.all([
    writeFile(files.output, ''),
    writeFile(files.summary, ''),
    writeFile(files.event, JSON.stringify(o.event ?? { repository: { default_branch: 'main' } })),
  ])
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: o.repository,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_WORKSPACE: dir,
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: dir,
    ...(o.mirror ? { UPSTREAM_MIRROR: o.mirror } : {}),
    ...o.env,
  }
  for (const [name, value] of Object.entries(o.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  const child = spawn(process.execPath, [o.script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
    tempDir: dir,
  }
}
