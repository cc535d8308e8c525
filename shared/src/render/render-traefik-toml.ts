/**
 * @module Traefik v3 dynamic configuration (file provider, TOML): the twin of the YAML format,
 * `[http.middlewares.NAME.ipAllowList]` and `[tcp.middlewares.NAME.ipAllowList]`.
 */
import type { Prepared } from './prepare.ts'
import { sourceRange, traefikNotes } from './render-traefik.ts'

/** TOML basic strings are JSON strings for our ASCII values; NAME is a valid bare key. */
export function renderTraefikToml(p: Prepared): string {
  const range = [
    '  sourceRange = [',
    ...sourceRange(p).map((c) => `    ${JSON.stringify(c)},`),
    '  ]',
  ]
  const strategy: string[] = []
  const s = p.ipStrategy
  if (s !== undefined) {
    strategy.push('', `[http.middlewares.${p.name}.ipAllowList.ipStrategy]`)
    if (s.depth !== undefined) strategy.push(`  depth = ${s.depth}`)
    else
      strategy.push(
        '  excludedIPs = [',
        ...s.excludedIPs!.map((c) => `    ${JSON.stringify(c)},`),
        '  ]',
      )
  }
  return [
    ...p.header,
    ...traefikNotes(p, `[${p.name}@file]`),
    `[http.middlewares.${p.name}.ipAllowList]`,
    ...range,
    ...strategy,
    '',
    `[tcp.middlewares.${p.name}.ipAllowList]`,
    ...range,
    '',
  ].join('\n')
}
