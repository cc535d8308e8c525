/**
 * @module Runs in Node (vitest globalSetup), not in workerd: one HTTP control server on
 * 127.0.0.1 that tests inside workerd drive with fetch, because they cannot listen themselves.
 * It creates upstream mirrors (test/scripts/mirror-server.ts) whose files tests swap, and
 * receivers that record webhook and GitHub dispatch requests and answer with scripted statuses.
 *
 * - `POST /mirrors` -> `{ id, url }`; `PUT /mirrors/ID/files` `{ key, fixture | text | status }`
 *   (fixture: a path under ../shared/fixtures/feeds; status: answer with that status);
 *   `PUT /mirrors/ID/latest` (the newest fixture of every built-in feed's files);
 *   `DELETE /mirrors/ID/files?key=K`; `GET /mirrors/ID/requests`.
 * - `POST /receivers` `{ statuses?: number[], delayMs?: number }` -> `{ id, url }`: `url` answers
 *   any method and path below it with the next scripted status (then 200s / 204 for
 *   `.../dispatches`) and records `{ method, path, headers, body, at }`; `GET /receivers/ID/requests`.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../../scripts/mirror-server.ts'
import type { MirrorServer } from '../../scripts/mirror-server.ts'

const FEEDS_DIR = path.resolve(import.meta.dirname, '../../../../shared/fixtures/feeds')

/** One request a receiver saw. */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly at: number
  /**
   * For `POST .../repos/OWNER/REPO/dispatches`: what GitHub's published OpenAPI description
   * (@octokit/openapi, repos/create-dispatch-event) says is wrong with the body; [] when valid.
   */
  readonly schemaErrors?: string[]
}

let dispatchSchema: ValidateFunction | undefined

/** The request body schema of `POST /repos/{owner}/{repo}/dispatches`, from GitHub's OpenAPI. */
function validateDispatch(body: string): string[] {
  if (dispatchSchema === undefined) {
    const file = path.resolve(
      import.meta.dirname,
      '../../../node_modules/@octokit/openapi/generated/api.github.com.deref.json',
    )
    const spec = JSON.parse(readFileSync(file, 'utf8')) as {
      paths: Record<
        string,
        { post: { requestBody: { content: Record<string, { schema: object }> } } }
      >
    }
    const schema =
      spec.paths['/repos/{owner}/{repo}/dispatches']!.post.requestBody.content['application/json']!
        .schema
    dispatchSchema = new Ajv({ strict: false, allErrors: true }).compile(schema)
  }
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return ['body is not JSON']
  }
  return dispatchSchema(value)
    ? []
    : (dispatchSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`)
}

interface Receiver {
  statuses: number[]
  delayMs: number
  requests: ReceivedRequest[]
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
}

/** A running control server. */
export interface TestServer {
  readonly url: string
  close(): Promise<void>
}

/** Starts the control server on an ephemeral port. */
export async function startTestServer(): Promise<TestServer> {
  const mirrors = new Map<string, MirrorServer>()
  const receivers = new Map<string, Receiver>()
  let next = 0
  let base = ''

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const parts = url.pathname.split('/').filter((p) => p !== '')
      const body = await readBody(req)
      if (req.method === 'POST' && url.pathname === '/mirrors') {
        const id = `m${++next}`
        const mirror = await startMirror({})
        mirrors.set(id, mirror)
        return json(res, 201, { id, url: mirror.url })
      }
      if (parts[0] === 'mirrors' && parts[1] !== undefined) {
        const mirror = mirrors.get(parts[1])
        if (mirror === undefined) return json(res, 404, { error: 'no such mirror' })
        if (parts[2] === 'requests') return json(res, 200, mirror.requests)
        if (parts[2] === 'files' && req.method === 'PUT') {
          const spec = JSON.parse(body) as {
            key: string
            fixture?: string
            text?: string
            status?: number
          }
          if (spec.fixture !== undefined) {
            mirror.files[spec.key] = readFileSync(path.join(FEEDS_DIR, spec.fixture))
          } else if (spec.status !== undefined) {
            const status = spec.status
            mirror.files[spec.key] = (_req, r) => void r.writeHead(status).end(`status ${status}\n`)
          } else {
            mirror.files[spec.key] = spec.text ?? ''
          }
          return json(res, 200, { ok: true })
        }
        if (parts[2] === 'latest' && req.method === 'PUT') {
          Object.assign(mirror.files, fixtureMirrorLayout(LATEST_FIXTURES))
          return json(res, 200, LATEST_FIXTURES)
        }
        if (parts[2] === 'files' && req.method === 'DELETE') {
          delete mirror.files[url.searchParams.get('key') ?? '']
          return json(res, 200, { ok: true })
        }
      }
      if (req.method === 'POST' && url.pathname === '/receivers') {
        const spec = (body === '' ? {} : JSON.parse(body)) as {
          statuses?: number[]
          delayMs?: number
        }
        const id = `r${++next}`
        receivers.set(id, {
          statuses: spec.statuses ?? [],
          delayMs: spec.delayMs ?? 0,
          requests: [],
        })
        return json(res, 201, { id, url: `${base}/r/${id}` })
      }
      if (parts[0] === 'receivers' && parts[2] === 'requests') {
        const r = receivers.get(parts[1] ?? '')
        return r === undefined
          ? json(res, 404, { error: 'no such receiver' })
          : json(res, 200, r.requests)
      }
      if (parts[0] === 'r' && parts[1] !== undefined) {
        const r = receivers.get(parts[1])
        if (r === undefined) return json(res, 404, { error: 'no such receiver' })
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
        r.requests.push({
          method: req.method ?? '',
          path: `/${parts.slice(2).join('/')}`,
          headers,
          body,
          at: Date.now(),
          ...(/\/repos\/[^/]+\/[^/]+\/dispatches$/.test(url.pathname)
            ? { schemaErrors: validateDispatch(body) }
            : {}),
        })
        if (r.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, r.delayMs))
        const status = r.statuses.shift() ?? (url.pathname.endsWith('/dispatches') ? 204 : 200)
        res.writeHead(status).end(status === 204 ? undefined : `status ${status}`)
        return
      }
      json(res, 404, { error: `no route ${req.method} ${url.pathname}` })
    })().catch((error: unknown) => {
      json(res, 500, { error: String(error) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    close: async () => {
      await Promise.all([...mirrors.values()].map((m) => m.close()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
