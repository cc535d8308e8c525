/**
 * @module run(): inputs -> orchestrator -> outputs, summary, annotations and the SARIF file.
 * The only try/catch of the Action: any thrown value becomes setFailed(text).
 */
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as core from '@actions/core'
import { ConfigError } from './config.ts'
import { GitHubClient } from './github.ts'
import { getInputs } from './inputs.ts'
import { selectAnnotations } from './summary.ts'
import { runSync, type RunEnv } from './sync.ts'

interface EventPayload {
  repository?: { default_branch?: string }
  pull_request?: { head?: { sha?: string } }
}

function readEvent(file: string | undefined): EventPayload {
  if (!file) return {}
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EventPayload
  } catch {
    return {}
  }
}

function runEnv(env: NodeJS.ProcessEnv): RunEnv {
  const event = readEvent(env.GITHUB_EVENT_PATH)
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  return {
    ...(env.UPSTREAM_MIRROR ? { mirror: env.UPSTREAM_MIRROR } : {}),
    ...(event.repository?.default_branch ? { defaultBranch: event.repository.default_branch } : {}),
    ...((event.pull_request?.head?.sha ?? env.GITHUB_SHA)
      ? { verifySha: event.pull_request?.head?.sha ?? env.GITHUB_SHA }
      : {}),
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? { runUrl: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` }
      : {}),
  }
}

/** Runs the Action once; never throws (failures go to setFailed). */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const inputs = getInputs()
    const repository = env.GITHUB_REPOSITORY
    if (!repository) throw new Error('GITHUB_REPOSITORY is not set: run this inside GitHub Actions')
    if (!inputs.token) throw new Error("input 'token' is empty")
    const client = new GitHubClient({
      token: inputs.token,
      repository,
      baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      warn: (m) => core.warning(m),
    })
    const result = await runSync({
      inputs,
      client,
      fetch: globalThis.fetch,
      now: Date.now,
      env: runEnv(env),
      log: { info: (m) => core.info(m), warning: (m) => core.warning(m) },
    })
    const { shown } = selectAnnotations(result.findings)
    for (const f of shown) {
      const props = {
        title: `${f.policy}: ${f.rule}`,
        ...(f.file === undefined ? {} : { file: f.file }),
        ...(f.line === undefined ? {} : { startLine: f.line }),
      }
      const text = `${f.message}${f.hint ? `\n${f.hint}` : ''}`
      if (f.severity === 'error') core.error(text, props)
      else if (f.severity === 'warning') core.warning(text, props)
      else core.notice(text, props)
    }
    const outputs = new Map<string, string>([
      ['changed', String(result.outputs.changed)],
      [
        'pull-request-number',
        result.outputs.pullRequestNumber === undefined
          ? ''
          : String(result.outputs.pullRequestNumber),
      ],
      ['pull-request-url', result.outputs.pullRequestUrl ?? ''],
      ['pull-request-operation', result.outputs.operation],
      ['added', String(result.outputs.added)],
      ['removed', String(result.outputs.removed)],
      ['violations', String(result.outputs.violations)],
      ['sarif-file', ''],
    ])
    if (result.sarif) {
      const dir = env.RUNNER_TEMP || env.GITHUB_WORKSPACE || '.'
      const file = path.join(dir, 'allowlist-sync.sarif')
      await mkdir(dir, { recursive: true })
      await writeFile(file, `${JSON.stringify(result.sarif, null, 2)}\n`)
      outputs.set('sarif-file', file)
    }
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.summary).write()
    for (const [name, value] of outputs) core.setOutput(name, value)
    if (inputs.mode === 'verify' && result.outputs.violations > 0)
      core.setFailed(
        `${result.outputs.violations} port-policy violation(s); see the annotations and the job summary`,
      )
  } catch (error) {
    const text =
      error instanceof ConfigError
        ? `invalid config:\n${error.lines.join('\n')}`
        : error instanceof Error
          ? error.message
          : typeof error === 'string'
            ? error
            : (JSON.stringify(error) ?? String(error))
    core.setFailed(text)
  }
}
