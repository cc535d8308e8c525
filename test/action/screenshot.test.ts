/**
 * @module The PR body and the job summary as a reviewer sees them (issue 13, must-show 4):
 * rendered as GitHub renders Markdown (GFM: tables, autolinks, strikethrough, task lists, hard
 * line breaks in PR bodies, and `> [!WARNING]` alerts) with `marked` (its GFM mode, the most used
 * GFM renderer on npm) and `marked-alert` (GitHub's alert syntax), styled with
 * `github-markdown-css` (GitHub's own Markdown CSS, extracted), shown in Chromium under a CSP that
 * runs no script and loads nothing, as GitHub's sanitiser would. The body comes from a real run
 * (runSync against the local GitHub server, real Coolify lists through the mirror, a firewall
 * config that violates its policy). Asserts what is visible first: the policy result and the
 * decisions above the fold, the CIDR lists below; screenshots go to test-results/.
 */
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Marked } from 'marked'
import markedAlert from 'marked-alert'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GitHubClient } from '../../action/src/github.ts'
import { decideHold } from '../../action/src/held.ts'
import { renderPrBody } from '../../action/src/pr-body.ts'
import { runSync, type SyncResult } from '../../action/src/sync.ts'
import type { HeldOutcome } from '../../shared/src/index.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { missingTools } from '../helpers/tools.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { testInputs } from './test-inputs.ts'

const SKIP = missingTools('chromium')
if (SKIP !== undefined) console.warn(`PR body screenshot: ${SKIP}`)

const OUT = path.resolve(import.meta.dirname, '../../test-results')
const CSS = readFileSync(
  createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
  'utf8',
)
const FOLD = 800

const CONFIG = `version: 1
targets:
  - { path: firewall/allow.nft, format: nftables, feeds: [coolify/cloud], ports: [22/tcp] }
  - { path: lists/hooks.txt, format: txt, feeds: [github/hooks] }
policies:
  - preset: coolify-self-hosted
    configs: [firewall/host.nft]
pull-request:
  labels: [allowlist]
`
const HOST_NFT = `table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    tcp dport { 22, 80, 443, 8000, 5432 } accept
  }
}
`

/** GFM as GitHub renders it: `breaks` for PR bodies and comments, not for files and summaries. */
function toHtml(markdown: string, breaks: boolean): string {
  const marked = new Marked({ gfm: true, breaks }).use(markedAlert())
  const body = marked.parse(markdown, { async: false })
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${CSS} body { margin: 0; } .markdown-body { max-width: 880px; margin: 0 auto; padding: 32px; }</style>
</head><body><article class="markdown-body">${body}</article></body></html>`
}

describe.skipIf(SKIP !== undefined || !HAVE_FIXTURES)(
  'the PR body and job summary in Chromium',
  () => {
    let browser: Browser
    let gh: GitHubServer
    let mirror: MirrorServer
    let result: SyncResult

    beforeAll(async () => {
      gh = await startGitHubServer()
      gh.seedRepo('acme/look', {
        '.github/allowlist-sync.yml': CONFIG,
        'firewall/host.nft': HOST_NFT,
      })
      mirror = await startMirror(
        fixtureMirrorLayout({
          'coolify.io/ipv4.txt': 'coolify/ipv4.2024-05-08T1121.txt',
          'coolify.io/ipv6.txt': 'coolify/ipv6.2024-05-08T1121.txt',
          'api.github.com/meta': 'github/meta.2026-03-03.json',
        }),
      )
      result = await runSync({
        inputs: testInputs({ bodyFooter: 'Questions: #netops on chat.' }),
        client: new GitHubClient({
          token: 'test-token',
          repository: 'acme/look',
          baseUrl: gh.url,
          retries: 0,
        }),
        fetch: globalThis.fetch,
        now: () => Date.parse('2026-11-21T12:00:00Z'),
        env: { mirror: mirror.url, defaultBranch: 'main' },
        log: { info: () => undefined, warning: () => undefined },
      })
      await mkdir(OUT, { recursive: true })
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
    }, 120_000)
    afterAll(async () => {
      await browser?.close()
      await gh?.close()
      await mirror?.close()
    })

    async function show(markdown: string, breaks: boolean, shot: string): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1280, height: FOLD } })
      const problems: string[] = []
      page.on('console', (m) => problems.push(m.text()))
      page.on('pageerror', (e) => problems.push(e.message))
      page.on('request', (r) =>
        r.url().startsWith('data:') || r.url() === 'about:blank'
          ? undefined
          : problems.push(r.url()),
      )
      await page.setContent(toHtml(markdown, breaks), { waitUntil: 'load' })
      await page.screenshot({ path: path.join(OUT, shot), fullPage: false })
      expect(problems).toEqual([])
      return page
    }
    const top = async (page: Page, selector: string, text: string | RegExp) => {
      const box = await page.locator(selector, { hasText: text }).first().boundingBox()
      expect(box, `${selector} ${String(text)}`).not.toBeNull()
      return box!.y
    }

    it('the PR body: the policy verdict and what needs a decision are above the fold', async () => {
      const pr = gh.pulls('acme/look')[0]!
      const page = await show(pr.body, true, 'action-pr-body.png')
      const headings = await page.locator('h2').allTextContents()
      expect(headings[0]).toMatch(/^Port policy: \d+ violations?$/)
      expect(await top(page, 'h2', /^Port policy/)).toBeLessThan(FOLD / 4)
      // the first violation, with its file and line, is readable without scrolling
      expect(await top(page, 'li', /^error firewall\/host\.nft:\d+ require-/)).toBeLessThan(FOLD)
      // the CIDR lists come after the decisions
      expect(await top(page, 'h3', 'coolify/cloud')).toBeGreaterThan(
        await top(page, 'h2', /^Port policy/),
      )
      expect(await page.locator('a[href="https://coolify.io/ipv4.txt"] code').count()).toBe(1)
      expect(await page.locator('img, script, iframe').count()).toBe(0)
      expect(await page.locator('article').textContent()).toContain('Questions: #netops on chat.')
    })

    it('a held PR body: the held section comes first, with an alert, above the fold', async () => {
      const state = (await import('../../action/src/feed-state.ts')).parseLock(
        gh.readFiles('acme/look', 'allowlist-sync/update')['.github/allowlist-sync.lock.json'],
      )
      const candidate = state['coolify/cloud']!
      const change = {
        feed: 'coolify/cloud',
        version: 2,
        previousVersion: 1,
        at: candidate.changedAt,
        added: { ipv4: candidate.ipv4, ipv6: candidate.ipv6 },
        removed: { ipv4: ['5.75.252.18/32', '49.12.221.172/32'], ipv6: [] },
      }
      const held: HeldOutcome = {
        kind: 'held',
        feed: 'coolify/cloud',
        guard: 'mass-removal',
        reason: 'every IPv4 address of version 1 would be removed',
        previous: candidate,
        candidate,
        change,
        notes: [],
      }
      const feedState = {
        snapshots: new Map([['coolify/cloud', candidate]]),
        changes: new Map([['coolify/cloud', change]]),
        refusals: [],
        held: [held],
        origin: 'upstream',
        fetchedAt: candidate.fetchedAt,
        warnings: [],
      }
      const body = renderPrBody({
        state: feedState,
        files: [],
        policy: undefined,
        hold: decideHold([held], undefined),
      })
      const page = await show(body, true, 'action-pr-body-held.png')
      expect((await page.locator('h2').allTextContents())[0]).toBe(
        'Held: confirm by marking this pull request ready for review',
      )
      expect(await top(page, '.markdown-alert-caution', /held/)).toBeLessThan(FOLD / 2)
      expect(
        await top(page, 'strong', 'Marking this pull request ready for review is the confirmation'),
      ).toBeLessThan(FOLD)
    })

    it('the job summary: outcome, verdict and findings first; every file and CIDR after', async () => {
      const page = await show(result.summary, false, 'action-job-summary.png')
      expect(await top(page, 'h1', /allowlist-sync/)).toBeLessThan(100)
      expect(await top(page, 'p', /Pull request: created/)).toBeLessThan(FOLD / 3)
      expect(await top(page, 'h2', /^Port policy/)).toBeLessThan(FOLD / 2)
      expect(await top(page, 'h2', /^Files/)).toBeGreaterThan(await top(page, 'h2', /^Port policy/))
      expect(await page.locator('table td code', { hasText: 'firewall/allow.nft' }).count()).toBe(1)
    })
  },
)
