/**
 * @module Rewrites action/allowlist-sync.schema.json with the formats, presets and target limit
 * the code has (config-schema.ts), formatted as Prettier formats it. Run after adding a format or
 * a preset: `node test/scripts/write-config-schema.ts` (test/action/config.test.ts fails until then).
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { format } from 'prettier'
import { configSchema } from '../../action/src/config-schema.ts'

const file = path.resolve(import.meta.dirname, '../../action/allowlist-sync.schema.json')
await writeFile(
  file,
  await format(JSON.stringify(configSchema(), null, 2), { parser: 'json', filepath: file }),
)
console.log(`wrote ${path.relative(process.cwd(), file)}`)
