/** @module The Action's inputs as action.yml's defaults give them, for in-process tests. */
import type { Inputs } from '../../action/src/inputs.ts'

/** Default inputs with `over` applied. */
export function testInputs(over: Partial<Inputs> = {}): Inputs {
  return {
    config: '.github/allowlist-sync.yml',
    token: 'test-token',
    source: '',
    mode: 'sync-and-verify',
    dryRun: false,
    branch: '',
    base: '',
    labels: undefined,
    reviewers: undefined,
    teamReviewers: undefined,
    assignees: undefined,
    draft: undefined,
    commitMessage: '',
    title: '',
    maxRemovalPercent: 50,
    allowMassRemoval: false,
    resetBranch: false,
    overwriteHandEdits: false,
    bodyFooter: '',
    deleteBranch: true,
    allowWorkflowFiles: false,
    onAllRefused: 'fail',
    timeoutSeconds: 600,
    ...over,
  }
}
