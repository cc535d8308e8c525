/**
 * @module Acceptance 4 of issue 5: 50,000 IPv4 CIDRs (plus 5,000 IPv6) render in every format,
 * read back whole, and the kernel-facing and proxy outputs are still accepted by the real tools
 * at that size. Platform limits refuse clearly by default (aws-sg, k8s-networkpolicy).
 * Timing and size figures: `npm run bench -- render`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  READABLE_FORMATS,
  readRendered,
  renderFormat,
  type FormatId,
} from '../../../shared/src/index.ts'
import { IS_ROOT, missingTools } from '../../helpers/tools.ts'
import { expectRenderError, familiesOf, NO_LIMITS, randomInput } from './sample.ts'

const INPUT = randomInput(50_000, 42)
const PORTS = { ports: [{ port: 443, protocol: 'tcp' as const }] }
const RAISED = { ...PORTS, limits: NO_LIMITS }
const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const dir = mkdtempSync(path.join(tmpdir(), 'asr-render-large-'))
const rendered = new Map<FormatId, string>()
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(argv: string[], input?: string) {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    input,
    encoding: 'utf8',
    env: { ...process.env, PATH },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

describe('50,000 CIDRs', () => {
  it('the generator gives 50,000 distinct, unmergeable IPv4 CIDRs', () => {
    expect(readRendered('txt', renderFormat('txt', INPUT)).ipv4).toHaveLength(50_000)
  })

  it.each(READABLE_FORMATS)('%s renders them all and reads them back', (format) => {
    const text = renderFormat(format, INPUT, RAISED)
    rendered.set(format, text)
    const got = readRendered(format, text)
    const v4 = familiesOf(format).includes(4) ? 50_000 : 0
    const v6 = familiesOf(format).includes(6) ? 5_000 : 0
    expect(got.ipv4).toHaveLength(v4)
    expect(got.ipv6).toHaveLength(v6)
  })

  it('aws-sg refuses by default, naming the 60-rule quota and the option that raises it', () => {
    expectRenderError(
      () => renderFormat('aws-sg', INPUT, PORTS),
      { code: 'ERR_RENDER_LIMIT' },
      /holds 60 per family.*limits\.awsRulesPerGroup/,
    )
    // 60 CIDRs x 1 port fit; 61 do not; 30 x 2 ports fit.
    const some = (n: number) => ({ ...INPUT, ipv4: INPUT.ipv4.slice(0, n), ipv6: [] })
    expect(() => renderFormat('aws-sg', some(60), PORTS)).not.toThrow()
    expectRenderError(
      () => renderFormat('aws-sg', some(61), PORTS),
      { code: 'ERR_RENDER_LIMIT' },
      '61 inbound rules',
    )
    const two = { ports: [...PORTS.ports, { port: 80, protocol: 'tcp' as const }] }
    expect(() => renderFormat('aws-sg', some(30), two)).not.toThrow()
    expectRenderError(
      () => renderFormat('aws-sg', some(31), two),
      { code: 'ERR_RENDER_LIMIT' },
      '62 inbound rules',
    )
  })

  it('ufw refuses by default (one process a command), naming the limit and the formats to use', () => {
    expectRenderError(
      () => renderFormat('ufw', INPUT, PORTS),
      { code: 'ERR_RENDER_LIMIT' },
      /^ufw: 55000 ufw commands exceed limits\.ufwRules 200: .*use the ipset or nftables format/,
    )
    // 200 commands fit: 100 CIDRs x 2 ports; one more CIDR does not.
    const some = (n: number) => ({ ...INPUT, ipv4: INPUT.ipv4.slice(0, n), ipv6: [] })
    const two = { ports: [...PORTS.ports, { port: 80, protocol: 'tcp' as const }] }
    expect(() => renderFormat('ufw', some(100), two)).not.toThrow()
    expectRenderError(
      () => renderFormat('ufw', some(101), two),
      { code: 'ERR_RENDER_LIMIT' },
      '202',
    )
  })

  it('k8s-networkpolicy refuses a manifest over the API server object size', () => {
    expectRenderError(
      () => renderFormat('k8s-networkpolicy', INPUT, PORTS),
      { code: 'ERR_RENDER_LIMIT' },
      /bytes.*1\.5 MiB.*limits\.k8sMaxBytes/,
    )
  })

  const kernel = !IS_ROOT
    ? 'skipped: needs root'
    : missingTools('ip', 'nft', 'iptables-restore', 'ipset')
  it.skipIf(kernel !== undefined)(
    'nft, iptables-restore and ipset (loaded twice) accept them',
    () => {
      if (kernel !== undefined) console.warn(kernel)
      const ns = `asr-render-large-${process.pid}`
      expect(run(['ip', 'netns', 'add', ns]).status).toBe(0)
      try {
        const inNs = (argv: string[], input?: string) =>
          run(['ip', 'netns', 'exec', ns, ...argv], input)
        const nft = path.join(dir, 'large.nft')
        writeFileSync(nft, rendered.get('nftables') ?? renderFormat('nftables', INPUT, PORTS))
        expect(inNs(['nft', '-c', '-f', nft])).toEqual({ status: 0, output: '' })
        // Without ports: the sets, loaded twice (the second load flushes and refills them).
        const sets = renderFormat('nftables', INPUT)
        expect(inNs(['nft', '-f', '-'], sets)).toEqual({ status: 0, output: '' })
        expect(inNs(['nft', '-f', '-'], sets)).toEqual({ status: 0, output: '' })
        const listed = inNs(['nft', 'list', 'set', 'inet', 'filter', 'allowlist_sync_v4']).output
        expect(listed.match(/\d+\.\d+\.\d+\.\d+(\/\d+)?/g)).toHaveLength(50_000)
        expect(
          inNs(['iptables-restore', '--test'], renderFormat('iptables', INPUT, PORTS)),
        ).toEqual({ status: 0, output: '' })
        expect(
          inNs(['ip6tables-restore', '--test'], renderFormat('ip6tables', INPUT, PORTS)),
        ).toEqual({ status: 0, output: '' })
        const ipset = renderFormat('ipset', INPUT, PORTS)
        // The second load finds the grown sets and swaps in fresh ones.
        expect(inNs(['ipset', 'restore', '-exist'], ipset)).toEqual({ status: 0, output: '' })
        expect(inNs(['ipset', 'restore', '-exist'], ipset)).toEqual({ status: 0, output: '' })
        expect(inNs(['ipset', 'list', '-t', 'allowlist-sync-v4']).output).toContain(
          'Number of entries: 50000',
        )
      } finally {
        run(['ip', 'netns', 'del', ns])
      }
    },
  )

  it.skipIf(missingTools('nginx', 'haproxy', 'apache2') !== undefined)(
    'nginx, haproxy and apache2 accept them',
    () => {
      const write = (name: string, text: string) => {
        const file = path.join(dir, name)
        writeFileSync(file, text)
        return file
      }
      const nginx = write('allow.conf', renderFormat('nginx', INPUT))
      const nconf = write(
        'nginx.conf',
        `error_log ${dir}/e.log;\npid ${dir}/n.pid;\nevents {}\nhttp {\n server {\n  listen 127.0.0.1:8080;\n  location / { include ${nginx}; }\n }\n}\n`,
      )
      expect(run(['nginx', '-t', '-q', '-c', nconf, '-p', `${dir}/`])).toEqual({
        status: 0,
        output: '',
      })
      const acl = write('allow.acl', renderFormat('haproxy', INPUT))
      const hconf = write(
        'haproxy.cfg',
        `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  bind 127.0.0.1:8443\n  acl ok src -f ${acl}\n  http-request deny unless ok\n  default_backend be\nbackend be\n  server s1 127.0.0.1:9\n`,
      )
      expect(run(['haproxy', '-c', '-q', '-f', hconf]).status).toBe(0)
      const mods = '/usr/lib/apache2/modules'
      const apache = write('require.conf', renderFormat('apache', INPUT))
      const aconf = write(
        'httpd.conf',
        `ServerRoot ${dir}\nServerName localhost\nLoadModule mpm_event_module ${mods}/mod_mpm_event.so\nLoadModule authz_core_module ${mods}/mod_authz_core.so\nLoadModule authz_host_module ${mods}/mod_authz_host.so\nListen 127.0.0.1:8081\nPidFile ${dir}/a.pid\nErrorLog ${dir}/a.log\n<Location "/">\n  Include ${apache}\n</Location>\n`,
      )
      expect(run(['apache2', '-t', '-f', aconf, '-d', dir]).output.trim()).toBe('Syntax OK')
    },
  )
})
