/** @module nginx: `allow CIDR;` lines and a final `deny all;` (ngx_http_access_module). */
import { managedText, requireNonEmpty, type Prepared } from './prepare.ts'

/** For `include FILE;` inside an `http`, `server` or `location` block. */
export function renderNginx(p: Prepared): string {
  requireNonEmpty(p)
  return managedText(p, [...[...p.ipv4, ...p.ipv6].map((c) => `allow ${c};`), 'deny all;'])
}
