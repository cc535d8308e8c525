/**
 * @module `npm run bench -- render`: 50,000 IPv4 + 5,000 IPv6 CIDRs rendered in every format.
 * Per format: median render time (including re-canonicalisation through the IP engine) against
 * two peers measured in the same run: JSON.stringify of the same lists (the floor any serialiser
 * pays) and, for nftables and iptables, the real tool's own time to check the rendered file
 * (`nft -c -f`, `iptables-restore --test`, root only), which says whether rendering is ever the
 * slow step. Output sizes in bytes against the JSON.stringify size.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FORMAT_IDS, IpSet, renderFormat } from '../../shared/src/index.ts'
import { NO_LIMITS, randomInput } from '../shared/render/sample.ts'
import { timeMedian, timeProcess, type BenchFile, type BenchResult } from './harness.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const hasTool = (c: string) =>
  spawnSync('sh', ['-c', 'command -v "$0"', c], { env: { ...process.env, PATH } }).status === 0

const bench: BenchFile = async ({ runs }) => {
  const input = randomInput(50_000, 42)
  const options = {
    ports: [{ port: 443, protocol: 'tcp' as const }],
    limits: NO_LIMITS,
  }
  const results: BenchResult[] = []
  const lists = { ipv4: input.ipv4, ipv6: input.ipv6 }
  const json = await timeMedian(() => JSON.stringify(lists), { runs })
  const jsonBytes = JSON.stringify(lists).length
  const canon = await timeMedian(
    () => [IpSet.fromCidrs(4, input.ipv4).toCidrs(), IpSet.fromCidrs(6, input.ipv6).toCidrs()],
    { runs },
  )
  results.push({
    name: 'canonicalise 55,000 CIDRs (IpSet parse + merge + print; every render pays it)',
    ours: canon,
    peer: { name: 'JSON.stringify', ...json },
    ratio: json.median / canon.median,
  })
  const texts = new Map<string, string>()
  for (const format of FORMAT_IDS) {
    const text = renderFormat(format, input, options)
    texts.set(format, text)
    const time = await timeMedian(() => renderFormat(format, input, options), { runs })
    results.push({
      name: `${format}: render time`,
      ours: time,
      peer: { name: 'JSON.stringify', ...json },
      ratio: json.median / time.median,
    })
    results.push({
      name: `${format}: output size`,
      ours: { median: new TextEncoder().encode(text).length, unit: 'bytes', samples: 1 },
      peer: { name: 'JSON.stringify', median: jsonBytes, unit: 'bytes', samples: 1 },
      ratio: jsonBytes / new TextEncoder().encode(text).length,
    })
  }
  if (process.getuid?.() === 0 && hasTool('ip') && hasTool('nft') && hasTool('iptables-restore')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'asr-render-bench-'))
    const ns = `asr-render-bench-${process.pid}`
    spawnSync('ip', ['netns', 'add', ns], { env: { ...process.env, PATH } })
    try {
      for (const [format, argv] of [
        ['nftables', ['nft', '-c', '-f']],
        ['iptables', ['iptables-restore', '--test']],
      ] as const) {
        const file = path.join(dir, `${format}.txt`)
        writeFileSync(file, texts.get(format) ?? '')
        const ours = await timeMedian(() => renderFormat(format, input, options), { runs })
        const tool = timeProcess('ip', ['netns', 'exec', ns, ...argv, file], { runs })
        results.push({
          name: `${format}: render vs the tool checking the rendered file`,
          ours,
          peer: { name: argv.join(' '), ...tool },
          ratio: tool.median / ours.median,
        })
      }
    } finally {
      spawnSync('ip', ['netns', 'del', ns], { env: { ...process.env, PATH } })
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return results
}

export default bench
