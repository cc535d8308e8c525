/**
 * @module `npm run bench -- pf`: what a reload of the packet-filter outputs costs in the kernel,
 * each beside a peer run in the same throwaway network namespace (root only; otherwise the file
 * reports nothing and says why):
 * - nftables sets, 50,000 IPv4 + 5,000 IPv6 CIDRs: our file (declare, flush set, add elements in
 *   one transaction) against `flush ruleset` and the same sets defined afresh, the usual way that
 *   also wipes every other table;
 * - ipset, the same sets: our file (flush a temporary set, fill, swap, destroy) against filling
 *   the live sets in place (flush + add: not atomic, the peer atomicity costs against);
 * - docker-user, a small feed: the script (both families, the DOCKER-USER checks) against the bare
 *   `iptables-restore --noflush` of its IPv4 chains;
 * - ufw: 100 `ufw allow` commands run by our script against `ipset restore` of the same 100
 *   entries: why renderUfw refuses more than limits.ufwRules (200) commands.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { renderFormat, type RenderInput } from '../../shared/src/index.ts'
import { randomInput } from '../shared/render/sample.ts'
import { hasCommand, timeProcess, type BenchFile, type BenchResult } from './harness.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`

function sh(ns: string, script: string): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], {
    env: { ...process.env, PATH },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.status !== 0) throw new Error(`${script.slice(0, 200)}: ${r.stderr}`)
}

/** Median ms of `script` run by sh in the namespace, after one unmeasured run. */
function timeShell(ns: string, script: string, runs: number): BenchResult['ours'] {
  return timeProcess('ip', ['netns', 'exec', ns, 'sh', '-c', script], { runs })
}

function result(
  name: string,
  ours: BenchResult['ours'],
  peerName: string,
  peer: BenchResult['ours'],
): BenchResult {
  return { name, ours, peer: { name: peerName, ...peer }, ratio: peer.median / ours.median }
}

function nftSets(dir: string, ns: string, input: RenderInput, runs: number): BenchResult {
  const ours = path.join(dir, 'sets.nft')
  writeFileSync(ours, renderFormat('nftables', input))
  // The peer: the same sets, defined after `flush ruleset` (which also drops everything else).
  const elements = (cidrs: readonly string[]) => cidrs.join(',\n')
  const peer = path.join(dir, 'flush-ruleset.nft')
  writeFileSync(
    peer,
    `flush ruleset\ntable inet filter {\n\tset allowlist_sync_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ${elements(input.ipv4)} }\n\t}\n\tset allowlist_sync_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\telements = { ${elements(input.ipv6)} }\n\t}\n}\n`,
  )
  sh(ns, `nft -f ${ours}`)
  return result(
    'nftables sets, 55,000 CIDRs: reload (declare + flush set + add, one transaction)',
    timeShell(ns, `nft -f ${ours}`, runs),
    'flush ruleset + define the sets afresh',
    timeShell(ns, `nft -f ${peer}`, runs),
  )
}

function ipsetSwap(dir: string, ns: string, input: RenderInput, runs: number): BenchResult {
  const text = renderFormat('ipset', input)
  const ours = path.join(dir, 'sets.ipset')
  writeFileSync(ours, text)
  // The peer: the live sets flushed and filled in place (a window where they are empty).
  const inPlace = text
    .split('\n')
    .filter((l) => l.startsWith('add '))
    .map((l) => l.replace(/^add (\S+)-new /, 'add $1 '))
  const peer = path.join(dir, 'in-place.ipset')
  writeFileSync(
    peer,
    ['flush allowlist-sync-v4', 'flush allowlist-sync-v6', ...inPlace, ''].join('\n'),
  )
  sh(ns, `ipset restore -exist < ${ours}`)
  return result(
    'ipset, 55,000 CIDRs: reload (flush a temporary set, fill, swap, destroy)',
    timeShell(ns, `ipset restore -exist < ${ours}`, runs),
    'flush + fill the live sets in place',
    timeShell(ns, `ipset restore -exist < ${peer}`, runs),
  )
}

function dockerUser(dir: string, ns: string, input: RenderInput, runs: number): BenchResult {
  sh(ns, 'iptables -N DOCKER-USER; ip6tables -N DOCKER-USER; ip6tables -N DOCKER; true')
  const text = renderFormat('docker-user', input, { ports: [{ port: 443, protocol: 'tcp' }] })
  const script = path.join(dir, 'docker-user.sh')
  writeFileSync(script, text)
  const v4 = /<<'ALLOWLIST_SYNC_IPV4'\n([^]*?)\nALLOWLIST_SYNC_IPV4\n/.exec(text)![1]!
  const bare = path.join(dir, 'docker-user.v4.rules')
  writeFileSync(bare, `${v4}\n`)
  return result(
    `docker-user, ${input.ipv4.length + input.ipv6.length} CIDRs: reload (sh: both families, DOCKER-USER checks)`,
    timeShell(ns, `sh ${script}`, runs),
    'iptables-restore --noflush of the IPv4 chains alone',
    timeShell(ns, `iptables-restore --noflush ${bare}`, runs),
  )
}

/** One run each (a ufw run takes tens of seconds): ufw's files are private copies. */
function ufwAgainstIpset(dir: string, ns: string): BenchResult {
  const input = randomInput(100, 9)
  const some = { ...input, ipv6: [] }
  const root = path.join(dir, 'ufw')
  cpSync('/etc/ufw', path.join(root, 'etc-ufw'), { recursive: true })
  cpSync('/lib/ufw', path.join(root, 'lib-ufw'), { recursive: true })
  const defaults = readFileSync('/etc/default/ufw', 'utf8')
  writeFileSync(path.join(root, 'default-ufw'), defaults.replace(/^IPT_SYSCTL=.*$/m, 'IPT_SYSCTL='))
  const script = path.join(dir, 'ufw.sh')
  writeFileSync(script, renderFormat('ufw', some, { ports: [{ port: 443, protocol: 'tcp' }] }))
  const isolated = (cmd: string) =>
    `unshare --mount --propagation private sh -c 'mount --bind ${root}/etc-ufw /etc/ufw && mount --bind ${root}/lib-ufw /lib/ufw && mount --bind ${root}/default-ufw /etc/default/ufw && mount -t tmpfs tmpfs /run && ${cmd}'`
  sh(ns, isolated('ufw --force reset >/dev/null && ufw --force enable >/dev/null'))
  const start = performance.now()
  sh(ns, isolated(`sh ${script} >/dev/null`))
  const ufw = performance.now() - start
  const sets = path.join(dir, 'ufw-peer.ipset')
  writeFileSync(sets, renderFormat('ipset', some))
  const peer = timeShell(ns, `ipset restore -exist < ${sets}`, 3)
  return {
    ...result(
      'ufw: 100 allow commands (limits.ufwRules refuses over 200)',
      { median: ufw, unit: 'ms', samples: 1 },
      'ipset restore of the same 100 CIDRs',
      peer,
    ),
    note: `${(ufw / 100).toFixed(0)} ms a command`,
  }
}

const bench: BenchFile = async ({ runs }) => {
  const missing = ['ip', 'nft', 'ipset', 'iptables-restore', 'ufw', 'unshare'].filter(
    (c) => !hasCommand(c),
  )
  if (process.getuid?.() !== 0 || missing.length > 0) {
    console.warn(`pf bench: skipped (needs root and ${missing.join(', ') || 'a namespace'})`)
    return []
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-pf-bench-'))
  const ns = `asr-pf-bench-${process.pid}`
  spawnSync('ip', ['netns', 'add', ns], { env: { ...process.env, PATH } })
  try {
    const big = randomInput(50_000, 42)
    const small = randomInput(20, 3)
    return await Promise.resolve([
      nftSets(dir, ns, big, runs),
      ipsetSwap(dir, ns, big, runs),
      dockerUser(dir, ns, small, runs),
      ufwAgainstIpset(dir, ns),
    ])
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { env: { ...process.env, PATH } })
    rmSync(dir, { recursive: true, force: true })
  }
}

export default bench
