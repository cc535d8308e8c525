/**
 * @module Where the real published data lives (`../shared/fixtures`, beside the repository) and
 * how tests that need it skip, with a printed reason, in a user's clone that lacks it.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'

/** The shared fixtures folder; tests never copy its files into the repository. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures')

/** Whether the shared fixtures are present. */
export const HAVE_FIXTURES = existsSync(FIXTURES_DIR)

/** A path inside the shared fixtures folder. */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts)
}

if (!HAVE_FIXTURES) {
  console.warn(`skipping fixture-based tests: ${FIXTURES_DIR} is absent (a user's clone)`)
}
