/** @module Apache 2.4: a `<RequireAny>` of `Require ip CIDR` lines (mod_authz_core + mod_authz_host). */
import { managedText, requireNonEmpty, type Prepared } from './prepare.ts'

/** For `Include FILE` inside a `<Directory>` or `<Location>`; one CIDR a line. */
export function renderApache(p: Prepared): string {
  requireNonEmpty(p)
  return managedText(p, [
    '<RequireAny>',
    ...[...p.ipv4, ...p.ipv6].map((c) => `    Require ip ${c}`),
    '</RequireAny>',
  ])
}
