/**
 * @module The config's JSON Schema: action/allowlist-sync.schema.json (what editors complete
 * from) with its lists of names taken from shared/ at run time: the output formats (FORMAT_IDS)
 * and the policy presets (PRESET_IDS), so a new format or preset is valid the day it is added.
 * A test checks that the committed file lists the same names
 * (`node test/scripts/write-config-schema.ts` rewrites it).
 */
import { FORMAT_IDS, PRESET_IDS } from '../../shared/src/index.ts'
import schema from '../allowlist-sync.schema.json' with { type: 'json' }

/** The most targets one config may have (one reviewable PR; GitHub's content-creation limits). */
export const MAX_TARGETS = 100

interface MutableSchema {
  properties: {
    targets: {
      maxItems?: number
      items: { properties: { format: { enum?: readonly string[] } } }
    }
    policies: { items: { properties: { preset: { enum?: readonly string[] } } } }
  }
}

/** The schema with the current formats, presets and target limit. */
export function configSchema(): typeof schema {
  const copy = structuredClone(schema) as unknown as MutableSchema
  copy.properties.targets.items.properties.format.enum = [...FORMAT_IDS]
  copy.properties.targets.maxItems = MAX_TARGETS
  copy.properties.policies.items.properties.preset.enum = [...PRESET_IDS]
  return copy as unknown as typeof schema
}
