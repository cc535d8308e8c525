/** @module Plain text: one canonical CIDR a line, IPv4 then IPv6, inside a managed block. */
import { managedText, type Prepared } from './prepare.ts'

/** An empty set renders as the header alone (nothing to enforce, so nothing refused). */
export function renderTxt(p: Prepared): string {
  return managedText(p, [...p.ipv4, ...p.ipv6])
}
