/** @module Set-up file (inside workerd): applies worker/migrations to the test D1 once per file. */
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
