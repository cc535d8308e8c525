/**
 * @module Benchmark: the bundled Action's wall time, process start to outputs written, for a full
 * sync that opens a PR (10 targets from 6 feeds, from a local mirror of real fixtures, against the
 * local GitHub server), against peers measured the same way in the same run: a bare Node start
 * (an empty script) and the same sync with 1 target.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { bundle } from '../../action/build.ts'
import { runAction } from '../action/run-action.ts'
import { startGitHubServer } from '../helpers/github-server.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import { HAVE_FIXTURES, median, type BenchFile, type Measurement } from './harness.ts'

const SIX = 'github/hooks, github/web, github/api, coolify/cloud, cloudflare/edge, firezone/portal'
const TEN = `version: 1
targets:
  - { path: firewall/coolify.nft, format: nftables, feeds: [coolify/cloud], ports: [22/tcp] }
  - { path: firewall/hooks.rules, format: iptables, feeds: [github/hooks], ports: [443/tcp] }
  - { path: firewall/cf6.rules, format: ip6tables, feeds: [cloudflare/edge], ports: [443/tcp] }
  - { path: proxy/github.conf, format: nginx, feeds: [github/web, github/api] }
  - { path: proxy/cf.caddy, format: caddy, feeds: [cloudflare/edge] }
  - { path: proxy/firezone.acl, format: haproxy, feeds: [firezone/portal] }
  - { path: k8s/hooks.yaml, format: k8s-networkpolicy, feeds: [github/hooks], ports: [443/tcp] }
  - { path: tf/allow.auto.tfvars.json, format: terraform, feeds: [coolify/cloud, firezone/portal] }
  - { path: lists/all.txt, format: txt, feeds: [${SIX}] }
  - { path: lists/some.json, format: json, feeds: [github/hooks, cloudflare/edge] }
`
const ONE = `version: 1
targets:
  - { path: lists/all.txt, format: txt, feeds: [${SIX}] }
`

const bench: BenchFile = async ({ runs }) => {
  if (!HAVE_FIXTURES)
    return [
      {
        name: 'action full run',
        ours: { median: 0, unit: 'ms', samples: 0 },
        note: 'skipped: ../shared/fixtures is absent',
      },
    ]
  const dir = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-bench-action-'))
  await bundle(dir)
  const empty = path.join(dir, 'empty.js')
  await writeFile(empty, '')
  const gh = await startGitHubServer()
  const mirror = await startMirror(
    fixtureMirrorLayout(
      Object.fromEntries(
        Object.entries(LATEST_FIXTURES).filter(([k]) => !k.startsWith('ip-ranges')),
      ),
    ),
  )
  let n = 0
  // Each sample syncs a fresh repository, so every run does the whole work (creates the PR).
  const time = async (config: string | undefined, warmup = 1): Promise<Measurement> => {
    const samples: number[] = []
    for (let i = 0; i < runs + warmup; i++) {
      const repository = `bench/r${n++}`
      if (config !== undefined) gh.seedRepo(repository, { '.github/allowlist-sync.yml': config })
      const start = performance.now()
      const r = await runAction({
        script: config === undefined ? empty : path.join(dir, 'index.js'),
        repository,
        apiUrl: gh.url,
        mirror: mirror.url,
        inputs: { token: 'test-token', mode: 'sync' },
      })
      const elapsed = performance.now() - start
      await rm(r.tempDir, { recursive: true, force: true })
      if (
        r.code !== 0 ||
        (config !== undefined && r.outputs['pull-request-operation'] !== 'created')
      )
        throw new Error(`the action failed: ${r.stdout}${r.stderr}`)
      if (i >= warmup) samples.push(elapsed)
    }
    return { median: median(samples), unit: 'ms', samples: runs }
  }
  try {
    const bare = await time(undefined)
    const one = await time(ONE)
    const ten = await time(TEN)
    return [
      {
        name: 'full run, 10 targets from 6 feeds (creates the PR)',
        ours: ten,
        peer: { name: 'bare Node start (empty script)', ...bare },
        ratio: bare.median / ten.median,
        note: `${(ten.median - bare.median).toFixed(0)} ms above a bare Node start`,
      },
      {
        name: 'full run, 10 targets vs 1 target (same 6 feeds)',
        ours: ten,
        peer: { name: '1 target', ...one },
        ratio: one.median / ten.median,
      },
    ]
  } finally {
    await gh.close()
    await mirror.close()
    await rm(dir, { recursive: true, force: true })
  }
}

export default bench
