/** @module The Action's entry (bundled into action/dist/index.js): runs main. */
import { run } from './main.ts'

await run()
