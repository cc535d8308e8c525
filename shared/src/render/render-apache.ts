/** @module Apache 2.4: a `<RequireAny>` of `Require ip CIDR` lines (mod_authz_core + mod_authz_host). */
import { managedText, requireNonEmpty, type Prepared } from './prepare.ts'

/**
 * CIDRs per `Require ip` line: one directive per CIDR makes `apache2 -t` take 30 s for 50,000
 * (measured); 100 keeps lines under 4.5 kB, far below Apache's 8 kB line limit.
 */
export const APACHE_PER_LINE = 100

/** For `Include FILE` inside a `<Directory>` or `<Location>`. */
export function renderApache(p: Prepared): string {
  requireNonEmpty(p)
  const all = [...p.ipv4, ...p.ipv6]
  const lines: string[] = []
  for (let i = 0; i < all.length; i += APACHE_PER_LINE) {
    lines.push(`    Require ip ${all.slice(i, i + APACHE_PER_LINE).join(' ')}`)
  }
  return managedText(p, ['<RequireAny>', ...lines, '</RequireAny>'])
}
