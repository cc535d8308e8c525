/**
 * The status page in headless Chromium (Debian's, driven by playwright-core), served by
 * `npm start` after two syncs from a local mirror: no console errors or failed requests (the CSP
 * forbids any external asset), the chart drawn with one series per feed, a screenshot saved to
 * test-results/ (a CI artifact). The Atom feed is parsed by Chromium's XML parser too.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { missingTools } from '../helpers/tools.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import type { MirrorServer } from '../scripts/mirror-server.ts'
import { startWorkerDev } from '../worker/support/wrangler-dev.ts'
import type { WorkerDev } from '../worker/support/wrangler-dev.ts'

const SKIP = missingTools('chromium')
if (SKIP !== undefined) console.warn(`worker status page: ${SKIP}`)

const SCREENSHOT = path.resolve(import.meta.dirname, '../../test-results/worker-status-page.png')

let mirror: MirrorServer
let dev: WorkerDev
let browser: Browser

describe.skipIf(SKIP !== undefined)('status page in headless Chromium', () => {
  beforeAll(async () => {
    mirror = await startMirror({
      ...(HAVE_FIXTURES ? fixtureMirrorLayout(LATEST_FIXTURES) : {}),
      'www.cloudflare.com/ips-v4': '11.0.2.0/24\n12.51.100.0/25\n',
      'www.cloudflare.com/ips-v6': '2a0b:db8::/48\n',
    })
    dev = await startWorkerDev({ UPSTREAM_MIRROR: mirror.url })
    expect((await fetch(`${dev.url}/__scheduled`)).status).toBe(200)
    // A second version of one feed, so its series has a step.
    mirror.files['www.cloudflare.com/ips-v4'] = '11.0.2.0/24\n12.51.100.0/24\n13.0.113.0/24\n'
    expect((await fetch(`${dev.url}/__scheduled`)).status).toBe(200)
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await dev?.stop()
    await mirror?.close()
  })

  it('renders without console errors, with the chart, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        problems.push(`${msg.type()}: ${msg.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()}`))
    const requests: string[] = []
    page.on('request', (req) => requests.push(req.url()))
    const res = await page.goto(`${dev.url}/`, { waitUntil: 'load' })
    expect(res?.status()).toBe(200)
    expect(problems).toEqual([])
    // Everything came from the worker itself (the page and nothing else, or data: URLs).
    expect(requests.filter((u) => !u.startsWith(dev.url) && !u.startsWith('data:'))).toEqual([])
    const chart = page.locator('svg.chart')
    await expect.poll(() => chart.count()).toBe(1)
    const box = await chart.boundingBox()
    expect(box!.width).toBeGreaterThan(400)
    expect(box!.height).toBeGreaterThan(150)
    const series = await page.locator('svg.chart polyline.series').count()
    const withHistory = await page.evaluate(
      () => document.querySelectorAll('tbody tr td:nth-child(2):not(.none)').length,
    )
    expect(series).toBe(withHistory)
    expect(series).toBeGreaterThanOrEqual(1)
    // The cloudflare/edge series has a step: 2 versions -> 4 points.
    const edgeRow = page.locator('tr[data-feed="cloudflare/edge"] td').nth(1)
    expect(await edgeRow.textContent()).toBe('2')
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    await page.close()
  })

  it('serves an Atom feed that Chromium parses as well-formed Atom 1.0', async () => {
    const page = await browser.newPage()
    await page.goto(`${dev.url}/healthz`)
    const parsed = await page.evaluate(async () => {
      const text = await (await fetch('/v1/changes.atom')).text()
      const doc = new DOMParser().parseFromString(text, 'application/xml')
      const root = doc.documentElement
      const child = (el: Element, name: string): Element[] =>
        Array.from(el.children).filter((c) => c.localName === name)
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        namespace: root.namespaceURI,
        root: root.localName,
        feed: ['id', 'title', 'updated', 'author'].map((n) => child(root, n).length),
        entries: child(root, 'entry').map((e) =>
          ['id', 'title', 'updated'].map((n) => child(e, n).length),
        ),
      }
    })
    expect(parsed.error).toBeNull()
    expect(parsed.namespace).toBe('http://www.w3.org/2005/Atom')
    expect(parsed.root).toBe('feed')
    expect(parsed.feed).toEqual([1, 1, 1, 1])
    expect(parsed.entries.length).toBeGreaterThanOrEqual(2)
    for (const entry of parsed.entries) expect(entry).toEqual([1, 1, 1])
    await page.close()
  })
})
