/**
 * @module A fault-injecting reverse proxy for tests (node:http, port 0), put in front of the local
 * GitHub server: chosen requests fail before they reach it (a 502 from a "gateway"), reach it and
 * lose their answer (the socket is cut after the server acted), hang, or are answered with
 * GitHub's rate-limit responses. Every request is recorded with the fault it met.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What happens to a matching request. */
export type FaultKind =
  /** 502 from the proxy; the server never sees the request. */
  | 'fail'
  /** The server handles the request; its answer is dropped and the connection cut. */
  | 'lost'
  /** No answer at all until the client gives up. */
  | 'hang'
  /** 403, `x-ratelimit-remaining: 0`, reset one second ahead (GitHub's primary limit). */
  | 'rate-limit'
  /** 403 "You have exceeded a secondary rate limit", `retry-after: 1`. */
  | 'secondary-rate-limit'
  /** 429 Too Many Requests for a secondary rate limit, `retry-after: 1`. */
  | 'too-many'

/** One fault: which requests, what happens, how many times (Infinity: every time). */
export interface Fault {
  readonly method: string
  /** Matched against the path, query excluded. */
  readonly path: RegExp
  readonly kind: FaultKind
  times: number
}

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  readonly method: string
  readonly path: string
  readonly fault: FaultKind | undefined
}

/** The running proxy. */
export interface FaultProxy {
  readonly url: string
  /** Active faults, checked in order; edit freely between runs. */
  readonly faults: Fault[]
  readonly requests: ProxiedRequest[]
  close(): Promise<void>
}

/** The write steps of a sync, as method + path of GitHub's REST API (and GraphQL). */
export const WRITE_STEPS = {
  'create-blob': { method: 'POST', path: /\/git\/blobs$/ },
  'create-tree': { method: 'POST', path: /\/git\/trees$/ },
  'create-commit': { method: 'POST', path: /\/git\/commits$/ },
  'create-ref': { method: 'POST', path: /\/git\/refs$/ },
  'update-ref': { method: 'PATCH', path: /\/git\/refs\/heads(\/|%2F)/i },
  'create-pull': { method: 'POST', path: /\/pulls$/ },
  'update-pull': { method: 'PATCH', path: /\/pulls\/\d+$/ },
  'add-labels': { method: 'POST', path: /\/issues\/\d+\/labels$/ },
  'request-reviewers': { method: 'POST', path: /\/pulls\/\d+\/requested_reviewers$/ },
  'add-assignees': { method: 'POST', path: /\/issues\/\d+\/assignees$/ },
  'create-check-run': { method: 'POST', path: /\/check-runs$/ },
  'update-check-run': { method: 'PATCH', path: /\/check-runs\/\d+$/ },
  graphql: { method: 'POST', path: /^\/graphql$/ },
} as const satisfies Record<string, { method: string; path: RegExp }>

/** A write step's name. */
export type WriteStep = keyof typeof WRITE_STEPS

/** A fault on one write step. */
export function faultOn(step: WriteStep, kind: FaultKind, times = 1): Fault {
  return { ...WRITE_STEPS[step], kind, times }
}

function answer(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(body)
}

/** Starts a proxy for `target` (the GitHub server's base URL) on 127.0.0.1. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const faults: Fault[] = []
  const requests: ProxiedRequest[] = []
  const sockets = new Set<Socket>()
  const upstream = new URL(target)

  const forward = (req: IncomingMessage, body: Buffer): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        resolve,
      )
      out.on('error', reject)
      out.end(body)
    })

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://proxy').pathname
      const fault = faults.find((f) => f.times > 0 && f.method === req.method && f.path.test(path))
      if (fault) fault.times--
      requests.push({ method: req.method ?? 'GET', path, fault: fault?.kind })
      const reset = String(Math.floor(Date.now() / 1000) + 1)
      switch (fault?.kind) {
        case 'fail':
          return answer(res, 502, {}, JSON.stringify({ message: 'Server Error' }))
        case 'hang':
          return
        case 'rate-limit':
          return answer(
            res,
            403,
            {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': reset,
            },
            JSON.stringify({ message: 'API rate limit exceeded for installation ID 1.' }),
          )
        case 'secondary-rate-limit':
          return answer(
            res,
            403,
            { 'retry-after': '1' },
            JSON.stringify({
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            }),
          )
        case 'too-many':
          return answer(
            res,
            429,
            { 'retry-after': '1' },
            JSON.stringify({
              message:
                'You have exceeded a secondary rate limit. Please wait before you try again.',
            }),
          )
      }
      forward(req, Buffer.concat(chunks)).then(
        (up) => {
          if (fault?.kind === 'lost') {
            up.resume()
            up.on('end', () => res.socket?.destroy())
            return
          }
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        },
        () => answer(res, 502, {}, JSON.stringify({ message: 'Bad Gateway' })),
      )
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
