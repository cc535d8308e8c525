/**
 * @module Traefik v3 dynamic configuration (file provider, YAML): the middleware NAME with
 * `ipAllowList.sourceRange` for HTTP routers and for TCP routers (v2 called it `ipWhiteList`).
 */
import { requireNonEmpty, type Prepared } from './prepare.ts'

/** The comment lines every Traefik format carries: how to use it, and the v2 name. */
export function traefikNotes(p: Prepared, reference: string): string[] {
  const lines = [
    `# Attach it to a router: middlewares ${reference} (HTTP routers use http.middlewares, TCP`,
    '# routers tcp.middlewares; both are defined). Traefik v2 names this middleware ipWhiteList:',
    '# v2 users rename ipAllowList to ipWhiteList (and ipallowlist to ipwhitelist in labels).',
  ]
  if (p.ipStrategy !== undefined)
    lines.push(
      '# ipStrategy (HTTP only; TCP sees the connecting address): the client address comes from',
      '# X-Forwarded-For, so only proxies you run in front of Traefik may reach its entry point.',
    )
  return lines
}

/** The sources, IPv4 then IPv6, for sourceRange. */
export function sourceRange(p: Prepared): string[] {
  requireNonEmpty(p)
  return [...p.ipv4, ...p.ipv6]
}

/** YAML lines of `ipStrategy` at `indent`, or none. Scalars are JSON strings (inert in YAML). */
export function yamlIpStrategy(p: Prepared, indent: string): string[] {
  const s = p.ipStrategy
  if (s === undefined) return []
  if (s.depth !== undefined) return [`${indent}ipStrategy:`, `${indent}  depth: ${s.depth}`]
  return [
    `${indent}ipStrategy:`,
    `${indent}  excludedIPs:`,
    ...s.excludedIPs!.map((c) => `${indent}    - ${JSON.stringify(c)}`),
  ]
}

/** Every scalar is a JSON string, which YAML reads as a double-quoted scalar: nothing to inject. */
export function renderTraefik(p: Prepared): string {
  const range = sourceRange(p).map((c) => `          - ${JSON.stringify(c)}`)
  const name = `    ${JSON.stringify(p.name)}:`
  return [
    ...p.header,
    ...traefikNotes(p, `[${p.name}@file]`),
    'http:',
    '  middlewares:',
    name,
    '      ipAllowList:',
    '        sourceRange:',
    ...range,
    ...yamlIpStrategy(p, '        '),
    'tcp:',
    '  middlewares:',
    name,
    '      ipAllowList:',
    '        sourceRange:',
    ...range,
    '',
  ].join('\n')
}
