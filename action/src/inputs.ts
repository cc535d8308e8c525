/**
 * @module The Action's inputs: every core.getInput call lives here, validated once into a typed
 * Inputs object. Empty inputs take the defaults action.yml documents (so a run without the
 * runner's defaults, e.g. a test, behaves the same).
 */
import * as core from '@actions/core'
import { DEFAULT_CONFIG_PATH } from './config.ts'

/** What `mode` selects. */
export type Mode = 'sync' | 'verify' | 'sync-and-verify'

/** The Action's inputs, validated. Lists are empty when not given; strings empty when unset. */
export interface Inputs {
  readonly config: string
  readonly token: string
  /** A worker's base URL; empty = the config's `source`, else upstream. */
  readonly source: string
  readonly mode: Mode
  readonly dryRun: boolean
  /** Empty = the config's, else `allowlist-sync/update`. */
  readonly branch: string
  /** Empty = the config's, else the default branch. */
  readonly base: string
  readonly labels: readonly string[] | undefined
  readonly reviewers: readonly string[] | undefined
  readonly teamReviewers: readonly string[] | undefined
  readonly assignees: readonly string[] | undefined
  readonly draft: boolean | undefined
  readonly commitMessage: string
  readonly title: string
  /** 0..100 */
  readonly maxRemovalPercent: number
  readonly allowMassRemoval: boolean
  /** Overwrite the branch even when it holds commits the action did not make. */
  readonly resetBranch: boolean
  /** Overwrite managed blocks whose lines were edited by hand (their sum= no longer matches). */
  readonly overwriteHandEdits: boolean
  /** Markdown appended to the PR body. */
  readonly bodyFooter: string
  /** Delete the branch when its PR is closed because nothing differs any more. */
  readonly deleteBranch: boolean
  /** Let targets lie under `.github/workflows/`. */
  readonly allowWorkflowFiles: boolean
  /** What a run where every feed was refused does: fail the step (default) or warn. */
  readonly onAllRefused: 'fail' | 'warn'
  /** The whole run's deadline, in seconds. */
  readonly timeoutSeconds: number
}

/** The default of `timeout-seconds`. */
export const DEFAULT_TIMEOUT_SECONDS = 600

/** An input with a bad value; the message names the input. */
export class InputValueError extends Error {
  override readonly name = 'InputValueError'
}

function bool(name: string, fallback: boolean): boolean
function bool(name: string, fallback: undefined): boolean | undefined
function bool(name: string, fallback: boolean | undefined): boolean | undefined {
  const v = core.getInput(name).trim().toLowerCase()
  if (v === '') return fallback
  if (v === 'true') return true
  if (v === 'false') return false
  throw new InputValueError(`input '${name}': '${v}' is not true or false`)
}

function list(name: string): string[] | undefined {
  const v = core.getInput(name)
  if (v.trim() === '') return undefined
  return v
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Reads and validates every input. Throws InputValueError naming the input. */
export function getInputs(): Inputs {
  const mode = core.getInput('mode').trim() || 'sync-and-verify'
  if (mode !== 'sync' && mode !== 'verify' && mode !== 'sync-and-verify')
    throw new InputValueError(`input 'mode': '${mode}' is not sync, verify or sync-and-verify`)
  const pct = core.getInput('max-removal-percent').trim()
  const maxRemovalPercent = pct === '' ? 50 : Number(pct)
  if (!Number.isFinite(maxRemovalPercent) || maxRemovalPercent < 0 || maxRemovalPercent > 100)
    throw new InputValueError(`input 'max-removal-percent': '${pct}' is not a number from 0 to 100`)
  const token = core.getInput('token')
  if (token !== '') core.setSecret(token)
  const timeout = core.getInput('timeout-seconds').trim()
  const timeoutSeconds = timeout === '' ? DEFAULT_TIMEOUT_SECONDS : Number(timeout)
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 21_600)
    throw new InputValueError(
      `input 'timeout-seconds': '${timeout}' is not a number of seconds from 1 to 21600 (6 hours, GitHub's job limit)`,
    )
  const onAllRefused = core.getInput('on-all-refused').trim() || 'fail'
  if (onAllRefused !== 'fail' && onAllRefused !== 'warn')
    throw new InputValueError(`input 'on-all-refused': '${onAllRefused}' is not fail or warn`)
  const source = core.getInput('source').trim()
  if (source !== '' && !/^https?:\/\/\S+$/.test(source))
    throw new InputValueError(`input 'source': '${source}' is not an http(s) URL`)
  return {
    config: core.getInput('config').trim() || DEFAULT_CONFIG_PATH,
    token,
    source,
    mode,
    dryRun: bool('dry-run', false),
    branch: core.getInput('branch').trim(),
    base: core.getInput('base').trim(),
    labels: list('labels'),
    reviewers: list('reviewers'),
    teamReviewers: list('team-reviewers'),
    assignees: list('assignees'),
    draft: bool('draft', undefined),
    commitMessage: core.getInput('commit-message').trim(),
    title: core.getInput('title').trim(),
    maxRemovalPercent,
    allowMassRemoval: bool('allow-mass-removal', false),
    resetBranch: bool('reset-branch', false),
    overwriteHandEdits: bool('overwrite-hand-edits', false),
    bodyFooter: core.getInput('body-footer').trim(),
    deleteBranch: bool('delete-branch', true),
    allowWorkflowFiles: bool('allow-workflow-files', false),
    onAllRefused,
    timeoutSeconds,
  }
}
