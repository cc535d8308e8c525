/**
 * @module The one allowlist-sync version: the CLI's `--version`, the Action's SARIF tool version,
 * the worker's status page and the upstream User-Agent all read it. A test
 * (test/shared/version.test.ts) fails when it differs from package.json's `version`.
 */

/** The allowlist-sync release version (semver), equal to package.json's `version`. */
export const VERSION = '0.1.0'
