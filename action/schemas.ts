/**
 * @module Writes the published JSON Schema files from their zod schemas, formatted as Prettier
 * formats them: action/allowlist-sync.schema.json from the config schema (config-schema.ts),
 * action/snapshot.schema.json and action/policy.schema.json from shared/ (snapshot-schema.ts,
 * policy-schema.ts).
 * `npm run schemas` rewrites them; `npm run check:schemas` (CI) fails when one is not current.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { format, resolveConfig } from 'prettier'
import { policyJsonSchema, snapshotJsonSchema } from '../shared/src/index.ts'
import { configJsonSchema } from './src/config-schema.ts'

const root = path.resolve(import.meta.dirname, '..')

/** Each published schema file (repository-relative) and what it should hold. */
export const SCHEMA_FILES: Readonly<Record<string, () => Record<string, unknown>>> = {
  'action/allowlist-sync.schema.json': configJsonSchema,
  'action/snapshot.schema.json': snapshotJsonSchema,
  'action/policy.schema.json': policyJsonSchema,
}

/** The text a schema file should have. */
export async function schemaText(file: string): Promise<string> {
  const schema = SCHEMA_FILES[file]!()
  const filepath = path.join(root, file)
  const options = await resolveConfig(filepath)
  return format(JSON.stringify(schema, null, 2), { ...options, parser: 'json', filepath })
}

if (import.meta.main) {
  const check = process.argv.includes('--check')
  const stale: string[] = []
  for (const file of Object.keys(SCHEMA_FILES)) {
    const want = await schemaText(file)
    const target = path.join(root, file)
    if (!check) {
      await writeFile(target, want)
      console.log(`wrote ${file}`)
    } else if ((await readFile(target, 'utf8').catch(() => '')) !== want) stale.push(file)
  }
  if (stale.length > 0) {
    console.error(`not current: ${stale.join(', ')}; run \`npm run schemas\` and commit the result`)
    process.exitCode = 1
  }
}
