/**
 * @module Kernel truth for a ufw script that runs `docker run -p` (read-docker-commands.ts): real
 * ufw and a real dockerd (Debian's, with its defaults but a root of its own) in one namespace, a
 * client across a veth. Docker's NAT sends the published port to the container before ufw's
 * rules: open to every IPv4 sender, while IPv6 reaches docker-proxy through ufw. With dockerd's
 * iptables off (`"iptables": false` in daemon.json), or a container on the host's network (Docker
 * discards its `-p`), ufw's rules decide for both families. Each
 * connection is compared with what verify reads from the script. Runs as root (CI); elsewhere it
 * skips with its reason.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compileConfigs, readFirewallConfig } from '../../../shared/src/index.ts'
import { dockerdSkipReason, importBusybox, startDockerd } from '../../helpers/dockerd.ts'
import { createNetnsPair } from '../../helpers/netns.ts'
import { isolatedUfw, reachText, ufwSkipReason } from '../../helpers/ufw.ts'

const SERVER = { 4: '203.0.113.1', 6: '2001:db8::1' } as const
const ALLOWED = { 4: '198.51.100.7', 6: '2001:db8:5::7' } as const
const DENIED = { 4: '198.51.100.99', 6: '2001:db8:5::99' } as const
const PORT = 8080
const SLOW = 300_000

const skipReason = ufwSkipReason() ?? dockerdSkipReason()
if (skipReason !== undefined) console.warn(`ufw with a real dockerd: skipped: ${skipReason}`)

const dir = mkdtempSync(path.join(tmpdir(), 'asr-ud-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * How Docker runs the container: its defaults (NAT for the published port), its iptables off, or
 * on the host's network (where Docker discards `-p` and the container listens on the host's port).
 */
type Mode = 'nat' | 'iptables-off' | 'host'

/** The script verify reads: ufw keeps 8080 to one sender per family, then Docker publishes it. */
function script(mode: Mode): string {
  return `${mode === 'iptables-off' ? `echo '{"iptables": false}' > /etc/docker/daemon.json\n` : ''}ufw default deny incoming
ufw allow from ${ALLOWED[4]} to any port ${PORT} proto tcp
ufw allow from ${ALLOWED[6]} to any port ${PORT} proto tcp
ufw --force enable
docker run -d${mode === 'host' ? ' --network host' : ''} -p ${PORT}:80 asr-ud-busybox
`
}

/** Each sender's connection to the published port: what verify says, and what the kernel did. */
async function run(mode: Mode): Promise<{ verify: string[]; kernel: string[] }> {
  const p = createNetnsPair('asr-ud', {
    server: [SERVER[4], SERVER[6]],
    client: [ALLOWED[4], ALLOWED[6], DENIED[4], DENIED[6]],
  })
  const ufw = isolatedUfw()
  let stop: (() => Promise<void>) | undefined
  try {
    const started = await startDockerd(
      p,
      path.join(dir, `asr-ud-docker-${mode}`),
      mode === 'iptables-off' ? ['--iptables=false'] : [],
    )
    if ('failed' in started) throw new Error(`dockerd did not start:\n${started.failed}`)
    stop = started.stop
    importBusybox(started, dir, 'asr-ud-busybox')
    const text = script(mode)
    // The script's ufw lines as ufw runs them; its docker line through this dockerd's socket.
    const c = ufw.command(
      text
        .split('\n')
        .filter((l) => l.startsWith('ufw'))
        .join('\n'),
    )
    p.run('server', c.command, c.args, c.input)
    // On the host's network the container's listener is the host's port itself.
    const listen = mode === 'host' ? String(PORT) : '80'
    started.docker(
      'run',
      '-d',
      ...(mode === 'host' ? ['--network', 'host'] : []),
      '-p',
      `${PORT}:80`,
      'asr-ud-busybox',
      '/bin/busybox',
      'nc',
      '-ll',
      '-p',
      listen,
      '-e',
      '/bin/ok',
    )
    const cs = compileConfigs([
      readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' }),
    ])
    const verify: string[] = []
    const kernel: string[] = []
    for (const family of [4, 6] as const) {
      const reach = reachText(cs, PORT, family)
      for (const from of [ALLOWED[family], DENIED[family]]) {
        const open =
          reach === 'any' || reach.split(' ').includes(`${from}/${family === 4 ? 32 : 128}`)
        verify.push(`${from}: ${open ? 'open' : 'closed'}`)
        // a first SYN can be lost while dockerd finishes its rules: an open port gets three tries
        let r = await p.connect({ from, to: SERVER[family], port: PORT, timeoutMs: 1500 })
        for (let i = 0; i < 2 && open && r !== 'connected'; i++)
          r = await p.connect({ from, to: SERVER[family], port: PORT, timeoutMs: 1500 })
        kernel.push(`${from}: ${r === 'connected' ? 'open' : 'closed'}`)
      }
    }
    return { verify, kernel }
  } finally {
    await stop?.()
    ufw.dispose()
    p.destroy()
  }
}

describe.skipIf(skipReason !== undefined)(
  'a ufw script that runs docker run -p, against a real dockerd',
  () => {
    // What each sender's connection does, in the order run() tries them.
    it.each<[string, Mode, string[]]>([
      [
        "Docker's NAT opens the published port to every IPv4 sender past ufw; IPv6 goes through ufw",
        'nat',
        ['open', 'open', 'open', 'closed'],
      ],
      [
        "with dockerd's iptables off, ufw decides for both families",
        'iptables-off',
        ['open', 'closed', 'open', 'closed'],
      ],
      [
        "on the host's network, Docker discards -p: ufw decides for both families",
        'host',
        ['open', 'closed', 'open', 'closed'],
      ],
    ])(
      '%s',
      async (_name, mode, expected) => {
        const { verify, kernel } = await run(mode)
        const senders = [ALLOWED[4], DENIED[4], ALLOWED[6], DENIED[6]]
        expect(kernel).toEqual(senders.map((from, i) => `${from}: ${expected[i]}`))
        expect(verify).toEqual(kernel)
      },
      SLOW,
    )
  },
)
