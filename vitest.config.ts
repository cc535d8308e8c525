/**
 * @module Two test projects: node (shared, action, cross-piece) and worker (inside workerd).
 * Coverage of shared/ is measured over both, and enforced (STYLE: 100% lines and branches) where
 * the whole suite runs: beside ../shared/fixtures, as in CI, which also installs every tool. A
 * user's clone skips the fixture tests, so there it is reported only.
 */
import { defineConfig } from 'vitest/config'
import { HAVE_FIXTURES } from './test/helpers/fixtures.ts'

export default defineConfig({
  test: {
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['shared/src/**/*.ts'],
      exclude: ['shared/src/**/*.wasm.ts'],
      reporter: ['text-summary', ['json-summary', { file: 'coverage-summary.json' }], 'html'],
      reportsDirectory: 'test-results/coverage',
      thresholds: HAVE_FIXTURES ? { lines: 100, branches: 100 } : {},
    },
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/setup/build-dist.ts'],
          exclude: ['test/worker/**', '**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      './test/worker/vitest.config.ts',
    ],
  },
})
