/**
 * @module Issue 17, docker-user proven where it is deployed: published container ports on both
 * families, guarded from DOCKER-USER by the rendered script (deploy-proof.ts), from a client
 * namespace on the far side of a veth pair. First on Docker's chain layout rebuilt by hand from a
 * real dockerd's dump (test/fixtures/docker), then against a real dockerd started here with its
 * own root, socket and namespace. Runs as root (CI); elsewhere each block skips with its reason.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { dockerdSkipReason, host, importBusybox, startDockerd } from '../../helpers/dockerd.ts'
import {
  createNetnsPair,
  listenInNamespace,
  netnsSkipReason,
  type NetnsPair,
  type NetnsServer,
} from '../../helpers/netns.ts'
import {
  CLIENTS,
  DENIED,
  FEED,
  KEPT,
  proveDeployment,
  writeText,
  type Deployer,
} from './deploy-proof.ts'

/** The host's public addresses (docker0 has 192.0.2.1/25 and 2001:db8:d0c::1/64). */
const SERVER = { 4: '203.0.113.1', 6: '2001:db8::1' }
const CONTAINER = { 4: '192.0.2.2', 6: '2001:db8:d0c::242:c000:202' }
/** Published as in the fixture: 8080 -> 80 (guarded), 8081 -> 81 (not). */
const GUARDED = 8080
const OPEN = 8081
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/docker')
const SLOW = 300_000
const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`

const dir = mkdtempSync(path.join(tmpdir(), 'asr-pf-docker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const dockerUser: Deployer = {
  format: 'docker-user',
  ports: true,
  loopbackOption: false,
  reloads: 200,
  write: (file, text) => `sh ${writeText(file, text)}`,
}

let cleanup: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

function newPair(): NetnsPair {
  const p = createNetnsPair('asr-pf', { server: [SERVER[4], SERVER[6]], client: CLIENTS })
  cleanup.push(() => p.destroy())
  return p
}

/**
 * What dockerd builds, by hand: a "container" namespace behind a veth named docker0 in the
 * server namespace, with the fixture's addresses, forwarding on, listeners on 80 and 81 that
 * answer "ok", and the captured rules restored. `ipv6DockerUser` adds DOCKER-USER to the IPv6
 * side as Docker 23+ does (a jump first in FORWARD, a RETURN).
 */
async function rebuildDocker(p: NetnsPair, ipv6DockerUser: boolean): Promise<void> {
  const k = `${p.names.server.slice(0, -2)}-k`
  const id = k.slice(-8, -2)
  host(['ip', 'netns', 'add', k])
  cleanup.push(() => void spawnSync('ip', ['netns', 'del', k], { env: { ...process.env, PATH } }))
  // Created under temporary names, renamed inside: a docker0 of the host's cannot clash.
  host([
    'ip',
    'link',
    'add',
    `apd${id}`,
    'netns',
    p.names.server,
    'type',
    'veth',
    'peer',
    'name',
    `apk${id}`,
    'netns',
    k,
  ])
  const s = (...argv: string[]) => p.run('server', argv[0]!, argv.slice(1))
  const c = (...argv: string[]) => host(['ip', 'netns', 'exec', k, ...argv])
  s('ip', 'link', 'set', `apd${id}`, 'name', 'docker0')
  c('ip', 'link', 'set', `apk${id}`, 'name', 'eth0')
  s('ip', 'addr', 'add', '192.0.2.1/25', 'dev', 'docker0')
  s('ip', 'addr', 'add', '2001:db8:d0c::1/64', 'dev', 'docker0', 'nodad')
  s('ip', 'link', 'set', 'docker0', 'up')
  s('sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1')
  c('ip', 'link', 'set', 'lo', 'up')
  c('ip', 'addr', 'add', `${CONTAINER[4]}/25`, 'dev', 'eth0')
  c('ip', 'addr', 'add', `${CONTAINER[6]}/64`, 'dev', 'eth0', 'nodad')
  c('ip', 'link', 'set', 'eth0', 'up')
  c('ip', 'route', 'add', 'default', 'via', '192.0.2.1')
  c('ip', '-6', 'route', 'add', 'default', 'via', '2001:db8:d0c::1')
  const servers: NetnsServer[] = [
    await listenInNamespace(k, '::', 80),
    await listenInNamespace(k, '::', 81),
  ]
  cleanup.push(async () => {
    for (const srv of servers) await srv.stop()
  })
  p.run(
    'server',
    'iptables-restore',
    [],
    readFileSync(path.join(FIXTURES, 'dockerd-20.10.24.iptables-save'), 'utf8'),
  )
  let v6 = readFileSync(path.join(FIXTURES, 'dockerd-20.10.24.ip6tables-save'), 'utf8')
  if (ipv6DockerUser) {
    v6 = v6
      .replace(
        ':DOCKER-ISOLATION-STAGE-2 - [0:0]\n',
        ':DOCKER-ISOLATION-STAGE-2 - [0:0]\n:DOCKER-USER - [0:0]\n',
      )
      .replace('-A FORWARD ', '-A FORWARD -j DOCKER-USER\n-A FORWARD ')
      .replace(
        '-A DOCKER-ISOLATION-STAGE-2 -j RETURN\n',
        '-A DOCKER-ISOLATION-STAGE-2 -j RETURN\n-A DOCKER-USER -j RETURN\n',
      )
  }
  p.run('server', 'ip6tables-restore', [], v6)
}

/** Local clients: the host talking to its own addresses (Docker DNATs them in OUTPUT). */
const LOCAL = [
  { from: SERVER[4], to: SERVER[4], port: GUARDED },
  { from: SERVER[6], to: SERVER[6], port: GUARDED },
]

function skip(...tools: string[]): string | false {
  const reason = netnsSkipReason(...tools)
  if (reason !== undefined) console.warn(`docker-user deploy tests: ${reason}`)
  return reason ?? false
}

/**
 * The first connection of a family through a freshly built path: a first SYN can be lost while
 * the kernel still resolves the neighbour (or dockerd finishes its rules), so a baseline
 * "connected" is retried on a timeout, up to three times. Only baselines use it: a guarded port
 * must time out on the first try.
 */
async function firstConnect(
  p: { connect: NetnsPair['connect'] },
  o: Parameters<NetnsPair['connect']>[0],
) {
  let result = await p.connect(o)
  for (let i = 0; i < 2 && result === 'timeout'; i++) result = await p.connect(o)
  return result
}

describe.skipIf(skip('iptables-restore', 'ip6tables-restore', 'sysctl'))(
  "docker-user on Docker's chain layout rebuilt by hand (real dockerd 20.10.24 rules)",
  () => {
    it(
      "Docker 20.10 (no IPv6 DOCKER-USER): both families guarded, the operator's DOCKER-USER rule kept",
      async () => {
        const p = newPair()
        await rebuildDocker(p, false)
        // Published ports are open to anyone before the script runs: this is what it guards.
        expect(await firstConnect(p, { from: DENIED[4], to: SERVER[4], port: GUARDED })).toBe(
          'connected',
        )
        expect(await firstConnect(p, { from: DENIED[6], to: SERVER[6], port: GUARDED })).toBe(
          'connected',
        )
        p.run('server', 'iptables', ['-A', 'DOCKER-USER', '-s', '192.0.2.77/32', '-j', 'RETURN'])
        await proveDeployment(dockerUser, {
          pair: p,
          server: SERVER,
          guarded: GUARDED,
          open: OPEN,
          local: LOCAL,
          dir,
        })
        expect(p.run('server', 'iptables', ['-S', 'DOCKER-USER']).stdout).toBe(
          '-N DOCKER-USER\n-A DOCKER-USER -j allowlist-sync\n-A DOCKER-USER -j RETURN\n-A DOCKER-USER -s 192.0.2.77/32 -j RETURN\n',
        )
        const forward6 = p.run('server', 'ip6tables', ['-S', 'FORWARD']).stdout.split('\n')
        expect(forward6[1]).toMatch(
          /^-A FORWARD (-m comment --comment allowlist-sync )?-j DOCKER-USER$/,
        )
        expect(forward6.filter((l) => l.endsWith('-j DOCKER-USER'))).toHaveLength(1)
        expect(p.run('server', 'ip6tables', ['-S', 'DOCKER-USER']).stdout).toBe(
          '-N DOCKER-USER\n-A DOCKER-USER -j allowlist-sync\n',
        )
      },
      SLOW,
    )

    it('Docker 23+ (DOCKER-USER in both families): FORWARD left as Docker made it, one jump after many runs', async () => {
      const p = newPair()
      await rebuildDocker(p, true)
      const forward = () =>
        ['iptables', 'ip6tables'].map((t) => p.run('server', t, ['-S', 'FORWARD']).stdout)
      const before = forward()
      const text = renderFormat('docker-user', FEED, {
        ports: [{ port: GUARDED, protocol: 'tcp' }],
      })
      for (let i = 0; i < 5; i++) p.run('server', 'sh', ['-s'], text)
      expect(forward()).toEqual(before)
      for (const t of ['iptables', 'ip6tables'])
        expect(p.run('server', t, ['-S', 'DOCKER-USER']).stdout).toBe(
          '-N DOCKER-USER\n-A DOCKER-USER -j allowlist-sync\n-A DOCKER-USER -j RETURN\n',
        )
      for (const f of [4, 6] as const) {
        expect(
          await Promise.all([
            p.connect({ from: KEPT[f], to: SERVER[f], port: GUARDED }),
            p.connect({ from: DENIED[f], to: SERVER[f], port: GUARDED, timeoutMs: 1000 }),
            p.connect({ from: DENIED[f], to: SERVER[f], port: OPEN }),
          ]),
          `IPv${f}`,
        ).toEqual(['connected', 'timeout', 'connected'])
      }
    })
  },
)

/** Why a real dockerd cannot be used here, said once; false when it can. */
function dockerSkip(): string | false {
  const reason = dockerdSkipReason()
  if (reason !== undefined) console.warn(`docker-user against a real dockerd: skipped: ${reason}`)
  return reason ?? false
}

describe.skipIf(dockerSkip())('docker-user against a real dockerd', () => {
  it(
    'a container publishing on both families: the script guards it from a namespace across a veth',
    async (ctx) => {
      const p = newPair()
      const started = await startDockerd(p, path.join(dir, 'asr-pf-docker'), [
        '--bip 192.0.2.1/25',
        '--ipv6',
        '--fixed-cidr-v6 2001:db8:d0c::/64',
        '--experimental',
        '--ip6tables',
      ])
      if ('failed' in started) {
        // The rebuilt layout above still runs; say why the real one did not.
        console.warn(
          `dockerd did not start here; skipping (the rebuilt layout ran):\n${started.failed}`,
        )
        ctx.skip()
        return
      }
      cleanup.push(started.stop)
      const { docker, sock } = started
      importBusybox(started, dir, 'asr-pf-busybox')
      // Two published ports on both families; each answers "ok" and closes, as the listeners do.
      docker(
        'run',
        '-d',
        '--name',
        'asr-pf-web',
        '-p',
        `${GUARDED}:80`,
        '-p',
        `${OPEN}:81`,
        'asr-pf-busybox',
        '/bin/busybox',
        'sh',
        '-c',
        'busybox nc -ll -p 81 -e /bin/ok & exec busybox nc -ll -p 80 -e /bin/ok',
      )
      expect(await firstConnect(p, { from: DENIED[6], to: SERVER[6], port: GUARDED })).toBe(
        'connected',
      )
      await proveDeployment(dockerUser, {
        pair: p,
        server: SERVER,
        guarded: GUARDED,
        open: OPEN,
        // docker-proxy serves 127.0.0.1 and ::1; the host's own addresses go through OUTPUT.
        local: [
          { from: '127.0.0.1', to: '127.0.0.1', port: GUARDED },
          { from: '::1', to: '::1', port: GUARDED },
          ...LOCAL,
        ],
        dir,
      })
      // A network created later pushes Docker 20.10's IPv6 rules above the DOCKER-USER jump;
      // running the script again (as its header says) puts the jump back on top, twice over.
      const text = renderFormat('docker-user', FEED, {
        ports: [{ port: GUARDED, protocol: 'tcp' }],
      })
      for (const n of ['asr-pf-n1', 'asr-pf-n2']) {
        docker(
          'network',
          'create',
          '--ipv6',
          '--subnet',
          '198.51.100.128/26',
          '--subnet',
          '2001:db8:d0d::/64',
          n,
        )
        cleanup.push(() => void spawnSync('docker', ['-H', sock, 'network', 'rm', n]))
        p.run('server', 'sh', ['-s'], text)
        const forward6 = p.run('server', 'ip6tables', ['-S', 'FORWARD']).stdout.split('\n')
        expect(forward6[1], n).toMatch(/-j DOCKER-USER$/)
        expect(
          forward6.filter((l) => l.endsWith('-j DOCKER-USER')),
          n,
        ).toHaveLength(1)
        docker('network', 'rm', n)
      }
      expect(
        await p.connect({ from: DENIED[6], to: SERVER[6], port: GUARDED, timeoutMs: 1000 }),
      ).toBe('timeout')
    },
    SLOW,
  )
})
