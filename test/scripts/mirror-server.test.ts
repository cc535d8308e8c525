/** Tests of the mirror server script: as a process serving a folder, and in-process helpers. */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import {
  AZURE_LINKED_FILE,
  fixtureMirrorLayout,
  LATEST_FIXTURES,
  startMirror,
} from './mirror-server.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'allowlist-sync-mirror-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(path.join(dir, 'coolify.io'))
writeFileSync(path.join(dir, 'coolify.io/ipv4.txt'), '192.0.2.1\n192.0.2.2')

describe('mirror-server.ts as a script', () => {
  it('prints its URL and serves DIR as HOST/PATH with ETag, 304 and 404', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, 'mirror-server.ts'),
        path.join(dir, 'coolify.io', '..'),
        '--port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', (code) => reject(new Error(`exited ${code}`)))
      })
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const first = await fetch(`${url}/coolify.io/ipv4.txt`)
      expect(first.status).toBe(200)
      expect(await first.text()).toBe('192.0.2.1\n192.0.2.2')
      const etag = first.headers.get('etag')!
      const again = await fetch(`${url}/coolify.io/ipv4.txt`, {
        headers: { 'if-none-match': etag },
      })
      expect(again.status).toBe(304)
      const since = await fetch(`${url}/coolify.io/ipv4.txt`, {
        headers: { 'if-modified-since': first.headers.get('last-modified')! },
      })
      expect(since.status).toBe(304)
      expect((await fetch(`${url}/coolify.io/ipv6.txt`)).status).toBe(404)
      expect((await fetch(`${url}/coolify.io/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404)
    } finally {
      child.kill()
    }
  })

  it('exits 2 with a usage line when DIR is missing', async () => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'mirror-server.ts')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).toBe(2)
    expect(stderr).toContain('usage: npx node test/scripts/mirror-server.ts DIR [--port N]')
  })
})

describe('startMirror in-process', () => {
  it('serves a map that tests can change, handlers, and records requests', async () => {
    const mirror = await startMirror({
      'example.test/a': 'one',
      'example.test/teapot': (_req, res) => res.writeHead(418).end(),
    })
    try {
      expect(await (await fetch(`${mirror.url}/example.test/a?x=1`)).text()).toBe('one')
      mirror.files['example.test/a'] = 'two'
      expect(await (await fetch(`${mirror.url}/example.test/a`)).text()).toBe('two')
      expect((await fetch(`${mirror.url}/example.test/teapot`)).status).toBe(418)
      expect(mirror.requests.map((r) => [r.key, r.status])).toEqual([
        ['example.test/a', 200],
        ['example.test/a', 200],
        ['example.test/teapot', 418],
      ])
    } finally {
      await mirror.close()
    }
  })

  it('answers a POST to a static entry with its bytes (never 304), records the body; 405 otherwise', async () => {
    const mirror = await startMirror({ 'my.incapsula.com/api/integration/v1/ips': '{"res":0}' })
    try {
      const url = `${mirror.url}/my.incapsula.com/api/integration/v1/ips?resp_format=json`
      const first = await fetch(url, { method: 'POST', body: 'resp_format=json' })
      expect([first.status, await first.text()]).toEqual([200, '{"res":0}'])
      const again = await fetch(url, {
        method: 'POST',
        body: '',
        headers: { 'if-none-match': first.headers.get('etag') ?? '*' },
      })
      expect(again.status).toBe(200)
      expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(405)
      expect(mirror.requests.map((r) => [r.method, r.status, r.body])).toEqual([
        ['POST', 200, 'resp_format=json'],
        ['POST', 200, ''],
        ['PUT', 405, undefined],
      ])
    } finally {
      await mirror.close()
    }
  })

  it.skipIf(!HAVE_FIXTURES)(
    'fixtureMirrorLayout reads the named fixtures; LATEST_FIXTURES covers every built-in URL',
    async () => {
      const files = fixtureMirrorLayout(LATEST_FIXTURES)
      expect(Object.keys(files)).toHaveLength(27)
      const { BUILTIN_FEEDS } = await import('../../shared/src/feeds/index.ts')
      // Azure's page (a real capture kept in test/fixtures/feeds) links the file served beside it.
      expect(files[AZURE_LINKED_FILE]).toBeDefined()
      for (const feed of BUILTIN_FEEDS)
        for (const s of feed.sources)
          expect(files).toHaveProperty([s.url.replace('https://', '').split('?')[0]!])
    },
  )
})
