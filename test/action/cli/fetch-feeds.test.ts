/**
 * @module The one fetch path of `fetch`, `render` and `verify` (action/src/cli/fetch-feeds.ts):
 * each command's --timeout reaches the request, a refusal is set apart, and a terminal sees a
 * progress line once fetching takes over a second (an injected isTTY and clock, no sleeping).
 * Bodies: the real Coolify lists of 2024-06-09 (../shared/fixtures/feeds/coolify, PROVENANCE.md).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fetchFeeds } from '../../../action/src/cli/fetch-feeds.ts'
import { UsageError, type CliIo } from '../../../action/src/cli/io.ts'
import { main } from '../../../action/src/cli/main.ts'
import { fixturePath, HAVE_FIXTURES } from '../../helpers/fixtures.ts'

const BODIES: Record<string, string> = HAVE_FIXTURES
  ? {
      'https://coolify.io/ipv4.txt': readFileSync(
        fixturePath('feeds/coolify/ipv4.2024-06-09T1332.txt'),
        'utf8',
      ),
      'https://coolify.io/ipv6.txt': readFileSync(
        fixturePath('feeds/coolify/ipv6.2024-06-09T1332.txt'),
        'utf8',
      ),
    }
  : {}

/** A synthetic iptables-save dump for verify: SSH open, the rest dropped. */
const RULES_V4 = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`

/** A terminal (or not) with a clock that each request moves on by `stepMs`. */
function session(o: { isTTY: boolean; stepMs: number; hang?: boolean }) {
  let now = Date.parse('2026-12-04T00:00:00Z')
  let stderr = ''
  let stdout = ''
  const seen: { url: string; signal: AbortSignal | undefined }[] = []
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readText: (p) =>
      p === 'rules.v4' ? Promise.resolve(RULES_V4) : Promise.reject(new Error('no files')),
    env: {},
    now: () => now,
    stderrIsTTY: o.isTTY,
    every: () => () => undefined,
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : input.toString()
      seen.push({ url, signal: init?.signal ?? undefined })
      if (o.hang)
        return new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        )
      now += o.stepMs
      const body = BODIES[url]
      return Promise.resolve(
        body === undefined
          ? new Response('<html>not here</html>', {
              status: 200,
              headers: { 'content-type': 'text/html' },
            })
          : new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } }),
      )
    },
  }
  return { io, stderr: () => stderr, stdout: () => stdout, seen }
}

describe.skipIf(!HAVE_FIXTURES)('fetchFeeds', () => {
  it('resolves ids once each, fetches, and sets the usable snapshots apart', async () => {
    const s = session({ isTTY: false, stepMs: 10 })
    const r = await fetchFeeds(s.io, ['coolify/cloud', 'coolify/cloud'], {
      unknownFeed: (id) => new UsageError(id),
    })
    expect(r.refused).toEqual([])
    expect(r.usable.map((u) => u.snapshot.feed)).toEqual(['coolify/cloud'])
    expect(r.usable[0]!.snapshot.ipv4).toContain('49.12.66.44/32')
    expect(s.seen.map((x) => x.url).sort()).toEqual([
      'https://coolify.io/ipv4.txt',
      'https://coolify.io/ipv6.txt',
    ])
  })

  it("throws the caller's error for an unknown id, before any request", async () => {
    const s = session({ isTTY: false, stepMs: 10 })
    await expect(
      fetchFeeds(s.io, ['coolify/clod'], { unknownFeed: (id) => new UsageError(`no ${id}`) }),
    ).rejects.toThrow('no coolify/clod')
    expect(s.seen).toEqual([])
  })

  it('a bad UPSTREAM_MIRROR is a usage error', async () => {
    const s = session({ isTTY: false, stepMs: 10 })
    const io = { ...s.io, env: { UPSTREAM_MIRROR: 'ftp://mirror' } }
    await expect(
      fetchFeeds(io, ['coolify/cloud'], { unknownFeed: (id) => new UsageError(id) }),
    ).rejects.toBeInstanceOf(UsageError)
  })

  it('a terminal sees the progress line after a second, erased at the end; a pipe never', async () => {
    const tty = session({ isTTY: true, stepMs: 700 })
    await fetchFeeds(tty.io, ['coolify/cloud'], { unknownFeed: (id) => new UsageError(id) })
    const erase = '\r\x1b[K'
    const lines = tty.stderr().split(erase)
    expect(lines[0]).toBe('')
    expect(lines.at(-1)).toBe('')
    for (const line of lines.slice(1, -1))
      expect(line).toMatch(/^fetching 1 feed: \d of 2 requests answered \(\d\.\d s\)$/)
    expect(tty.stderr()).toContain('fetching 1 feed: 2 of 2 requests answered (1.4 s)')
    const pipe = session({ isTTY: false, stepMs: 700 })
    await fetchFeeds(pipe.io, ['coolify/cloud'], { unknownFeed: (id) => new UsageError(id) })
    expect(pipe.stderr()).toBe('')
  })

  it('the timeout ends a request that hangs: a timeout refusal, not a hang', async () => {
    const s = session({ isTTY: false, stepMs: 0, hang: true })
    const r = await fetchFeeds(s.io, ['coolify/cloud'], {
      unknownFeed: (id) => new UsageError(id),
      timeoutMs: 20,
    })
    expect(r.usable).toEqual([])
    expect(r.refused.map((o) => o.guard)).toEqual(['timeout'])
    expect(s.seen.every((x) => x.signal?.aborted)).toBe(true)
  })
})

describe.skipIf(!HAVE_FIXTURES)('--timeout on fetch, render and verify', () => {
  it.each([
    [['fetch', 'coolify/cloud', '--timeout', '30ms']],
    [['render', 'coolify/cloud', '--format', 'txt', '--timeout', '30ms']],
    [['verify', '--policy', 'coolify-cloud', '--config', 'rules.v4', '--timeout', '30ms']],
  ])('%j: a hanging upstream is refused after the timeout', async (argv) => {
    const s = session({ isTTY: false, stepMs: 0, hang: true })
    const code = await main(argv, s.io)
    // fetch and render: exit 1 (refused); verify: exit 2 (it cannot verify without the feed)
    expect(code).toBe(argv[0] === 'verify' ? 2 : 1)
    expect(s.stderr()).toMatch(/refused:? \(?timeout\)?:/)
    expect(s.seen.length).toBeGreaterThan(0)
  })

  it('the deprecated --timeout-ms still works on fetch, with a warning', async () => {
    const s = session({ isTTY: false, stepMs: 0, hang: true })
    const code = await main(['fetch', 'coolify/cloud', '--timeout-ms', '30'], s.io)
    expect(code).toBe(1)
    expect(s.stderr()).toContain('warning: --timeout-ms is deprecated')
    expect(s.stderr()).toContain('write --timeout 30ms')
  })

  it("fetch's old bare milliseconds are refused with a hint (exit 2)", async () => {
    const s = session({ isTTY: false, stepMs: 0 })
    expect(await main(['fetch', 'coolify/cloud', '--timeout', '10000'], s.io)).toBe(2)
    expect(s.stderr()).toContain('did you mean 10000ms?')
    expect(s.seen).toEqual([])
  })
})
