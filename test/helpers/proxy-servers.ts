/**
 * @module Real proxies on loopback for the proxy renderers' deploy tests: start a server process
 * and wait until it listens, backends (HTTP, raw TCP, a minimal FastCGI responder) and clients
 * bound to a chosen source address (127.0.0.0/8 or ::1), so the proxy sees that address as the
 * client's. Traffic never leaves loopback.
 *
 * ```ts
 * const backend = await startHttpBackend()                 // answers "backend <path>"
 * const server = await startServer('nginx', ['-c', conf, '-g', 'daemon off;'], [port])
 * await httpGet({ from: '127.0.0.3', port, host: 'a.test', path: '/' }) // { status: 403, ... }
 * await server.stop()
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'

export { freePort } from './free-port.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or rejects at `until`. */
async function waitListening(port: number, until: number, exited: () => string | undefined) {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port })
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    const why = exited()
    if (why !== undefined) throw new Error(why)
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A started server process. */
export interface ServerProcess {
  readonly child: ChildProcess
  /** What it wrote to stderr and stdout so far. */
  readonly output: () => string
  /** SIGTERM, then SIGKILL after 5 s; resolves when it exited. */
  readonly stop: () => Promise<void>
}

/**
 * Spawns `command` (PATH includes /usr/sbin) and resolves once every port of `ports` accepts
 * connections on 127.0.0.1; rejects with the process output if it exits first or after 20 s.
 */
export async function startServer(
  command: string,
  args: string[],
  ports: readonly number[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    env: { ...process.env, PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let exit: string | undefined
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `${command} exited ${code ?? signal}: ${out}`
      resolve()
    }),
  )
  child.once('error', (e) => (exit = `${command}: ${e.message}`))
  const stop = async () => {
    if (exit === undefined) child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(killer)
  }
  try {
    const until = Date.now() + 20_000
    for (const port of ports) await waitListening(port, until, () => exit)
  } catch (error) {
    await stop()
    throw new Error(`${command} did not start: ${(error as Error).message}\n${out}`, {
      cause: error,
    })
  }
  return { child, output: () => out, stop }
}

/** A backend listening on 127.0.0.1 (and ::1 where noted). */
export interface Backend {
  readonly port: number
  readonly close: () => Promise<void>
}

const closer = (servers: net.Server[]) => () =>
  Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {})

/** An HTTP backend on 127.0.0.1 answering `backend <path>` to everything. */
export function startHttpBackend(): Promise<Backend> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain')
    res.end(`backend ${req.url ?? ''}`)
  })
  server.keepAliveTimeout = 100
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.unref()
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          server.closeAllConnections()
          return closer([server])()
        },
      })
    }),
  )
}

/** A TCP backend on 127.0.0.1 that writes `tcp-ok` and closes. */
export function startTcpBackend(): Promise<Backend> {
  const server = net.createServer((s) => {
    s.on('error', () => {})
    s.end('tcp-ok')
  })
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0 }, () =>
      resolve({ port: (server.address() as net.AddressInfo).port, close: closer([server]) }),
    ),
  )
}

/**
 * A FastCGI responder (the protocol of fastcgi.com's specification 1.0, as php-fpm speaks it) on
 * 127.0.0.1: to each request it answers `php SCRIPT_NAME` with status 200, then ends the request
 * and closes the connection. It stands in for php-fpm, which these machines do not install.
 */
export function startFastCgiBackend(): Promise<Backend> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    let params = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 8) {
        const type = buf[1]!
        const id = buf.readUInt16BE(2)
        const len = buf.readUInt16BE(4)
        const total = 8 + len + buf[6]!
        if (buf.length < total) return
        const content = buf.subarray(8, 8 + len)
        buf = buf.subarray(total)
        if (type === 4) params = Buffer.concat([params, content])
        if (type === 5 && len === 0) respond(socket, id, readParams(params))
      }
    })
  })
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0 }, () =>
      resolve({ port: (server.address() as net.AddressInfo).port, close: closer([server]) }),
    ),
  )
}

/** FastCGI name-value pairs: lengths of 1 byte, or 4 with the top bit set. */
function readParams(b: Buffer): Map<string, string> {
  const out = new Map<string, string>()
  let at = 0
  const len = () => {
    const first = b[at]!
    if (first < 128) return (at++, first)
    const v = b.readUInt32BE(at) & 0x7fffffff
    at += 4
    return v
  }
  while (at < b.length) {
    const n = len()
    const v = len()
    out.set(b.toString('utf8', at, at + n), b.toString('utf8', at + n, at + n + v))
    at += n + v
  }
  return out
}

function record(type: number, id: number, content: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head[0] = 1
  head[1] = type
  head.writeUInt16BE(id, 2)
  head.writeUInt16BE(content.length, 4)
  return Buffer.concat([head, content])
}

function respond(socket: net.Socket, id: number, params: Map<string, string>) {
  const body = `php ${params.get('SCRIPT_NAME') ?? '?'}`
  const stdout = Buffer.from(`Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n${body}`)
  socket.end(
    Buffer.concat([
      record(6, id, stdout),
      record(6, id, Buffer.alloc(0)),
      record(3, id, Buffer.alloc(8)),
    ]),
  )
}

/** What an HTTP request ended in: a response, or the connection refused or cut. */
export type HttpOutcome =
  | { readonly status: number; readonly body: string; readonly location: string | undefined }
  | 'refused'
  | 'closed'

/** One GET from `from` (a loopback address) to `to` (default 127.0.0.1, or ::1 for IPv6). */
export function httpGet(o: {
  from: string
  port: number
  path: string
  host?: string
  to?: string
}): Promise<HttpOutcome> {
  const to = o.to ?? (o.from.includes(':') ? '::1' : '127.0.0.1')
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: to,
        port: o.port,
        path: o.path,
        localAddress: o.from,
        agent: false,
        headers: { host: o.host ?? 'localhost', connection: 'close' },
        timeout: 5_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }),
        )
        res.on('error', () => resolve('closed'))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'closed'),
    )
    req.end()
  })
}

/** Connects from `from` and reads until the server closes: its bytes, or 'closed' if none came. */
export function tcpRead(o: { from: string; port: number; to?: string }): Promise<string> {
  const to = o.to ?? (o.from.includes(':') ? '::1' : '127.0.0.1')
  return new Promise((resolve) => {
    let data = ''
    const s = net.connect({ host: to, port: o.port, localAddress: o.from })
    s.setTimeout(5_000, () => s.destroy())
    s.on('data', (d: Buffer) => (data += d.toString()))
    s.on('error', () => {})
    s.on('close', () => resolve(data === '' ? 'closed' : data))
  })
}

/**
 * Calls `probe` until `done` says yes (a reload is asynchronous: workers change over as the old
 * ones finish), at most `ms`; resolves to the last result either way.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (t: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const r = await probe()
    if (done(r) || Date.now() > until) return r
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The processes a server's master has started (its workers), from /proc. */
function workersOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    return text.split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/**
 * Sends a graceful-reload signal (nginx SIGHUP, apache SIGUSR1, haproxy SIGUSR2) and resolves
 * once every worker that ran before it has exited: until then an old worker can still accept a
 * new connection and answer it with the old allowlist, so a probe right after one denial by a
 * new worker would race.
 */
export async function reloadGracefully(server: ServerProcess, signal: NodeJS.Signals) {
  const pid = server.child.pid!
  const old = workersOf(pid)
  server.child.kill(signal)
  const gone = await eventually(
    () => Promise.resolve(old.filter((w) => workersOf(pid).includes(w))),
    (left) => left.length === 0,
    30_000,
  )
  if (gone.length > 0)
    throw new Error(`workers ${gone.join(', ')} still run 30 s after ${signal}: ${server.output()}`)
}
