/**
 * @module `verify` over big configs in a worker thread (verify-thread.ts): which invocations go
 * there, and that the bundled CLI gives the same output and exit code there as in its own
 * thread (ALLOWLIST_SYNC_VERIFY_THREAD_FROM=0 sends every verify to the worker).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { THREAD_FROM_BYTES, wantsThread } from '../../../action/src/cli/verify-thread.ts'
import { cliPath } from '../../helpers/dist.ts'

const tmp = mkdtempSync(path.join(tmpdir(), 'asr-verify-thread-'))
const write = (name: string, text: string) => {
  const file = path.join(tmp, name)
  writeFileSync(file, text)
  return file
}

describe('wantsThread', () => {
  const small = write('small.rules', 'x'.repeat(1000))
  const big = write('big.rules', 'x'.repeat(THREAD_FROM_BYTES))

  it('takes a verify whose --config files come to the threshold, in either spelling', () => {
    expect(wantsThread(['verify', '--policy', 'oec', '--config', big], undefined)).toBe(true)
    expect(wantsThread(['verify', `--config=${big}`, '--policy=oec'], undefined)).toBe(true)
    expect(wantsThread(['verify', '--config', small, '--policy', 'oec'], undefined)).toBe(false)
    // together: two files of 1,000 bytes against a threshold of 2,000
    expect(wantsThread(['verify', '--config', small, '--config', small], '2000')).toBe(true)
    expect(wantsThread(['verify', '--config', small, '--config', small], '2001')).toBe(false)
  })

  it('leaves a verify of stdin in the main thread, counts nothing for a missing file, and takes no other command', () => {
    expect(wantsThread(['verify', '--config', big, '--config', '-'], '0')).toBe(false)
    expect(wantsThread(['verify', '--config', big, '--feed-file', 'coolify/cloud=-'], '0')).toBe(
      false,
    )
    expect(
      wantsThread(['verify', '--config', big, '--feed-file=coolify/cloud=cloud.txt'], '0'),
    ).toBe(true)
    expect(wantsThread(['verify', '--config', path.join(tmp, 'absent')], '1')).toBe(false)
    expect(wantsThread(['verify', '--config', path.join(tmp, 'absent')], '0')).toBe(true)
    expect(wantsThread(['render', '--config', big], '0')).toBe(false)
    expect(wantsThread([], '0')).toBe(false)
  })

  it('reads a threshold of digits only; anything else is the default', () => {
    const justUnder = write('under.rules', 'x'.repeat(THREAD_FROM_BYTES - 1))
    expect(wantsThread(['verify', '--config', justUnder], undefined)).toBe(false)
    expect(wantsThread(['verify', '--config', justUnder], '4MB')).toBe(false)
    expect(wantsThread(['verify', '--config', justUnder], '-1')).toBe(false)
    expect(wantsThread(['verify', '--config', justUnder], String(THREAD_FROM_BYTES - 1))).toBe(true)
  })
})

describe('allowlist-sync verify in a worker thread', () => {
  const run = (args: string[], threadFrom?: string, input?: string) => {
    const r = spawnSync(process.execPath, [cliPath(), 'verify', ...args], {
      encoding: 'utf8',
      ...(input === undefined ? {} : { input }),
      env: {
        PATH: process.env.PATH ?? '',
        ...(threadFrom === undefined ? {} : { ALLOWLIST_SYNC_VERIFY_THREAD_FROM: threadFrom }),
      },
      timeout: 60_000,
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const rules = (ports: string) =>
    `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m multiport --dports ${ports} -j ACCEPT\nCOMMIT\n`

  it.each([
    ['compliant', ['--policy', 'web-minimal', '--config', write('ok.v4', rules('22,80,443'))], 0],
    [
      'violations',
      ['--policy', 'web-minimal', '--config', write('open.v4', rules('22,80,443,5432')), '--json'],
      1,
    ],
    ['unreadable', ['--policy', 'web-minimal', '--config', write('bad.v4', '*filter\n-A\n')], 2],
  ] as const)('%s: the same output and exit code as in the main thread', (_, args, code) => {
    const main = run([...args])
    const thread = run([...args], '0')
    expect(main.code).toBe(code)
    expect(thread).toEqual(main)
  })

  it('reads a feed from standard input with the threshold at 0 (stdin stays in the main thread)', () => {
    const args = [
      '--policy',
      write('feed.yml', 'inbound:\n  restrict: [{ port: 22, from: [feed:coolify/cloud] }]\n'),
      '--config',
      write('coolify.v4', rules('22,80,443')),
      '--feed-file',
      'coolify/cloud=-',
    ]
    const main = run(args, undefined, '198.51.100.7\n')
    // the sources outside the feed skip its one address: the feed was read
    expect(main.stdout).toContain('198.51.100.6/32 198.51.100.8/29')
    expect(run(args, '0', '198.51.100.7\n')).toEqual(main)
  })
})
