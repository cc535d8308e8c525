/**
 * The status page in headless Chromium (Debian's, driven by playwright-core), served by
 * `npm start` after three syncs from a local mirror of ../shared/fixtures/feeds in which Coolify
 * answers an HTML error page (refused) and Cloudflare's list grows from two ranges to the whole
 * published list (a mass addition: held).
 * In a 1280x800 window, without scrolling: the summary, the refused feed and the held feed. No
 * console errors or failed requests (the CSP forbids any external asset), one sparkline per feed
 * with history, screenshots saved to test-results/ (a CI artifact). The Atom feed is parsed by
 * Chromium's XML parser too.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES_DIR, HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { missingTools } from '../helpers/tools.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import type { MirrorServer } from '../scripts/mirror-server.ts'
import { runCronAndWait, startWorkerDev } from '../worker/support/wrangler-dev.ts'
import type { WorkerDev } from '../worker/support/wrangler-dev.ts'

const SKIP = missingTools('chromium')
if (SKIP !== undefined) console.warn(`worker status page: ${SKIP}`)

const RESULTS = path.resolve(import.meta.dirname, '../../test-results')
const VIEWPORT = { width: 1280, height: 800 }
const HTML_ERROR = '<!doctype html><html><head><title>502 Bad Gateway</title></head></html>\n'

let mirror: MirrorServer
let dev: WorkerDev
let browser: Browser

/** Cloudflare's published IPv4 list (../shared/fixtures/feeds/cloudflare/ips-v4), or two ranges. */
function cloudflareV4(): string {
  return HAVE_FIXTURES
    ? readFileSync(path.join(FIXTURES_DIR, 'feeds/cloudflare/ips-v4'), 'utf8')
    : '173.245.48.0/20\n103.21.244.0/22\n104.16.0.0/13\n104.24.0.0/14\n172.64.0.0/13\n'
}

async function sync(): Promise<void> {
  await runCronAndWait(dev.url)
}

/** Whether `selector`'s box lies inside the window as first shown (no scrolling). */
async function aboveTheFold(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox()
  return box !== null && box.y >= 0 && box.y + box.height <= VIEWPORT.height && box.width > 0
}

describe.skipIf(SKIP !== undefined)('status page in headless Chromium', () => {
  beforeAll(async () => {
    mirror = await startMirror({
      ...(HAVE_FIXTURES ? fixtureMirrorLayout(LATEST_FIXTURES) : {}),
      'www.cloudflare.com/ips-v4': '173.245.48.0/20\n103.21.244.0/22\n',
      'www.cloudflare.com/ips-v6': '2400:cb00::/32\n',
      'coolify.io/ipv4.txt': HTML_ERROR,
      'coolify.io/ipv6.txt': HTML_ERROR,
    })
    // Without the fixtures (a user's clone) only the two feeds served here are synced: the
    // others would all be refused (404), and the summary lists problems a few at a time.
    dev = await startWorkerDev({
      UPSTREAM_MIRROR: mirror.url,
      ...(HAVE_FIXTURES ? {} : { ENABLED_FEEDS: 'cloudflare/edge,coolify/cloud' }),
    })
    await sync()
    mirror.files['www.cloudflare.com/ips-v4'] =
      '173.245.48.0/20\n103.21.244.0/22\n103.22.200.0/22\n'
    await sync()
    // The whole published list: more than doubles the addresses (a mass addition).
    mirror.files['www.cloudflare.com/ips-v4'] = cloudflareV4()
    await sync()
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
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await dev?.stop()
    await mirror?.close()
  })

  it('shows the summary and the refused feed without scrolling, with no console errors', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT })
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
    mkdirSync(RESULTS, { recursive: true })
    await page.screenshot({ path: path.join(RESULTS, 'worker-status-page.png'), fullPage: true })
    await page.screenshot({ path: path.join(RESULTS, 'worker-status-page-fold.png') })
    expect(await aboveTheFold(page, '#summary h2')).toBe(true)
    expect(await aboveTheFold(page, '#summary .tally')).toBe(true)
    expect(await aboveTheFold(page, '#cron')).toBe(true)
    expect(await aboveTheFold(page, '#deliveries')).toBe(true)
    const refused = '#summary li.kind-refused[data-feed="coolify/cloud"]'
    expect(await aboveTheFold(page, refused)).toBe(true)
    expect(await page.locator(refused).textContent()).toMatch(
      /coolify\/cloud refused since (just now|\d+ min ago) .*wrong-content/,
    )
    // github/dependabot, withdrawn by GitHub: counted as withdrawn, never listed as a problem.
    if (HAVE_FIXTURES) {
      expect(await page.locator('#summary li[data-feed="github/dependabot"]').count()).toBe(0)
      expect(await page.locator('tr[data-feed="github/dependabot"] .badge').textContent()).toBe(
        'withdrawn upstream',
      )
    }
    await page.close()
  })

  it('shows the held feed without scrolling (the mass addition is held)', async () => {
    const { feeds } = (await (await fetch(`${dev.url}/v1/feeds`)).json()) as {
      feeds: { id: string; held?: unknown; version: number | null }[]
    }
    const edge = feeds.find((f) => f.id === 'cloudflare/edge')!
    // The mass addition is held: version 2 stays current.
    expect(edge.held).toMatchObject({ status: 'held', guard: 'mass-addition' })
    expect(edge.version).toBe(2)
    const page = await browser.newPage({ viewport: VIEWPORT })
    await page.goto(`${dev.url}/`, { waitUntil: 'load' })
    const item = '#summary li.kind-held[data-feed="cloudflare/edge"]'
    expect(await aboveTheFold(page, item)).toBe(true)
    expect(await page.locator(item).textContent()).toMatch(/held since .*mass-addition/)
    await page.close()
  })

  it('draws one sparkline per feed with history, with a marker per version', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT })
    await page.goto(`${dev.url}/`, { waitUntil: 'load' })
    const withHistory = await page.evaluate(
      () => document.querySelectorAll('tbody tr td:nth-child(3):not(.none)').length,
    )
    expect(await page.locator('svg.spark').count()).toBe(withHistory)
    expect(withHistory).toBeGreaterThanOrEqual(1)
    const edge = page.locator('tr[data-feed="cloudflare/edge"]')
    const markers = await edge.locator('svg.spark circle.change').count()
    // The version cell: our version, then the publisher's own under it.
    const version = await edge
      .locator('td')
      .nth(2)
      .evaluate((td) => td.firstChild?.textContent ?? '')
    expect(markers).toBe(Number(version))
    const box = await edge.locator('svg.spark').boundingBox()
    expect(box!.width).toBe(180)
    expect(box!.height).toBe(34)
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
        ids: child(root, 'entry').map((e) => child(e, 'id')[0]!.textContent),
      }
    })
    expect(parsed.error).toBeNull()
    expect(parsed.namespace).toBe('http://www.w3.org/2005/Atom')
    expect(parsed.root).toBe('feed')
    expect(parsed.feed).toEqual([1, 1, 1, 1])
    expect(parsed.entries.length).toBeGreaterThanOrEqual(2)
    for (const entry of parsed.entries) expect(entry).toEqual([1, 1, 1])
    for (const id of parsed.ids) expect(id).toMatch(/^tag:allowlist-sync,2026:feeds\//)
    await page.close()
  })
})
