/** @module `443`, `443/tcp`, `8000-8100/udp` -> a PortSpec. */
import { RenderError } from './render-error.ts'
import type { PortSpec } from './types.ts'

const PORT_RE = /^(\d{1,5})(?:[-:](\d{1,5}))?(?:\/(tcp|udp))?$/

/**
 * Parses a port argument: `N`, `N/tcp`, `N/udp`, or an inclusive range `A-B` / `A:B` with an
 * optional protocol. The protocol defaults to tcp. Throws RenderError ERR_RENDER_PORT naming the
 * text for anything else (0, above 65535, a reversed range, another protocol).
 */
export function parsePort(text: string): PortSpec {
  const m = PORT_RE.exec(text.trim().toLowerCase())
  const bad = (why: string) =>
    new RenderError(
      'ERR_RENDER_PORT',
      `bad port '${text}': ${why} (expected N, N/tcp, N/udp or A-B/tcp)`,
    )
  if (m === null) throw bad('not a port')
  const protocol = m[3] === 'udp' ? 'udp' : 'tcp'
  const from = Number(m[1])
  const to = m[2] === undefined ? from : Number(m[2])
  if (from < 1 || from > 65535 || to < 1 || to > 65535) throw bad('ports are 1-65535')
  if (to < from) throw bad('a range runs from low to high')
  return { port: to === from ? from : [from, to], protocol }
}

/** `443/tcp`, `8000-8100/udp`: the canonical text of a PortSpec (parsePort reads it back). */
export function formatPort(spec: PortSpec): string {
  const p = typeof spec.port === 'number' ? String(spec.port) : `${spec.port[0]}-${spec.port[1]}`
  return `${p}/${spec.protocol}`
}
