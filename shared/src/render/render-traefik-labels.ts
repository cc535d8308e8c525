/**
 * @module Traefik v3 Docker labels (docker provider; Coolify's per-service proxy labels): one
 * `key=value` a line, as `docker run --label-file` and Coolify's label field take them.
 */
import { managedText, type Prepared } from './prepare.ts'
import { sourceRange, traefikNotes } from './render-traefik.ts'

/**
 * A managed block of labels defining the middleware for HTTP and TCP routers; sourcerange is a
 * comma-separated list (Traefik splits label lists on commas). Keys are the documented
 * lower-case spelling; Traefik reads label keys case-insensitively.
 */
export function renderTraefikLabels(p: Prepared): string {
  const range = sourceRange(p).join(', ')
  const lines = [
    `traefik.http.middlewares.${p.name}.ipallowlist.sourcerange=${range}`,
    `traefik.tcp.middlewares.${p.name}.ipallowlist.sourcerange=${range}`,
  ]
  const s = p.ipStrategy
  if (s?.depth !== undefined)
    lines.push(`traefik.http.middlewares.${p.name}.ipallowlist.ipstrategy.depth=${s.depth}`)
  if (s?.excludedIPs !== undefined)
    lines.push(
      `traefik.http.middlewares.${p.name}.ipallowlist.ipstrategy.excludedips=${s.excludedIPs.join(', ')}`,
    )
  return managedText(p, lines, traefikNotes(p, `${p.name}@docker`))
}
