/** @module Bindings the test project adds to the worker's Env (test/worker/vitest.config.ts). */
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
    /** The control server of support/test-server.ts. */
    TEST_SERVER: string
    HAVE_FIXTURES: boolean
  }
}
