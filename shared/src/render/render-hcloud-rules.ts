/**
 * @module Hetzner Cloud: the rules JSON for `hcloud firewall replace-rules --rules-file FILE NAME`
 * (the API's Rule objects), within the API's limits.
 */
import type { Prepared } from './prepare.ts'
import { hcloudRules } from './hcloud-rules.ts'

/**
 * A JSON array of inbound rules (see hcloudRules). replace-rules replaces every rule of the
 * firewall, so the file must be the firewall's whole inbound policy for these sources.
 */
export function renderHcloudRules(p: Prepared): string {
  return `${JSON.stringify(hcloudRules(p), null, 2)}\n`
}
