/**
 * @module Where the real published data lives (`../shared/fixtures`, beside the repository) and
 * how tests that need it skip, with a printed reason, in a user's clone that lacks it.
 */
import { existsSync, readFileSync } from 'node:fs'
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

/** Real published lists that changed, as (folder, older file, newer file) under `feeds/`. */
export const CHANGED_LIST_PAIRS: readonly (readonly [string, string, string])[] = [
  ['firezone', 'relay-ips.2024-06-10.json', 'relay-ips.2025-10-16.json'],
  ['aws', 'ip-ranges.2026-08-12-21-17-05.json', 'ip-ranges.2026-08-21-22-37-05.json'],
  ['github', 'meta.2026-02-05.json', 'meta.2026-03-03.json'],
]

/** Every CIDR-like string of a fixture under `feeds/`, whatever the file's shape. */
export function fixtureCidrs(dir: string, file: string): string[] {
  return readFileSync(fixturePath('feeds', dir, file), 'utf8').match(/[0-9a-f.:]+\/\d+/g) ?? []
}
