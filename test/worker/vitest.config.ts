/** @module The workerd test project: real D1 and Queues through @cloudflare/vitest-plugin. */
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineProject } from 'vitest/config'

const root = path.resolve(import.meta.dirname, '../..')

/** The test SECRETS_KEY: base64 of 32 fixed bytes. */
export const TEST_SECRETS_KEY = Buffer.from('allowlist-sync test key, 32 byte').toString('base64')

export default defineProject(async () => {
  const migrations = await readD1Migrations(path.join(root, 'worker/migrations'))
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: path.join(root, 'wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_SERVER: inject<string>('testServerUrl'),
            HAVE_FIXTURES: inject<boolean>('haveFixtures'),
            ADMIN_TOKEN: 'test-admin-token',
            // 32 bytes of test key material, base64 (never a real key).
            SECRETS_KEY: TEST_SECRETS_KEY,
            GITHUB_TOKEN: '',
            // Tests receive webhooks on loopback.
            ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
            // Never real upstream: a sync that forgets its test mirror fails on a closed port.
            UPSTREAM_MIRROR: 'http://127.0.0.1:9',
          },
        },
      })),
    ],
    test: {
      name: 'worker',
      include: ['test/worker/**/*.test.ts'],
      root,
      globalSetup: [path.join(import.meta.dirname, 'global-setup.ts')],
      setupFiles: [path.join(import.meta.dirname, 'apply-migrations.ts')],
      testTimeout: 30_000,
    },
  }
})
