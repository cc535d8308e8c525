#!/usr/bin/env node
/**
 * @module The `allowlist-sync` executable: the real process edges handed to main(); a `verify`
 * over big configs runs this same file again in a worker thread (verify-thread.ts).
 */
import { processIo } from './io.ts'
import { main } from './main.ts'
import { runInThread, wantsThread } from './verify-thread.ts'

const { isMainThread } = process.getBuiltinModule('node:worker_threads')
const argv = process.argv.slice(2)
process.exitCode =
  isMainThread && wantsThread(argv, process.env.ALLOWLIST_SYNC_VERIFY_THREAD_FROM)
    ? await runInThread(new URL(import.meta.url), argv)
    : await main(argv, processIo())
