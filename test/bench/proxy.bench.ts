/**
 * @module `npm run bench -- proxy`: what `--into` costs on a big list (50,000 IPv4 + 5,000 IPv6
 * CIDRs) next to peers measured in the same run. Splicing a block into the user's file (finding
 * the blocks, checking the markers' placement and the block's sum, replacing it) against GNU
 * sed replacing the same range; the block's SHA-256 (synchronous, in JavaScript) against
 * node:crypto's native one; and rendering the proxy formats against each server's own check of
 * the file (`nginx -t`, `haproxy -c`, `caddy validate`), which says whether rendering is ever the
 * slow step of a deploy.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { blockSum, markerLines, renderFormat, spliceManagedBlock } from '../../shared/src/index.ts'
import { randomInput } from '../shared/render/sample.ts'
import { hasCommand, timeMedian, timeProcess, type BenchFile, type BenchResult } from './harness.ts'

const bench: BenchFile = async ({ runs }) => {
  const results: BenchResult[] = []
  const input = randomInput(50_000, 42)
  const newer = randomInput(50_000, 43)
  const options = { name: 'office' }
  const dir = mkdtempSync(path.join(tmpdir(), 'asr-px-bench-'))
  try {
    const block = renderFormat('nginx', input, options)
    const next = renderFormat('nginx', newer, options)
    const vhost = (inner: string) =>
      `server {\n    listen 80;\n    server_name a.example;\n${inner}    location / { proxy_pass http://127.0.0.1:8080; }\n}\nserver {\n    listen 80;\n    server_name b.example;\n}\n`
    const placed = vhost(`    ${markerLines('office').join('\n    ')}\n`)
    const file = spliceManagedBlock(placed, block, { format: 'nginx' })
    const bytes = Buffer.byteLength(file)

    const splice = await timeMedian(() => spliceManagedBlock(file, next, { format: 'nginx' }), {
      runs,
    })
    const siteFile = path.join(dir, 'site.conf')
    const nextFile = path.join(dir, 'next.block')
    writeFileSync(siteFile, file)
    writeFileSync(nextFile, next)
    // sed: print the new block at the BEGIN line, drop the old range. No sum, no placement check.
    const sedScript = `/# BEGIN allowlist-sync name=office/r ${nextFile}\n/# BEGIN allowlist-sync name=office/,/# END allowlist-sync/d`
    const sed = timeProcess('sed', ['-e', sedScript, siteFile], { runs })
    results.push({
      name: `splice a 55,000-CIDR nginx block into a ${(bytes / 1e6).toFixed(1)} MB two-vhost file (in-process)`,
      ours: splice,
      peer: { name: 'GNU sed replacing the range (whole process)', ...sed },
      ratio: sed.median / splice.median,
    })

    const inner = block.split('\n').slice(1, -2)
    const text = `${inner.map((l) => l.trim()).join('\n')}\n`
    const sum = await timeMedian(() => blockSum(inner), { runs })
    const native = await timeMedian(() => createHash('sha256').update(text).digest('hex'), { runs })
    results.push({
      name: `sum= of that block (${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, SHA-256 in JavaScript)`,
      ours: sum,
      peer: { name: 'node:crypto sha256 (native)', ...native },
      ratio: native.median / sum.median,
    })

    // Each server's own check of a config that uses the rendered file.
    const checks: {
      format: 'nginx' | 'haproxy' | 'caddy'
      main: (f: string) => string
      argv: (c: string) => string[]
    }[] = [
      {
        format: 'nginx',
        main: (f) =>
          `error_log ${dir}/e.log;\npid ${dir}/n.pid;\nevents {}\nhttp {\n  include ${f};\n}\n`,
        argv: (c) => ['-t', '-q', '-c', c, '-p', `${dir}/`],
      },
      {
        format: 'haproxy',
        main: (f) =>
          `frontend fe\n  mode http\n  bind 127.0.0.1:1\n  acl office src -f ${f}\n  http-request deny unless office\n`,
        argv: (c) => ['-c', '-q', '-f', c],
      },
      {
        format: 'caddy',
        main: (f) => `import ${f}\n\n:1 {\n\timport office\n\trespond "ok"\n}\n`,
        argv: (c) => ['validate', '--config', c, '--adapter', 'caddyfile'],
      },
    ]
    // caddy validate may write its storage under XDG_DATA_HOME: keep it in the temporary folder.
    process.env.XDG_DATA_HOME = path.join(dir, 'xdg-data')
    process.env.XDG_CONFIG_HOME = path.join(dir, 'xdg-config')
    for (const { format, main, argv } of checks) {
      if (!hasCommand(format)) continue
      const f = path.join(dir, `${format}.block`)
      writeFileSync(f, format === 'nginx' ? file : renderFormat(format, input, options))
      const conf = path.join(dir, `${format}.conf`)
      writeFileSync(conf, main(f))
      const ours = await timeMedian(() => renderFormat(format, input, options), { runs })
      const check = timeProcess(format, argv(conf), { runs: Math.min(runs, 5) })
      results.push({
        name: `${format}: render 55,000 CIDRs vs the server checking the file`,
        ours,
        peer: { name: `${format} ${argv(conf)[0]}`, ...check },
        ratio: check.median / ours.median,
      })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return results
}

export default bench
