/**
 * @module Traefik v3 dynamic configuration (file provider, YAML): the HTTP middleware NAME with
 * `ipAllowList.sourceRange` (v2's `ipWhiteList` was renamed in v3).
 */
import { requireNonEmpty, type Prepared } from './prepare.ts'

/** Every scalar is a JSON string, which YAML reads as a double-quoted scalar: nothing to inject. */
export function renderTraefik(p: Prepared): string {
  requireNonEmpty(p)
  return [
    ...p.header,
    'http:',
    '  middlewares:',
    `    ${JSON.stringify(p.name)}:`,
    '      ipAllowList:',
    '        sourceRange:',
    ...[...p.ipv4, ...p.ipv6].map((c) => `          - ${JSON.stringify(c)}`),
    '',
  ].join('\n')
}
