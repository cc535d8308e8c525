/** @module `443`, `443/tcp`, `8000-8100/udp` -> a PortSpec, in the project's one port grammar. */
import { parsePortText } from '../parse-port-text.ts'
import { RenderError } from './render-error.ts'
import type { PortSpec } from './types.ts'

const WHY = {
  syntax: 'not a port',
  bounds: 'ports are 1-65535',
  reversed: 'a range runs from low to high',
} as const

/**
 * Parses a port argument: `N`, `N/tcp`, `N/udp`, or an inclusive range `A-B` / `A:B` with an
 * optional protocol. The protocol defaults to tcp. Throws RenderError ERR_RENDER_PORT naming the
 * text for anything else (0, above 65535, a reversed range, another protocol).
 */
export function parsePort(text: string): PortSpec {
  const r = parsePortText(text.trim().toLowerCase(), { suffix: true })
  if (!r.ok)
    throw new RenderError(
      'ERR_RENDER_PORT',
      `bad port '${text}': ${WHY[r.reason]} (expected N, N/tcp, N/udp or A-B/tcp)`,
    )
  const [from, to] = r.ports
  return { port: to === from ? from : [from, to], protocol: r.protocol ?? 'tcp' }
}

/** `443/tcp`, `8000-8100/udp`: the canonical text of a PortSpec (parsePort reads it back). */
export function formatPort(spec: PortSpec): string {
  const p = typeof spec.port === 'number' ? String(spec.port) : `${spec.port[0]}-${spec.port[1]}`
  return `${p}/${spec.protocol}`
}
