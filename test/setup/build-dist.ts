/**
 * @module Vitest global set-up: bundles the CLI and the Action from the current source into a
 * temporary folder, so process-level tests run what `npm run build` would commit (CI separately
 * checks that the committed action/dist equals it).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { bundle } from '../../action/build.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    distDir: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-test-dist-'))
  await bundle(dir)
  project.provide('distDir', dir)
  return () => rm(dir, { recursive: true, force: true })
}
