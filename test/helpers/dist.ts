/** @module Paths to the bundles built for this test run by test/setup/build-dist.ts. */
import path from 'node:path'
import { inject } from 'vitest'

/** The bundled `allowlist-sync` CLI, run with `process.execPath`. */
export function cliPath(): string {
  return path.join(inject('distDir'), 'cli/cli.js')
}

/** The bundled Action entry (`action/dist/index.js` as built from the current source). */
export function actionPath(): string {
  return path.join(inject('distDir'), 'index.js')
}
