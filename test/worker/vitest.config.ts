/** @module The workerd test project: real D1 and Queues through @cloudflare/vitest-plugin. */
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineProject } from 'vitest/config'

const root = path.resolve(import.meta.dirname, '../..')

export default defineProject(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, 'wrangler.toml') },
      miniflare: {
        bindings: { TEST_MIGRATIONS: await readD1Migrations(path.join(root, 'worker/migrations')) },
      },
    }),
  ],
  test: { name: 'worker', include: ['test/worker/**/*.test.ts'], root },
}))
