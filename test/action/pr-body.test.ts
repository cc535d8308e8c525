/**
 * @module renderPrBody, prTitle and the job summary: the reviewer's order (held, policy,
 * attention, feeds, roll back), the publisher's version and never an internal counter, names in
 * code spans, escaping of feed- and worker-derived text, <details> for long lists, the size cap.
 */
import { describe, expect, it } from 'vitest'
import type { FeedState } from '../../action/src/feed-state.ts'
import { decideHold } from '../../action/src/held.ts'
import { code, link } from '../../action/src/markdown.ts'
import type { PolicyResult } from '../../action/src/policy-check.ts'
import { escapeMarkdown, PR_MARKER, renderPrBody } from '../../action/src/pr-body.ts'
import { prTitle } from '../../action/src/pr-title.ts'
import { renderSummary } from '../../action/src/summary.ts'
import type { HeldOutcome, Snapshot } from '../../shared/src/index.ts'

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    feed: 'acme/list',
    version: 2,
    sha256: 'a'.repeat(64),
    fetchedAt: '2026-01-01T00:00:00.000Z',
    changedAt: '2026-01-01T00:00:00.000Z',
    source: 'https://example.com/list.txt',
    ipv4: ['192.0.2.0/24'],
    ipv6: [],
    ...over,
  }
}

function state(added: string[], reason = 'ok', over: Partial<Snapshot> = {}): FeedState {
  const s = snapshot({ ipv4: added, ...over })
  return {
    snapshots: new Map([['acme/list', s]]),
    changes: new Map([
      [
        'acme/list',
        {
          feed: 'acme/list',
          version: 2,
          previousVersion: 1,
          at: s.changedAt,
          added: { ipv4: added, ipv6: [] },
          removed: { ipv4: [], ipv6: ['2001:db8::/32'] },
        },
      ],
    ]),
    refusals: [{ feed: 'acme/other', guard: 'wrong-content', reason }],
    held: [],
    origin: 'upstream',
    fetchedAt: s.fetchedAt,
    warnings: [],
  }
}

const cidrs = (n: number) =>
  Array.from({ length: n }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`)

const failing: PolicyResult = {
  policies: ['web-minimal'],
  findings: [
    {
      policy: 'web-minimal',
      rule: 'forbid-public',
      severity: 'error',
      file: 'fw/host.nft',
      line: 4,
      message: '5432/tcp is open to the Internet over IPv4',
      hint: 'close it',
    },
    {
      policy: 'web-minimal',
      rule: 'forbid-public',
      severity: 'error',
      file: 'fw/host.nft',
      line: 4,
      message: '5432/tcp is open to the Internet over IPv6',
      hint: 'close it',
    },
  ],
  errors: [],
  sarif: undefined,
  files: ['fw/host.nft'],
}

function held(s: FeedState): HeldOutcome {
  const candidate = s.snapshots.get('acme/list')!
  return {
    kind: 'held',
    feed: 'acme/list',
    guard: 'mass-removal',
    reason: 'every IPv6 address of version 1 would be removed',
    previous: { ...candidate, version: 1, sha256: 'b'.repeat(64) },
    candidate,
    change: s.changes.get('acme/list')!,
    notes: [],
  }
}

describe('renderPrBody', () => {
  it('puts the policy result first, then each feed with its facts, then roll-back and pause', () => {
    const body = renderPrBody({ state: state(['192.0.2.0/24']), files: [], policy: failing })
    expect(body.startsWith(PR_MARKER)).toBe(true)
    const order = [
      '## Port policy: **2 violations**',
      '## Needs attention',
      '### `acme/list`: +1 −1',
      '## Rolling back, pausing',
    ].map((h) => body.indexOf(h))
    expect(order.every((i) => i > 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(body).toContain('[`https://example.com/list.txt`](https://example.com/list.txt)')
    expect(body).toContain(`sha256 \`${'a'.repeat(64)}\``)
    expect(body).toContain('fetched `2026-01-01T00:00:00.000Z`')
    expect(body).toContain('- `192.0.2.0/24`')
    expect(body).toContain('- `2001:db8::/32`')
    // the two findings differ only by family: one line
    expect(body).toContain('5432/tcp is open to the Internet over IPv4 and IPv6')
    expect(body.match(/- \*\*error\*\*/g)).toHaveLength(1)
  })

  it("shows the publisher's own version, never the internal counter", () => {
    const plain = renderPrBody({ state: state(['192.0.2.0/24']), files: [], policy: undefined })
    expect(plain).not.toMatch(/version 1 → 2|published version/)
    const versioned = renderPrBody({
      state: state(['192.0.2.0/24'], 'ok', {
        upstreamVersion: { field: 'syncToken', value: '1712345678' },
      }),
      files: [],
      policy: undefined,
    })
    expect(versioned).toContain('- published version: `syncToken 1712345678`')
  })

  it('escapes hostile feed-derived text and keeps names free of zero-width characters', () => {
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
    expect(body).toContain('`acme/other` refused')
  })

  it('links only http(s) sources a worker sends, encoded; anything else is shown as code', () => {
    expect(link('javascript:alert(1)')).toBe('`javascript:alert(1)`')
    expect(link('https://x.example/a (b)')).toBe(
      '[`https://x.example/a%20(b)`](https://x.example/a%20%28b%29)',
    )
    expect(code('a`b')).toBe('``a`b``')
    expect(code('`a')).toBe('`` `a ``')
    const body = renderPrBody({
      state: state(['192.0.2.0/24'], 'ok', { source: 'javascript:alert(1) https://ok.example/x' }),
      files: [],
      policy: undefined,
    })
    expect(body).toContain('- source: `javascript:alert(1)`, [`https://ok.example/x`]')
  })

  it('puts long lists in <details>', () => {
    const body = renderPrBody({ state: state(cidrs(30)), files: [], policy: undefined })
    expect(body).toContain('<details><summary>Added: 30</summary>')
  })

  it('stays under the cap by collapsing lists to counts, and keeps the footer', () => {
    const body = renderPrBody({
      state: state(cidrs(20_000)),
      files: [],
      policy: undefined,
      footer: 'Managed by **netops**.',
    })
    expect(body.length).toBeLessThan(65_536)
    expect(body).toContain('Added: 20000 (the full list is in the job summary)')
    expect(body).not.toContain('10.0.5.0/24')
    expect(body.endsWith('---\n\nManaged by **netops**.\n')).toBe(true)
  })

  it('opens with the held section and a marker naming the candidate; confirmed reads differently', () => {
    const s = { ...state(['192.0.2.0/24']) }
    const h = held(s)
    const pending = decideHold([h], undefined)
    const body = renderPrBody({
      state: { ...s, held: [h] },
      files: [],
      policy: failing,
      hold: pending,
    })
    expect(
      body.indexOf('## Held: confirm by marking this pull request ready for review'),
    ).toBeLessThan(body.indexOf('## Port policy'))
    expect(body).toContain(
      '- `acme/list` removes 1 CIDR and adds 1 CIDR (`mass-removal`: every IPv6',
    )
    expect(body).toContain('**Marking this pull request ready for review is the confirmation**')
    expect(body).toContain(
      `<!-- allowlist-sync:held {"acme/list":{"sha256":"${'a'.repeat(64)}","confirmed":false}} -->`,
    )
    const confirmed = renderPrBody({
      state: s,
      files: [],
      policy: undefined,
      hold: { pending: [], confirmed: [h] },
    })
    expect(confirmed).toContain('## Held updates confirmed')
    expect(confirmed).not.toContain('## Held: confirm')
  })
})

describe('prTitle', () => {
  it('names the feeds and their counts, a held update and a failing policy check', () => {
    const s = state(['192.0.2.0/24', '198.51.100.0/24'])
    expect(prTitle(s, 2, undefined, undefined)).toBe('allowlists: acme/list +2 −1')
    expect(prTitle(s, 2, failing, decideHold([held(s)], undefined))).toBe(
      'allowlists (held: mark ready to confirm): acme/list +2 −1; policy check fails (2 violations)',
    )
    const none: FeedState = { ...s, changes: new Map() }
    expect(prTitle(none, 1, undefined, undefined)).toBe('allowlists: re-render 1 file')
  })

  it('keeps long titles short', () => {
    const s = state(['192.0.2.0/24'])
    const many = new Map(
      Array.from({ length: 30 }, (_, i) => [
        `acme/list-number-${i}`,
        { ...s.changes.get('acme/list')! },
      ]),
    )
    const title = prTitle({ ...s, changes: many }, 30, undefined, undefined)
    expect(title.length).toBeLessThanOrEqual(120)
    expect(title).toMatch(/ and \d+ more feeds$/)
  })
})

describe('renderSummary', () => {
  it('lists every CIDR when it fits, and counts past the 1 MiB summary limit', () => {
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

  it('groups warnings that repeat per address family', () => {
    const summary = renderSummary(
      {
        operation: 'none',
        dryRun: false,
        warnings: [
          'no config decides inbound IPv4 traffic',
          'no config decides inbound IPv6 traffic',
        ],
      },
      undefined,
      [],
      undefined,
    )
    expect(summary).toContain('- no config decides inbound IPv4 and IPv6 traffic')
    expect(summary).not.toMatch(/inbound IPv6 traffic$/m)
  })
})
