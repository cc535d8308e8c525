/**
 * @module `allowlist-sync probe` against real listeners on loopback: open, refused and
 * forbidden ports judged against a policy file; the port and time bounds.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../../../action/src/cli/commands/probe.ts'
import type { CliIo } from '../../../action/src/cli/io.ts'
import { cliPath } from '../../helpers/dist.ts'

const tmp = mkdtempSync(path.join(tmpdir(), 'asr-probe-'))

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.end())
    s.listen(0, '127.0.0.1', () => resolve(s))
  })
}
const portOf = (s: Server) => (s.address() as { port: number }).port

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [cliPath(), 'probe', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface ProbeJson {
  ok: boolean
  ports: { port: number; outcome: string; verdict: string; rules: string[] }[]
  notProbed: string[]
}

describe('allowlist-sync probe (loopback listeners)', () => {
  let web: Server
  let db: Server
  let closed: number
  beforeAll(async () => {
    web = await listen()
    db = await listen()
    const gone = await listen()
    closed = portOf(gone)
    await new Promise<void>((r) => gone.close(() => r()))
  })
  afterAll(async () => {
    await new Promise<void>((r) => web.close(() => r()))
    await new Promise<void>((r) => db.close(() => r()))
  })

  const policy = () =>
    (() => {
      const file = path.join(tmp, 'probe.yml')
      writeFileSync(
        file,
        `id: probe-test\ninbound:\n  require: [${portOf(web)}/tcp, ${closed}/tcp]\n  forbidPublic: [${portOf(db)}/tcp]\n  allow: [49152-65535/udp]\n`,
      )
      return file
    })()

  it('still reads the deprecated --timeout-ms, with a warning on stderr naming --timeout', () => {
    const r = cli(['127.0.0.1', '--policy', policy(), '--json', '--timeout-ms', '1000'])
    expect(r.stderr).toBe(
      'warning: --timeout-ms is deprecated and will be removed; write --timeout 1s\n',
    )
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as ProbeJson).ports.length).toBeGreaterThan(0)
  })

  it('reports a required open port ok, a required closed port and a forbidden open port as errors (exit 1)', () => {
    const r = cli(['127.0.0.1', '--policy', policy(), '--json', '--timeout', '1s'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout) as ProbeJson
    const by = new Map(json.ports.map((p) => [p.port, p]))
    expect(by.get(portOf(web))).toMatchObject({ outcome: 'open', verdict: 'ok' })
    expect(by.get(closed)).toMatchObject({ outcome: 'refused', verdict: 'error' })
    expect(by.get(portOf(db))).toMatchObject({
      outcome: 'open',
      verdict: 'error',
      rules: [`forbid-public-${portOf(db)}-tcp`],
    })
    expect(json.notProbed).toEqual(['49152-65535/udp'])
    expect(json.ok).toBe(false)
  })

  it('exits 0 when what it sees matches the policy', () => {
    const file = path.join(tmp, 'ok.yml')
    writeFileSync(file, `inbound:\n  require: [${portOf(web)}]\n  allow: [${portOf(db)}]\n`)
    const r = cli(['127.0.0.1', '--policy', file])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/nothing wrong seen/)
  })

  it('probes at most --max-ports ports and lists the rest as not probed', () => {
    const r = cli(['127.0.0.1', '--policy', policy(), '--json', '--max-ports', '1'])
    const json = JSON.parse(r.stdout) as ProbeJson
    expect(json.ports).toHaveLength(1)
    expect(json.notProbed).toHaveLength(3)
  })

  it('stops at the total time budget: ports not tried by then are skipped, not connected to', async () => {
    let t = 0
    const out: string[] = []
    const io: CliIo = {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
      readText: () => Promise.reject(new Error('no files')),
      env: {},
      fetch: globalThis.fetch,
      // the clock jumps past the budget after the deadline is set
      now: () => (t++ === 0 ? 0 : 1_000_000),
    }
    const code = await run(
      ['127.0.0.1', '--policy', 'web-minimal', '--json', '--total', '100ms'],
      io,
    )
    const json = JSON.parse(out.join('')) as ProbeJson
    expect(json.ports.map((p) => p.outcome)).toEqual(['skipped', 'skipped', 'skipped'])
    expect(code).toBe(0)
  })

  it.each([
    [['--policy', 'oec'], /name exactly one HOST/],
    [
      ['127.0.0.1', '--policy', 'oec', '--timeout-ms', '5'],
      /--timeout-ms '5': expected a whole number from 100 to 30000/,
    ],
    [
      ['127.0.0.1', '--policy', 'oec', '--timeout', '50ms'],
      /--timeout "50ms": expected a duration from 100ms to 30s/,
    ],
    [
      ['127.0.0.1', '--policy', 'oec', '--total', '1s', '--total-ms', '1000'],
      /give --total or --total-ms, not both/,
    ],
    [['bad host!', '--policy', 'oec'], /'bad host!' is not a host name or address/],
    [
      ['127.0.0.1', '--policy', 'no-such-preset'],
      /'no-such-preset' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets/,
    ],
  ])('usage errors exit 2 (%j)', (args, message) => {
    const r = cli(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('refuses a policy file that does not parse with exit 2, naming the file and line', () => {
    const file = path.join(tmp, 'broken.yml')
    writeFileSync(file, 'id: broken\ninbound:\n  require: [22/tcp\n')
    const r = cli(['127.0.0.1', '--policy', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}:`)
    expect(r.stderr).toMatch(/:\d+: /)
  })
})
