/**
 * @module Global set-up of the worker test project, run in Node before workerd starts: the
 * control server of support/test-server.ts, whose URL reaches the tests as the TEST_SERVER
 * binding (vitest.config.ts), and whether the shared fixtures exist (HAVE_FIXTURES).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startTestServer } from './support/test-server.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    testServerUrl: string
    haveFixtures: boolean
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer()
  project.provide('testServerUrl', server.url)
  const have = existsSync(path.resolve(import.meta.dirname, '../../../shared/fixtures/feeds'))
  if (!have) console.warn('skipping fixture-based worker tests: ../shared/fixtures is absent')
  project.provide('haveFixtures', have)
  return () => server.close()
}
