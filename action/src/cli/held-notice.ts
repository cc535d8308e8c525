/** @module The one stderr line every CLI command prints for a held feed it applied anyway. */
import type { HeldOutcome } from '../../../shared/src/index.ts'

/**
 * `held: <guard>: <feed>: <reason>; applied version N (+A -R CIDRs): review it before you apply
 * it`: a held candidate is used (the CLI keeps no fetch history to wait on), and said so.
 */
export function heldNotice(o: HeldOutcome): string {
  const { added, removed } = o.change
  const plus = added.ipv4.length + added.ipv6.length
  const minus = removed.ipv4.length + removed.ipv6.length
  return `held: ${o.guard}: ${o.feed}: ${o.reason}; applied version ${o.candidate.version} (+${plus} -${minus} CIDRs): review it before you apply it\n`
}
