/**
 * @module A small static server for tests and offline runs: serves a folder (or an in-memory map)
 * laid out as `HOST/PATH`, so `UPSTREAM_MIRROR=http://127.0.0.1:PORT` makes every upstream URL
 * `https://HOST/PATH` come from it. Answers conditional requests (ETag, Last-Modified) with 304.
 *
 * As a script: `npx node test/scripts/mirror-server.ts DIR [--port N]` prints its URL and serves
 * until killed. In tests: `const mirror = await startMirror(fixtureMirrorLayout({...}))`, then
 * `UPSTREAM_MIRROR = mirror.url`, and `await mirror.close()` in afterAll.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { parseArgs } from 'node:util'

/** A handler for one path, for responses a file cannot describe (slow, redirects, errors). */
export type MirrorHandler = (req: IncomingMessage, res: ServerResponse) => void

/** What a path serves: file bytes (text or binary) or a handler. */
export type MirrorEntry = string | Uint8Array | MirrorHandler

/** `HOST/PATH` (no leading slash, no scheme) to what it serves. Mutable: tests swap versions. */
export type MirrorFiles = Record<string, MirrorEntry>

/** One request the mirror saw. */
export interface MirrorRequest {
  readonly method: string
  /** `HOST/PATH` as requested (query string dropped). */
  readonly key: string
  readonly headers: IncomingMessage['headers']
  /** 200, 304, 404, 405 (or whatever a handler answered, as far as it set `statusCode`). */
  readonly status: number
  /** The request body a static entry received with a POST ('' for an empty one). */
  readonly body?: string
}

/** A running mirror. */
export interface MirrorServer {
  /** `http://127.0.0.1:PORT`: the value for UPSTREAM_MIRROR. */
  readonly url: string
  /** Every request so far, oldest first. */
  readonly requests: MirrorRequest[]
  /** The in-memory map (empty when serving a folder); change it to publish a new version. */
  readonly files: MirrorFiles
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
}

function contentType(key: string): string {
  return CONTENT_TYPES[path.extname(key)] ?? 'text/plain; charset=utf-8'
}

/** Served bytes, their ETag and Last-Modified. */
function lookup(
  source: string | MirrorFiles,
  key: string,
  started: Date,
): { body: Uint8Array; lastModified: Date } | MirrorHandler | undefined {
  if (typeof source !== 'string') {
    const entry = Object.hasOwn(source, key) ? source[key] : undefined
    if (entry === undefined || typeof entry === 'function') return entry
    return { body: typeof entry === 'string' ? Buffer.from(entry) : entry, lastModified: started }
  }
  const file = path.join(source, key)
  if (!file.startsWith(path.resolve(source) + path.sep) || !existsSync(file)) return undefined
  const stat = statSync(file)
  if (!stat.isFile()) return undefined
  return { body: readFileSync(file), lastModified: stat.mtime }
}

/**
 * Starts a mirror on 127.0.0.1 (port 0 picks a free one) serving `source`: a folder laid out as
 * `HOST/PATH`, or a {@link MirrorFiles} map. Static entries get a strong ETag (SHA-256 of the
 * bytes) and a Last-Modified (the file's mtime, or the start time for a map), and a 304 when
 * If-None-Match matches or, without it, If-Modified-Since is not older. They answer GET, HEAD
 * and POST (a publisher such as Imperva serves its list to a POST; the body is recorded, and a
 * POST is never answered 304); any other method gets 405.
 */
export async function startMirror(
  source: string | MirrorFiles,
  { port = 0 }: { port?: number } = {},
): Promise<MirrorServer> {
  const started = new Date(Math.floor(Date.now() / 1000) * 1000)
  const requests: MirrorRequest[] = []
  const root = typeof source === 'string' ? path.resolve(source) : source
  const server = createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? '/').split('?')[0]!.replace(/^\/+/, ''))
    const method = req.method ?? 'GET'
    const record = (status: number, body?: string) =>
      requests.push({
        method,
        key,
        headers: req.headers,
        status,
        ...(body === undefined ? {} : { body }),
      })
    const found = key.split('/').includes('..') ? undefined : lookup(root, key, started)
    if (found === undefined) {
      record(404)
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not in the mirror: ${key}\n`)
      return
    }
    if (typeof found === 'function') {
      res.on('finish', () => record(res.statusCode))
      found(req, res)
      return
    }
    if (method === 'POST') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        record(200, Buffer.concat(chunks).toString('utf8'))
        res
          .writeHead(200, {
            'content-type': contentType(key),
            'content-length': found.body.byteLength,
          })
          .end(found.body)
      })
      return
    }
    if (method !== 'GET' && method !== 'HEAD') {
      record(405)
      res.writeHead(405, { allow: 'GET, HEAD, POST' }).end()
      return
    }
    const etag = `"${createHash('sha256').update(found.body).digest('hex').slice(0, 32)}"`
    const lastModified = found.lastModified.toUTCString()
    const inm = req.headers['if-none-match']
    const ims = req.headers['if-modified-since']
    const notModified =
      inm !== undefined
        ? inm.split(',').some((t) => t.trim() === etag)
        : ims !== undefined && Date.parse(ims) >= found.lastModified.getTime() - 999
    const headers = { etag, 'last-modified': lastModified }
    if (notModified) {
      record(304)
      res.writeHead(304, headers).end()
      return
    }
    record(200)
    res
      .writeHead(200, {
        ...headers,
        'content-type': contentType(key),
        'content-length': found.body.byteLength,
      })
      .end(req.method === 'HEAD' ? undefined : found.body)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const { port: actual } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${actual}`,
    requests,
    files: typeof source === 'string' ? {} : source,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** Prefix of a layout path that lies in this repository's test/fixtures/feeds instead. */
export const REPO_FIXTURE = 'repo:'

/**
 * Lays out chosen files of `../shared/fixtures/feeds` as a mirror map: keys are `HOST/PATH`,
 * values paths relative to that folder (or, prefixed `repo:`, to test/fixtures/feeds: real
 * artefacts such as Azure's download page), e.g.
 * `fixtureMirrorLayout({ 'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt' })`.
 * Throws if a fixture is missing (check HAVE_FIXTURES from test/helpers/fixtures.ts first).
 */
export function fixtureMirrorLayout(files: Record<string, string>): MirrorFiles {
  const feeds = path.resolve(import.meta.dirname, '../../../shared/fixtures/feeds')
  const repo = path.resolve(import.meta.dirname, '../fixtures/feeds')
  return Object.fromEntries(
    Object.entries(files)
      .flatMap(discovered)
      .map(([key, rel]) => [
        key,
        readFileSync(
          rel.startsWith(REPO_FIXTURE)
            ? path.join(repo, rel.slice(REPO_FIXTURE.length))
            : path.join(feeds, rel),
        ),
      ]),
  )
}

/**
 * Where Azure's download page (test/fixtures/feeds/azure, a real capture) links the weekly
 * file: the mirror serves the service tags fixture there.
 */
export const AZURE_LINKED_FILE =
  'download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/ServiceTags_Public_2000000.json'

const AZURE_PAGE = 'www.microsoft.com/en-us/download/details.aspx'

/**
 * A layout entry at a page that links its file (a fixture history keys Azure's weekly file by
 * the catalogue URL, the download page): the page capture is served at the page, the file
 * where the capture links it. Any other entry is itself (the query string is dropped, as the
 * mirror drops it from requests).
 */
function discovered([key, rel]: [string, string]): [string, string][] {
  const at = key.split('?', 1)[0]!
  if (at !== AZURE_PAGE || rel.startsWith(REPO_FIXTURE)) return [[at, rel]]
  return [
    [AZURE_PAGE, `${REPO_FIXTURE}azure/download-page.confirmation.html`],
    [AZURE_LINKED_FILE, rel],
  ]
}

/**
 * One current version of every built-in feed's upstream files (the newest fixtures), keyed by
 * `HOST/PATH`: a ready mirror for "sync everything" tests.
 */
export const LATEST_FIXTURES: Readonly<Record<string, string>> = {
  'api.github.com/meta': 'github/meta.2026-03-03.json',
  'coolify.io/ipv4.txt': 'coolify/ipv4.2024-06-09T1332.txt',
  'coolify.io/ipv6.txt': 'coolify/ipv6.2024-06-09T1332.txt',
  'www.firezone.dev/portal-ips.json': 'firezone/portal-ips.2026-04-13.json',
  'www.firezone.dev/relay-ips.json': 'firezone/relay-ips.2025-10-16.json',
  'www.cloudflare.com/ips-v4': 'cloudflare/ips-v4',
  'www.cloudflare.com/ips-v6': 'cloudflare/ips-v6',
  'ip-ranges.amazonaws.com/ip-ranges.json': 'aws/ip-ranges.2026-08-21-22-37-05.json',
  'www.gstatic.com/ipranges/goog.json': 'google/goog.2026-08-21.json',
  'www.gstatic.com/ipranges/cloud.json': 'google/cloud.2026-08-21.json',
  'developers.google.com/static/crawling/ipranges/common-crawlers.json':
    'google/googlebot.2026-08-21.json',
  'developers.google.com/static/crawling/ipranges/special-crawlers.json':
    'google/special-crawlers.2026-08-21.json',
  'developers.google.com/static/crawling/ipranges/user-triggered-fetchers.json':
    'google/user-triggered-fetchers.2026-08-21.json',
  'openai.com/gptbot.json': 'openai/gptbot.2025-11-10.json',
  'openai.com/searchbot.json': 'openai/searchbot.2026-01-12.json',
  'openai.com/chatgpt-user.json': 'openai/chatgpt-user.2026-05-04.json',
  'ip-ranges.atlassian.com/': 'atlassian/ip-ranges.2026-06-30.json',
  'ip-ranges.datadoghq.com/': 'datadog/ip-ranges.2026-06-30.json',
  'api.fastly.com/public-ip-list': 'fastly/public-ip-list.2024-10-08T1200.json',
  'prefixlists.tools.cdn77.com/public_lmax_prefixes.json':
    'cdn77/public_lmax_prefixes.2026-07-28.json',
  'my.incapsula.com/api/integration/v1/ips': 'imperva/ips.2026-06-30.json',
  'api.config.zscaler.com/zscaler.net/cenr/json': 'zscaler/cenr.2026-08-21.json',
  [AZURE_PAGE]: `${REPO_FIXTURE}azure/download-page.confirmation.html`,
  [AZURE_LINKED_FILE]: 'azure/ServiceTags_Public.2025-06-14.json',
  'docs.oracle.com/iaas/tools/public_ip_ranges.json': 'oracle/public_ip_ranges.2026-07-27.json',
  'geoip.linode.com/': 'linode/geofeed.2024-03-01.csv',
  'www.digitalocean.com/geo/google.csv': 'digitalocean/google.2023-04-30.csv',
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string', default: '0' } },
    allowPositionals: true,
  })
  const dir = positionals[0]
  if (dir === undefined || !existsSync(dir)) {
    process.stderr.write('usage: npx node test/scripts/mirror-server.ts DIR [--port N]\n')
    process.exit(2)
  }
  const mirror = await startMirror(dir, { port: Number(values.port) })
  process.stdout.write(`${mirror.url}\n`)
}
