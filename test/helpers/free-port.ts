/**
 * @module `freePort()`: a TCP port on 127.0.0.1 for a server a test starts itself (nginx, Caddy,
 * wrangler dev, a backend). The kernel's own pick (`listen(0)`, then released) races: until the
 * server binds, any connection or port-0 listener in a parallel test file can be given the same
 * port. So the port comes from below the kernel's ephemeral range (where it never hands out
 * ports on its own), from a slice of its own per vitest worker (parallel files never share one),
 * at a random start (two runs on one machine rarely meet), and only once a bind to it succeeded.
 */
import { readFileSync } from 'node:fs'
import net from 'node:net'

const SLICE = 200
/** Ports 10000 up to the start of the ephemeral range (32768 by default) are ours. */
const FIRST = 10_000
let cursor = Math.floor(Math.random() * SLICE)

function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0])
  } catch {
    return 32_768
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.once('error', () => resolve(false))
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)))
  })
}

/** A loopback port nothing listens on, reserved to this vitest worker (see the module note). */
export async function freePort(): Promise<number> {
  const slices = Math.max(1, Math.floor((ephemeralStart() - FIRST) / SLICE))
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0)
  const base = FIRST + (worker % slices) * SLICE
  for (let tries = 0; tries < SLICE; tries++) {
    const port = base + (cursor++ % SLICE)
    if (await canBind(port)) return port
  }
  throw new Error(`no free port in 127.0.0.1:${base}-${base + SLICE - 1}`)
}
