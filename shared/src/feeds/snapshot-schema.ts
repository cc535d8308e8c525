/**
 * @module The one schema of a Snapshot as JSON (DESIGN.md): what `allowlist-sync fetch --json`
 * prints and `--previous` reads, what the worker serves at `GET /v1/feeds/:provider/:list`, and
 * what the Action reads from a worker source. The published action/snapshot.schema.json is
 * generated from it (`npm run schemas`). Shape only: whether the lists are canonical CIDRs of
 * their family is the IP parser's and the guards' business.
 */
import { z } from 'zod'
import type { Snapshot } from './types.ts'

/** A Snapshot as JSON; extra keys (a served snapshot's `held`) are allowed and dropped. */
export const snapshotSchema = z.object({
  feed: z.string().min(1).describe('The feed id, e.g. github/hooks.'),
  // Integers and strings only, as `--previous` has always read them: a lock or an old output
  // with a version 0 or an abbreviated hash still gives its lists; the guards judge the rest.
  version: z
    .int()
    .describe('1 for the first snapshot; one more each time the canonical lists change.'),
  sha256: z.string().describe('Lower-case hex SHA-256 of JSON.stringify([ipv4, ipv6]).'),
  fetchedAt: z.string().describe('ISO 8601 (UTC) time of the last successful fetch.'),
  changedAt: z.string().describe('ISO 8601 (UTC) time at which this version was first seen.'),
  source: z.string().describe('The upstream URL(s) read, separated by one space.'),
  ipv4: z.array(z.string()).describe('Canonical IPv4 CIDRs, merged and sorted.'),
  ipv6: z.array(z.string()).describe('Canonical IPv6 CIDRs (RFC 5952), merged and sorted.'),
  upstreamVersion: z
    .object({ field: z.string(), value: z.string() })
    .optional()
    .describe("The publisher's own version marker (display only; not part of sha256)."),
}) satisfies z.ZodType<Snapshot>

/** The published JSON Schema (draft-07) of a snapshot, generated from {@link snapshotSchema}. */
export function snapshotJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(snapshotSchema, { target: 'draft-07', io: 'input' })
  return {
    $schema,
    $id: 'https://github.com/allowlist-sync/allowlist-sync/action/snapshot.schema.json',
    title: 'allowlist-sync feed snapshot',
    description:
      'The canonical state of a feed: `allowlist-sync fetch --json` and `--previous`, and the worker API (GET /v1/feeds/PROVIDER/LIST).',
    ...rest,
  }
}
