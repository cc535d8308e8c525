/**
 * @module The table of additions (test/helpers/additions.ts) through the bundled Action reading a
 * fake worker `source`: one feed per row (`aws/ROW_<n>`, each its own target file). After one good
 * run (merged), the worker serves every row's hostile snapshot at once: each refused feed is named
 * in the run's warnings and its file is not written; a doubling is held and applied (the draft
 * pull request is the Action's part), an ordinary addition applied.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Lists, type Snapshot } from '../../shared/src/index.ts'
import { ADDITION_ROWS, BASELINE, rowLists } from '../helpers/additions.ts'
import { actionPath } from '../helpers/dist.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { runAction, type ActionRun } from './run-action.ts'

const REPO = 'acme/edge'
const LOCK = '.github/allowlist-sync.lock.json'
const feedOf = (i: number) => `aws/ROW_${i}`
const fileOf = (i: number) => `nft/row-${i}.nft`
const CONFIG = `version: 1
targets:
${ADDITION_ROWS.map((_, i) => `  - path: ${fileOf(i)}\n    format: nftables\n    feeds: [${feedOf(i)}]`).join('\n')}
`

async function snapshotOf(
  feed: string,
  lists: { ipv4: string[]; ipv6: string[] },
  version: number,
) {
  return {
    feed,
    version,
    sha256: await sha256Lists(lists),
    fetchedAt: '2026-05-01T00:00:00.000Z',
    changedAt: '2026-05-01T00:00:00.000Z',
    source: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
    ...lists,
  }
}

describe('the table of additions through the bundled Action and a fake worker source', () => {
  let gh: GitHubServer
  let worker: Server
  let workerUrl = ''
  const snapshots = new Map<string, Snapshot>()
  const log: { seq: number; feed: string }[] = []
  let before: Record<string, string> = {}
  let hostile: ActionRun

  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo(REPO, { '.github/allowlist-sync.yml': CONFIG })
    worker = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://worker')
      res.setHeader('content-type', 'application/json')
      if (u.pathname === '/v1/changes') {
        const since = Number(u.searchParams.get('since') ?? '0')
        const page = log.filter((c) => c.seq > since)
        return void res.end(
          JSON.stringify({
            changes: page.map((c) => ({ feed: c.feed, cursor: String(c.seq) })),
            nextCursor: String(page.at(-1)?.seq ?? since),
            hasMore: false,
          }),
        )
      }
      const s = snapshots.get(decodeURIComponent(u.pathname.replace('/v1/feeds/', '')))
      if (!s) return void res.writeHead(404).end()
      res.end(JSON.stringify(s))
    })
    await new Promise<void>((r) => worker.listen(0, '127.0.0.1', r))
    workerUrl = `http://127.0.0.1:${(worker.address() as AddressInfo).port}`
    const run = () =>
      runAction({
        script: actionPath(),
        repository: REPO,
        apiUrl: gh.url,
        inputs: { token: 'test-token', source: workerUrl, mode: 'sync' },
      })

    for (const [i] of ADDITION_ROWS.entries()) {
      const base = { ipv4: [...BASELINE.ipv4], ipv6: [...BASELINE.ipv6] }
      snapshots.set(feedOf(i), await snapshotOf(feedOf(i), base, 1))
      log.push({ seq: log.length + 1, feed: feedOf(i) })
    }
    const good = await run()
    expect(good.outputs['pull-request-operation'], good.stdout).toBe('created')
    gh.mergePull(REPO, 1)
    before = gh.readFiles(REPO, 'main')

    for (const [i, row] of ADDITION_ROWS.entries()) {
      snapshots.set(feedOf(i), await snapshotOf(feedOf(i), rowLists(row), 2))
      log.push({ seq: log.length + 1, feed: feedOf(i) })
    }
    hostile = await run()
  }, 120_000)

  afterAll(async () => {
    await gh?.close()
    await new Promise<void>((r) => worker?.close(() => r()))
  })

  it('the run succeeds and opens one pull request for the rows that were not refused', () => {
    expect(hostile.code, hostile.stdout).toBe(0)
    expect(hostile.outputs['pull-request-operation']).toBe('created')
    expect(gh.readFiles(REPO, 'main')).toEqual(before)
  })

  it.each(ADDITION_ROWS.map((row, i) => [row.name, row.expect, i] as const))(
    '%s -> %s',
    (_name, expected, i) => {
      const files = gh.readFiles(REPO, 'allowlist-sync/update')
      const lock = JSON.parse(files[LOCK]!) as { feeds: Record<string, { version: number }> }
      const row = ADDITION_ROWS[i]!
      expect(before[fileOf(i)]).toContain(BASELINE.ipv4[0])
      if (expected === 'changed' || expected === 'held:mass-addition') {
        for (const cidr of [...(row.add.ipv4 ?? []), ...(row.add.ipv6 ?? [])])
          expect(files[fileOf(i)]).toContain(cidr)
        expect(lock.feeds[feedOf(i)]!.version).toBe(2)
      } else {
        expect(files[fileOf(i)]).toBe(before[fileOf(i)])
        expect(lock.feeds[feedOf(i)]!.version).toBe(1)
        expect(`${hostile.stdout}\n${hostile.summary}`).toContain(
          `feed ${feedOf(i)} refused (${expected})`,
        )
      }
    },
  )
})
