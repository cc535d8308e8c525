/** @module Terraform: a `*.auto.tfvars.json` file with the list variables NAME_ipv4 and NAME_ipv6. */
import { requireNonEmpty, underscored, type Prepared } from './prepare.ts'

/**
 * tfvars JSON has no comment syntax (a "//" key would be an undeclared variable), so the file
 * carries only the two variables; `-` in the name becomes `_`.
 */
export function renderTerraform(p: Prepared): string {
  requireNonEmpty(p)
  const base = underscored(p.name)
  return `${JSON.stringify({ [`${base}_ipv4`]: p.ipv4, [`${base}_ipv6`]: p.ipv6 }, null, 2)}\n`
}
