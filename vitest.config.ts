/** @module Two test projects: node (shared, action, cross-piece) and worker (inside workerd). */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
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
