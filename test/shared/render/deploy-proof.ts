/**
 * @module The deploy proof shared by the packet-filter and Docker tests: a format loaded as its
 * header says into the server side of a namespace pair, then real connections for IPv4 and IPv6:
 * allowed in, unlisted out, unguarded port untouched, local clients in, a feed change closing the
 * removed CIDRs, and reloads during connection loops dropping nothing.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import {
  renderFormat,
  type FormatId,
  type RenderInput,
  type RenderOptions,
} from '../../../shared/src/index.ts'
import {
  connectInNamespace,
  connectLoopInNamespace,
  type ConnectResult,
  type NetnsPair,
} from '../../helpers/netns.ts'

type ByFamily = Readonly<Record<4 | 6, string>>

/** Client sources: in the first feed only, in every version, in none. */
export const ALLOWED: ByFamily = { 4: '198.51.100.10', 6: '2001:db8:1::10' }
export const KEPT: ByFamily = { 4: '192.0.2.200', 6: '2001:db8:3::10' }
export const DENIED: ByFamily = { 4: '203.0.113.10', 6: '2001:db8:2::10' }
export const CLIENTS = [ALLOWED[4], ALLOWED[6], KEPT[4], KEPT[6], DENIED[4], DENIED[6]]

export const FEED: RenderInput = {
  feeds: [{ id: 'test/doc-ranges', version: '1' }],
  ipv4: ['198.51.100.0/24', '192.0.2.128/25'],
  ipv6: ['2001:db8:1::/48', '2001:db8:3::/48'],
}
/** The feed after a change that removed ALLOWED's ranges. */
export const CHANGED: RenderInput = {
  feeds: [{ id: 'test/doc-ranges', version: '2' }],
  ipv4: ['192.0.2.128/25'],
  ipv6: ['2001:db8:3::/48'],
}
/** CHANGED plus a range per family: reloads alternate the two, so each one changes the rules. */
export const GROWN: RenderInput = {
  feeds: [{ id: 'test/doc-ranges', version: '3' }],
  ipv4: [...CHANGED.ipv4, '203.0.113.128/25'],
  ipv6: [...CHANGED.ipv6, '2001:db8:4::/48'],
}

/** How a format is deployed. Every load is a shell command, so reload loops run in one `sh`. */
export interface Deployer {
  readonly format: FormatId
  /** Whether the render takes the guarded ports (false: nftables sets, the operator has rules). */
  readonly ports: boolean
  /** Whether the rules take exemptLoopback (ufw and docker-user always let loopback through). */
  readonly loopbackOption: boolean
  /** How many reloads run during the connection loops. */
  readonly reloads: number
  /** How many reloads one shell runs (default 20; each shell has a 60 s limit). */
  readonly batch?: number
  /**
   * Writes a rendered text under `file` (and siblings); returns the command that loads it.
   * For `iptables` the text is the IPv4 and the IPv6 file joined by a NUL.
   */
  readonly write: (file: string, text: string) => string
  /** The operator's firewall before the first load (ufw: enabled, their rule for `openPort`). */
  readonly setup?: (shell: (script: string) => void, openPort: number) => void
  /** What the operator does once after the first load (hooks from the header); may be absent. */
  readonly once?: (shell: (script: string) => void, text: string, guardedPort: number) => void
  /** Runs a script in the server namespace (ufw: with its files isolated); default sh -c. */
  readonly shell?: (p: NetnsPair, script: string) => void
}

/** One loaded version of the feed: `# prefix CMD` header lines run by sh (hooks, set rules). */
export function headerCommands(text: string, prefix: RegExp): string[] {
  return text.split('\n').flatMap((l) => prefix.exec(l)?.[1] ?? [])
}

/** Where the proof connects: the server's addresses, its guarded and unguarded ports. */
export interface ProofTarget {
  readonly pair: NetnsPair
  readonly server: ByFamily
  readonly guarded: number
  readonly open: number
  /** Connections from the server namespace itself that must always get through. */
  readonly local: readonly { from: string; to: string; port: number }[]
  /** Scratch directory for the rendered files. */
  readonly dir: string
  /** Extra options per rendered version (ufw: `removed`, the version it replaces). */
  readonly optionsFor?: (previous: RenderInput) => RenderOptions
}

function tryAll(
  p: NetnsPair,
  attempts: readonly { from: string; to: string; port: number; local?: boolean }[],
): Promise<ConnectResult[]> {
  return Promise.all(
    attempts.map((a) =>
      a.local === true
        ? connectInNamespace(p.names.server, { ...a, timeoutMs: 1500 })
        : p.connect({ ...a, timeoutMs: 1500 }),
    ),
  )
}

/** Runs the whole proof for one deployer; throws (an expect failure) at the first difference. */
export async function proveDeployment(d: Deployer, t: ProofTarget): Promise<void> {
  const p = t.pair
  const g = t.guarded
  const shell = (script: string) =>
    d.shell ? d.shell(p, script) : p.run('server', 'sh', ['-c', script])
  let n = 0
  const load = (input: RenderInput, previous: RenderInput, extra: RenderOptions = {}) => {
    const options: RenderOptions = {
      ports: d.ports ? [{ port: g, protocol: 'tcp' }] : [],
      ...t.optionsFor?.(previous),
      ...extra,
    }
    // iptables stands for both families: the IPv4 and the IPv6 file, joined by a NUL.
    const text =
      d.format === 'iptables'
        ? `${renderFormat('iptables', input, options)}\u0000${renderFormat('ip6tables', input, options)}`
        : renderFormat(d.format, input, options)
    return { text, command: d.write(path.join(t.dir, `${d.format}-${n++}`), text) }
  }
  const local = t.local.map((l) => ({ ...l, local: true }))

  d.setup?.(shell, t.open)
  const first = load(FEED, FEED)
  shell(first.command)
  d.once?.(shell, first.text, g)
  /** Per family: ALLOWED, KEPT, DENIED to the guarded port and DENIED to the open one. */
  const expectFamilies = async (label: string, want: readonly ConnectResult[]) => {
    for (const f of [4, 6] as const) {
      const to = t.server[f]
      const attempts = [ALLOWED[f], KEPT[f], DENIED[f]].map((from) => ({ from, to, port: g }))
      attempts.push({ from: DENIED[f], to, port: t.open })
      expect(await tryAll(p, attempts), `IPv${f}: ${label}`).toEqual(want)
    }
  }
  await expectFamilies('allowed, kept, unlisted, unlisted on the unguarded port', [
    'connected',
    'connected',
    'timeout',
    'connected',
  ])
  expect(await tryAll(p, local), 'local clients').toEqual(local.map(() => 'connected'))

  // The feed changes: the new file, loaded over the old, closes what left the feed.
  shell(load(CHANGED, FEED).command)
  await expectFamilies('after the feed change: removed, kept, unlisted, unguarded', [
    'timeout',
    'connected',
    'timeout',
    'connected',
  ])

  // Reloads, each one a real change, in one shell while connections run from a kept source.
  const grown = load(GROWN, CHANGED).command
  const back = load(CHANGED, GROWN).command
  const loops = await Promise.all(
    ([4, 6] as const).map((f) =>
      connectLoopInNamespace(p.names.client, { from: KEPT[f], to: t.server[f], port: g }),
    ),
  )
  const batch = d.batch ?? 20
  for (let done = 0; done < d.reloads; done += batch) {
    shell(`i=0\nwhile [ $i -lt ${batch} ]; do\n${grown}\n${back}\ni=$((i + 2))\ndone`)
  }
  const results = await Promise.all(loops.map((l) => l.stop()))
  results.forEach((r, i) => {
    const what = `IPv${i === 0 ? 4 : 6} connections during ${d.reloads} reloads`
    expect(r.failed, `${what} that failed`).toEqual([])
    expect(r.completed, what).toBeGreaterThan(10)
  })

  if (d.loopbackOption) {
    const strict = load(CHANGED, CHANGED, { exemptLoopback: false })
    shell(strict.command)
    d.once?.(shell, strict.text, g)
    expect(
      await tryAll(p, [...local, { from: KEPT[4], to: t.server[4], port: g }]),
      'exemptLoopback false: local clients are guarded like any other source',
    ).toEqual([...local.map(() => 'timeout'), 'connected'])
  }
}

/** Writes `text` to `file` and returns it (for deployers). */
export function writeText(file: string, text: string): string {
  writeFileSync(file, text)
  return file
}
