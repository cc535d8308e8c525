/**
 * @module A small forward HTTP proxy for tests (node:http, port 0) as corporate networks run
 * them: clients open tunnels with CONNECT host:port (RFC 9110 §9.3.6), which it records, and it
 * can be told to refuse them (407 Proxy Authentication Required) to test how a client reports a
 * proxy that says no.
 */
import { createServer } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/** The running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string
  /** `host:port` of every CONNECT, in order (refused ones included). */
  readonly tunnels: string[]
  /** When true, every CONNECT is answered 407. */
  refuse: boolean
  close(): Promise<void>
}

/** Starts the proxy on 127.0.0.1. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<Socket>()
  const state = { refuse: false }
  const tunnels: string[] = []
  const server = createServer((_req, res) => {
    // Only tunnels: a request in absolute form would bypass what the test checks.
    res.writeHead(405, { 'content-type': 'text/plain' }).end('CONNECT only\n')
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? ''
    tunnels.push(target)
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    if (state.refuse) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      )
      return
    }
    const [host, port] = [
      target.slice(0, target.lastIndexOf(':')),
      target.slice(target.lastIndexOf(':') + 1),
    ]
    const upstream = connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    get refuse() {
      return state.refuse
    },
    set refuse(v: boolean) {
      state.refuse = v
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
