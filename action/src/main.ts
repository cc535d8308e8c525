/**
 * @module run(): inputs -> orchestrator -> outputs, summary, annotations and the SARIF file.
 * The only try/catch of the Action: any thrown value becomes setFailed(text). The runner's facts
 * come from @actions/github's context; the network (feeds and API alike) honours the proxy
 * variables; the whole run stops at the `timeout-seconds` deadline.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as core from '@actions/core'
import { context } from '@actions/github'
import { ConfigError } from './config.ts'
import { GitHubClient } from './github.ts'
import { getInputs } from './inputs.ts'
import { createNetFetch } from './net-fetch.ts'
import { selectAnnotations } from './summary.ts'
import { runSync, type RunEnv, type SyncResult } from './sync.ts'

interface EventPayload {
  repository?: { default_branch?: string }
  pull_request?: { head?: { sha?: string } }
}

function runEnv(env: NodeJS.ProcessEnv): RunEnv {
  const event = context.payload as EventPayload
  const verifySha = event.pull_request?.head?.sha ?? context.sha
  return {
    ...(env.UPSTREAM_MIRROR ? { mirror: env.UPSTREAM_MIRROR } : {}),
    ...(event.repository?.default_branch ? { defaultBranch: event.repository.default_branch } : {}),
    ...(verifySha ? { verifySha } : {}),
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? { runUrl: `${context.serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${context.runId}` }
      : {}),
  }
}

/** A deadline `seconds` from now: its signal aborts with an AbortError naming the input. */
function deadlineIn(seconds: number) {
  const controller = new AbortController()
  const end = Date.now() + seconds * 1000
  const text = `the run's deadline of ${seconds} s (input 'timeout-seconds') passed`
  const timer = setTimeout(
    () => controller.abort(new DOMException(text, 'AbortError')),
    seconds * 1000,
  )
  timer.unref()
  return { signal: controller.signal, remainingMs: () => end - Date.now(), text }
}

function annotate(result: SyncResult): void {
  for (const f of selectAnnotations(result.findings).shown) {
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
}

async function emit(result: SyncResult, env: NodeJS.ProcessEnv): Promise<void> {
  const o = result.outputs
  const outputs = new Map<string, string>([
    ['changed', String(o.changed)],
    ['pull-request-number', o.pullRequestNumber === undefined ? '' : String(o.pullRequestNumber)],
    ['pull-request-url', o.pullRequestUrl ?? ''],
    ['pull-request-operation', o.operation],
    ['pull-request-head-sha', o.pullRequestHeadSha ?? ''],
    ['pull-request-branch', o.pullRequestBranch ?? ''],
    ['added', String(o.added)],
    ['removed', String(o.removed)],
    ['violations', String(o.violations)],
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
}

/** Runs the Action once; never throws (failures go to setFailed). */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const inputs = getInputs()
    if (!env.GITHUB_REPOSITORY)
      throw new Error('GITHUB_REPOSITORY is not set: run this inside GitHub Actions')
    if (!inputs.token) throw new Error("input 'token' is empty")
    const deadline = deadlineIn(inputs.timeoutSeconds)
    const net = createNetFetch(env)
    const feedFetch: typeof fetch = (url, init) =>
      net(url, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal,
      })
    const client = new GitHubClient({
      token: inputs.token,
      repository: env.GITHUB_REPOSITORY,
      baseUrl: context.apiUrl,
      warn: (m) => core.warning(m),
      fetch: net,
      deadline,
    })
    const result = await runSync({
      inputs,
      client,
      fetch: feedFetch,
      now: Date.now,
      env: runEnv(env),
      log: { info: (m) => core.info(m), warning: (m) => core.warning(m) },
    })
    annotate(result)
    await emit(result, env)
    if (result.failure) core.setFailed(result.failure)
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
