/**
 * @module The bundled Action with `source:` set to a worker (a local stand-in serving the
 * worker's documented routes): snapshots become the PR, the lock keeps the change-log cursor,
 * the next run asks only `/v1/changes` (and `/v1/feeds`, how fresh the feeds are) when nothing
 * changed, and a worker that has not checked a feed for hours is a warning.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Lists, type Snapshot } from '../../shared/src/index.ts'
import { escapeMarkdown } from '../../action/src/markdown.ts'
import { actionPath } from '../helpers/dist.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { runAction } from './run-action.ts'

const REPO = 'acme/proxy'
const CONFIG = `version: 1
targets:
  - path: nginx/hooks.conf
    format: nginx
    feeds: [github/hooks]
`

describe('the Action with a worker as source', () => {
  let gh: GitHubServer
  let worker: Server
  let workerUrl = ''
  const requests: string[] = []
  const snapshots = new Map<string, Snapshot>()
  const log: { seq: number; feed: string }[] = []
  /** The catalogue's fields the Action reads (worker/src/routes/feed-catalogue.ts). */
  const catalogue = new Map<string, Record<string, unknown>>()
  const entry = (checkedAgoMs: number) => {
    const at = new Date(Date.now() - checkedAgoMs).toISOString()
    return {
      id: 'github/hooks',
      enabled: true,
      version: 3,
      fetchedAt: at,
      lastCheckedAt: at,
      lastOutcome: { outcome: 'unchanged', at },
    }
  }

  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo(REPO, { '.github/allowlist-sync.yml': CONFIG })
    const ipv4 = ['11.0.2.0/24', '12.51.100.0/24']
    snapshots.set('github/hooks', {
      feed: 'github/hooks',
      version: 3,
      sha256: await sha256Lists({ ipv4, ipv6: [] }),
      fetchedAt: '2026-03-03T00:00:00.000Z',
      changedAt: '2026-02-05T00:00:00.000Z',
      source: 'https://api.github.com/meta',
      ipv4,
      ipv6: [],
    })
    log.push({ seq: 41, feed: 'github/hooks' })
    catalogue.set('github/hooks', entry(10 * 60 * 1000))
    worker = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://worker')
      requests.push(u.pathname)
      if (u.pathname === '/v1/changes') {
        const since = Number(u.searchParams.get('since') ?? '0')
        const feeds = (u.searchParams.get('feeds') ?? '').split(',')
        const page = log.filter((c) => c.seq > since && feeds.includes(c.feed))
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(
          JSON.stringify({
            changes: page.map((c) => ({ feed: c.feed, cursor: String(c.seq) })),
            nextCursor: String(page.at(-1)?.seq ?? since),
            hasMore: false,
          }),
        )
      }
      if (u.pathname === '/v1/feeds') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ feeds: [...catalogue.values()] }))
      }
      const s = snapshots.get(u.pathname.replace('/v1/feeds/', ''))
      if (!s) return void res.writeHead(404).end()
      if (req.headers['if-none-match'] === `"${s.sha256}"`) return void res.writeHead(304).end()
      res.writeHead(200, { 'content-type': 'application/json', etag: `"${s.sha256}"` })
      res.end(JSON.stringify(s))
    })
    await new Promise<void>((r) => worker.listen(0, '127.0.0.1', r))
    workerUrl = `http://127.0.0.1:${(worker.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await gh?.close()
    await new Promise<void>((r) => worker.close(() => r()))
  })

  const run = () =>
    runAction({
      script: actionPath(),
      repository: REPO,
      apiUrl: gh.url,
      inputs: { token: 'test-token', source: workerUrl, mode: 'sync' },
    })

  it('renders the worker snapshot into the PR and keeps the cursor in the lock', async () => {
    const r = await run()
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    expect(requests.toSorted()).toEqual(['/v1/changes', '/v1/feeds', '/v1/feeds/github/hooks'])
    expect(r.summary).not.toContain('github/hooks: the worker')
    const files = gh.readFiles(REPO, 'allowlist-sync/update')
    expect(files['nginx/hooks.conf']).toContain('allow 12.51.100.0/24;')
    const lock = JSON.parse(files['.github/allowlist-sync.lock.json']!) as {
      cursor: { source: string; value: string }
      feeds: Record<string, { version: number }>
    }
    expect(lock.cursor).toEqual({ source: workerUrl, value: '41' })
    expect(lock.feeds['github/hooks']!.version).toBe(3)
    expect(gh.pulls(REPO)[0]!.body).toContain(
      `Read from the allowlist-sync worker [\`${workerUrl}/\`]`,
    )
  })

  it('after the merge, an unchanged worker costs two requests: its change log and catalogue', async () => {
    gh.mergePull(REPO, 1)
    requests.length = 0
    const r = await run()
    expect(r.outputs['pull-request-operation']).toBe('none')
    expect(r.outputs.changed).toBe('false')
    expect(requests.toSorted()).toEqual(['/v1/changes', '/v1/feeds'])
  })

  it('warns when the worker has not checked a feed for hours: its 304s say nothing of that', async () => {
    // A worker whose syncs stopped finishing two days ago (over the Workers Free CPU limit, say):
    // its change log is quiet and its snapshot still matches the lock.
    catalogue.set('github/hooks', entry(50 * 60 * 60 * 1000))
    const checked = catalogue.get('github/hooks')!['lastCheckedAt'] as string
    const r = await run()
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.changed).toBe('false')
    const warning = `feed github/hooks: the worker has not checked it for 2 d (last check ${checked}): its syncs are not finishing (see its status page and logs); its lists are as of ${checked}`
    expect(r.stdout).toContain(`::warning::${warning}`)
    expect(r.summary).toContain(`## Needs attention\n\n- ${escapeMarkdown(warning)}`)
  })
})
