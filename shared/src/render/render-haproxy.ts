/** @module HAProxy: an ACL pattern file, one CIDR a line, for `acl NAME src -f FILE`. */
import { managedText, requireNonEmpty, type Prepared } from './prepare.ts'

/** The referencing configuration lines are in the header comments. */
export function renderHaproxy(p: Prepared): string {
  requireNonEmpty(p)
  return managedText(
    p,
    [...p.ipv4, ...p.ipv6],
    [
      '# reference it from haproxy.cfg (frontend or listen section):',
      `#   acl ${p.name} src -f /etc/haproxy/${p.name}.acl`,
      `#   http-request deny unless ${p.name}      (mode http)`,
      `#   tcp-request connection reject unless ${p.name}      (mode tcp)`,
    ],
  )
}
