/**
 * @module Acceptance 2 of issue 18, with Debian's firewalld (1.3): `firewall-offline-cmd` accepts
 * the ipset and policy files in a throwaway configuration root (`--system-config DIR`, so the
 * machine's /etc/firewalld is never read or written) and reads back the entries and rules we
 * wrote; then firewalld itself runs in a network namespace, on a private D-Bus (a dbus-daemon of
 * our own, reached through DBUS_SYSTEM_BUS_ADDRESS) with its nftables backend, and an allowed
 * source connects to a guarded port while another does not, even when the zone opens that port
 * to everyone. Skips with the reason when not root or firewalld / dbus-daemon is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderFormat, type RenderInput, type RenderOptions } from '../../../shared/src/index.ts'
import {
  createNetnsPair,
  netnsSkipReason,
  type NetnsPair,
  type NetnsServer,
} from '../../helpers/netns.ts'
import { IS_ROOT, missingTools } from '../../helpers/tools.ts'
import { DOC_INPUT, DOC_OPTIONS, randomInput } from './sample.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const base = mkdtempSync(path.join(tmpdir(), 'asr-fm-firewalld-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** A configuration root holding the three files for `options`, and a firewalld.conf. */
function configRoot(tag: string, input: RenderInput, options: RenderOptions): string {
  const root = path.join(base, tag)
  const name = options.name ?? 'allowlist-sync'
  mkdirSync(path.join(root, 'ipsets'), { recursive: true })
  mkdirSync(path.join(root, 'policies'), { recursive: true })
  writeFileSync(path.join(root, 'firewalld.conf'), 'DefaultZone=public\nFirewallBackend=nftables\n')
  writeFileSync(
    path.join(root, 'ipsets', `${name}-v4.xml`),
    renderFormat('firewalld-ipset', input, options),
  )
  writeFileSync(
    path.join(root, 'ipsets', `${name}-v6.xml`),
    renderFormat('firewalld-ipset6', input, options),
  )
  writeFileSync(
    path.join(root, 'policies', `${name}.xml`),
    renderFormat('firewalld-policy', input, options),
  )
  return root
}

function offline(root: string, ...args: string[]) {
  const r = spawnSync('firewall-offline-cmd', ['--system-config', root, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const offlineSkip = IS_ROOT
  ? missingTools('firewall-offline-cmd')
  : 'skipped: firewall-offline-cmd needs root to read its configuration (CI runs as root)'

describe.skipIf(offlineSkip !== undefined)('firewall-offline-cmd in a throwaway root', () => {
  const cases: [string, RenderInput, RenderOptions][] = [
    ['documentation feeds, ports', DOC_INPUT, DOC_OPTIONS],
    ['no ports, name hooks', DOC_INPUT, { name: 'hooks' }],
    ['2,000 random CIDRs', randomInput(2000, 9), { ...DOC_OPTIONS, name: 'big' }],
  ]
  it.each(cases)('accepts the files and reads back what we wrote: %s', (tag, input, options) => {
    const root = configRoot(tag.replace(/\W+/g, '-'), input, options)
    const check = offline(root, '--check-config')
    // firewalld reports a bad entry as a WARNING and carries on (exit 0): so none may appear.
    expect(check.stderr + check.stdout).toBe('')
    expect(check.status).toBe(0)
    const name = options.name ?? 'allowlist-sync'
    for (const [family, list] of [
      [4, input.ipv4],
      [6, input.ipv6],
    ] as const) {
      const info = offline(root, `--info-ipset=${name}-v${family}`)
      expect(info.status, info.stderr).toBe(0)
      const entries = /entries: (.*)/.exec(info.stdout)?.[1]?.split(' ').filter(Boolean) ?? []
      const text = renderFormat(
        family === 4 ? 'firewalld-ipset' : 'firewalld-ipset6',
        input,
        options,
      )
      expect(entries).toEqual([...text.matchAll(/<entry>(.*)<\/entry>/g)].map((m) => m[1]))
      expect(entries.length).toBeGreaterThan(0)
      expect(list.length).toBeGreaterThan(0)
    }
    const policy = offline(root, `--info-policy=${name}`)
    expect(policy.status, policy.stderr).toBe(0)
    expect(policy.stdout).toContain('ingress-zones: ANY')
    expect(policy.stdout).toContain('egress-zones: HOST')
    const rules = policy.stdout.match(/^\trule /gm) ?? []
    expect(rules).toHaveLength(options.ports === undefined ? 2 : options.ports.length * 4)
    if (options.ports !== undefined)
      expect(policy.stdout).toContain(
        `rule family="ipv4" source NOT ipset="${name}-v4" port port="8000-8100" protocol="tcp" drop`,
      )
  })

  it('is not vacuous: a bad entry is reported (firewalld warns and carries on, exit 0)', () => {
    const root = configRoot('bad', DOC_INPUT, DOC_OPTIONS)
    writeFileSync(
      path.join(root, 'ipsets', 'x-v4.xml'),
      '<?xml version="1.0"?>\n<ipset type="hash:net"><entry>bogus</entry></ipset>\n',
    )
    expect(offline(root, '--check-config').stderr).toContain('INVALID_ENTRY')
  })
})
if (offlineSkip !== undefined) console.warn(`firewall-offline-cmd: ${offlineSkip}`)

const liveSkip = netnsSkipReason('firewalld', 'firewall-cmd', 'dbus-daemon', 'nft')

describe.skipIf(liveSkip !== undefined)(
  'firewalld running in a namespace (nftables backend)',
  () => {
    let pair: NetnsPair
    let bus: ChildProcess | undefined
    let daemon: ChildProcess | undefined
    let log = ''
    const servers: NetnsServer[] = []
    const root = path.join(base, 'live')
    const busPath = path.join(base, 'bus')
    const env = { ...process.env, PATH, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${busPath}` }
    const cmd = (...args: string[]) => spawnSync('firewall-cmd', args, { encoding: 'utf8', env })

    beforeAll(async () => {
      pair = createNetnsPair('asr-fm', {
        server: ['203.0.113.1', '2001:db8:ff::1'],
        client: ['192.0.2.10', '198.51.100.99', '2001:db8:1::10', '2001:db8:dead::10'],
      })
      // Listeners first: their ephemeral ports become the guarded ports of the policy.
      for (const host of ['203.0.113.1', '2001:db8:ff::1', '203.0.113.1'])
        servers.push(await pair.listen(host))
      const ports = [servers[0]!.port, servers[1]!.port].map((port) => ({
        port,
        protocol: 'tcp' as const,
      }))
      configRoot('live', DOC_INPUT, { name: 'hooks', ports })
      const busConf = path.join(base, 'bus.conf')
      writeFileSync(
        busConf,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${busPath}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="root"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>\n`,
      )
      bus = spawn('dbus-daemon', ['--nofork', `--config-file=${busConf}`], { env, stdio: 'ignore' })
      daemon = spawn(
        'ip',
        [
          'netns',
          'exec',
          pair.names.server,
          'firewalld',
          '--nofork',
          '--nopid',
          '--system-config',
          root,
        ],
        { env },
      )
      daemon.stdout?.on('data', (d: Buffer) => (log += d.toString()))
      daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()))
      // Bounded wait until firewalld answers on the bus.
      for (let i = 0; i < 150 && cmd('--state').stdout.trim() !== 'running'; i++)
        await new Promise((r) => setTimeout(r, 100))
      if (cmd('--state').stdout.trim() !== 'running')
        throw new Error(`firewalld did not start: ${log}`)
      // Open every listener's port to everyone in the interface's zone: the policy must still
      // drop strangers on the guarded ones, and leave the third port alone.
      for (const s of servers)
        expect(cmd('--zone=public', `--add-port=${s.port}/tcp`).status).toBe(0)
    }, 40_000)

    afterAll(async () => {
      daemon?.kill()
      bus?.kill()
      for (const s of servers) await s.stop()
      pair?.destroy()
    })

    const at = (from: string, to: string, port: number) =>
      pair.connect({ from, to, port, timeoutMs: 1500 })

    it('admits the allowed sources to a guarded port and drops the others, IPv4 and IPv6', async () => {
      expect(await at('192.0.2.10', '203.0.113.1', servers[0]!.port)).toBe('connected')
      expect(await at('198.51.100.99', '203.0.113.1', servers[0]!.port)).not.toBe('connected')
      expect(await at('2001:db8:1::10', '2001:db8:ff::1', servers[1]!.port)).toBe('connected')
      expect(await at('2001:db8:dead::10', '2001:db8:ff::1', servers[1]!.port)).not.toBe(
        'connected',
      )
    })

    it('leaves other ports to the zones: allowed sources keep what the zone gives everyone', async () => {
      expect(await at('192.0.2.10', '203.0.113.1', servers[2]!.port)).toBe('connected')
      expect(await at('198.51.100.99', '203.0.113.1', servers[2]!.port)).toBe('connected')
    })

    it('firewalld loaded the policy and the sets into nftables, without errors', () => {
      const ruleset = pair.run('server', 'nft', ['list', 'ruleset']).stdout
      expect(ruleset).toContain('set hooks-v4')
      expect(ruleset).toMatch(/ip saddr != @hooks-v4 tcp dport \d+ .*drop/)
      expect(log).not.toMatch(/ERROR/)
    })
  },
)
if (liveSkip !== undefined) console.warn(`firewalld in a namespace: ${liveSkip}`)
