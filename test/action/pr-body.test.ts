/** @module renderPrBody: escaping of feed-derived text, <details> for long lists, the size cap. */
import { describe, expect, it } from 'vitest'
import type { FeedState } from '../../action/src/feed-state.ts'
import { escapeMarkdown, PR_MARKER, renderPrBody } from '../../action/src/pr-body.ts'

function state(added: string[], reason = 'ok'): FeedState {
  const snapshot = {
    feed: 'acme/list',
    version: 2,
    sha256: 'a'.repeat(64),
    fetchedAt: '2026-01-01T00:00:00.000Z',
    changedAt: '2026-01-01T00:00:00.000Z',
    source: 'https://example.com/list.txt',
    ipv4: added,
    ipv6: [],
  }
  return {
    snapshots: new Map([['acme/list', snapshot]]),
    changes: new Map([
      [
        'acme/list',
        {
          feed: 'acme/list',
          version: 2,
          previousVersion: 1,
          at: snapshot.changedAt,
          added: { ipv4: added, ipv6: [] },
          removed: { ipv4: [], ipv6: ['2001:db8::/32'] },
        },
      ],
    ]),
    refusals: [{ feed: 'acme/other', guard: 'wrong-content', reason }],
    held: [],
    origin: 'upstream',
    fetchedAt: snapshot.fetchedAt,
  }
}

const cidrs = (n: number) =>
  Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`)

describe('renderPrBody', () => {
  it('carries the marker, counts, version, sha256, source and the CIDRs in code spans', () => {
    const body = renderPrBody({ state: state(['192.0.2.0/24']), files: [], policy: undefined })
    expect(body.startsWith(PR_MARKER)).toBe(true)
    expect(body).toContain('### acme/list: +1 / −1')
    expect(body).toContain('version 1 → 2')
    expect(body).toContain('a'.repeat(64))
    expect(body).toContain('https\\://example.com/list.txt')
    expect(body).toContain('- `192.0.2.0/24`')
    expect(body).toContain('- `2001:db8::/32`')
  })

  it('escapes hostile feed-derived text', () => {
    const evil =
      '<img src=x onerror=alert(1)> @everyone [click](https://evil.example) `x` | # <!-- -->'
    const body = renderPrBody({
      state: state(['192.0.2.0/24'], evil),
      files: [],
      policy: undefined,
    })
    expect(body).not.toContain('<img')
    expect(body).not.toContain('@everyone')
    expect(body).not.toContain('[click](')
    expect(body).toContain(escapeMarkdown(evil))
    expect(body.match(/<!--/g)).toHaveLength(1)
  })

  it('puts long lists in <details>', () => {
    const body = renderPrBody({ state: state(cidrs(30)), files: [], policy: undefined })
    expect(body).toContain('<details><summary>Added: 30</summary>')
  })

  it('stays under the cap by collapsing lists to counts', () => {
    const body = renderPrBody({ state: state(cidrs(20_000)), files: [], policy: undefined })
    expect(body.length).toBeLessThan(65_536)
    expect(body).toContain('Added: 20000 (full list in the job summary)')
    expect(body).not.toContain('10.0.5.0/24')
  })
})

describe('renderSummary', () => {
  it('lists every CIDR when it fits, and counts past the 1 MiB summary limit', async () => {
    const { renderSummary } = await import('../../action/src/summary.ts')
    const outcome = { operation: 'created' as const, dryRun: false, warnings: [] }
    const small = renderSummary(outcome, state(cidrs(3000)), [], undefined)
    expect(small).toContain('<summary>Added: 3000</summary>')
    expect(small).toContain('- `10.11.183.0/24`')
    const many = Array.from(
      { length: 60_000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`,
    )
    const big = renderSummary(outcome, state(many), [], undefined)
    expect(big.length).toBeLessThanOrEqual(1_000_000)
    expect(big).toContain('Added: 60000 (too long to list here)')
  })
})
